/**
 * The credentials a long-running aws-login (`exec`, `serve`) hands out, kept in memory.
 *
 * An SDK behind the credential endpoint asks for credentials before nearly every API call
 * (botocore refreshes whenever fewer than 15 minutes remain, and login credentials never have
 * more), so answering must cost next to nothing, while two things must never happen: handing out
 * credentials that are about to expire, and making more than one token request for one refresh.
 *
 * - A pure decision ({@link nextStep}) says, for each request, whether to serve what is in memory,
 *   to repeat a recent failure, or to resolve the profile's credentials again.
 * - Memory is served while more than {@link REFRESH_WINDOW_MS} remain, the window in which
 *   `sessionCredentials` refreshes, and as long as the login cache file has not changed since: a
 *   change means another process refreshed, signed in again or logged out, and the file is read
 *   again.
 * - Requests that need a new resolution while one is running wait for it (single flight), so 32
 *   requests arriving together when a refresh is due make one token request and all get the same
 *   credentials. Across processes, the cache file's lock does the same (`session.ts`).
 * - Credentials that could not be refreshed but are still valid (Sign-In out of reach) are served
 *   for {@link STALE_RETRY_MS} before the next attempt; a failure is repeated for
 *   {@link FAILURE_HOLD_MS} without asking again, so a dead session does not turn every SDK call
 *   into a token request.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import { type ProfileCredentials, resolveProfileCredentials } from "./profile_credentials.ts";
import { failureLine } from "../errors.ts";
import { isFresh, REFRESH_WINDOW_MS } from "./expiry.ts";

export { REFRESH_WINDOW_MS };

/** How long credentials that could not be refreshed are served before the next attempt. */
export const STALE_RETRY_MS = 30_000;

/** How long a failure is answered again without resolving again. */
export const FAILURE_HOLD_MS = 5_000;

/** What the cache holds. */
export interface CacheState {
  /** The last credentials resolved, and when. */
  readonly current?: {
    readonly credentials: ProfileCredentials;
    /** `Date.getTime()` of the resolution. */
    readonly resolvedAt: number;
  };
  /** The last failure, when it is more recent than `current`. */
  readonly failure?: { readonly error: unknown; readonly at: number };
}

/** What to do with a request. */
export type CacheStep = "serve" | "fail" | "resolve";

/**
 * Decides what a request gets. Pure: `now` is `Date.getTime()`, `fileChanged` says whether the
 * login cache file behind `current` changed since it was read.
 *
 * @example
 * ```ts ignore
 * nextStep({}, { now: Date.now(), fileChanged: false }); // "resolve"
 * ```
 */
export function nextStep(
  state: CacheState,
  input: { readonly now: number; readonly fileChanged: boolean },
): CacheStep {
  if (input.fileChanged) return "resolve";
  if (state.failure !== undefined && input.now - state.failure.at < FAILURE_HOLD_MS) return "fail";
  const current = state.current;
  if (current === undefined || state.failure !== undefined) return "resolve";
  const expiration = current.credentials.expiration;
  if (expiration === undefined) return "serve";
  if (isFresh(expiration.getTime(), input.now)) return "serve";
  const left = expiration.getTime() - input.now;
  if (left > 0 && input.now - current.resolvedAt < STALE_RETRY_MS) return "serve";
  return "resolve";
}

/** Options of {@link openCredentialCache}. */
export interface CredentialCacheOptions {
  /** Resolves the credentials afresh (reads the files, refreshes when due). */
  readonly resolve: () => Promise<ProfileCredentials>;
  /** Called once when requests start failing, and again only when the reason changes. */
  readonly onFailure?: (error: unknown) => void;
  /** Called when credentials are served again after a failure was reported. */
  readonly onRecovery?: () => void;
}

/** The cache: {@link CredentialCache.get} is what every request calls. */
export interface CredentialCache {
  /** The credentials to hand out now; rejects with the reason when there are none. */
  get(): Promise<ProfileCredentials>;
}

function failureText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Builds the cache around a resolver and resolves the credentials a first time, so that a profile
 * that cannot be used fails here, with its error, before anything is served.
 *
 * @example
 * ```ts ignore
 * const cache = await openCredentialCache(deps, {
 *   resolve: () => resolveProfileCredentials(deps, { profile }),
 * });
 * const credentials = await cache.get();
 * ```
 */
export async function openCredentialCache(
  deps: Pick<Deps, "now" | "fs">,
  options: CredentialCacheOptions,
): Promise<CredentialCache> {
  let state: CacheState = {};
  /** The cache file's modification time when `current` was read (`null`: no file). */
  let fileStamp: number | null | undefined;
  let reported: string | undefined;
  let inflight: Promise<ProfileCredentials> | undefined;

  async function stampOf(path: string | undefined): Promise<number | null | undefined> {
    if (path === undefined) return undefined;
    try {
      const info = await deps.fs.stat(path);
      return info === null ? null : info.mtime?.getTime() ?? null;
    } catch {
      return null;
    }
  }

  async function store(credentials: ProfileCredentials): Promise<ProfileCredentials> {
    fileStamp = await stampOf(credentials.cacheFile);
    state = { current: { credentials, resolvedAt: deps.now().getTime() } };
    return credentials;
  }

  async function resolveAndStore(): Promise<ProfileCredentials> {
    try {
      const credentials = await store(await options.resolve());
      if (reported !== undefined) {
        reported = undefined;
        options.onRecovery?.();
      }
      return credentials;
    } catch (error) {
      state = { ...state, failure: { error, at: deps.now().getTime() } };
      const text = failureText(error);
      if (text !== reported) {
        reported = text;
        options.onFailure?.(error);
      }
      throw error;
    }
  }

  await store(await options.resolve());

  return {
    async get() {
      if (inflight !== undefined) return await inflight;
      const path = state.current?.credentials.cacheFile;
      const fileChanged = path !== undefined && await stampOf(path) !== fileStamp;
      const step = nextStep(state, { now: deps.now().getTime(), fileChanged });
      if (step === "serve" && state.current !== undefined) return state.current.credentials;
      if (step === "fail" && state.failure !== undefined) throw state.failure.error;
      inflight ??= resolveAndStore().finally(() => inflight = undefined);
      return await inflight;
    },
  };
}

/**
 * The cache of `exec` and `serve` for one profile: resolved through the profile's credential
 * chain, asking for an MFA code (with `askMfaCode`) at most once, on the first resolution (later
 * ones run while a command owns the terminal, and cannot ask); a failure and the recovery after
 * it are reported on stderr, one line each.
 *
 * @example
 * ```ts ignore
 * const cache = await openProfileCache(deps, "dev", mfaCodePrompter(deps));
 * ```
 */
export async function openProfileCache(
  deps: Deps,
  profile: string,
  askMfaCode: ((serial: string) => Promise<string>) | undefined,
): Promise<CredentialCache> {
  let ask = askMfaCode;
  return await openCredentialCache(deps, {
    resolve: () => {
      const resolved = resolveProfileCredentials(deps, { profile, askMfaCode: ask });
      ask = undefined;
      return resolved;
    },
    onFailure: (error) => deps.stderr.write(failureLine(error)),
    onRecovery: () =>
      deps.stderr.write(`aws-login: the credentials of profile ${profile} are available again\n`),
  });
}
