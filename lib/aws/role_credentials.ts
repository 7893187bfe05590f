/**
 * Credentials of a role profile: each role of the chain is served from its cache file while more
 * than 5 minutes remain, else assumed again with the credentials of the role (or the base
 * profile) below it, safely under parallel use. As in `session.ts`, the decision is a pure
 * function, {@link nextRoleStep}, and {@link roleCredentials} only carries out the steps it names:
 *
 * - Fresh credentials are served from the file with no lock and no network.
 * - Otherwise the file's lock is taken for a bounded time: a caller whose credentials are still
 *   valid waits {@link BUSY_LOCK_WAIT_MS} and then serves them; one without waits
 *   {@link ROLE_LOCK_WAIT_MS}, a holder's whole budget (the source session's refresh and the
 *   `AssumeRole` retries). Under the lock the file is read again: sixteen processes that find no
 *   credentials make one `AssumeRole` call, and the fifteen others read its result.
 * - A role with `mfa_serial` needs a code: asked for on a terminal (never echoed, by the command's
 *   `askMfaCode`), refused without one. Its credentials are then served for their whole lifetime
 *   when no code can be asked, so that a tool running aws-login without a terminal keeps working
 *   until they expire.
 * - When STS (or the source) fails for a passing reason while the cached credentials are still
 *   valid, they are served with a warning; the failure is noted in the lock file, so that the
 *   processes waiting behind do not each run their own retry cycle.
 *
 * @module
 */

import type { Deps, FileLock } from "../runtime/deps.ts";
import { LockTimeoutError } from "../runtime/deps.ts";
import { FileSystemError, LoginRequiredError, NetworkError } from "../errors.ts";
import { sanitizeOutsideText } from "../runtime/sanitize.ts";
import type { CacheLocation } from "./login_cache.ts";
import { lockWithin } from "./login_cache.ts";
import { BUSY_LOCK_WAIT_MS, EXPIRED_LOCK_WAIT_MS } from "./session.ts";
import { isFresh } from "./expiry.ts";
import { lockStep, minutesLeft, staleOrFail } from "./cache_steps.ts";
import {
  type BaseIdentity,
  DEFAULT_DURATION_SECONDS,
  roleCacheKeyMaterial,
  type RoleHop,
} from "./role_chain.ts";
import {
  readRoleCache,
  type RoleCacheEntry,
  roleCacheKey,
  roleCacheLocation,
  writeRoleCache,
} from "./role_cache.ts";
import { explainStsError, isRetryableSts, STS_RETRY_BUDGET_MS } from "./sts_policy.ts";
import type { StsEndpoint } from "../signin/sts_endpoints.ts";

/** How long a caller without valid credentials waits for another process's lock. */
export const ROLE_LOCK_WAIT_MS = EXPIRED_LOCK_WAIT_MS + STS_RETRY_BUDGET_MS;

/** A passing failure noted this recently is not retried by the next holder of the lock. */
export const ROLE_FAILURE_MEMORY_MS = STS_RETRY_BUDGET_MS;

/** Everything {@link nextRoleStep} decides on. */
export interface RoleFacts {
  /** Now, in milliseconds. */
  readonly now: number;
  /** Expiry of the cached credentials in milliseconds; `undefined`: none cached. */
  readonly expiresAt: number | undefined;
  /** `busy`: the wait for the lock ran out while another process held it. */
  readonly lock: "none" | "held" | "busy";
  /** Whether the file was read again since the lock was taken. */
  readonly rereadUnderLock: boolean;
  /** The lock's note says a passing failure happened a moment ago. */
  readonly recentFailure: boolean;
  /** `unavailable`: the role needs an MFA code and there is no terminal to ask for it. */
  readonly mfa: "none" | "ask" | "unavailable";
  /** How the `AssumeRole` ended; `undefined` before it. */
  readonly outcome: "passing" | "fatal" | undefined;
}

/** What to do next, as decided by {@link nextRoleStep}. */
export type RoleStep =
  | { readonly step: "serve" }
  | { readonly step: "serve-stale"; readonly why: "busy" | "passing" | "mfa" }
  | { readonly step: "lock"; readonly waitMs: number }
  | { readonly step: "reread" }
  | { readonly step: "assume" }
  | { readonly step: "fail"; readonly why: "busy" | "remembered" | "mfa" | "passing" | "fatal" };

/**
 * The decision for one role (pure): serve the cached credentials, take the lock, read the file
 * again, assume the role, serve credentials that are still valid, or fail.
 *
 * @example
 * ```ts
 * nextRoleStep({
 *   now: 0, expiresAt: undefined, lock: "none", rereadUnderLock: false, recentFailure: false,
 *   mfa: "none", outcome: undefined,
 * }); // { step: "lock", waitMs: 70000 }
 * ```
 */
export function nextRoleStep(facts: RoleFacts): RoleStep {
  const valid = facts.expiresAt !== undefined && facts.expiresAt > facts.now;
  const before = lockStep({
    fresh: facts.expiresAt !== undefined && isFresh(facts.expiresAt, facts.now),
    valid,
    lock: facts.lock,
    rereadUnderLock: facts.rereadUnderLock,
  }, { validMs: BUSY_LOCK_WAIT_MS, expiredMs: ROLE_LOCK_WAIT_MS });
  if (before !== undefined) return before;
  switch (facts.outcome) {
    case undefined:
      if (facts.recentFailure) {
        return valid
          ? { step: "serve-stale", why: "passing" }
          : { step: "fail", why: "remembered" };
      }
      if (facts.mfa === "unavailable") return staleOrFail(valid, "mfa");
      return { step: "assume" };
    case "passing":
      return staleOrFail(valid, "passing");
    case "fatal":
      return { step: "fail", why: "fatal" };
  }
}

/** Credentials that sign a call. */
export interface CallerCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string | undefined;
}

/** The role source, as `credentialSource` describes it. */
export interface RoleSource {
  /** The profile asked for. */
  readonly profile: string;
  readonly roles: readonly RoleHop[];
  readonly baseIdentity: BaseIdentity;
}

/** What {@link roleCredentials} needs besides the source. */
export interface RoleCredentialsOptions {
  readonly endpoint: StsEndpoint;
  /** The base profile's credentials (its session refreshed as usual). */
  readonly resolveBase: () => Promise<CallerCredentials>;
  /** Asks for an MFA code on a terminal; absent when there is none. */
  readonly askMfaCode?: ((serial: string) => Promise<string>) | undefined;
}

/** The result of {@link roleCredentials}. */
export interface RoleCredentialsResult {
  readonly entry: RoleCacheEntry;
  /** The cache file of the profile's own role. */
  readonly path: string;
}

/** The note a holder leaves in the lock file after a passing failure. */
interface FailureNote {
  readonly failedAt: number;
  readonly reason: string;
}

function parseNote(text: string): FailureNote | undefined {
  try {
    const value = JSON.parse(text);
    if (typeof value?.failedAt === "number" && typeof value.reason === "string") return value;
  } catch {
    // no note
  }
  return undefined;
}

/**
 * A failure that may pass (throttling, 5xx, network, of STS or of the source's Sign-In refresh),
 * not the configuration or a refusal.
 */
function isPassing(error: unknown): boolean {
  return isRetryableSts(error);
}

/**
 * The credentials of a role profile's own role, assuming each role of its chain when its cached
 * credentials are due.
 *
 * @example
 * ```ts ignore
 * const { entry } = await roleCredentials(deps, source, { endpoint, resolveBase });
 * ```
 */
export async function roleCredentials(
  deps: Deps,
  source: RoleSource,
  options: RoleCredentialsOptions,
): Promise<RoleCredentialsResult> {
  const { roles } = source;
  const locations: CacheLocation[] = [];
  for (let i = 0; i < roles.length; i++) {
    const material = roleCacheKeyMaterial({
      base: source.baseIdentity,
      roles: roles.slice(0, i + 1),
      sts: options.endpoint,
    });
    locations.push(roleCacheLocation(deps, await roleCacheKey(material)));
  }
  const sourceLoginSession = source.baseIdentity.kind === "login-session"
    ? source.baseIdentity.loginSession.trim()
    : undefined;

  /** The credentials that assume role `index`, and whose they are when known (for messages). */
  async function callerOf(
    index: number,
  ): Promise<{ credentials: CallerCredentials; arn: string | undefined }> {
    if (index === 0) return { credentials: await options.resolveBase(), arn: sourceLoginSession };
    const below = await hop(index - 1);
    return { credentials: below, arn: below.assumedRoleArn || undefined };
  }

  async function hop(index: number): Promise<RoleCacheEntry> {
    const role = roles[index]!;
    const location = locations[index]!;
    let cached = await readRoleCache(deps, location);
    let lock: FileLock | undefined;
    let failure: unknown;
    let facts: RoleFacts = {
      now: deps.now().getTime(),
      expiresAt: cached?.expiration.getTime(),
      lock: "none",
      rereadUnderLock: false,
      recentFailure: false,
      mfa: role.mfaSerial === undefined
        ? "none"
        : options.askMfaCode === undefined
        ? "unavailable"
        : "ask",
      outcome: undefined,
    };
    const update = (change: Partial<RoleFacts>) => {
      facts = { ...facts, now: deps.now().getTime(), ...change };
    };
    try {
      while (true) {
        const next = nextRoleStep(facts);
        switch (next.step) {
          case "serve":
            return cached!;
          case "serve-stale":
            warnStale(deps, next.why, role, cached!, failure);
            return cached!;
          case "lock": {
            const taken = await lockWithin(deps, location, next.waitMs);
            if (taken instanceof LockTimeoutError) failure = taken;
            else lock = taken;
            update({ lock: lock === undefined ? "busy" : "held" });
            break;
          }
          case "reread": {
            cached = await readRoleCache(deps, location);
            const note = parseNote(await lock!.readNote());
            const age = note === undefined ? -1 : deps.now().getTime() - note.failedAt;
            const recentFailure = age >= 0 && age < ROLE_FAILURE_MEMORY_MS;
            if (recentFailure) failure = new Error(note!.reason);
            update({
              rereadUnderLock: true,
              expiresAt: cached?.expiration.getTime(),
              recentFailure,
            });
            break;
          }
          case "assume":
            try {
              const entry = await assume(index, role);
              await lock!.writeNote("").catch(() => {});
              await save(location, entry);
              return entry;
            } catch (error) {
              failure = error;
              const outcome = isPassing(error) ? "passing" : "fatal";
              if (outcome === "passing") {
                const note: FailureNote = {
                  failedAt: deps.now().getTime(),
                  reason: sanitizeOutsideText((error as Error).message ?? String(error), {
                    maxLength: 200,
                  }),
                };
                await lock!.writeNote(JSON.stringify(note)).catch(() => {});
              }
              update({ outcome });
            }
            break;
          case "fail":
            throw failureOf(next.why, failure, role, location, source.profile);
        }
      }
    } finally {
      await lock?.release();
    }
  }

  async function assume(index: number, role: RoleHop): Promise<RoleCacheEntry> {
    const caller = await callerOf(index);
    const tokenCode = role.mfaSerial === undefined
      ? undefined
      : await options.askMfaCode!(role.mfaSerial);
    const { assumeRole } = await import("./sts.ts");
    const context = {
      profile: role.profile,
      roleArn: role.roleArn,
      caller: caller.arn,
      durationSeconds: role.durationSeconds ?? DEFAULT_DURATION_SECONDS,
    };
    let assumed;
    try {
      assumed = await assumeRole(deps, {
        endpoint: options.endpoint,
        credentials: caller.credentials,
      }, {
        roleArn: role.roleArn,
        roleSessionName: role.roleSessionName ?? defaultSessionName(deps.now()),
        durationSeconds: role.durationSeconds,
        externalId: role.externalId,
        serialNumber: role.mfaSerial,
        tokenCode,
      });
    } catch (error) {
      throw explainStsError(error, context);
    }
    return {
      accessKeyId: assumed.accessKeyId,
      secretAccessKey: assumed.secretAccessKey,
      sessionToken: assumed.sessionToken,
      expiration: assumed.expiration,
      accountId: assumed.accountId,
      roleArn: role.roleArn,
      assumedRoleArn: assumed.assumedRoleArn,
      profile: role.profile,
      sourceLoginSession,
    };
  }

  async function save(location: CacheLocation, entry: RoleCacheEntry): Promise<void> {
    try {
      await writeRoleCache(deps, location, entry);
    } catch (error) {
      // The credentials work; they just cannot be reused by the next process.
      deps.stderr.write(
        `warning: the role credentials could not be cached (${(error as Error).message})\n`,
      );
    }
  }

  const top = roles.length - 1;
  return { entry: await hop(top), path: locations[top]!.path };
}

/**
 * botocore's default role session name, `botocore-session-<unix time>`, kept so that IAM
 * conditions and CloudTrail searches written for it match aws-login's sessions too.
 *
 * @example
 * ```ts
 * defaultSessionName(new Date(1700000000500)); // "botocore-session-1700000000"
 * ```
 */
export function defaultSessionName(now: Date): string {
  return `botocore-session-${Math.floor(now.getTime() / 1000)}`;
}

function warnStale(
  deps: Deps,
  why: "busy" | "passing" | "mfa",
  role: RoleHop,
  entry: RoleCacheEntry,
  failure: unknown,
): void {
  if (why === "busy") return;
  const left = minutesLeft(entry.expiration.getTime(), deps.now().getTime());
  if (why === "mfa") {
    deps.stderr.write(
      `warning: the credentials of role profile "${role.profile}" expire in ${left}; renewing them needs an MFA code, so run "aws-login export-credentials --profile ${role.profile}" in a terminal\n`,
    );
    return;
  }
  const reason = failure instanceof Error ? failure.message : "AWS STS could not be reached";
  deps.stderr.write(
    `warning: could not assume role "${role.roleArn}" again (${reason}); using the cached credentials of profile "${role.profile}", which expire in ${left}\n`,
  );
}

function failureOf(
  why: "busy" | "remembered" | "mfa" | "passing" | "fatal",
  failure: unknown,
  role: RoleHop,
  location: CacheLocation,
  profile: string,
): unknown {
  switch (why) {
    case "busy":
      return new FileSystemError(
        `Cannot assume role "${role.roleArn}": another aws-login process has held "${location.lockPath}" for ${
          ROLE_LOCK_WAIT_MS / 1000
        } s`,
        {
          code: "CACHE_LOCKED",
          hint:
            "If that process is stuck (or waiting for an MFA code), stop it and run the command again",
          cause: failure,
        },
      );
    case "remembered":
      return new NetworkError(
        `Role "${role.roleArn}" could not be assumed a moment ago (${
          (failure as Error).message
        }): try again shortly`,
        { code: "RECENT_FAILURE" },
      );
    case "mfa":
      return new LoginRequiredError(
        `Profile "${role.profile}" needs an MFA code for "${role.mfaSerial}", and there is no terminal to ask for it`,
        {
          code: "MFA_NEEDS_TERMINAL",
          hint:
            `Run "aws-login export-credentials --profile ${profile}" in a terminal once: the role's credentials are then cached until they expire`,
        },
      );
    default:
      return failure;
  }
}
