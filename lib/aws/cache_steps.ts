/**
 * The steps that every locked update of a cached credential shares, as pure decisions: the login
 * session's refresh (`session.ts`) and the role's `AssumeRole` (`role_credentials.ts`) both serve
 * fresh credentials without a lock, take the lock, read the file again under it, and end a
 * failure by serving credentials that are still valid, else failing. What each does once it holds
 * the lock is its own.
 *
 * @module
 */

/** What the shared steps decide on. */
export interface LockFacts {
  /** Whether the credentials in hand need no update (more than the refresh window left). */
  readonly fresh: boolean;
  /** Whether the credentials in hand can still sign a call. */
  readonly valid: boolean;
  /** `busy`: the wait for the lock ran out while another process held it. */
  readonly lock: "none" | "held" | "busy";
  /** Whether the file was read again since the lock was taken. */
  readonly rereadUnderLock: boolean;
}

/** A step before the update itself. */
export type LockStep =
  | { readonly step: "serve" }
  | { readonly step: "lock"; readonly waitMs: number }
  | { readonly step: "serve-stale"; readonly why: "busy" }
  | { readonly step: "fail"; readonly why: "busy" }
  | { readonly step: "reread" };

/**
 * The step before the update (pure); `undefined` once the lock is held and the file was read
 * again under it, when the caller decides. `waitMs` is how long to wait for the lock: short while
 * the credentials in hand are valid (they can be served), longer when nothing else can be.
 *
 * @example
 * ```ts
 * lockStep({ fresh: false, valid: true, lock: "none", rereadUnderLock: false }, { validMs: 2000, expiredMs: 40000 });
 * // { step: "lock", waitMs: 2000 }
 * ```
 */
export function lockStep(
  facts: LockFacts,
  waits: { readonly validMs: number; readonly expiredMs: number },
): LockStep | undefined {
  if (facts.fresh) return { step: "serve" };
  if (facts.lock === "none") {
    return { step: "lock", waitMs: facts.valid ? waits.validMs : waits.expiredMs };
  }
  if (facts.lock === "busy") return staleOrFail(facts.valid, "busy");
  if (!facts.rereadUnderLock) return { step: "reread" };
  return undefined;
}

/**
 * The end of a failure (pure): the credentials in hand while they are valid, else the failure.
 *
 * @example
 * ```ts
 * staleOrFail(true, "passing"); // { step: "serve-stale", why: "passing" }
 * staleOrFail(false, "passing"); // { step: "fail", why: "passing" }
 * ```
 */
export function staleOrFail<Why extends string>(
  valid: boolean,
  why: Why,
):
  | { readonly step: "serve-stale"; readonly why: Why }
  | { readonly step: "fail"; readonly why: Why } {
  return valid ? { step: "serve-stale", why } : { step: "fail", why };
}

/**
 * How long credentials have left, in whole minutes, for messages (pure).
 *
 * @example
 * ```ts
 * minutesLeft(5 * 60_000, 0); // "5 minutes"
 * minutesLeft(-1, 0); // "0 minutes"
 * ```
 */
export function minutesLeft(expiresAt: number, now: number): string {
  const left = Math.max(0, Math.round((expiresAt - now) / 60000));
  return `${left} minute${left === 1 ? "" : "s"}`;
}
