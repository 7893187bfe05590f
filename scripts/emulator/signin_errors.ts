/**
 * Error responses of the Sign-In endpoints, in the dialects the service speaks: modeled errors
 * (`X-Amzn-ErrorType` header, body `{"error", "message"}`, spec §5.4), RFC 6749-style errors for
 * token bodies the JSON protocol cannot even parse (no `X-Amzn-ErrorType`), and the SigV4
 * failures of the SigV4-signed operations (rest-json: `X-Amzn-ErrorType`, body `{"message"}`).
 *
 * @module
 */

import { jsonResponse } from "./http.ts";
import type { SigV4ErrorCode } from "./sigv4.ts";
import type { OAuth2ErrorCode } from "./types.ts";

/** Message of `INVALID_REQUEST` for grants that are unknown, rotated out, or from another region. */
export const INVALID_GRANT_MESSAGE =
  "The provided authorization grant is invalid, expired, revoked, or malformed";

/** Message of `TOKEN_EXPIRED`, as users report it. */
export const TOKEN_EXPIRED_MESSAGE = "The refresh token has expired.";

/** Message of `AUTHCODE_EXPIRED`. */
export const AUTHCODE_EXPIRED_MESSAGE = "The authorization code has expired.";

/** Message of `USER_CREDENTIALS_CHANGED`. */
export const USER_CREDENTIALS_CHANGED_MESSAGE =
  "The user's credentials have changed since the session was created.";

/** Message of `INSUFFICIENT_PERMISSIONS`. */
export const INSUFFICIENT_PERMISSIONS_MESSAGE =
  "The principal is not authorized to perform signin:CreateOAuth2Token.";

/** Error type and HTTP status the model assigns to each `error` code. */
export const ERROR_SHAPES: Readonly<Record<OAuth2ErrorCode, { type: string; status: number }>> = {
  TOKEN_EXPIRED: { type: "AccessDeniedException", status: 401 },
  AUTHCODE_EXPIRED: { type: "AccessDeniedException", status: 401 },
  USER_CREDENTIALS_CHANGED: { type: "AccessDeniedException", status: 403 },
  INSUFFICIENT_PERMISSIONS: { type: "AccessDeniedException", status: 403 },
  INVALID_REQUEST: { type: "ValidationException", status: 400 },
  RESOURCE_NOT_FOUND: { type: "ValidationException", status: 400 },
  CONFLICT: { type: "ValidationException", status: 400 },
  SERVICE_QUOTA_EXCEEDED: { type: "ValidationException", status: 400 },
  server_error: { type: "InternalServerException", status: 500 },
};

const DEFAULT_MESSAGES: Partial<Record<OAuth2ErrorCode, string>> = {
  TOKEN_EXPIRED: TOKEN_EXPIRED_MESSAGE,
  AUTHCODE_EXPIRED: AUTHCODE_EXPIRED_MESSAGE,
  USER_CREDENTIALS_CHANGED: USER_CREDENTIALS_CHANGED_MESSAGE,
  INSUFFICIENT_PERMISSIONS: INSUFFICIENT_PERMISSIONS_MESSAGE,
  INVALID_REQUEST: INVALID_GRANT_MESSAGE,
  server_error: "An internal error occurred. Try again later.",
};

/**
 * The default message for an error code.
 *
 * @example
 * ```ts
 * defaultMessage("TOKEN_EXPIRED"); // "The refresh token has expired."
 * ```
 */
export function defaultMessage(code: OAuth2ErrorCode): string {
  return DEFAULT_MESSAGES[code] ?? `The request failed with ${code}`;
}

/** Details of a modeled Sign-In error. */
export interface SigninErrorOptions {
  message: string;
  requestId: string;
  /** Overrides the model's status (injected faults); 429 makes it a `TooManyRequestsError`. */
  status?: number;
}

/**
 * A modeled Sign-In error: status and `X-Amzn-ErrorType` from {@link ERROR_SHAPES}, body
 * `{"error", "message"}`, `Cache-Control: no-store`.
 *
 * @example
 * ```ts
 * signinError("TOKEN_EXPIRED", { message: "The refresh token has expired.", requestId: "id" });
 * ```
 */
export function signinError(code: OAuth2ErrorCode, options: SigninErrorOptions): Response {
  const { message, requestId } = options;
  const shape = ERROR_SHAPES[code];
  const finalStatus = options.status ?? shape.status;
  const type = finalStatus === 429
    ? "TooManyRequestsError"
    : finalStatus >= 500
    ? "InternalServerException"
    : shape.type;
  return jsonResponse(finalStatus, { error: code, message }, {
    "x-amzn-errortype": type,
    "x-amzn-requestid": requestId,
  });
}

/**
 * An RFC 6749 §5.2-style error (400, no `X-Amzn-ErrorType`), for bodies that are not the JSON
 * protocol at all: wrong content type, malformed JSON, unknown grant type.
 *
 * @example
 * ```ts
 * oauthError("unsupported_grant_type", { description: "Grant type is not supported", requestId: "id" });
 * ```
 */
export function oauthError(
  error: "invalid_request" | "unsupported_grant_type",
  options: { description: string; requestId: string },
): Response {
  return jsonResponse(400, { error, error_description: options.description }, {
    "x-amzn-requestid": options.requestId,
  });
}

/**
 * The rest-json error types AWS JSON services answer SigV4 failures with (the query protocol's
 * codes of `sigv4.ts` are STS's). The names follow the AWS JSON services' convention; Sign-In's own
 * choice is UNVERIFIED.
 */
export const SIGV4_ERROR_TYPES: Readonly<Record<SigV4ErrorCode, string>> = {
  MissingAuthenticationToken: "MissingAuthenticationTokenException",
  IncompleteSignature: "IncompleteSignatureException",
  InvalidClientTokenId: "UnrecognizedClientException",
  SignatureDoesNotMatch: "InvalidSignatureException",
  ExpiredToken: "ExpiredTokenException",
};

/**
 * A SigV4 failure in the rest-json shape: its status, `X-Amzn-ErrorType` from
 * {@link SIGV4_ERROR_TYPES}, body `{"message"}`.
 *
 * @example
 * ```ts
 * authenticationError({ code: "SignatureDoesNotMatch", status: 403, message: "..." }, "id");
 * ```
 */
export function authenticationError(
  failure: { code: SigV4ErrorCode; status: number; message: string },
  requestId: string,
): Response {
  return jsonResponse(failure.status, { message: failure.message }, {
    "x-amzn-errortype": SIGV4_ERROR_TYPES[failure.code],
    "x-amzn-requestid": requestId,
  });
}
