/**
 * `RevokeOAuth2TokenWithIAM` (spec §17): ends a login session at AWS Sign-In by revoking its
 * refresh token, and with it the whole chain of refresh tokens of the session. `POST
 * /v1/revoke?x-amz-client-auth-method=iam` on the OAuth endpoint of the login region, rest-json
 * body `{"token": "<refreshToken>"}`, SigV4-signed for the service `signin` with the session's own
 * credentials. The answer is an empty 200, also for a token that was already revoked or expired.
 * It needs the IAM permission `signin:RevokeOAuth2TokenWithIAM`, which the
 * `SignInLocalDevelopmentAccess` managed policy does not grant. Credentials already issued stay
 * valid until they expire.
 *
 * In oauth4webapi's style, {@link revokeRequest} does the I/O and returns the `Response`,
 * {@link processRevokeResponse} only validates it; {@link revokeRefreshToken} adds the policy:
 * each attempt within the token policy's {@link TOKEN_REQUEST_TIMEOUT_MS}, throttling and 5xx
 * answers retried (the operation is idempotent), a network failure not (`logout` removes the local
 * files either way and should not keep the user waiting). The signer is loaded only here, lazily.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import { ConfigError, NetworkError, ServiceError } from "../errors.ts";
import type { OAuthEndpoint } from "./endpoints.ts";
import { awsServiceError } from "./aws_dialect.ts";
import {
  INSUFFICIENT_PERMISSIONS,
  requestFailure,
  retryWithin,
  TOKEN_REQUEST_TIMEOUT_MS,
  TOKEN_RETRY_BUDGET_MS,
} from "./token_policy.ts";
import { VERSION } from "../version.ts";

/** The IAM action a revocation needs. */
export const REVOKE_ACTION = "signin:RevokeOAuth2TokenWithIAM";

/** What a revocation needs. */
export interface RevokeContext {
  readonly endpoint: OAuthEndpoint;
  /** The login region: the SigV4 signing region. */
  readonly region: string;
  /** The session's own credentials, valid now. */
  readonly credentials: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken: string;
  };
  /** Aborts the request (Ctrl-C). */
  readonly signal?: AbortSignal;
}

type RevokeDeps = Pick<Deps, "fetch" | "timeout" | "now" | "sleep" | "random">;

/**
 * Sends one revocation, no retry, and returns the answer. A timeout is a {@link NetworkError} with
 * code `TIMEOUT`, a connection that fails one with `UNREACHABLE` (or
 * `NOT_ALLOWED` when the program's permissions leave the host out).
 *
 * @example
 * ```ts ignore
 * const response = await revokeRequest(deps, context, entry.refreshToken);
 * await processRevokeResponse(response, [entry.refreshToken]);
 * ```
 */
export async function revokeRequest(
  deps: RevokeDeps,
  context: RevokeContext,
  refreshToken: string,
  timeoutMs: number = TOKEN_REQUEST_TIMEOUT_MS,
): Promise<Response> {
  const { signRequest } = await import("./sigv4.ts");
  const body = JSON.stringify({ token: refreshToken });
  const { headers } = await signRequest({
    url: context.endpoint.revokeUrl,
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": `aws-login/${VERSION}` },
    body,
    credentials: context.credentials,
    region: context.region,
    service: "signin",
    now: deps.now(),
  });
  const timeout = deps.timeout(timeoutMs);
  const signal = context.signal === undefined
    ? timeout
    : AbortSignal.any([timeout, context.signal]);
  const where = context.endpoint.base;
  try {
    const response = await deps.fetch(context.endpoint.revokeUrl, {
      method: "POST",
      headers,
      body,
      signal,
      redirect: "manual",
    });
    // The body is read here, within the same time limit.
    const text = await response.text();
    return new Response(text, { status: response.status, headers: response.headers });
  } catch (error) {
    throw requestFailure(error, { base: where, timeout, timeoutMs });
  }
}

/**
 * Validates the answer of a revocation: 200 is success (its body, normally empty, is ignored);
 * anything else is a {@link ServiceError} in the rest-json shape (`X-Amzn-ErrorType`, `error`,
 * the service's message sanitized, `secrets` redacted).
 *
 * @example
 * ```ts
 * await processRevokeResponse(new Response(null, { status: 200 }), []); // resolves
 * ```
 */
export async function processRevokeResponse(
  response: Response,
  secrets: readonly (string | undefined)[],
): Promise<void> {
  const text = await response.text();
  if (response.status === 200) return;
  throw awsServiceError(response, text, secrets);
}

/**
 * Revokes a session's refresh token under the policy above; resolves when AWS Sign-In confirmed
 * it.
 *
 * @example
 * ```ts ignore
 * await revokeRefreshToken(deps, { endpoint, region, credentials }, entry.refreshToken);
 * ```
 */
export async function revokeRefreshToken(
  deps: RevokeDeps,
  context: RevokeContext,
  refreshToken: string,
): Promise<void> {
  const secrets = [
    refreshToken,
    context.credentials.secretAccessKey,
    context.credentials.sessionToken,
  ];
  return await retryWithin(deps, {
    deadline: deps.now().getTime() + TOKEN_RETRY_BUDGET_MS,
    requestTimeoutMs: TOKEN_REQUEST_TIMEOUT_MS,
    // Throttling and outages pass; a network failure is not retried (the token may be revoked).
    isRetryable: (error) =>
      error instanceof ServiceError && (error.status === 429 || error.status >= 500),
    ...(context.signal === undefined ? {} : { signal: context.signal }),
  }, async (timeoutMs) => {
    const response = await revokeRequest(deps, context, refreshToken, timeoutMs);
    return await processRevokeResponse(response, secrets);
  });
}

/** The SigV4 failures of rest-json services, by `X-Amzn-ErrorType`. */
const SIGNATURE_ERRORS = new Set([
  "InvalidSignatureException",
  "IncompleteSignatureException",
  "MissingAuthenticationTokenException",
  "UnrecognizedClientException",
  "ExpiredTokenException",
  "InvalidClientTokenId",
  "SignatureDoesNotMatch",
]);

/**
 * Why a revocation did not happen, to end the sentence "not revoked at AWS Sign-In: ...": the
 * missing IAM permission named for an access denial, the service's own (sanitized) words
 * otherwise.
 *
 * @example
 * ```ts
 * import { ServiceError } from "../errors.ts";
 * revokeFailureReason(new ServiceError("User: x is not authorized", {
 *   status: 403, code: "INSUFFICIENT_PERMISSIONS", errorType: "AccessDeniedException",
 * }));
 * // "the IAM permission signin:RevokeOAuth2TokenWithIAM is missing (AccessDeniedException: User: x is not authorized)"
 * ```
 */
export function revokeFailureReason(error: unknown): string {
  if (error instanceof ServiceError) {
    const type = error.errorType ?? `HTTP ${error.status}`;
    const said = `${type}: ${error.message}`;
    if (error.errorType === "AccessDeniedException" || error.code === INSUFFICIENT_PERMISSIONS) {
      return `the IAM permission ${REVOKE_ACTION} is missing (${said})`;
    }
    if (error.errorType !== undefined && SIGNATURE_ERRORS.has(error.errorType)) {
      return `AWS Sign-In did not accept the session's signature (${said})`;
    }
    if (error.status === 429 || error.status >= 500) {
      return `AWS Sign-In could not do it now (${said}); try again later`;
    }
    return `AWS Sign-In refused the request (${said})`;
  }
  if (error instanceof NetworkError || error instanceof ConfigError) return error.message;
  return (error as Error | undefined)?.message ?? String(error);
}
