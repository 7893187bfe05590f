/**
 * The authorization request and its response: PKCE, state, the authorize URL exactly as aws-cli
 * builds it (spec §2), and the checks on what comes back, whether by the loopback callback, by a
 * pasted redirect address or by the cross-device code (spec §3.4, §4).
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import { AuthorizationError } from "../errors.ts";
import { CLIENT_IDS, type ClientKind, CODE_CHALLENGE_METHOD, SCOPE } from "./aws_dialect.ts";
import { decodeBase64 } from "./base64.ts";

/** Everything one sign-in attempt needs to remember between the two halves of the flow. */
export interface AuthorizationRequest {
  readonly clientKind: ClientKind;
  readonly clientId: string;
  readonly state: string;
  readonly codeVerifier: string;
  readonly codeChallenge: string;
  readonly redirectUri: string;
  /** The URL the user opens. */
  readonly url: string;
}

/**
 * Creates the PKCE pair and state for one sign-in and builds the authorize URL.
 *
 * @example
 * ```ts
 * const request = await createAuthorizationRequest("https://us-east-1.signin.aws.amazon.com/v1/authorize", {
 *   clientKind: "same-device",
 *   redirectUri: "http://127.0.0.1:54321/oauth/callback",
 *   state: crypto.randomUUID(),
 * });
 * request.url.startsWith("https://us-east-1.signin.aws.amazon.com/v1/authorize?response_type=code&"); // true
 * ```
 */
export async function createAuthorizationRequest(
  authorizeUrl: string,
  options: { clientKind: ClientKind; redirectUri: string; state: string; codeVerifier?: string },
): Promise<AuthorizationRequest> {
  const codeVerifier = options.codeVerifier ?? oauth.generateRandomCodeVerifier();
  const codeChallenge = await oauth.calculatePKCECodeChallenge(codeVerifier);
  const clientId = CLIENT_IDS[options.clientKind];
  const url = buildAuthorizeUrl(authorizeUrl, {
    clientId,
    state: options.state,
    redirectUri: options.redirectUri,
    codeChallenge,
  });
  return {
    clientKind: options.clientKind,
    clientId,
    state: options.state,
    codeVerifier,
    codeChallenge,
    redirectUri: options.redirectUri,
    url,
  };
}

/**
 * Percent-encodes like botocore's `percent_encode`: everything but `A-Z a-z 0-9 - . _ ~`.
 *
 * @example
 * ```ts
 * percentEncode("arn:aws:signin:::devtools/same-device"); // "arn%3Aaws%3Asignin%3A%3A%3Adevtools%2Fsame-device"
 * ```
 */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Builds the authorize URL with the parameters in aws-cli's order and encoding, the code challenge
 * last and unencoded (it is base64url already).
 *
 * @example
 * ```ts
 * buildAuthorizeUrl("https://h/v1/authorize", {
 *   clientId: "c", state: "s", redirectUri: "r", codeChallenge: "x",
 * }); // "https://h/v1/authorize?response_type=code&client_id=c&state=s&code_challenge_method=SHA-256&scope=openid&redirect_uri=r&code_challenge=x"
 * ```
 */
export function buildAuthorizeUrl(
  authorizeUrl: string,
  parameters: { clientId: string; state: string; redirectUri: string; codeChallenge: string },
): string {
  const query = [
    ["response_type", "code"],
    ["client_id", parameters.clientId],
    ["state", parameters.state],
    ["code_challenge_method", CODE_CHALLENGE_METHOD],
    ["scope", SCOPE],
    ["redirect_uri", parameters.redirectUri],
  ].map(([key, value]) => `${percentEncode(key!)}=${percentEncode(value!)}`).join("&");
  return `${authorizeUrl}?${query}&code_challenge=${parameters.codeChallenge}`;
}

/** A checked authorization response. */
export interface AuthorizationResponse {
  readonly code: string;
  /** The parameters as validated by oauth4webapi, which the token request requires. */
  readonly parameters: URLSearchParams;
}

/**
 * Checks an authorization response (the query of the callback, or the decoded cross-device code)
 * against the request and returns the authorization code.
 *
 * Throws {@link AuthorizationError} with aws-cli's wording when the state differs, when the
 * server sent an `error`, or when there is no code.
 *
 * @example
 * ```ts
 * checkAuthorizationResponse(new URLSearchParams("code=abc&state=s1"), "s1").code; // "abc"
 * ```
 */
export function checkAuthorizationResponse(
  parameters: URLSearchParams,
  expectedState: string,
): AuthorizationResponse {
  const as: oauth.AuthorizationServer = { issuer: "https://signin.aws.amazon.com" };
  const client: oauth.Client = { client_id: "aws-login" };
  let validated: URLSearchParams;
  try {
    validated = oauth.validateAuthResponse(as, client, parameters, expectedState);
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError) {
      const description = error.error_description ? `: ${error.error_description}` : "";
      throw new AuthorizationError(
        `Failed to retrieve an authorization code: sign-in returned "${error.error}"${description}`,
        {
          code: error.error === "access_denied" ? "ACCESS_DENIED" : "AUTHORIZATION_ERROR",
          hint: error.error === "access_denied"
            ? "The sign-in was declined in the browser. Run the command again to retry."
            : undefined,
          cause: error,
        },
      );
    }
    const state = parameters.get("state");
    throw new AuthorizationError(
      state === null
        ? "The authorization response has no state parameter"
        : `State parameter ${state} does not match expected value ${expectedState}`,
      {
        code: "STATE_MISMATCH",
        hint:
          "The response belongs to another sign-in attempt. Use the code or address of this attempt.",
        cause: error,
      },
    );
  }
  const code = validated.get("code");
  if (code === null || code === "") {
    throw new AuthorizationError("Failed to retrieve an authorization code", {
      code: "MISSING_CODE",
    });
  }
  return { code, parameters: validated };
}

/** The message for a code that was not pasted whole. */
export const INCOMPLETE_CODE_MESSAGE = "That code looks incomplete: copy the whole code";

function incompleteCode(): AuthorizationError {
  return new AuthorizationError(INCOMPLETE_CODE_MESSAGE, { code: "INCOMPLETE_CODE" });
}

/**
 * Decodes what the user pastes in the cross-device flow: standard base64 of `state=...&code=...`.
 * Surrounding whitespace and line breaks inside the paste are ignored.
 *
 * A paste cut short is said to be incomplete rather than undecodable: the browser shows padded
 * base64, whose length is a multiple of 4, and the decoded text starts with `state=` or `code=`.
 *
 * @example
 * ```ts
 * decodeRemoteCode("c3RhdGU9czEmY29kZT1hYmM=").get("code"); // "abc"
 * ```
 */
export function decodeRemoteCode(pasted: string): URLSearchParams {
  const compact = pasted.replace(/\s+/g, "");
  if (compact === "") {
    throw new AuthorizationError("Nothing was pasted: paste the code shown in your browser", {
      code: "EMPTY_CODE",
    });
  }
  const undecodable = () =>
    new AuthorizationError(
      "Failed to decode the verification code: it is not the base64 text shown in your browser",
      { code: "UNDECODABLE_CODE" },
    );
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw undecodable();
  if (compact.length % 4 !== 0) throw incompleteCode();
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(decodeBase64(compact));
  } catch {
    throw undecodable();
  }
  const parameters = new URLSearchParams(text);
  if (!parameters.has("code") || !parameters.has("state")) {
    if (/^(state|code)=/.test(text)) throw incompleteCode();
    throw new AuthorizationError(
      "Failed to retrieve an auth_code or state from the verification code",
      { code: "UNDECODABLE_CODE" },
    );
  }
  return parameters;
}

/**
 * Decodes and checks a pasted cross-device code against the state of this sign-in. A state that
 * is the beginning of the expected one means the paste was cut short.
 *
 * @example
 * ```ts
 * readRemoteCode("c3RhdGU9czEmY29kZT1hYmM=", "s1").code; // "abc"
 * ```
 */
export function readRemoteCode(pasted: string, expectedState: string): AuthorizationResponse {
  const parameters = decodeRemoteCode(pasted);
  const state = parameters.get("state") ?? "";
  if (state !== expectedState && state !== "" && expectedState.startsWith(state)) {
    throw incompleteCode();
  }
  return checkAuthorizationResponse(parameters, expectedState);
}

/**
 * Reads the query of a pasted redirect address (`http://127.0.0.1:PORT/oauth/callback?code=...`)
 * for the `--no-browser` flow. Accepts the whole address or just its query.
 *
 * @example
 * ```ts
 * parsePastedRedirect("http://127.0.0.1:1/oauth/callback?code=a&state=b")?.get("code"); // "a"
 * ```
 */
export function parsePastedRedirect(pasted: string): URLSearchParams | undefined {
  const text = pasted.trim();
  if (text === "") return undefined;
  try {
    const url = new URL(text);
    return url.searchParams;
  } catch {
    const query = text.startsWith("?") ? text.slice(1) : text;
    const parameters = new URLSearchParams(query);
    return parameters.has("code") || parameters.has("error") || parameters.has("state")
      ? parameters
      : undefined;
  }
}
