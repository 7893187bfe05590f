/**
 * The container credential endpoint that `exec` and `serve` run: what every AWS SDK and both AWS
 * CLIs read when `AWS_CONTAINER_CREDENTIALS_FULL_URI` is set (spec §17). The SDK sends
 * `GET <uri>` with the value of `AWS_CONTAINER_AUTHORIZATION_TOKEN` as the `Authorization` header,
 * and reads JSON `AccessKeyId`, `SecretAccessKey`, `Token`, `Expiration` and `AccountId`.
 *
 * What it accepts, in the order it checks (each answer is JSON, `no-store`, never credentials):
 *
 * 1. `Host` must be an IP address or a name no DNS server can point elsewhere: `localhost` (and
 *    `*.localhost`), `host.docker.internal`, `gateway.docker.internal`,
 *    `host.containers.internal`; any port. That defeats DNS rebinding (a page on `evil.example`
 *    whose name resolves to 127.0.0.1 sends `Host: evil.example`), which is all a Host check can
 *    do; the port is not checked so that port forwards and relays (`ssh -L`, `socat`) work.
 *    Otherwise 421.
 * 2. The request line and headers must be small (at most {@link MAX_URL_LENGTH} and
 *    {@link MAX_HEADER_BYTES}): 414 / 431. A body is never read: a request announcing one gets 400.
 * 3. Only `GET` {@link ENDPOINT_PATH}: 404 for any other path, 405 for another method.
 * 4. `Authorization` must be the token, compared in constant time: 401 when missing, 403 when
 *    wrong.
 * 5. Then the credentials, or the reason there are none (see {@link errorAnswer}).
 *
 * A browser page cannot read the answer either: it cannot know the token, and sending a custom
 * `Authorization` header needs a CORS preflight (`OPTIONS`), which gets 405 and no CORS headers.
 *
 * @module
 */

import type { Deps, HttpServer } from "../runtime/deps.ts";
import {
  AwsLoginError,
  LoginRequiredError,
  NetworkError,
  oneLineMessage,
  ServiceError,
  UsageError,
} from "../errors.ts";
import type { ProfileCredentials } from "./profile_credentials.ts";
import { encodeBase64Url } from "../signin/base64.ts";

/** The one path the endpoint serves. */
export const ENDPOINT_PATH = "/credentials";

/** Longest path and query accepted, in characters. */
export const MAX_URL_LENGTH = 2048;

/** Most header bytes accepted (names and values). */
export const MAX_HEADER_BYTES = 8192;

/** Bytes of randomness in a generated token (256 bits). */
export const TOKEN_BYTES = 32;

/** Fewest characters of a token given with `--token-file` (22 base64url characters: 128 bits). */
export const MIN_TOKEN_LENGTH = 22;

/**
 * Long-term keys do not expire; the endpoint names an expiry this far ahead, so that SDKs ask again
 * now and then (and see a change of the keys).
 */
export const STATIC_KEYS_LIFETIME_MS = 60 * 60 * 1000;

const NAMES_THAT_CANNOT_BE_REBOUND = new Set([
  "localhost",
  "host.docker.internal",
  "gateway.docker.internal",
  "host.containers.internal",
]);

/**
 * A new random token: {@link TOKEN_BYTES} bytes, base64url without padding.
 *
 * @example
 * ```ts ignore
 * newToken(deps); // "m2Qb3vT0..." (43 characters)
 * ```
 */
export function newToken(deps: Pick<Deps, "randomBytes">): string {
  return encodeBase64Url(deps.randomBytes(TOKEN_BYTES));
}

/**
 * Why a token cannot be used, or `undefined` when it can: at least {@link MIN_TOKEN_LENGTH}
 * characters, all visible ASCII without spaces (it travels as a header value).
 *
 * @example
 * ```ts
 * tokenProblem("short"); // "it has 5 characters; at least 22 are needed (128 bits)"
 * ```
 */
export function tokenProblem(token: string): string | undefined {
  if (!/^[\x21-\x7e]*$/.test(token)) return "it holds spaces or characters that are not ASCII";
  if (token.length < MIN_TOKEN_LENGTH) {
    return `it has ${token.length} characters; at least ${MIN_TOKEN_LENGTH} are needed (128 bits)`;
  }
  return undefined;
}

/**
 * Compares a presented token with the expected one in time that depends only on the expected
 * token's length, not on where they differ.
 *
 * @example
 * ```ts
 * tokensMatch("abc", "abc"); // true
 * tokensMatch("abd", "abc"); // false
 * ```
 */
export function tokensMatch(presented: string, expected: string): boolean {
  const a = new TextEncoder().encode(presented);
  const b = new TextEncoder().encode(expected);
  let difference = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) difference |= (a[i % Math.max(a.length, 1)] ?? 0) ^ b[i]!;
  return difference === 0;
}

/**
 * Whether a `Host` header names this endpoint in a way DNS rebinding cannot produce: an IPv4 or
 * bracketed IPv6 address, or a loopback or container-host name, with any port.
 *
 * @example
 * ```ts
 * isAllowedHost("127.0.0.1:8080"); // true
 * isAllowedHost("host.docker.internal:8080"); // true
 * isAllowedHost("evil.example:8080"); // false
 * ```
 */
export function isAllowedHost(host: string | null): boolean {
  if (host === null) return false;
  const match = /^(\[[0-9A-Fa-f:.]+\]|[^:\[\]]+)(?::(\d{1,5}))?$/.exec(host.trim());
  if (match === null) return false;
  const name = match[1]!.toLowerCase().replace(/\.$/, "");
  if (name.startsWith("[")) return true;
  if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(name)) {
    return name.split(".").every((part) => Number(part) <= 255);
  }
  return NAMES_THAT_CANNOT_BE_REBOUND.has(name) || name.endsWith(".localhost");
}

/** An answer before it becomes a `Response`. */
export interface Answer {
  readonly status: number;
  readonly body: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * The JSON the SDKs read: `Token` is empty for long-term keys without a session token (botocore
 * and the JS SDK then sign without one), and `Expiration` is the true expiry, or
 * {@link STATIC_KEYS_LIFETIME_MS} ahead for keys that have none.
 *
 * @example
 * ```ts ignore
 * credentialsAnswer(credentials, new Date()).body.Expiration; // "2026-12-01T10:15:00Z"
 * ```
 */
export function credentialsAnswer(credentials: ProfileCredentials, now: Date): Answer {
  const expiration = credentials.expiration ?? new Date(now.getTime() + STATIC_KEYS_LIFETIME_MS);
  return {
    status: 200,
    body: {
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      Token: credentials.sessionToken ?? "",
      Expiration: expiration.toISOString().replace(/\.\d{3}Z$/, "Z"),
      ...(credentials.accountId ? { AccountId: credentials.accountId } : {}),
    },
  };
}

function problem(status: number, code: string, message: string, headers?: Answer["headers"]) {
  return { status, body: { code, message }, ...(headers ? { headers } : {}) };
}

/**
 * The answer for a failure to get credentials. botocore and the AWS CLI show the body in their
 * error (`Received non 200 response (403) from container metadata: {...}`); the JS SDK reads it
 * for 4xx answers. So the message says what to do, and the status says whether asking again can
 * help:
 *
 * | Failure                                  | Status | `code`               |
 * | ---------------------------------------- | ------ | -------------------- |
 * | the session needs a new sign-in          | 403    | `LoginRequired`      |
 * | AWS Sign-In answered with an error       | 502    | `SignInError`        |
 * | AWS Sign-In could not be reached         | 503    | `SignInUnreachable`  |
 * | the config, a file, a credential_process | 500    | the error's own code |
 * | anything else (a bug)                    | 500    | `InternalError`      |
 *
 * @example
 * ```ts ignore
 * errorAnswer(new LoginRequiredError("Your session has expired", { hint })).status; // 403
 * ```
 */
export function errorAnswer(error: unknown): Answer {
  if (!(error instanceof AwsLoginError)) {
    return problem(500, "InternalError", "aws-login failed unexpectedly; see its own output");
  }
  const message = oneLineMessage(error);
  if (error instanceof LoginRequiredError) return problem(403, "LoginRequired", message);
  if (error instanceof ServiceError) return problem(502, "SignInError", message);
  if (error instanceof NetworkError) return problem(503, "SignInUnreachable", message);
  return problem(500, error.code, message);
}

/** What {@link handleEndpointRequest} needs besides the request. */
export interface EndpointContext {
  /** The token requests must carry. */
  readonly token: string;
  /** The credentials to hand out now (see `credential_cache.ts`). */
  readonly credentials: () => Promise<ProfileCredentials>;
  readonly now: () => Date;
}

function headerBytes(headers: Headers): number {
  let total = 0;
  for (const [name, value] of headers) total += name.length + value.length + 4;
  return total;
}

/**
 * Answers one request, following the checks in the module documentation.
 *
 * @example
 * ```ts ignore
 * const answer = await handleEndpointRequest(request, { token, credentials, now });
 * ```
 */
export async function handleEndpointRequest(
  request: Request,
  context: EndpointContext,
): Promise<Answer> {
  const host = request.headers.get("host");
  if (!isAllowedHost(host)) {
    return problem(
      421,
      "MisdirectedRequest",
      "This endpoint only answers requests for an IP address, localhost or a container host name",
    );
  }
  const url = new URL(request.url);
  if (url.pathname.length + url.search.length > MAX_URL_LENGTH) {
    return problem(414, "URITooLong", "The request address is too long");
  }
  if (headerBytes(request.headers) > MAX_HEADER_BYTES) {
    return problem(431, "HeadersTooLarge", "The request headers are too large");
  }
  if (url.pathname !== ENDPOINT_PATH) return problem(404, "NotFound", "Not found");
  if (request.method !== "GET") {
    return problem(405, "MethodNotAllowed", "Only GET is allowed", { allow: "GET" });
  }
  const length = request.headers.get("content-length");
  if ((length !== null && length.trim() !== "0") || request.headers.has("transfer-encoding")) {
    return problem(400, "BodyNotAllowed", "A credentials request has no body");
  }
  const presented = request.headers.get("authorization");
  if (presented === null || presented === "") {
    return problem(
      401,
      "MissingToken",
      "Send the value of AWS_CONTAINER_AUTHORIZATION_TOKEN in the Authorization header",
    );
  }
  if (!tokensMatch(presented, context.token)) {
    return problem(403, "InvalidToken", "The Authorization header does not hold the right token");
  }
  try {
    return credentialsAnswer(await context.credentials(), context.now());
  } catch (error) {
    return errorAnswer(error);
  }
}

function toResponse(answer: Answer): Response {
  return new Response(JSON.stringify(answer.body), {
    status: answer.status,
    headers: {
      "content-type": "application/json",
      "cache-control": "no-store",
      ...answer.headers,
    },
  });
}

/**
 * The address of the endpoint for clients: the bound address, or 127.0.0.1 when it is bound to
 * every interface (`0.0.0.0`), with brackets around an IPv6 address.
 *
 * @example
 * ```ts
 * endpointUri("0.0.0.0", 8080); // "http://127.0.0.1:8080/credentials"
 * endpointUri("::1", 8080); // "http://[::1]:8080/credentials"
 * ```
 */
export function endpointUri(address: string, port: number): string {
  const host = address === "0.0.0.0" ? "127.0.0.1" : address === "::" ? "::1" : address;
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}${ENDPOINT_PATH}`;
}

/** A running endpoint. */
export interface CredentialEndpoint extends AsyncDisposable {
  /** The value for `AWS_CONTAINER_CREDENTIALS_FULL_URI`. */
  readonly uri: string;
  /** The value for `AWS_CONTAINER_AUTHORIZATION_TOKEN`. */
  readonly token: string;
  readonly address: string;
  readonly port: number;
  /** Stops listening and waits for the open requests. */
  close(): Promise<void>;
}

/** Options of {@link startCredentialEndpoint}. */
export interface CredentialEndpointOptions {
  /** Address to bind, e.g. `127.0.0.1`. */
  readonly address: string;
  /** Port to bind; `0` picks a free one. */
  readonly port: number;
  readonly token: string;
  readonly credentials: () => Promise<ProfileCredentials>;
}

/**
 * Binds the endpoint. A port in use, an address that is not this machine's, or an address the
 * program's permissions do not cover, is a {@link UsageError} saying so.
 *
 * @example
 * ```ts ignore
 * await using endpoint = await startCredentialEndpoint(deps, { address: "127.0.0.1", port: 0, token, credentials });
 * ```
 */
export async function startCredentialEndpoint(
  deps: Pick<Deps, "serve" | "now">,
  options: CredentialEndpointOptions,
): Promise<CredentialEndpoint> {
  const context: EndpointContext = {
    token: options.token,
    credentials: options.credentials,
    now: () => deps.now(),
  };
  let server: HttpServer;
  try {
    server = await deps.serve(
      { hostname: options.address, port: options.port },
      async (request) => toResponse(await handleEndpointRequest(request, context)),
    );
  } catch (error) {
    throw bindError(error, options.address, options.port);
  }
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await server.shutdown();
  };
  return {
    uri: endpointUri(options.address, server.port),
    token: options.token,
    address: options.address,
    port: server.port,
    close,
    [Symbol.asyncDispose]: close,
  };
}

function bindError(error: unknown, address: string, port: number): UsageError {
  const where = `${address.includes(":") ? `[${address}]` : address}:${port}`;
  const name = error instanceof Error ? error.name : "";
  if (name === "AddrInUse") {
    return new UsageError(`Cannot listen on ${where}: the port is in use`, {
      code: "PORT_IN_USE",
      hint: "Choose another --port, or leave it out to use a free one",
      cause: error,
    });
  }
  if (name === "NotCapable") {
    return new UsageError(
      `Cannot listen on ${where}: aws-login's permissions allow listening on 127.0.0.1 and 0.0.0.0 only`,
      {
        code: "ADDRESS_NOT_ALLOWED",
        hint:
          `Use --address 0.0.0.0, or run aws-login from source with --allow-net=${address} (see README.md)`,
        cause: error,
      },
    );
  }
  return new UsageError(`Cannot listen on ${where}: ${(error as Error).message}`, {
    code: "CANNOT_LISTEN",
    cause: error,
  });
}
