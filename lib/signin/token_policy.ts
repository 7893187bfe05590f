/**
 * The one policy for `CreateOAuth2Token` calls, for both grants: how long a request may take, what
 * is retried and how often, and what each error tells the user to do. The error codes are exported
 * as constants (in oauth4webapi's style) so that callers never match string literals.
 *
 * Why the grants differ: an authorization code is single-use ("NOT idempotent" in the service
 * model), so only throttling, which the service answers before using the code, is retried. A
 * refresh is "idempotent within the token validity window" (spec §17): a refresh whose answer was
 * lost to a timeout or a 5xx may be sent again with the same refresh token.
 *
 * @module
 */

import {
  type AwsLoginError,
  LoginRequiredError,
  NetworkError,
  ServiceError,
  signInAgain,
} from "../errors.ts";
import type { TokenGrant } from "./aws_dialect.ts";

/** `error` of an expired refresh token (or a skewed clock at sign-in, aws-cli #10330). */
export const TOKEN_EXPIRED = "TOKEN_EXPIRED";
/** `error` when the user's password changed since the sign-in. */
export const USER_CREDENTIALS_CHANGED = "USER_CREDENTIALS_CHANGED";
/** `error` when the identity lacks `signin:CreateOAuth2Token`. */
export const INSUFFICIENT_PERMISSIONS = "INSUFFICIENT_PERMISSIONS";
/** `error` of an authorization code redeemed too late. */
export const AUTHCODE_EXPIRED = "AUTHCODE_EXPIRED";
/** `error` of a request the service refused, such as a spent or foreign refresh token. */
export const INVALID_REQUEST = "INVALID_REQUEST";
/** Our code: the answer could not be used. */
export const INVALID_RESPONSE = "INVALID_RESPONSE";
/** Our code: the request did not get an answer in time. */
export const TIMEOUT = "TIMEOUT";
/** Our code: the endpoint could not be reached. */
export const UNREACHABLE = "UNREACHABLE";
/** Our code: the program's permissions do not let it connect to the endpoint. */
export const NOT_ALLOWED = "NOT_ALLOWED";

/**
 * How long one token request may take, the answer's body included. Without a limit, an endpoint
 * that accepts the connection and never answers would hang every `credential_process` caller.
 */
export const TOKEN_REQUEST_TIMEOUT_MS = 15_000;

/**
 * How long all the attempts of one token exchange may take together. A caller waiting for the
 * refresh lock waits about this long at most, then learns the outcome from the lock's note.
 */
export const TOKEN_RETRY_BUDGET_MS = 30_000;

/**
 * Whether an error is a request's timeout (`AbortSignal.timeout()` or `Deps.timeout()` fired).
 *
 * @example
 * ```ts
 * isTimeout(new DOMException("Signal timed out.", "TimeoutError")); // true
 * ```
 */
export function isTimeout(error: unknown): boolean {
  return error instanceof DOMException && error.name === "TimeoutError";
}

/**
 * Whether Deno refused a connection because the host is outside the permissions the program runs
 * with (a compiled binary's `--allow-net`): trying again would not help.
 *
 * @example
 * ```ts
 * isNotAllowed(Object.assign(new Error("no"), { name: "NotCapable" })); // true
 * ```
 */
export function isNotAllowed(error: unknown): boolean {
  const names = [error, (error as Error | null)?.cause].map((e) => (e as Error | null)?.name);
  return names.includes("NotCapable") || names.includes("PermissionDenied");
}

/**
 * A failed `fetch` in a few words: its message and its cause's (where Deno says what failed: DNS,
 * TLS, a refused connection).
 *
 * @example
 * ```ts
 * describeNetworkError(new TypeError("error sending request", { cause: new Error("dns error") }));
 * // "error sending request: dns error"
 * ```
 */
export function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${error.message}${cause}`;
  }
  return String(error);
}

/** What {@link requestFailure} needs to know about the request. */
export interface RequestFailureContext {
  /** The endpoint's base URL, for the message. */
  readonly base: string;
  /** The request's own time limit (`Deps.timeout(timeoutMs)`). */
  readonly timeout: AbortSignal;
  readonly timeoutMs: number;
  /** The service named in the message; `AWS Sign-In` unless said. */
  readonly service?: string;
}

/**
 * A Sign-In request that got no answer, as the error the user sees: its own timeout is a
 * {@link NetworkError} with {@link TIMEOUT}, a host outside the program's permissions one with
 * {@link NOT_ALLOWED} (trying again would not help), anything else {@link UNREACHABLE}; Ctrl-C
 * (`AbortError`) is returned as it is. The one place where token requests and revocations name
 * these failures.
 *
 * @example
 * ```ts
 * const timeout = AbortSignal.abort(new DOMException("Signal timed out.", "TimeoutError"));
 * const error = requestFailure(new DOMException("Signal timed out.", "TimeoutError"), {
 *   base: "https://eu-west-1.signin.aws.amazon.com", timeout, timeoutMs: 15_000,
 * });
 * // NetworkError: AWS Sign-In at https://eu-west-1.signin.aws.amazon.com did not answer within 15 s
 * ```
 */
export function requestFailure(error: unknown, context: RequestFailureContext): unknown {
  if (
    context.timeout.aborted && (isTimeout(error) || isTimeout((error as Error | null)?.cause))
  ) {
    return timedOut(error, context);
  }
  if (error instanceof DOMException && error.name === "AbortError") return error;
  return new NetworkError(
    `Unable to reach ${serviceOf(context)} at ${context.base}: ${describeNetworkError(error)}`,
    { code: isNotAllowed(error) ? NOT_ALLOWED : UNREACHABLE, cause: error },
  );
}

/**
 * The {@link TIMEOUT} error of a request to `context.base`.
 *
 * @example
 * ```ts
 * timedOut(undefined, { base: "https://x", timeout: AbortSignal.abort(), timeoutMs: 1500 }).message;
 * // "AWS Sign-In at https://x did not answer within 1.5 s"
 * ```
 */
export function timedOut(cause: unknown, context: RequestFailureContext): NetworkError {
  return new NetworkError(
    `${serviceOf(context)} at ${context.base} did not answer within ${
      Math.round(context.timeoutMs / 100) / 10
    } s`,
    { code: TIMEOUT, cause },
  );
}

/**
 * The error of an answer whose headers came but whose body did not: as unreachable as no answer.
 *
 * @example
 * ```ts
 * answerCutOff(new TypeError("connection reset"), {
 *   base: "https://x", timeout: AbortSignal.timeout(1000), timeoutMs: 1000, service: "AWS STS",
 * }).message;
 * // "The answer of AWS STS at https://x was cut off: connection reset"
 * ```
 */
export function answerCutOff(cause: unknown, context: RequestFailureContext): NetworkError {
  return new NetworkError(
    `The answer of ${serviceOf(context)} at ${context.base} was cut off: ${
      describeNetworkError(cause)
    }`,
    { code: UNREACHABLE, cause },
  );
}

function serviceOf(context: RequestFailureContext): string {
  return context.service ?? "AWS Sign-In";
}

/** How {@link retryWithin} retries. */
export interface RetryPolicy {
  /** When the last attempt must have ended, in milliseconds. */
  readonly deadline: number;
  /** The longest one attempt may take; never past the deadline. */
  readonly requestTimeoutMs: number;
  /** Whether a failure passes, so that another attempt may help. */
  readonly isRetryable: (error: unknown) => boolean;
  /** Ctrl-C: ends the pause between attempts. */
  readonly signal?: AbortSignal;
}

/**
 * Runs `attempt` until it succeeds, its failure does not pass, no pause is left
 * ({@link retryDelayMs}) or the next attempt would start past the deadline. Each attempt is given
 * its time limit: the request timeout, or what is left before the deadline when that is less. The
 * one retry loop of token requests, revocations and `AssumeRole`.
 *
 * @example
 * ```ts ignore
 * await retryWithin(deps, { deadline, requestTimeoutMs: 15_000, isRetryable }, (ms) => call(ms));
 * ```
 */
export async function retryWithin<T>(
  deps: { now(): Date; random(): number; sleep(ms: number, signal?: AbortSignal): Promise<void> },
  policy: RetryPolicy,
  attempt: (timeoutMs: number) => Promise<T>,
): Promise<T> {
  for (let count = 0;; count++) {
    const left = policy.deadline - deps.now().getTime();
    try {
      return await attempt(Math.max(1, Math.min(policy.requestTimeoutMs, left)));
    } catch (error) {
      const delay = retryDelayMs(count, deps.random());
      if (
        !policy.isRetryable(error) || delay === undefined ||
        deps.now().getTime() + delay >= policy.deadline
      ) {
        throw error;
      }
      await deps.sleep(delay, policy.signal);
      policy.signal?.throwIfAborted();
    }
  }
}

/** Pauses before the retries (a quarter more at most, at random, so that callers spread out). */
export const RETRY_DELAYS_MS: readonly number[] = [250, 1000, 3000];

/**
 * Whether an error is worth another try after a pause, for this grant: throttling always; for a
 * refresh also a 5xx, a network failure and a timeout.
 *
 * @example
 * ```ts
 * import { ServiceError } from "../errors.ts";
 * isRetryable(new ServiceError("x", { status: 503 }), "refresh_token"); // true
 * isRetryable(new ServiceError("x", { status: 503 }), "authorization_code"); // false
 * ```
 */
export function isRetryable(error: unknown, grant: TokenGrant): boolean {
  if (error instanceof ServiceError && error.status === 429) return true;
  if (grant === "authorization_code") return false;
  if (error instanceof NetworkError) return error.code !== NOT_ALLOWED;
  return error instanceof ServiceError && error.status >= 500;
}

/**
 * A refresh token the service refused (`INVALID_REQUEST` that is not throttling or an outage):
 * spent, revoked, from another region, or rotated by another writer.
 *
 * @example
 * ```ts
 * import { ServiceError } from "../errors.ts";
 * isRefusedGrant(new ServiceError("x", { status: 400, code: INVALID_REQUEST })); // true
 * ```
 */
export function isRefusedGrant(error: unknown): error is ServiceError {
  return error instanceof ServiceError && error.code === INVALID_REQUEST &&
    !isRetryable(error, "refresh_token");
}

/**
 * The pause before retry number `attempt` (0 for the first retry), with up to a quarter more of
 * jitter from `random` (a number in [0, 1)); `undefined` when no retry is left.
 *
 * @example
 * ```ts
 * retryDelayMs(0, 0); // 250
 * retryDelayMs(3, 0); // undefined
 * ```
 */
export function retryDelayMs(attempt: number, random: number): number | undefined {
  const base = RETRY_DELAYS_MS[attempt];
  return base === undefined ? undefined : base + Math.floor(random * base * 0.25);
}

/** What {@link explainTokenError} needs to give advice. */
export interface ExplainContext {
  readonly grant: TokenGrant;
  /** The profile, to name the sign-in command (refresh only). */
  readonly profile?: string;
}

/**
 * Turns a failed token exchange into the error the user sees, with what to do about it. Errors
 * that are not the service's (network, our own bugs) pass through unchanged.
 *
 * @example
 * ```ts
 * import { ServiceError } from "../errors.ts";
 * const error = explainTokenError(
 *   new ServiceError("The refresh token has expired.", { status: 401, code: TOKEN_EXPIRED }),
 *   { grant: "refresh_token", profile: "dev" },
 * );
 * // LoginRequiredError: Your session has expired: run "aws-login login --profile dev" to sign in again
 * ```
 */
export function explainTokenError(error: unknown, context: ExplainContext): unknown {
  if (!(error instanceof ServiceError)) return error;
  const options = {
    code: error.code,
    status: error.status,
    errorType: error.errorType,
    cause: error,
  };
  const type = error.errorType ? `${error.errorType} ` : "";
  if (error.code === INSUFFICIENT_PERMISSIONS) {
    return new ServiceError(
      "Unable to create or refresh login credentials due to insufficient permissions: the 'signin:CreateOAuth2Token' action may be missing",
      {
        ...options,
        hint: "Ask your administrator for the SignInLocalDevelopmentAccess managed policy",
      },
    );
  }
  if (context.grant === "authorization_code") return explainRedeem(error, options, type);
  const profile = context.profile ?? "default";
  const again = signInAgain(profile);
  if (isRetryable(error, "refresh_token")) {
    // Throttling and outages pass: whatever their body says, signing in again would not help.
    return new ServiceError(
      `AWS Sign-In could not refresh the login session (HTTP ${error.status}: ${error.message}): try again later`,
      options,
    );
  }
  switch (error.code) {
    case TOKEN_EXPIRED:
      return new LoginRequiredError(`Your session has expired: ${again}`, options);
    case USER_CREDENTIALS_CHANGED:
      return new LoginRequiredError(
        `Unable to refresh login credentials because of a change in your password: ${again} with your new password`,
        options,
      );
    case INVALID_REQUEST:
      return new LoginRequiredError(
        `AWS Sign-In refused to refresh the session (${error.message}): ${again}`,
        options,
      );
    default:
      return new ServiceError(
        `Unable to refresh the login session (${type}${error.code}): ${error.message}`,
        options,
      );
  }
}

function explainRedeem(
  error: ServiceError,
  options: { code: string; status: number; errorType: string | undefined; cause: unknown },
  type: string,
): AwsLoginError {
  switch (error.code) {
    case AUTHCODE_EXPIRED:
      return new ServiceError(
        "Error loading or redeeming a login authorization code: Unable to complete the login process due to an expired authorization code",
        { ...options, hint: "Run the command again and finish the sign-in sooner" },
      );
    case TOKEN_EXPIRED:
      return new ServiceError(`AWS Sign-In rejected the sign-in: ${error.message}`, {
        ...options,
        hint:
          "This right after signing in usually means this computer's clock is wrong: sync it (on WSL: sudo hwclock -s) and run the command again",
      });
    default:
      return new ServiceError(
        `AWS Sign-In rejected the token request (${type}${error.code}): ${error.message}`,
        {
          ...options,
          hint:
            "Run the command again; if it keeps failing, the Sign-In service may have a problem in this region",
        },
      );
  }
}
