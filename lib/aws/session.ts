/**
 * Credentials of a login session, refreshed when needed (spec §11), safely under parallel use.
 *
 * aws-cli rewrites the cache in place with no lock while the refresh token rotates on every use
 * (aws-cli #10628), and refreshes against the caller's region rather than the one that issued the
 * token (aws-cli #10613). Here the decision is a pure function, {@link nextRefreshStep}, of what is
 * known so far; {@link sessionCredentials} only carries out the steps it names:
 *
 * - Fresh credentials (more than 5 minutes left) are served from the file with no lock and no
 *   network.
 * - Otherwise the session's lock is taken, for a bounded time: a caller whose credentials are still
 *   valid waits only {@link BUSY_LOCK_WAIT_MS} and serves them if another process keeps the lock
 *   (a stuck refresher never holds valid credentials hostage); a caller whose credentials expired
 *   waits for the holder's whole retry budget.
 * - Under the lock the file is read again (a sibling may have refreshed it). If the holder before
 *   us failed for a passing reason a moment ago with this same refresh token (it leaves a note in
 *   the lock file), we do not run a second retry cycle: the cached credentials are served while
 *   valid, else that failure is reported.
 * - Before spending the refresh token, the cache directory must be writable. Then the token
 *   endpoint of the login region (`signInRegion`) is called under the policy of
 *   `lib/signin/token_policy.ts`, and the file replaced atomically. Should the save still fail, the
 *   new credentials are used anyway and the user is told the session must be renewed.
 * - A refresh answered `INVALID_REQUEST` is tried once more when the file changed meanwhile (a
 *   writer that does not take our lock, such as aws-cli or an SDK, rotated the token); a file that
 *   has not changed yet is looked at once more after a short pause, since such a writer saves only
 *   after its own answer arrived.
 * - When the service stays out of reach but the cached credentials are still valid, they are
 *   served with a warning.
 *
 * @module
 */

import type { Deps, FileLock } from "../runtime/deps.ts";
import { LockTimeoutError } from "../runtime/deps.ts";
import {
  capitalize,
  ConfigError,
  FileSystemError,
  LoginRequiredError,
  NetworkError,
  ServiceError,
  signInAgain,
} from "../errors.ts";
import {
  CACHE_NOT_WRITABLE_HINT,
  type CacheLocation,
  checkWritable,
  lockWithin,
  type LoginCacheEntry,
  parseExpiresAt,
  protectSession,
  readSession,
  sessionLocation,
  sha256Hex,
  type StoredSession,
  updatedEntry,
  writeSession,
} from "./login_cache.ts";
import { lockStep, minutesLeft, staleOrFail } from "./cache_steps.ts";
import { configuredRegion } from "./region.ts";
import { signInEndpointFor } from "./endpoint_config.ts";
import type { SignInEndpoint } from "../signin/endpoints.ts";
import {
  explainTokenError,
  isRefusedGrant,
  isRetryable,
  TOKEN_RETRY_BUDGET_MS,
} from "../signin/token_policy.ts";
import { sanitizeOutsideText } from "../runtime/sanitize.ts";
import { isFresh, REFRESH_WINDOW_MS } from "./expiry.ts";

export { REFRESH_WINDOW_MS };

/** How long a caller whose credentials are still valid waits for a sibling's refresh lock. */
export const BUSY_LOCK_WAIT_MS = 2_000;

/** How long a caller whose credentials expired waits for the lock: a holder's budget, and some. */
export const EXPIRED_LOCK_WAIT_MS = TOKEN_RETRY_BUDGET_MS + 10_000;

/** A passing failure noted in the lock file this recently is not retried by the next holder. */
export const FAILURE_MEMORY_MS = TOKEN_RETRY_BUDGET_MS;

/**
 * How long to wait for another writer to finish writing the cache file when our refresh token was
 * refused and the file has not changed (yet).
 */
export const FOREIGN_WRITE_WAIT_MS = 300;

/** Credentials ready to use. */
export interface SessionCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly accountId: string;
  readonly expiration: Date;
}

/** What a caller knows about the session it wants. */
export interface SessionRequest {
  /** The profile, for messages. */
  readonly profile: string;
  /** The profile's `login_session`. */
  readonly loginSession: string;
  /** The profile's config values (region, endpoint settings). */
  readonly profileValues: Readonly<Record<string, string>>;
  /**
   * Refresh now, however long the credentials in hand are valid, and report a failure instead of
   * serving them (`status --check`: does the refresh token still work?).
   */
  readonly forceRefresh?: boolean;
}

/** The result of {@link sessionCredentials}. */
export interface SessionResult {
  readonly credentials: SessionCredentials;
  /** Whether a token request was made. */
  readonly refreshed: boolean;
  /** The cache file used. */
  readonly path: string;
}

/** Everything {@link nextRefreshStep} decides on. */
export interface RefreshFacts {
  /** Now, in milliseconds. */
  readonly now: number;
  /** Expiry of the credentials in hand, in milliseconds. */
  readonly expiresAt: number;
  /** `busy`: the wait for the lock ran out while another process held it. */
  readonly lock: "none" | "held" | "busy";
  /** Whether the file was read again since the lock was taken. */
  readonly rereadUnderLock: boolean;
  /** The lock's note says a passing failure happened a moment ago with this refresh token. */
  readonly recentFailure: boolean;
  /** Whether the cache directory can be written; `undefined` until checked. */
  readonly writable: boolean | undefined;
  /** How the last token exchange ended; `undefined` before the first. */
  readonly outcome: "refused" | "passing" | "fatal" | undefined;
  /** How many times the file was looked at again after a refusal. */
  readonly foreignLooks: number;
  /** Whether the last such look found a refresh token saved by another writer. */
  readonly foreignChanged: boolean;
  /** Whether a token exchange was already made with such a token. */
  readonly retriedAfterForeign: boolean;
  /** A refresh was asked for whatever the expiry ({@link SessionRequest.forceRefresh}). */
  readonly force?: boolean;
}

/** What to do next, as decided by {@link nextRefreshStep}. */
export type RefreshStep =
  | { readonly step: "serve" }
  | { readonly step: "serve-stale"; readonly why: "busy" | "passing" | "unwritable" }
  | { readonly step: "lock"; readonly waitMs: number }
  | { readonly step: "reread" }
  | { readonly step: "probe" }
  | { readonly step: "refresh" }
  | { readonly step: "look-again"; readonly pauseMs: number }
  | {
    readonly step: "fail";
    readonly why: "busy" | "remembered" | "unwritable" | "refused" | "passing" | "fatal";
  };

/**
 * The refresh decision (pure): given what is known, serve the credentials in hand, take the lock,
 * read the file again, check that it can be written, call the token endpoint, look for another
 * writer's token, serve stale credentials, or fail.
 *
 * @example
 * ```ts
 * nextRefreshStep({
 *   now: 0, expiresAt: 60_000, lock: "none", rereadUnderLock: false, recentFailure: false,
 *   writable: undefined, outcome: undefined, foreignLooks: 0, foreignChanged: false,
 *   retriedAfterForeign: false,
 * }); // { step: "lock", waitMs: 2000 }
 * ```
 */
export function nextRefreshStep(facts: RefreshFacts): RefreshStep {
  // With `force`, the credentials in hand are never the answer: the refresh is.
  const valid = facts.expiresAt > facts.now && facts.force !== true;
  const before = lockStep({
    fresh: facts.force !== true && isFresh(facts.expiresAt, facts.now),
    valid,
    lock: facts.lock,
    rereadUnderLock: facts.rereadUnderLock,
  }, { validMs: BUSY_LOCK_WAIT_MS, expiredMs: EXPIRED_LOCK_WAIT_MS });
  if (before !== undefined) return before;
  switch (facts.outcome) {
    case undefined:
      if (facts.recentFailure) {
        return valid
          ? { step: "serve-stale", why: "passing" }
          : { step: "fail", why: "remembered" };
      }
      if (facts.writable === undefined) return { step: "probe" };
      if (!facts.writable) return staleOrFail(valid, "unwritable");
      return { step: "refresh" };
    case "refused":
      if (facts.foreignChanged && !facts.retriedAfterForeign) return { step: "refresh" };
      if (facts.foreignLooks === 0) return { step: "look-again", pauseMs: 0 };
      if (facts.foreignLooks === 1 && !facts.foreignChanged) {
        return { step: "look-again", pauseMs: FOREIGN_WRITE_WAIT_MS };
      }
      return { step: "fail", why: "refused" };
    case "passing":
      return staleOrFail(valid, "passing");
    case "fatal":
      return { step: "fail", why: "fatal" };
  }
}

function credentialsOf(entry: LoginCacheEntry): SessionCredentials {
  const token = entry.accessToken;
  return {
    accessKeyId: token.accessKeyId,
    secretAccessKey: token.secretAccessKey,
    sessionToken: token.sessionToken,
    accountId: token.accountId,
    expiration: parseExpiresAt(token.expiresAt)!,
  };
}

function expiresAtOf(entry: LoginCacheEntry): number {
  return credentialsOf(entry).expiration.getTime();
}

/** The note a holder leaves in the lock file after a refresh failed for a passing reason. */
interface FailureNote {
  readonly failedAt: number;
  /** The Sign-In endpoint that failed: another one (a changed setting) is tried afresh. */
  readonly endpoint: string;
  /** A digest of the refresh token that failed: the note only counts for that token. */
  readonly token: string;
  readonly reason: string;
}

async function tokenDigest(refreshToken: string): Promise<string> {
  return (await sha256Hex(refreshToken)).slice(0, 24);
}

function parseNote(text: string): FailureNote | undefined {
  try {
    const value = JSON.parse(text);
    if (
      typeof value?.failedAt === "number" && typeof value.token === "string" &&
      typeof value.reason === "string" && typeof value.endpoint === "string"
    ) {
      return value;
    }
  } catch {
    // no note, or not ours
  }
  return undefined;
}

async function isRecentFailure(
  note: FailureNote | undefined,
  entry: LoginCacheEntry,
  endpoint: string,
  now: number,
): Promise<boolean> {
  if (note === undefined || note.endpoint !== endpoint) return false;
  const age = now - note.failedAt;
  return age >= 0 && age < FAILURE_MEMORY_MS &&
    note.token === await tokenDigest(entry.refreshToken);
}

async function readRequired(
  deps: Deps,
  location: CacheLocation,
  request: SessionRequest,
): Promise<StoredSession> {
  const stored = await readSession(deps, location, { profile: request.profile });
  if (stored === undefined) {
    throw new LoginRequiredError(
      `Unable to load an existing login session for session ${request.loginSession}`,
      { code: "NO_SESSION", hint: capitalize(signInAgain(request.profile)) },
    );
  }
  return stored;
}

/**
 * Returns usable credentials for a login session, refreshing them when less than 5 minutes remain.
 * Never prompts.
 *
 * @example
 * ```ts ignore
 * const { credentials } = await sessionCredentials(deps, { profile, loginSession, profileValues });
 * ```
 */
export async function sessionCredentials(
  deps: Deps,
  request: SessionRequest,
): Promise<SessionResult> {
  const location = await sessionLocation(deps, request.loginSession);
  let current = await readRequired(deps, location, request);
  await protectSession(deps, location);
  let lock: FileLock | undefined;
  let facts: RefreshFacts = {
    now: deps.now().getTime(),
    expiresAt: expiresAtOf(current.entry),
    lock: "none",
    rereadUnderLock: false,
    recentFailure: false,
    writable: undefined,
    outcome: undefined,
    foreignLooks: 0,
    foreignChanged: false,
    retriedAfterForeign: false,
    force: request.forceRefresh === true,
  };
  let failure: unknown;
  let note: FailureNote | undefined;
  const serve = (entry: LoginCacheEntry, refreshed: boolean): SessionResult => ({
    credentials: credentialsOf(entry),
    refreshed,
    path: location.path,
  });
  const update = (change: Partial<RefreshFacts>) => {
    facts = { ...facts, now: deps.now().getTime(), ...change };
  };
  try {
    while (true) {
      const next = nextRefreshStep(facts);
      switch (next.step) {
        case "serve":
          return serve(current.entry, false);
        case "serve-stale":
          warnStale(deps, next.why, current.entry, failure);
          return serve(current.entry, false);
        case "lock": {
          const taken = await lockWithin(deps, location, next.waitMs);
          if (taken instanceof LockTimeoutError) failure = taken;
          else lock = taken;
          update({ lock: lock === undefined ? "busy" : "held" });
          break;
        }
        case "reread": {
          current = await readRequired(deps, location, request);
          note = parseNote(await lock!.readNote());
          const recentFailure = await isRecentFailure(
            note,
            current.entry,
            refreshEndpoint(deps, current.entry, request).base,
            deps.now().getTime(),
          );
          if (recentFailure) failure = new Error(note!.reason);
          update({ rereadUnderLock: true, expiresAt: expiresAtOf(current.entry), recentFailure });
          break;
        }
        case "probe":
          try {
            await checkWritable(deps, location.directory, {
              what: "the login cache directory",
              hint: CACHE_NOT_WRITABLE_HINT,
            });
            update({ writable: true });
          } catch (error) {
            failure = error;
            update({ writable: false });
          }
          break;
        case "refresh": {
          const retry = facts.outcome === "refused";
          try {
            const next = await refresh(deps, current.entry, request);
            // The refresh token is spent: nothing may stand between the answer and the save. A
            // note left behind names the old token, so it no longer matches.
            await lock!.writeNote("").catch(() => {});
            return await saveRefreshed(deps, location, next, request, serve);
          } catch (error) {
            failure = error;
            const outcome = isRefusedGrant(error)
              ? "refused"
              : isRetryable(error, "refresh_token")
              ? "passing"
              : "fatal";
            if (outcome === "passing") {
              await leaveNote(deps, lock!, current.entry, request, error);
            }
            update({ outcome, ...(retry ? { retriedAfterForeign: true } : {}) });
          }
          break;
        }
        case "look-again": {
          if (next.pauseMs > 0) await deps.sleep(next.pauseMs);
          let again: StoredSession | undefined;
          try {
            again = await readRequired(deps, location, request);
          } catch {
            // half written, or being replaced: it counts as unchanged
          }
          const changed = again !== undefined && again.text !== current.text;
          if (again !== undefined && changed) current = again;
          update({
            foreignLooks: facts.foreignLooks + 1,
            foreignChanged: changed,
            expiresAt: expiresAtOf(current.entry),
          });
          break;
        }
        case "fail":
          throw failureOf(next.why, failure, note, request, location);
      }
    }
  } finally {
    await lock?.release();
  }
}

/** A failure in a few words, for a warning or the lock's note. */
function describeFailure(failure: unknown): string {
  if (failure instanceof ServiceError) return `HTTP ${failure.status}: ${failure.message}`;
  return (failure as Error | undefined)?.message ?? "AWS Sign-In could not be reached";
}

function warnStale(
  deps: Deps,
  why: "busy" | "passing" | "unwritable",
  entry: LoginCacheEntry,
  failure: unknown,
): void {
  // Another process is refreshing: the credentials in hand are valid, nothing to say.
  if (why === "busy") return;
  deps.stderr.write(
    `warning: could not refresh the login session (${
      describeFailure(failure)
    }); using the cached credentials, which expire in ${
      minutesLeft(expiresAtOf(entry), deps.now().getTime())
    }\n`,
  );
}

function failureOf(
  why: "busy" | "remembered" | "unwritable" | "refused" | "passing" | "fatal",
  failure: unknown,
  note: FailureNote | undefined,
  request: SessionRequest,
  location: CacheLocation,
): unknown {
  switch (why) {
    case "busy":
      return new FileSystemError(
        `Cannot refresh the login session: another aws-login process has held "${location.lockPath}" for ${
          EXPIRED_LOCK_WAIT_MS / 1000
        } s`,
        {
          code: "CACHE_LOCKED",
          hint: "If that process is stuck, stop it and run the command again",
          cause: failure,
        },
      );
    case "remembered":
      return new NetworkError(
        `AWS Sign-In could not refresh this session a moment ago (${note?.reason}): try again shortly`,
        { code: "RECENT_FAILURE" },
      );
    case "unwritable":
      return failure;
    default:
      return explainTokenError(failure, { grant: "refresh_token", profile: request.profile });
  }
}

async function leaveNote(
  deps: Deps,
  lock: FileLock,
  entry: LoginCacheEntry,
  request: SessionRequest,
  error: unknown,
): Promise<void> {
  const note: FailureNote = {
    failedAt: deps.now().getTime(),
    endpoint: refreshEndpoint(deps, entry, request).base,
    token: await tokenDigest(entry.refreshToken),
    reason: sanitizeOutsideText(describeFailure(error), { maxLength: 200 }),
  };
  await lock.writeNote(JSON.stringify(note)).catch(() => {});
}

/**
 * Replaces the cache file with the refreshed entry. The old refresh token is spent by now, so a
 * failure here loses the session: the new credentials are still used (they work for the next
 * minutes), and the user is told to sign in again.
 */
async function saveRefreshed(
  deps: Deps,
  location: CacheLocation,
  entry: LoginCacheEntry,
  request: SessionRequest,
  serve: (entry: LoginCacheEntry, refreshed: boolean) => SessionResult,
): Promise<SessionResult> {
  try {
    await writeSession(deps, location, entry);
  } catch (error) {
    deps.stderr.write(
      `warning: the refreshed session could not be saved (${
        (error as Error).message
      }): these credentials work for ${
        minutesLeft(expiresAtOf(entry), deps.now().getTime())
      }; then ${signInAgain(request.profile)}\n`,
    );
  }
  return serve(entry, true);
}

/**
 * The login region of a session: the region that issued its tokens (`signInRegion`), else, for a
 * file written by a tool that does not record it, the configured one (`AWS_REGION`, ..., the
 * profile's `region`); `undefined` when none is known. Refreshes and revocations go there.
 *
 * @example
 * ```ts ignore
 * sessionRegion(deps, entry, { region: "eu-west-1" }); // "us-east-2" when signInRegion says so
 * ```
 */
export function sessionRegion(
  deps: Pick<Deps, "env">,
  entry: LoginCacheEntry,
  profileValues: Readonly<Record<string, string>>,
): string | undefined {
  return entry.signInRegion || configuredRegion(deps, undefined, profileValues.region)?.region ||
    undefined;
}

/** The Sign-In endpoint a session refreshes at: that of the region that issued its tokens. */
function refreshEndpoint(
  deps: Deps,
  entry: LoginCacheEntry,
  request: SessionRequest,
): SignInEndpoint {
  const region = sessionRegion(deps, entry, request.profileValues);
  if (!region) {
    throw new ConfigError(
      `Cannot refresh the login session of profile ${request.profile}: no region is known`,
      {
        code: "NO_REGION",
        hint: `Set region in the profile, set AWS_REGION, or ${signInAgain(request.profile)}`,
      },
    );
  }
  return signInEndpointFor(deps, region, { profile: request.profileValues });
}

async function refresh(
  deps: Deps,
  entry: LoginCacheEntry,
  request: SessionRequest,
): Promise<LoginCacheEntry> {
  const endpoint = refreshEndpoint(deps, entry, request);
  // Only a refresh needs the token client: a valid cache is served without loading it.
  const [{ importDPoPKeyPem }, { requestTokens }] = await Promise.all([
    import("../signin/dpop_key.ts"),
    import("../signin/token.ts"),
  ]);
  let keyPair: CryptoKeyPair;
  try {
    keyPair = await importDPoPKeyPem(entry.dpopKey);
  } catch (error) {
    throw new LoginRequiredError(
      `Unable to load private key from cached token: ${(error as Error).message}`,
      { code: "CACHE_INVALID", hint: capitalize(signInAgain(request.profile)), cause: error },
    );
  }
  const tokens = await requestTokens(
    deps,
    { endpoint, clientId: entry.clientId, keyPair },
    { grant: "refresh_token", refreshToken: entry.refreshToken },
  );
  return updatedEntry(entry, tokens, deps.now());
}
