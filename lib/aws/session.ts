/**
 * Credentials of a login session, refreshed when needed (spec §11), safely under parallel use.
 *
 * aws-cli rewrites the cache in place with no lock while the refresh token rotates on every use
 * (aws-cli #10628), and refreshes against the caller's region rather than the one that issued the
 * token (aws-cli #10613). Here:
 *
 * - Fresh credentials (more than 5 minutes left) are served from the file with no lock and no
 *   network.
 * - Otherwise an exclusive lock on `<cache file>.lock` is taken and the file is read again: a
 *   sibling process may have refreshed it while we waited. Only then is the token endpoint of the
 *   login region (`signInRegion`) called, and the file replaced atomically.
 * - A refresh answered `INVALID_REQUEST` is tried once more when the file changed meanwhile (a
 *   writer that does not take our lock, such as aws-cli or an SDK, rotated the token); a file that
 *   has not changed yet is looked at once more after a short pause, since such a writer saves only
 *   after its own answer arrived.
 * - Throttling, 5xx and network failures (a request gets 15 seconds) are retried with backoff; when
 *   the service stays out of reach but the cached credentials are still valid, they are served with
 *   a warning.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import { ConfigError, LoginRequiredError, NetworkError, ServiceError } from "../errors.ts";
import {
  CACHE_FILE_MODE,
  cacheFilePath,
  formatExpiresAt,
  type LoginCacheEntry,
  parseCacheFile,
  parseExpiresAt,
  pythonJson,
} from "./login_cache.ts";
import { configuredRegion } from "./region.ts";
import { signInEndpointFor } from "./endpoint_config.ts";
import type * as TokenClient from "../signin/token.ts";
import type * as DPoPKeys from "../signin/dpop_key.ts";
import type { AwsTokenResponse } from "../signin/aws_dialect.ts";
import { FileSystemError } from "../errors.ts";

// The token client (with oauth4webapi) and the DPoP key code are loaded only when a refresh is
// due, by literal import()s that `deno compile` embeds: serving cached credentials, what every
// `credential_process` call does, needs neither (see "Performance" in README.md).
let isRetryable: typeof TokenClient.isRetryable;
let refreshWithToken: typeof TokenClient.refreshWithToken;
let importDPoPKeyPem: typeof DPoPKeys.importDPoPKeyPem;
async function loadRefreshCode(): Promise<void> {
  ({ isRetryable, refreshWithToken } = await import("../signin/token.ts"));
  ({ importDPoPKeyPem } = await import("../signin/dpop_key.ts"));
}

/** Credentials are refreshed when this little time is left (as botocore and the JS SDK do). */
export const REFRESH_WINDOW_MS = 5 * 60 * 1000;

/** Delays before the retries of a refresh that failed for a passing reason. */
export const RETRY_DELAYS_MS: readonly number[] = [250, 1000, 3000];

/**
 * How long one token request may take. Without a limit, an endpoint that accepts the connection
 * and never answers would hang every `credential_process` caller, and every sibling waiting for
 * the lock.
 */
export const REQUEST_TIMEOUT_MS = 15_000;

/**
 * How long to wait for another writer to finish writing the cache file when our refresh token was
 * refused and the file has not changed (yet).
 */
export const FOREIGN_WRITE_WAIT_MS = 300;

/** Tuning of {@link sessionCredentials}: the defaults suit real use; tests shorten them. */
export interface SessionOptions {
  /** Delays before the retries of a refresh that failed for a passing reason. */
  readonly retryDelaysMs?: readonly number[];
  /** How long one token request may take before it counts as a network failure. */
  readonly requestTimeoutMs?: number;
}

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
}

/** The result of {@link sessionCredentials}. */
export interface SessionResult {
  readonly credentials: SessionCredentials;
  /** Whether a token request was made. */
  readonly refreshed: boolean;
  /** The cache file used. */
  readonly path: string;
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

function isFresh(deps: Pick<Deps, "now">, entry: LoginCacheEntry): boolean {
  return credentialsOf(entry).expiration.getTime() - deps.now().getTime() > REFRESH_WINDOW_MS;
}

function isValid(deps: Pick<Deps, "now">, entry: LoginCacheEntry): boolean {
  return credentialsOf(entry).expiration.getTime() > deps.now().getTime();
}

function signInAgain(profile: string): string {
  return `run "aws-login login${
    profile === "default" ? "" : ` --profile ${profile}`
  }" to sign in again`;
}

async function readEntry(
  deps: Deps,
  path: string,
  request: SessionRequest,
): Promise<{ entry: LoginCacheEntry; text: string }> {
  let text: string;
  try {
    text = await deps.fs.readTextFile(path);
  } catch (error) {
    if (await deps.fs.stat(path) === null) {
      throw new LoginRequiredError(
        `Unable to load an existing login session for session ${request.loginSession}`,
        { code: "NO_SESSION", hint: capitalize(signInAgain(request.profile)) },
      );
    }
    throw new FileSystemError(`Cannot read cache file "${path}": ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    return { entry: parseCacheFile(text, path), text };
  } catch (error) {
    if (error instanceof LoginRequiredError) {
      throw new LoginRequiredError(error.message, {
        code: error.code,
        hint: capitalize(signInAgain(request.profile)),
      });
    }
    throw error;
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Makes a cache file readable by its owner only, with a warning, when it is not. */
async function protect(deps: Deps, path: string): Promise<void> {
  const info = await deps.fs.stat(path);
  if (info?.mode === null || info?.mode === undefined || (info.mode & 0o077) === 0) return;
  try {
    await deps.fs.chmod(path, CACHE_FILE_MODE);
    deps.stderr.write(
      `warning: cache file "${path}" was readable by other users (mode ${
        (info.mode & 0o777).toString(8)
      }); changed it to 600\n`,
    );
  } catch (error) {
    deps.stderr.write(
      `warning: cache file "${path}" is readable by other users and its mode could not be changed: ${
        (error as Error).message
      }\n`,
    );
  }
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
  options: SessionOptions = {},
): Promise<SessionResult> {
  const path = await cacheFilePath(deps, request.loginSession);
  const first = await readEntry(deps, path, request);
  await protect(deps, path);
  if (isFresh(deps, first.entry)) {
    return { credentials: credentialsOf(first.entry), refreshed: false, path };
  }

  await loadRefreshCode();
  let lock;
  try {
    lock = await deps.fs.lock(`${path}.lock`);
  } catch (error) {
    throw new FileSystemError(
      `Cannot lock "${path}.lock" to refresh the session: ${(error as Error).message}`,
      { cause: error },
    );
  }
  try {
    // A sibling may have refreshed while we waited for the lock.
    let current = await readEntry(deps, path, request);
    if (isFresh(deps, current.entry)) {
      return { credentials: credentialsOf(current.entry), refreshed: false, path };
    }
    let retriedAfterChange = false;
    while (true) {
      try {
        const tokens = await refreshWithRetries(deps, current.entry, request, options);
        const next = updatedEntry(deps, current.entry, tokens);
        await saveRefreshed(deps, path, next, request.profile);
        return { credentials: credentialsOf(next), refreshed: true, path };
      } catch (error) {
        if (isRefusedGrant(error) && !retriedAfterChange) {
          const again = await changedEntry(deps, path, request, current.text);
          if (again !== undefined) {
            retriedAfterChange = true;
            current = again;
            if (isFresh(deps, current.entry)) {
              return { credentials: credentialsOf(current.entry), refreshed: false, path };
            }
            continue;
          }
        }
        if (isRetryable(error) && isValid(deps, current.entry)) {
          const left = Math.round(
            (credentialsOf(current.entry).expiration.getTime() - deps.now().getTime()) / 60000,
          );
          deps.stderr.write(
            `warning: could not refresh the login session (${
              (error as Error).message
            }); using the cached credentials, which expire in ${left} minute${
              left === 1 ? "" : "s"
            }\n`,
          );
          return { credentials: credentialsOf(current.entry), refreshed: false, path };
        }
        throw explainRefreshError(error, request.profile);
      }
    }
  } finally {
    await lock.release();
  }
}

/**
 * Replaces the cache file with the refreshed entry. The old refresh token is spent by now, so a
 * failure here loses the session: say so, naming the file.
 */
async function saveRefreshed(
  deps: Deps,
  path: string,
  entry: LoginCacheEntry,
  profile: string,
): Promise<void> {
  try {
    await deps.fs.writeTextFileAtomic(path, pythonJson(entry), { mode: CACHE_FILE_MODE });
  } catch (error) {
    throw new FileSystemError(
      `Cannot write the refreshed session to cache file "${path}": ${(error as Error).message}`,
      {
        code: "CACHE_WRITE_FAILED",
        hint: `Make the file writable, then ${signInAgain(profile)}`,
        cause: error,
      },
    );
  }
}

/**
 * The cache file as another writer left it after our refresh token was refused, or `undefined` when
 * nobody changed it. A writer that does not lock (aws-cli, the SDKs) writes in place right after
 * its own refresh, so a file that has not changed yet, or is half written, is read once more after
 * a short pause.
 */
async function changedEntry(
  deps: Deps,
  path: string,
  request: SessionRequest,
  before: string,
): Promise<{ entry: LoginCacheEntry; text: string } | undefined> {
  try {
    const again = await readEntry(deps, path, request);
    if (again.text !== before) return again;
  } catch {
    // half written, or being replaced: look again after the pause
  }
  await deps.sleep(FOREIGN_WRITE_WAIT_MS);
  const again = await readEntry(deps, path, request);
  return again.text === before ? undefined : again;
}

async function refreshWithRetries(
  deps: Deps,
  entry: LoginCacheEntry,
  request: SessionRequest,
  options: SessionOptions,
): Promise<AwsTokenResponse> {
  const region = entry.signInRegion ||
    configuredRegion(deps, undefined, request.profileValues.region)?.region;
  if (!region) {
    throw new ConfigError(
      `Cannot refresh the login session of profile ${request.profile}: no region is known`,
      {
        code: "NO_REGION",
        hint: `Set region in the profile, set AWS_REGION, or ${signInAgain(request.profile)}`,
      },
    );
  }
  const endpoint = signInEndpointFor(deps, region, { profile: request.profileValues });
  let keyPair: CryptoKeyPair;
  try {
    keyPair = await importDPoPKeyPem(entry.dpopKey);
  } catch (error) {
    throw new LoginRequiredError(
      `Unable to load private key from cached token: ${(error as Error).message}`,
      { code: "CACHE_INVALID", hint: capitalize(signInAgain(request.profile)), cause: error },
    );
  }
  const delays = options.retryDelaysMs ?? RETRY_DELAYS_MS;
  const timeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  for (let attempt = 0;; attempt++) {
    // A timeout aborts the request with a `TimeoutError`: a network failure, retried like one.
    const context = {
      endpoint,
      clientId: entry.clientId,
      keyPair,
      signal: AbortSignal.timeout(timeoutMs),
    };
    try {
      return await refreshWithToken(deps, context, entry.refreshToken);
    } catch (caught) {
      const error = isTimeout(caught) || isTimeout((caught as Error | null)?.cause)
        ? new NetworkError(
          `AWS Sign-In at ${endpoint.base} did not answer within ${timeoutMs / 1000} s`,
          { code: "TIMEOUT", cause: caught },
        )
        : caught;
      const delay = delays[attempt];
      if (!isRetryable(error) || delay === undefined) throw error;
      await deps.sleep(delay + Math.floor(Math.random() * delay * 0.25));
    }
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof DOMException && error.name === "TimeoutError";
}

function updatedEntry(
  deps: Pick<Deps, "now">,
  entry: LoginCacheEntry,
  tokens: AwsTokenResponse,
): LoginCacheEntry {
  return {
    ...entry,
    accessToken: {
      ...entry.accessToken,
      accessKeyId: tokens.accessToken.accessKeyId,
      secretAccessKey: tokens.accessToken.secretAccessKey,
      sessionToken: tokens.accessToken.sessionToken,
      expiresAt: formatExpiresAt(new Date(deps.now().getTime() + tokens.expiresIn * 1000)),
    },
    refreshToken: tokens.refreshToken,
  };
}

/** A refresh token the service refused (not throttling or an outage that happens to say so). */
function isRefusedGrant(error: unknown): error is ServiceError {
  return error instanceof ServiceError && error.code === "INVALID_REQUEST" && !isRetryable(error);
}

function explainRefreshError(error: unknown, profile: string): unknown {
  if (!(error instanceof ServiceError)) return error;
  if (isRetryable(error)) {
    // Throttling and outages pass: whatever their body says, signing in again would not help.
    return new ServiceError(
      `AWS Sign-In could not refresh the login session (HTTP ${error.status}: ${error.message}): try again later`,
      { code: error.code, status: error.status, errorType: error.errorType, cause: error },
    );
  }
  const again = signInAgain(profile);
  switch (error.code) {
    case "TOKEN_EXPIRED":
      return new LoginRequiredError(`Your session has expired: ${again}`, {
        code: error.code,
        cause: error,
      });
    case "USER_CREDENTIALS_CHANGED":
      return new LoginRequiredError(
        `Unable to refresh login credentials because of a change in your password: ${again} with your new password`,
        { code: error.code, cause: error },
      );
    case "INSUFFICIENT_PERMISSIONS":
      return new ServiceError(
        "Unable to create or refresh login credentials due to insufficient permissions: the 'signin:CreateOAuth2Token' action may be missing",
        { code: error.code, status: error.status, errorType: error.errorType, cause: error },
      );
    case "INVALID_REQUEST":
      return new LoginRequiredError(
        `AWS Sign-In refused to refresh the session (${error.message}): ${again}`,
        { code: error.code, cause: error },
      );
    default:
      return new ServiceError(
        `Unable to refresh the login session (${
          error.errorType ?? "error"
        } ${error.code}): ${error.message}`,
        { code: error.code, status: error.status, errorType: error.errorType, cause: error },
      );
  }
}
