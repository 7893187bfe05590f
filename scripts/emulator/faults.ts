/**
 * Injected faults: validation, the ordered queue, and the error each endpoint answers with.
 *
 * @module
 */

import { badRequest } from "./authorize.ts";
import type { IncomingRequest } from "./http.ts";
import { defaultMessage, ERROR_SHAPES, signinError } from "./signin_errors.ts";
import { STS_ACTIONS } from "./sts.ts";
import { stsError } from "./sts_xml.ts";
import type { Fault, FaultPath, OAuth2ErrorCode, StsAction } from "./types.ts";

const FAULT_PATHS: readonly FaultPath[] = ["/v1/token", "/v1/authorize", "/v1/revoke", "/"];
/** Paths whose errors are modeled Sign-In errors with an `error` code. */
const SIGNIN_ERROR_PATHS: readonly FaultPath[] = ["/v1/token", "/v1/revoke"];
const FAULT_MEMBERS = [
  "path",
  "action",
  "status",
  "error",
  "delayMs",
  "times",
  "drop",
  "loseAnswer",
];

function isErrorCode(value: unknown): value is OAuth2ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_SHAPES, value);
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Checks a fault description (e.g. from the admin API) and returns it typed; throws `TypeError`
 * saying what is wrong.
 *
 * @example
 * ```ts
 * parseFault({ path: "/v1/token", status: 500 }); // { path: "/v1/token", status: 500 }
 * ```
 */
export function parseFault(value: unknown): Fault {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError("Invalid fault: it is not a JSON object");
  }
  const input = value as Record<string, unknown>;
  const unknown = Object.keys(input).find((key) => !FAULT_MEMBERS.includes(key));
  if (unknown !== undefined) throw new TypeError(`Invalid fault: unknown member "${unknown}"`);
  const path = input.path;
  if (!FAULT_PATHS.includes(path as FaultPath)) {
    throw new TypeError(
      `Invalid fault: "path" is ${JSON.stringify(path)}, expected one of ${FAULT_PATHS.join(", ")}`,
    );
  }
  const fault: Fault = { path: path as FaultPath };
  if (input.action !== undefined) {
    if (!STS_ACTIONS.includes(input.action as StsAction)) {
      throw new TypeError(
        `Invalid fault: "action" is ${JSON.stringify(input.action)}, expected one of ${
          STS_ACTIONS.join(", ")
        }`,
      );
    }
    if (fault.path !== "/") throw new TypeError('Invalid fault: "action" only applies to path "/"');
    fault.action = input.action as StsAction;
  }
  if (input.status !== undefined) {
    if (!isNonNegativeInteger(input.status) || input.status < 400 || input.status > 599) {
      throw new TypeError(`Invalid fault: "status" ${JSON.stringify(input.status)} is not 400-599`);
    }
    fault.status = input.status;
  }
  if (input.error !== undefined) {
    if (!isErrorCode(input.error)) {
      throw new TypeError(
        `Invalid fault: "error" ${JSON.stringify(input.error)} is not an OAuth2ErrorCode`,
      );
    }
    if (!SIGNIN_ERROR_PATHS.includes(fault.path)) {
      throw new TypeError(
        `Invalid fault: "error" only applies to paths ${SIGNIN_ERROR_PATHS.join(", ")}`,
      );
    }
    fault.error = input.error;
  }
  if (input.delayMs !== undefined) {
    if (!isNonNegativeInteger(input.delayMs) || input.delayMs > 600_000) {
      throw new TypeError(
        `Invalid fault: "delayMs" ${JSON.stringify(input.delayMs)} is not 0-600000`,
      );
    }
    fault.delayMs = input.delayMs;
  }
  if (input.times !== undefined) {
    if (!isNonNegativeInteger(input.times) || input.times < 1) {
      throw new TypeError(
        `Invalid fault: "times" ${JSON.stringify(input.times)} is not a positive integer`,
      );
    }
    fault.times = input.times;
  }
  if (input.drop !== undefined) {
    if (typeof input.drop !== "boolean") {
      throw new TypeError('Invalid fault: "drop" is not a boolean');
    }
    fault.drop = input.drop;
  }
  if (input.loseAnswer !== undefined) {
    if (typeof input.loseAnswer !== "boolean") {
      throw new TypeError('Invalid fault: "loseAnswer" is not a boolean');
    }
    if (
      input.loseAnswer && (fault.drop || fault.status !== undefined || fault.error !== undefined)
    ) {
      throw new TypeError(
        'Invalid fault: "loseAnswer" handles the request for real, so it cannot have "drop", "status" or "error"',
      );
    }
    fault.loseAnswer = input.loseAnswer;
  }
  return fault;
}

/** Faults waiting for matching requests, consumed in the order they were queued. */
export class FaultQueue {
  #queue: Array<{ fault: Fault; remaining: number }> = [];

  /** Validates (see {@link parseFault}) and queues a fault. */
  push(fault: unknown): void {
    const checked = parseFault(fault);
    this.#queue.push({ fault: checked, remaining: checked.times ?? 1 });
  }

  /**
   * Takes one application of the first queued fault for `path`, if any; a fault with an
   * `action` only matches requests naming that STS action.
   */
  take(path: string, action: StsAction | null = null): Fault | undefined {
    const index = this.#queue.findIndex(({ fault }) =>
      fault.path === path && (fault.action === undefined || fault.action === action)
    );
    const entry = this.#queue[index];
    if (entry === undefined) return undefined;
    entry.remaining--;
    if (entry.remaining === 0) this.#queue.splice(index, 1);
    return entry.fault;
  }

  /** Number of fault applications still queued. */
  get pending(): number {
    return this.#queue.reduce((sum, entry) => sum + entry.remaining, 0);
  }
}

/**
 * Whether a fault is an authorization failure that its endpoint answers itself, after
 * authenticating the request, so that the message can name the caller (see {@link Fault.error}).
 *
 * @example
 * ```ts
 * isAccessDeniedFault({ path: "/v1/revoke", status: 403 }); // true
 * ```
 */
export function isAccessDeniedFault(fault: Fault): boolean {
  if (fault.path === "/") return fault.status === 403;
  if (fault.path !== "/v1/revoke") return false;
  return fault.error === "INSUFFICIENT_PERMISSIONS" ||
    (fault.error === undefined && fault.status === 403);
}

/**
 * The error response of a fault that answers (not only delays, not a drop, not an
 * {@link isAccessDeniedFault} one), shaped like the endpoint's real errors; `null` when the
 * fault has no `status` and no `error`.
 *
 * @example
 * ```ts
 * faultResponse({ path: "/v1/token", status: 503 }, request);
 * ```
 */
export function faultResponse(fault: Fault, request: IncomingRequest): Response | null {
  if (fault.status === undefined && fault.error === undefined) return null;
  const requestId = crypto.randomUUID();
  if (SIGNIN_ERROR_PATHS.includes(fault.path)) {
    const status = fault.status;
    const code: OAuth2ErrorCode = fault.error ??
      (status === 401
        ? "TOKEN_EXPIRED"
        : status === 403
        ? "INSUFFICIENT_PERMISSIONS"
        : status !== undefined && status >= 500
        ? "server_error"
        : "INVALID_REQUEST");
    const message = status === 429 ? "Rate exceeded" : defaultMessage(code);
    return signinError(code, { message, requestId, ...(status === undefined ? {} : { status }) });
  }
  const status = fault.status ?? 500;
  if (fault.path === "/") {
    const [code, message] = status === 429 || status === 400
      ? ["Throttling", "Rate exceeded"]
      : status === 503
      ? ["ServiceUnavailable", "Service is unable to handle request."]
      : status >= 500
      ? ["InternalFailure", "An internal error occurred."]
      : ["AccessDenied", `Access denied (injected ${status}).`];
    return stsError(code, { status, message, requestId });
  }
  const type = status === 429
    ? "TooManyRequestsError"
    : status >= 500
    ? "InternalServerException"
    : "BadRequestException";
  return badRequest(request, {
    status,
    message: `The sign-in service failed (injected ${status})`,
    type,
  });
}
