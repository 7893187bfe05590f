/**
 * The AWS dialect of OAuth 2.0, in one place, with the reason for each difference.
 *
 * AWS Sign-In's CLI clients speak OAuth 2.0 authorization code + PKCE + DPoP, but:
 *
 * - The PKCE method is spelled `SHA-256`, not `S256` (the computation is the same).
 * - The token endpoint takes a JSON body with camelCase keys (`clientId`, `grantType`, `code`,
 *   `codeVerifier`, `redirectUri`, `refreshToken`) instead of a form body: it is the smithy
 *   `CreateOAuth2Token` operation with a REST-JSON payload binding.
 * - The answer is camelCase too, and `accessToken` is not a bearer string but an object holding
 *   AWS credentials (`accessKeyId`, `secretAccessKey`, `sessionToken`); `tokenType` is `aws_sigv4`.
 * - Errors carry the smithy error type in `X-Amzn-ErrorType` and `{error, message}` in the body.
 * - The id_token is only read for its `sub` (the login session ARN); aws-cli does not verify its
 *   signature and its `aud` is `arn:aws:signin:::cli/...`, not the client id.
 * - aws-cli sends a UUID as the DPoP `jti`.
 *
 * oauth4webapi builds the standard request (parameters, DPoP proof); {@link awsTokenFetch} is the
 * `customFetch` that rewrites its form body into this JSON body, and {@link processAwsTokenResponse}
 * validates the answer, in oauth4webapi's request/process style.
 *
 * @module
 */

import { decodeBase64Url } from "./base64.ts";
import { ServiceError } from "../errors.ts";
import { sanitizeOutsideText } from "../runtime/sanitize.ts";

/** Which of the two public clients a sign-in uses: the client kind. */
export type ClientKind = "same-device" | "cross-device";

/** The public client ids of the AWS developer tools (spec §2.1). */
export const CLIENT_IDS: Readonly<Record<ClientKind, string>> = {
  "same-device": "arn:aws:signin:::devtools/same-device",
  "cross-device": "arn:aws:signin:::devtools/cross-device",
};

/** The PKCE method name AWS expects (RFC 7636 calls it `S256`). */
export const CODE_CHALLENGE_METHOD = "SHA-256";

/** The only scope the CLI clients may ask for. */
export const SCOPE = "openid";

/** The path of the loopback redirect URI. */
export const CALLBACK_PATH = "/oauth/callback";

/** Form parameter → JSON key of the `CreateOAuth2Token` input. */
const BODY_KEYS: Readonly<Record<string, string>> = {
  client_id: "clientId",
  grant_type: "grantType",
  code: "code",
  code_verifier: "codeVerifier",
  redirect_uri: "redirectUri",
  refresh_token: "refreshToken",
};

/**
 * Turns a `fetch` into the `customFetch` for oauth4webapi token requests: the
 * `application/x-www-form-urlencoded` body becomes aws-cli's JSON body, other headers (the DPoP proof
 * among them) pass through.
 *
 * @example
 * ```ts
 * import * as oauth from "oauth4webapi";
 * const options = { [oauth.customFetch]: awsTokenFetch(fetch, "aws-login/1.0") };
 * ```
 */
export function awsTokenFetch(
  fetchFn: (url: string, init: RequestInit) => Promise<Response>,
  userAgent: string,
): (url: string, init: RequestInit) => Promise<Response> {
  return (url, init) => {
    const headers = new Headers(init.headers);
    headers.set("content-type", "application/json");
    headers.set("user-agent", userAgent);
    return fetchFn(url, { ...init, headers, body: toJsonBody(init.body) });
  };
}

/**
 * The JSON body aws-cli sends for a form body oauth4webapi built.
 *
 * @example
 * ```ts
 * toJsonBody(new URLSearchParams({ grant_type: "refresh_token", refresh_token: "r", client_id: "c" }));
 * // '{"grantType":"refresh_token","refreshToken":"r","clientId":"c"}'
 * ```
 */
export function toJsonBody(body: RequestInit["body"]): string {
  if (!(body instanceof URLSearchParams)) {
    throw new TypeError("Expected a form body from oauth4webapi");
  }
  const json: Record<string, string> = {};
  for (const [key, value] of body) {
    const jsonKey = BODY_KEYS[key];
    if (jsonKey === undefined) throw new TypeError(`Unexpected token request parameter "${key}"`);
    json[jsonKey] = value;
  }
  return JSON.stringify(json);
}

/** AWS credentials as Sign-In returns them. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

/** A validated `CreateOAuth2Token` answer. */
export interface AwsTokenResponse {
  readonly accessToken: AwsCredentials;
  readonly tokenType: string;
  /** Lifetime of the credentials in seconds, 1 to {@link MAX_EXPIRES_IN_SECONDS}. */
  readonly expiresIn: number;
  /**
   * The next refresh token. Always there for the authorization_code grant; a refresh answer
   * without one keeps the current token (the model marks it required, but the Go SDK crashed on
   * exactly such an answer, aws-sdk-go-v2 #3542).
   */
  readonly refreshToken?: string;
  /** Only for the authorization_code grant. */
  readonly idToken?: string;
}

/** The two grants of `CreateOAuth2Token`. */
export type TokenGrant = "authorization_code" | "refresh_token";

/**
 * The longest credential lifetime accepted: 12 hours, the longest a login session lasts. The
 * service sends 900; anything outside 1..43200 is a broken answer, refused before it is saved.
 */
export const MAX_EXPIRES_IN_SECONDS = 43_200;

/** Options of {@link processAwsTokenResponse}. */
export interface ProcessTokenOptions {
  /** Which grant was asked for: it decides which members are required. */
  grant: TokenGrant;
  /** Values we sent that an error message must never echo (the code, the refresh token...). */
  secrets?: readonly (string | undefined)[];
}

/**
 * Validates a `CreateOAuth2Token` answer. Error answers become a {@link ServiceError} whose `code` is
 * the body's `error` (e.g. `TOKEN_EXPIRED`) and whose `errorType` is `X-Amzn-ErrorType`; the message
 * is the service's own, sanitized for a terminal. Callers map codes to user-facing advice
 * (`explainTokenError` in `token_policy.ts`).
 *
 * @example
 * ```ts
 * const answer = Response.json({
 *   accessToken: { accessKeyId: "A", secretAccessKey: "S", sessionToken: "T" },
 *   tokenType: "aws_sigv4", expiresIn: 900, refreshToken: "R",
 * });
 * (await processAwsTokenResponse(answer, { grant: "refresh_token" })).expiresIn; // 900
 * ```
 */
export async function processAwsTokenResponse(
  response: Response,
  options: ProcessTokenOptions,
): Promise<AwsTokenResponse> {
  const text = await response.text();
  if (!response.ok) throw awsServiceError(response, text, options.secrets ?? []);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw invalidResponse(response, "the body is not JSON");
  }
  if (!isRecord(body)) throw invalidResponse(response, "the body is not a JSON object");
  const { accessToken, tokenType, expiresIn, refreshToken, idToken } = body;
  if (!isRecord(accessToken)) throw invalidResponse(response, '"accessToken" is missing');
  for (const key of ["accessKeyId", "secretAccessKey", "sessionToken"] as const) {
    if (typeof accessToken[key] !== "string" || accessToken[key] === "") {
      throw invalidResponse(response, `"accessToken.${key}" is missing`);
    }
  }
  const hasRefreshToken = typeof refreshToken === "string" && refreshToken !== "";
  if (refreshToken !== undefined && refreshToken !== null && !hasRefreshToken) {
    throw invalidResponse(response, '"refreshToken" is not a token');
  }
  if (!hasRefreshToken && options.grant === "authorization_code") {
    throw invalidResponse(response, '"refreshToken" is missing');
  }
  if (
    typeof expiresIn !== "number" || !Number.isFinite(expiresIn) || expiresIn < 1 ||
    expiresIn > MAX_EXPIRES_IN_SECONDS
  ) {
    throw invalidResponse(
      response,
      `"expiresIn" is not a number of seconds from 1 to ${MAX_EXPIRES_IN_SECONDS}`,
    );
  }
  if (idToken !== undefined && typeof idToken !== "string") {
    throw invalidResponse(response, '"idToken" is not a string');
  }
  return {
    accessToken: {
      accessKeyId: accessToken.accessKeyId as string,
      secretAccessKey: accessToken.secretAccessKey as string,
      sessionToken: accessToken.sessionToken as string,
    },
    tokenType: typeof tokenType === "string" && tokenType !== "" ? tokenType : "aws_sigv4",
    expiresIn: Math.floor(expiresIn),
    ...(hasRefreshToken ? { refreshToken: refreshToken as string } : {}),
    ...(idToken === undefined ? {} : { idToken }),
  };
}

/**
 * The {@link ServiceError} of an error answer of a rest-json Sign-In operation (`CreateOAuth2Token`,
 * `RevokeOAuth2TokenWithIAM`): `code` from the body's `error`, `errorType` from `X-Amzn-ErrorType`,
 * the message the service's own (`message`, or `Message` as SigV4 failures spell it), sanitized
 * for a terminal with `secrets` redacted.
 *
 * @example
 * ```ts
 * const response = new Response('{"error":"INVALID_REQUEST","message":"no"}', {
 *   status: 400,
 *   headers: { "x-amzn-errortype": "ValidationException" },
 * });
 * awsServiceError(response, await response.text(), []).code; // "INVALID_REQUEST"
 * ```
 */
export function awsServiceError(
  response: Response,
  text: string,
  secrets: readonly (string | undefined)[],
): ServiceError {
  let code = response.status === 429 ? "THROTTLED" : `HTTP_${response.status}`;
  let message = `AWS Sign-In answered HTTP ${response.status}`;
  try {
    const body = JSON.parse(text);
    if (isRecord(body)) {
      if (typeof body.error === "string" && /^[A-Za-z0-9_.-]{1,64}$/.test(body.error)) {
        code = body.error;
      }
      const detail = body.message ?? body.Message ?? body.error_description;
      if (typeof detail === "string") {
        const clean = sanitizeOutsideText(detail, { secrets });
        if (clean !== "") message = clean;
      }
    }
  } catch {
    // not JSON: keep the status-based message; the body itself is never shown
  }
  const errorType = response.headers.get("x-amzn-errortype")?.split(":")[0];
  const cleanType = errorType !== undefined && /^[A-Za-z0-9_.#-]{1,100}$/.test(errorType)
    ? errorType
    : undefined;
  return new ServiceError(message, { code, status: response.status, errorType: cleanType });
}

function invalidResponse(response: Response, why: string): ServiceError {
  return new ServiceError(
    `Unable to use the answer of AWS Sign-In: ${why}. If the problem persists, the Sign-In service may have a temporary problem`,
    { code: "INVALID_RESPONSE", status: response.status },
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Decodes the payload of a JWT without verifying it, as aws-cli does for the id_token (spec §7).
 *
 * @example
 * ```ts
 * decodeJwtPayload("e30.eyJzdWIiOiJhcm46YXdzOmlhbTo6MTExMTExMTExMTExOnVzZXIvYSJ9.c").sub;
 * // "arn:aws:iam::111111111111:user/a"
 * ```
 */
export function decodeJwtPayload(jwt: string): Record<string, unknown> {
  const parts = jwt.split(".");
  if (parts.length !== 3) throw new TypeError("Invalid JWT token - cannot extract payload");
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder().decode(decodeBase64Url(parts[1]!)));
  } catch {
    throw new TypeError("Invalid JWT token - cannot extract payload");
  }
  if (!isRecord(payload)) throw new TypeError("Invalid JWT token - cannot extract payload");
  return payload;
}

/** The identity a sign-in produced. */
export interface LoginIdentity {
  /** The login session ARN (`sub` of the id_token). */
  readonly loginSession: string;
  /** The account id: 5th field of the ARN. */
  readonly accountId: string;
}

/**
 * Reads the login session ARN and account id from an id_token.
 *
 * @example
 * ```ts
 * identityFromIdToken("e30.eyJzdWIiOiJhcm46YXdzOmlhbTo6MTExMTExMTExMTExOnVzZXIvYSJ9.c").accountId;
 * // "111111111111"
 * ```
 */
export function identityFromIdToken(idToken: string): LoginIdentity {
  const { sub } = decodeJwtPayload(idToken);
  if (typeof sub !== "string" || sub === "") throw new TypeError("Invalid JWT token - missing sub");
  return { loginSession: sub, accountId: accountIdFromArn(sub) };
}

/**
 * The account id of an ARN (`arn:partition:service:region:account:resource`).
 *
 * @example
 * ```ts
 * accountIdFromArn("arn:aws:sts::123456789012:assumed-role/Admin/alice"); // "123456789012"
 * ```
 */
export function accountIdFromArn(arn: string): string {
  const parts = arn.split(":");
  if (parts.length < 6 || parts[0] !== "arn" || parts[4] === "") {
    throw new TypeError(
      `Provided ARN: ${arn} must be of the format: arn:partition:service:region:account:resource`,
    );
  }
  return parts[4]!;
}
