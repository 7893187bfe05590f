/**
 * The one policy for STS `AssumeRole` calls, in the style of `lib/signin/token_policy.ts`: how
 * long a request may take, what is retried and how often, and what each error tells the user.
 *
 * `AssumeRole` changes nothing on the service side (it only issues credentials), so a request
 * whose answer was lost may be sent again: throttling, 5xx answers, dropped connections and
 * timeouts are retried with the pauses of the token policy within {@link STS_RETRY_BUDGET_MS}.
 * (With MFA, a repeated one-time code may be refused; the user is then asked again next time.)
 *
 * @module
 */

import { ConfigError, LoginRequiredError, NetworkError, ServiceError } from "../errors.ts";
import { NOT_ALLOWED } from "../signin/token_policy.ts";
import { sanitizeOutsideText } from "../runtime/sanitize.ts";

/** How long one STS request may take, the answer's body included. */
export const STS_REQUEST_TIMEOUT_MS = 15_000;

/** How long all the attempts of one `AssumeRole` may take together. */
export const STS_RETRY_BUDGET_MS = 30_000;

/** STS error codes that mean "slow down", whatever the HTTP status. */
export const THROTTLING_CODES: readonly string[] = [
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "SlowDown",
  "PriorRequestNotComplete",
];

/** The STS error of a refused `AssumeRole`. */
export const ACCESS_DENIED = "AccessDenied";
/** STS's code of a request outside the model or the role's limits. */
export const VALIDATION_ERROR = "ValidationError";

/**
 * Whether an STS failure is worth another try after a pause: throttling, a 5xx answer, a network
 * failure or a timeout (not a host outside the program's permissions).
 *
 * @example
 * ```ts
 * import { ServiceError } from "../errors.ts";
 * isRetryableSts(new ServiceError("x", { status: 400, errorType: "Throttling" })); // true
 * isRetryableSts(new ServiceError("x", { status: 403, errorType: "AccessDenied" })); // false
 * ```
 */
export function isRetryableSts(error: unknown): boolean {
  if (error instanceof NetworkError) return error.code !== NOT_ALLOWED;
  if (!(error instanceof ServiceError)) return false;
  return error.status >= 500 || error.status === 429 ||
    THROTTLING_CODES.includes(error.errorType ?? "");
}

/** What {@link explainStsError} needs to say which role failed for whom. */
export interface StsErrorContext {
  /** The profile whose role was being assumed. */
  readonly profile: string;
  readonly roleArn: string;
  /** The identity that asked, when known (the login session or the previous role session). */
  readonly caller: string | undefined;
  /** The duration asked for, for the duration errors. */
  readonly durationSeconds: number;
}

/**
 * The identity an IAM authorization failure names (`User: <arn> is not authorized ...`).
 *
 * @example
 * ```ts
 * deniedIdentity("User: arn:aws:iam::123456789012:user/bob is not authorized to perform: sts:AssumeRole on resource: x");
 * // "arn:aws:iam::123456789012:user/bob"
 * ```
 */
export function deniedIdentity(message: string): string | undefined {
  return /^User: (\S+) is not authorized to perform/.exec(message)?.[1];
}

/**
 * Turns a failed `AssumeRole` into the error the user sees, on one line, naming the role and the
 * identity that tried. Errors that are not STS's (network, bugs) pass through unchanged.
 *
 * @example
 * ```ts
 * import { ServiceError } from "../errors.ts";
 * explainStsError(
 *   new ServiceError("User: arn:aws:iam::123456789012:user/bob is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::210987654321:role/Deploy", { status: 403, errorType: "AccessDenied" }),
 *   { profile: "deploy", roleArn: "arn:aws:iam::210987654321:role/Deploy", caller: undefined, durationSeconds: 3600 },
 * );
 * // ServiceError: Access denied: "arn:aws:iam::123456789012:user/bob" may not assume role "arn:aws:iam::210987654321:role/Deploy" (profile "deploy")
 * ```
 */
export function explainStsError(error: unknown, context: StsErrorContext): unknown {
  if (!(error instanceof ServiceError)) return error;
  const options = {
    code: error.code,
    status: error.status,
    errorType: error.errorType,
    cause: error,
  };
  const role = `role "${context.roleArn}" (profile "${context.profile}")`;
  const message = sanitizeOutsideText(error.message);
  if (error.errorType === ACCESS_DENIED) {
    const identity = deniedIdentity(message) ?? context.caller;
    const who = identity === undefined ? "" : ` "${identity}"`;
    if (deniedIdentity(message) !== undefined) {
      return new ServiceError(`Access denied:${who} may not assume ${role}`, {
        ...options,
        code: "ACCESS_DENIED",
        hint:
          "The role's trust policy and the identity's sts:AssumeRole permission must both allow it",
      });
    }
    return new ServiceError(`Access denied:${who} may not assume ${role}: ${message}`, {
      ...options,
      code: "ACCESS_DENIED",
    });
  }
  if (error.errorType === VALIDATION_ERROR && /role chaining/i.test(message)) {
    return new ConfigError(
      `Profile "${context.profile}" asks for duration_seconds ${context.durationSeconds}, but its role is assumed with the credentials of another role session, and AWS limits such a session (role chaining) to 1 hour`,
      {
        code: "ROLE_CHAINING_DURATION",
        hint: `Set duration_seconds to 3600 or less in profile "${context.profile}"`,
        cause: error,
      },
    );
  }
  if (error.errorType === VALIDATION_ERROR && /MaxSessionDuration/.test(message)) {
    return new ConfigError(
      `Profile "${context.profile}" asks for duration_seconds ${context.durationSeconds}, more than the maximum session duration of role "${context.roleArn}"`,
      {
        code: "ROLE_MAX_DURATION",
        hint: "Lower duration_seconds, or raise the role's maximum session duration in IAM",
        cause: error,
      },
    );
  }
  if (error.errorType === "ExpiredToken") {
    return new LoginRequiredError(
      `STS refused the credentials that were to assume ${role}: they have expired (${message})`,
      {
        ...options,
        hint:
          "If this machine's clock is wrong, sync it; otherwise run the command again to get new ones",
      },
    );
  }
  if (isRetryableSts(error)) {
    return new ServiceError(
      `AWS STS could not assume ${role} (HTTP ${error.status}: ${message}): try again later`,
      options,
    );
  }
  const type = error.errorType === undefined ? `HTTP ${error.status}` : error.errorType;
  return new ServiceError(`AWS STS refused to assume ${role} (${type}): ${message}`, options);
}
