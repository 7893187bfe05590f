/**
 * The login session cache, `~/.aws/login/cache/<sha256(login_session)>.json` (spec §8): the
 * interoperability contract with aws-cli and the AWS SDKs, and the one module that knows its
 * paths, its lock, how an entry is read, built, written and removed, and what each failure is
 * called. Every command goes through it: `login` (save and rollback), `export-credentials`
 * (refresh), `logout` and `status`.
 *
 * - Paths: {@link sessionLocation} gives a session's file and its lock file `<file>.lock`.
 * - Reading: {@link readSession} refuses what is not a plain file (a FIFO would hang), follows a
 *   symbolic link, and names the file and what is wrong with it.
 * - Entries: {@link newEntry} and {@link updatedEntry} are pure.
 * - Writing: {@link writeSession} replaces the file atomically, 0600 in a 0700 directory, through a
 *   symbolic link when the file is one. Writers take {@link lockSession} first, so that a login
 *   and a refresh never overwrite each other.
 * - Removing: {@link removeSession} waits for the lock (a refresh in flight would write the
 *   session back) and leaves the lock file, which other processes may be waiting on.
 *
 * @module
 */

import type { Deps, FileLock, LockOptions } from "../runtime/deps.ts";
import { LockTimeoutError } from "../runtime/deps.ts";
import { capitalize, FileSystemError, LoginRequiredError, signInAgain } from "../errors.ts";
import { dirnameOf, joinPath } from "../runtime/paths.ts";
import { expandPath, requireHome } from "./home.ts";
import type { AwsTokenResponse } from "../signin/aws_dialect.ts";
import { formatExpiresAt, parseExpiresAt } from "./expiry.ts";

// In a module of its own for the fast path of export-credentials, which needs nothing else here.
export { formatExpiresAt, parseExpiresAt };

/** The `accessToken` object of a cache file. */
export interface CachedAccessToken {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly accountId: string;
  /** As written: `2025-09-01T18:39:33Z` by aws-cli; other writers add fractions. */
  readonly expiresAt: string;
  readonly [unknown: string]: unknown;
}

/** A cache file. Unknown fields are kept as they are when aws-login rewrites a file. */
export interface LoginCacheEntry {
  readonly accessToken: CachedAccessToken;
  readonly tokenType?: string;
  readonly clientId: string;
  readonly refreshToken: string;
  readonly idToken?: string;
  readonly dpopKey: string;
  /** The region that issued the refresh token; refreshes must go there (aws-cli #10613). */
  readonly signInRegion?: string;
  readonly [unknown: string]: unknown;
}

/**
 * The cache directory: `AWS_LOGIN_CACHE_DIRECTORY` (with `~` and `$VAR` expanded as aws-cli does),
 * else `~/.aws/login/cache`.
 *
 * @example
 * ```ts ignore
 * loginCacheDirectory(deps); // "/home/me/.aws/login/cache"
 * ```
 */
export function loginCacheDirectory(deps: Pick<Deps, "env" | "homeDir" | "os">): string {
  const configured = deps.env("AWS_LOGIN_CACHE_DIRECTORY");
  if (configured !== undefined && configured !== "") return expandPath(deps, configured);
  return joinPath(requireHome(deps), ".aws", "login", "cache");
}

/**
 * The cache file name of a login session: lowercase hex SHA-256 of the ARN, plus `.json`.
 *
 * @example
 * ```ts
 * await cacheFileName("arn:aws:sts::012345678910:assumed-role/Admin/admin");
 * // "4b0ba8f99f075c0633e122fd73346ce203a3faf18ea0310eb2d29df1bab2e255.json"
 * ```
 */
export async function cacheFileName(loginSession: string): Promise<string> {
  return `${await sha256Hex(loginSession)}.json`;
}

/**
 * The lowercase hex SHA-256 of a text's UTF-8 bytes: the names of cache files, and digests that
 * stand for a secret without holding it.
 *
 * @example
 * ```ts
 * (await sha256Hex("x")).length; // 64
 * ```
 */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

const REQUIRED_TOP = ["accessToken", "clientId", "refreshToken", "dpopKey"] as const;
const REQUIRED_TOKEN = [
  "accessKeyId",
  "secretAccessKey",
  "sessionToken",
  "accountId",
  "expiresAt",
] as const;

/**
 * Parses and checks a cache file. Throws {@link LoginRequiredError} naming the file and what is
 * wrong when it cannot be used, so the user knows to sign in again.
 *
 * @example
 * ```ts ignore
 * const entry = parseCacheFile(text, path);
 * ```
 */
export function parseCacheFile(text: string, path: string): LoginCacheEntry {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw corrupt(
      path,
      text.trim() === "" ? "it is empty" : "it is not valid JSON (it may be truncated)",
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw corrupt(path, "it is not a JSON object");
  }
  const record = value as Record<string, unknown>;
  const missing: string[] = REQUIRED_TOP.filter((key) =>
    typeof record[key] !== (key === "accessToken" ? "object" : "string") || !record[key]
  );
  const token = record.accessToken;
  if (typeof token === "object" && token !== null) {
    const fields = token as Record<string, unknown>;
    for (const key of REQUIRED_TOKEN) {
      if (typeof fields[key] !== "string" || fields[key] === "") missing.push(`accessToken.${key}`);
    }
    if (typeof fields.expiresAt === "string" && parseExpiresAt(fields.expiresAt) === undefined) {
      throw corrupt(path, `"accessToken.expiresAt" is not a timestamp`);
    }
  }
  if (missing.length > 0) {
    throw corrupt(path, `it is missing required fields: ${missing.join(", ")}`);
  }
  return record as unknown as LoginCacheEntry;
}

function corrupt(path: string, why: string): LoginRequiredError {
  return new LoginRequiredError(`Cannot use cache file "${path}": ${why}`, {
    code: "CACHE_INVALID",
  });
}

/**
 * Serializes a cache entry like aws-cli's `json.dumps`: one line, `", "` and `": "` separators,
 * non-ASCII escaped, keys in insertion order.
 *
 * @example
 * ```ts
 * pythonJson({ a: 1, b: ["x"] }); // '{"a": 1, "b": ["x"]}'
 * ```
 */
export function pythonJson(value: unknown): string {
  if (value === null || typeof value === "boolean" || typeof value === "number") {
    return JSON.stringify(value);
  }
  if (typeof value === "string") {
    return JSON.stringify(value).replace(
      /[\u007f-\uffff]/g,
      (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
  }
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(", ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) =>
      v !== undefined
    );
    return `{${entries.map(([k, v]) => `${pythonJson(k)}: ${pythonJson(v)}`).join(", ")}}`;
  }
  throw new TypeError(`Cannot serialize a ${typeof value}`);
}

/** Mode of cache files. */
export const CACHE_FILE_MODE = 0o600;
/** Mode of the cache directory. */
export const CACHE_DIRECTORY_MODE = 0o700;

/** Where one session lives. */
export interface CacheLocation {
  /** The session ARN, when known (a file found by listing the directory has none). */
  readonly loginSession: string | undefined;
  readonly directory: string;
  /** `<sha256>.json`. */
  readonly name: string;
  readonly path: string;
  /** `<path>.lock`, the lock every writer of this file takes. */
  readonly lockPath: string;
}

/**
 * A file of a cache directory, located.
 *
 * @example
 * ```ts
 * locationInDirectory("/c", "x.json").lockPath; // "/c/x.json.lock"
 * ```
 */
export function locationInDirectory(
  directory: string,
  name: string,
  loginSession?: string,
): CacheLocation {
  const path = joinPath(directory, name);
  return { loginSession, directory, name, path, lockPath: `${path}.lock` };
}

/**
 * Where a session's cache file is (the session string is trimmed, as the Go and Rust SDKs do).
 *
 * @example
 * ```ts ignore
 * (await sessionLocation(deps, "arn:aws:iam::0123456789012:user/Admin")).path;
 * // "/home/me/.aws/login/cache/36db1d13...2726.json"
 * ```
 */
export async function sessionLocation(
  deps: Pick<Deps, "env" | "homeDir" | "os">,
  loginSession: string,
): Promise<CacheLocation> {
  const session = loginSession.trim();
  return locationInDirectory(loginCacheDirectory(deps), await cacheFileName(session), session);
}

/**
 * The path of a session's cache file.
 *
 * @example
 * ```ts ignore
 * await cacheFilePath(deps, "arn:aws:iam::0123456789012:user/Admin");
 * ```
 */
export async function cacheFilePath(
  deps: Pick<Deps, "env" | "homeDir" | "os">,
  loginSession: string,
): Promise<string> {
  return (await sessionLocation(deps, loginSession)).path;
}

/** A session as the config names it: its ARN and the profiles whose `login_session` it is. */
export interface NamedSession {
  readonly loginSession: string;
  readonly profiles: string[];
}

/**
 * Groups profiles by the cache file of their `login_session` (trimmed), one hash per distinct
 * session: file name → the session and its profiles, in the order given.
 *
 * @example
 * ```ts ignore
 * const byFile = await sessionFilesOfProfiles([["dev", arn], ["default", arn]]);
 * byFile.get(await cacheFileName(arn)); // { loginSession: arn, profiles: ["dev", "default"] }
 * ```
 */
export async function sessionFilesOfProfiles(
  profiles: Iterable<readonly [profile: string, loginSession: string]>,
): Promise<Map<string, NamedSession>> {
  const byFile = new Map<string, NamedSession>();
  const nameOf = new Map<string, string>();
  for (const [profile, value] of profiles) {
    const loginSession = value.trim();
    if (loginSession === "") continue;
    let name = nameOf.get(loginSession);
    if (name === undefined) {
      name = await cacheFileName(loginSession);
      nameOf.set(loginSession, name);
    }
    const known = byFile.get(name) ?? { loginSession, profiles: [] };
    known.profiles.push(profile);
    byFile.set(name, known);
  }
  return byFile;
}

/** A cache file as read: the parsed entry and the exact text. */
export interface StoredSession {
  readonly entry: LoginCacheEntry;
  readonly text: string;
}

/** Options of {@link readSession}. */
export interface ReadOptions {
  /** The profile asking, so that an unusable file comes with the command that signs it in. */
  readonly profile?: string;
}

const FAILURE_CODES = {
  read: "CACHE_READ_FAILED",
  write: "CACHE_WRITE_FAILED",
  remove: "CACHE_REMOVE_FAILED",
} as const;

/** The one wording of a cache file that could not be read, written or removed. */
function cacheFileError(
  verb: keyof typeof FAILURE_CODES,
  path: string,
  error: unknown,
  hint?: string,
): FileSystemError {
  return new FileSystemError(`Cannot ${verb} cache file "${path}": ${(error as Error).message}`, {
    code: FAILURE_CODES[verb],
    cause: error,
    ...(hint === undefined ? {} : { hint }),
  });
}

/**
 * The exact text of a cache file, or `undefined` when there is none. Anything but a plain file
 * (or a link to one) is an error, so that a FIFO or a device at the path never hangs a reader.
 *
 * @example
 * ```ts ignore
 * const text = await readSessionText(deps, location);
 * ```
 */
export async function readSessionText(
  deps: Pick<Deps, "fs">,
  location: CacheLocation,
): Promise<string | undefined> {
  let info;
  try {
    info = await deps.fs.stat(location.path);
  } catch (error) {
    throw cacheFileError("read", location.path, error);
  }
  if (info === null) return undefined;
  if (!info.isFile) {
    throw new FileSystemError(
      `Cannot read cache file "${location.path}": it is not a regular file`,
      { code: "CACHE_NOT_FILE", hint: "Remove it, then sign in again" },
    );
  }
  try {
    return await deps.fs.readTextFile(location.path);
  } catch (error) {
    if (await deps.fs.stat(location.path).catch(() => null) === null) return undefined;
    throw cacheFileError("read", location.path, error);
  }
}

/**
 * Reads and checks a session's cache file; `undefined` when there is none. A file that cannot be
 * used is a {@link LoginRequiredError} naming the file and what is wrong, with the sign-in command
 * of `options.profile`.
 *
 * @example
 * ```ts ignore
 * const stored = await readSession(deps, location, { profile: "dev" });
 * ```
 */
export async function readSession(
  deps: Pick<Deps, "fs">,
  location: CacheLocation,
  options: ReadOptions = {},
): Promise<StoredSession | undefined> {
  const text = await readSessionText(deps, location);
  if (text === undefined) return undefined;
  try {
    return { entry: parseCacheFile(text, location.path), text };
  } catch (error) {
    if (error instanceof LoginRequiredError && options.profile !== undefined) {
      throw new LoginRequiredError(error.message, {
        code: error.code,
        hint: capitalize(signInAgain(options.profile)),
      });
    }
    throw error;
  }
}

/** What a sign-in produced, for {@link newEntry}. */
export interface NewEntryInit {
  readonly tokens: AwsTokenResponse & { readonly refreshToken: string };
  readonly accountId: string;
  readonly clientId: string;
  /** The DPoP private key, SEC1 PEM. */
  readonly dpopKey: string;
  /** The region that issued the tokens. */
  readonly signInRegion: string;
  readonly now: Date;
}

/**
 * The cache entry of a new sign-in, with the fields in aws-cli's order (pure).
 *
 * @example
 * ```ts ignore
 * const entry = newEntry({ tokens, accountId, clientId, dpopKey, signInRegion: "eu-west-1", now });
 * ```
 */
export function newEntry(init: NewEntryInit): LoginCacheEntry {
  const { tokens } = init;
  return {
    accessToken: {
      accessKeyId: tokens.accessToken.accessKeyId,
      secretAccessKey: tokens.accessToken.secretAccessKey,
      sessionToken: tokens.accessToken.sessionToken,
      accountId: init.accountId,
      expiresAt: formatExpiresAt(new Date(init.now.getTime() + tokens.expiresIn * 1000)),
    },
    tokenType: tokens.tokenType,
    clientId: init.clientId,
    refreshToken: tokens.refreshToken,
    ...(tokens.idToken === undefined ? {} : { idToken: tokens.idToken }),
    dpopKey: init.dpopKey,
    signInRegion: init.signInRegion,
  };
}

/**
 * The entry after a refresh (pure): new credentials and expiry, the rotated refresh token (the
 * current one when the answer had none), every other field, known or not, as it was.
 *
 * @example
 * ```ts ignore
 * const next = updatedEntry(entry, tokens, deps.now());
 * ```
 */
export function updatedEntry(
  entry: LoginCacheEntry,
  tokens: AwsTokenResponse,
  now: Date,
): LoginCacheEntry {
  return {
    ...entry,
    accessToken: {
      ...entry.accessToken,
      accessKeyId: tokens.accessToken.accessKeyId,
      secretAccessKey: tokens.accessToken.secretAccessKey,
      sessionToken: tokens.accessToken.sessionToken,
      expiresAt: formatExpiresAt(new Date(now.getTime() + tokens.expiresIn * 1000)),
    },
    refreshToken: tokens.refreshToken ?? entry.refreshToken,
  };
}

/**
 * Writes a session's cache file atomically, 0600 in a 0700 directory; `text` is written as it is
 * (to put back what was there), an entry as aws-cli's JSON. The caller holds the session's lock.
 *
 * @example
 * ```ts ignore
 * await writeSession(deps, location, entry);
 * ```
 */
export async function writeSession(
  deps: Pick<Deps, "fs">,
  location: CacheLocation,
  content: LoginCacheEntry | string,
): Promise<void> {
  try {
    await deps.fs.mkdir(location.directory, { mode: CACHE_DIRECTORY_MODE });
    const text = typeof content === "string" ? content : pythonJson(content);
    await deps.fs.writeFileAtomic(location.path, text, { mode: CACHE_FILE_MODE });
  } catch (error) {
    throw cacheFileError(
      "write",
      location.path,
      error,
      "Check that the directory is writable, or choose another one with AWS_LOGIN_CACHE_DIRECTORY",
    );
  }
}

/**
 * Puts a cache file back as it was before a failed login: the old text, or no file.
 *
 * @example
 * ```ts ignore
 * await restoreSession(deps, location, previousText);
 * ```
 */
export async function restoreSession(
  deps: Pick<Deps, "fs">,
  location: CacheLocation,
  previous: string | undefined,
): Promise<void> {
  if (previous !== undefined) return await writeSession(deps, location, previous);
  try {
    await deps.fs.remove(location.path);
  } catch (error) {
    throw cacheFileError("remove", location.path, error);
  }
}

/**
 * Takes the lock of a session's cache file, which every writer takes. A timeout of
 * `options.signal` is a `LockTimeoutError`; anything else that stops the lock is a
 * {@link FileSystemError} naming the lock file.
 *
 * @example
 * ```ts ignore
 * await using lock = await lockSession(deps, location);
 * ```
 */
export async function lockSession(
  deps: Pick<Deps, "fs">,
  location: CacheLocation,
  options: LockOptions = {},
): Promise<FileLock> {
  try {
    await deps.fs.mkdir(location.directory, { mode: CACHE_DIRECTORY_MODE });
    return await deps.fs.lock(location.lockPath, options);
  } catch (error) {
    if (error instanceof LockTimeoutError) throw error;
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new FileSystemError(`Cannot lock "${location.lockPath}": ${(error as Error).message}`, {
      code: "CACHE_LOCK_FAILED",
      cause: error,
    });
  }
}

/**
 * {@link lockSession} for the refresh loops, which go on either way: the lock, or the
 * `LockTimeoutError` when it stayed busy for `waitMs`.
 *
 * @example
 * ```ts ignore
 * const lock = await lockWithin(deps, location, 2000);
 * if (lock instanceof LockTimeoutError) { ... } // another process holds it
 * ```
 */
export async function lockWithin(
  deps: Pick<Deps, "fs" | "timeout">,
  location: CacheLocation,
  waitMs: number,
): Promise<FileLock | LockTimeoutError> {
  try {
    return await lockSession(deps, location, { signal: deps.timeout(waitMs) });
  } catch (error) {
    if (error instanceof LockTimeoutError) return error;
    throw error;
  }
}

/**
 * Removes a session's cache file under its lock (a refresh in flight would otherwise write the
 * session back after the removal); resolves to `false` when there was none. The lock file stays:
 * other processes may be waiting on it.
 *
 * @example
 * ```ts ignore
 * await removeSession(deps, location);
 * ```
 */
export async function removeSession(
  deps: Pick<Deps, "fs">,
  location: CacheLocation,
): Promise<boolean> {
  if (await deps.fs.lstat(location.path).catch(() => null) === null) return false;
  await using _lock = await lockSession(deps, location);
  try {
    return await deps.fs.remove(location.path);
  } catch (error) {
    throw cacheFileError("remove", location.path, error);
  }
}

/**
 * Every `.json` file of the cache directory, symbolic links to files included, sorted.
 *
 * @example
 * ```ts ignore
 * for (const location of await listSessionFiles(deps)) console.log(location.path);
 * ```
 */
export async function listSessionFiles(
  deps: Pick<Deps, "fs" | "env" | "homeDir" | "os">,
): Promise<CacheLocation[]> {
  return await listCacheFiles(deps, loginCacheDirectory(deps), "the cache directory");
}

/**
 * Every `.json` file of a cache directory (`what` names it in the error), symbolic links to files
 * included, sorted.
 *
 * @example
 * ```ts ignore
 * await listCacheFiles(deps, roleCacheDirectory(deps), "the role cache directory");
 * ```
 */
export async function listCacheFiles(
  deps: Pick<Deps, "fs">,
  directory: string,
  what: string,
): Promise<CacheLocation[]> {
  let names: string[];
  try {
    names = await deps.fs.listFiles(directory);
  } catch (error) {
    throw new FileSystemError(
      `Cannot list ${what} "${directory}": ${(error as Error).message}`,
      { code: "CACHE_READ_FAILED", cause: error },
    );
  }
  return names.filter((name) => name.endsWith(".json")).map((name) =>
    locationInDirectory(directory, name)
  );
}

/**
 * Fails early when no file can be created in `directory` (or, when it does not exist yet, in its
 * nearest existing parent): before a sign-in or a refresh spends something that could then not be
 * saved. The probe file is removed again.
 *
 * @example
 * ```ts ignore
 * await checkWritable(deps, loginCacheDirectory(deps), { what: "the login cache directory" });
 * ```
 */
export async function checkWritable(
  deps: Pick<Deps, "fs" | "randomUUID">,
  directory: string,
  options: { what: string; hint: string },
): Promise<void> {
  let existing = directory;
  let info = await deps.fs.stat(existing);
  while (info === null && dirnameOf(existing) !== existing) {
    existing = dirnameOf(existing);
    info = await deps.fs.stat(existing);
  }
  const fail = (why: string, cause?: unknown) =>
    new FileSystemError(`Cannot write to ${options.what} "${directory}": ${why}`, {
      code: "NOT_WRITABLE",
      hint: options.hint,
      cause,
    });
  if (info === null) throw fail("no part of the path exists");
  if (!info.isDirectory) throw fail(`"${existing}" is not a directory`);
  const probe = joinPath(existing, `.aws-login-probe-${deps.randomUUID()}`);
  try {
    await deps.fs.writeFileAtomic(probe, "");
  } catch (error) {
    throw fail((error as Error).message, error);
  }
  await deps.fs.remove(probe).catch(() => {});
}

/** The hint of a cache directory that cannot be written. */
export const CACHE_NOT_WRITABLE_HINT =
  "Fix its permissions, or choose another directory with AWS_LOGIN_CACHE_DIRECTORY";

/**
 * Keeps a session private: a cache file readable by others is set back to 0600 with a warning,
 * and a cache directory readable by others gets a warning (it is the user's directory to fix).
 *
 * @example
 * ```ts ignore
 * await protectSession(deps, location);
 * ```
 */
export async function protectSession(
  deps: Pick<Deps, "fs" | "stderr">,
  location: CacheLocation,
): Promise<void> {
  const [file, directory] = await Promise.all([
    deps.fs.stat(location.path).catch(() => null),
    deps.fs.stat(location.directory).catch(() => null),
  ]);
  if (directory?.mode !== null && directory?.mode !== undefined && (directory.mode & 0o077) !== 0) {
    deps.stderr.write(
      `warning: the cache directory "${location.directory}" can be read by other users (mode ${
        (directory.mode & 0o777).toString(8)
      }); run "chmod 700 ${location.directory}"\n`,
    );
  }
  if (file?.mode === null || file?.mode === undefined || (file.mode & 0o077) === 0) return;
  try {
    await deps.fs.chmod(location.path, CACHE_FILE_MODE);
    deps.stderr.write(
      `warning: cache file "${location.path}" was readable by other users (mode ${
        (file.mode & 0o777).toString(8)
      }); changed it to 600\n`,
    );
  } catch (error) {
    deps.stderr.write(
      `warning: cache file "${location.path}" is readable by other users and its mode could not be changed: ${
        (error as Error).message
      }\n`,
    );
  }
}
