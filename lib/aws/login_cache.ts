/**
 * The login session cache: `~/.aws/login/cache/<sha256(login_session)>.json` (spec §8), the
 * interoperability contract with aws-cli and the AWS SDKs.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import { FileSystemError, LoginRequiredError } from "../errors.ts";
import { dirnameOf, joinPath } from "./paths.ts";

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

/** The home directory, or a clear error when it cannot be known. */
export function requireHome(deps: Pick<Deps, "homeDir">): string {
  const home = deps.homeDir();
  if (home === undefined || home === "") {
    throw new FileSystemError(
      "Cannot find your home directory: set HOME (USERPROFILE on Windows), or AWS_CONFIG_FILE and AWS_LOGIN_CACHE_DIRECTORY",
      { code: "NO_HOME" },
    );
  }
  return home;
}

/**
 * Expands `$VAR`, `${VAR}` and a leading `~` like Python's `expandvars` + `expanduser`.
 *
 * @example
 * ```ts ignore
 * expandPath(deps, "~/cache/$USER"); // "/home/me/cache/me"
 * ```
 */
export function expandPath(deps: Pick<Deps, "env" | "homeDir" | "os">, path: string): string {
  // Like Python's expandvars: `$NAME` or `${NAME}` (and `%NAME%` on Windows, as ntpath does);
  // anything else, or an unset name, stays as written.
  const pattern = deps.os === "windows"
    ? /\$(\w+)|\$\{([^}]*)\}|%([^%]+)%/g
    : /\$(\w+)|\$\{([^}]*)\}/g;
  const expanded = path.replace(
    pattern,
    (match, plain?: string, braced?: string, percent?: string) => {
      const name = plain ?? braced ?? percent ?? "";
      return /^\w+$/.test(name) ? deps.env(name) ?? match : match;
    },
  );
  if (expanded === "~" || expanded.startsWith("~/") || expanded.startsWith("~\\")) {
    return requireHome(deps) + expanded.slice(1);
  }
  return expanded;
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
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(loginSession));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("") +
    ".json";
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
  return joinPath(loginCacheDirectory(deps), await cacheFileName(loginSession.trim()));
}

/**
 * Formats an expiry as aws-cli does: UTC, seconds, no fraction (`%Y-%m-%dT%H:%M:%SZ`).
 *
 * @example
 * ```ts
 * formatExpiresAt(new Date("2025-09-01T18:39:33.999Z")); // "2025-09-01T18:39:33Z"
 * ```
 */
export function formatExpiresAt(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * Parses an expiry written by any SDK: RFC 3339 with 0–9 fraction digits, `Z` or an offset.
 * Returns `undefined` when it is not such a timestamp.
 *
 * @example
 * ```ts
 * parseExpiresAt("2025-09-01T18:39:33.123456789Z")?.toISOString(); // "2025-09-01T18:39:33.123Z"
 * ```
 */
export function parseExpiresAt(text: string): Date | undefined {
  const match =
    /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:?\d{2})?$/.exec(
      text.trim(),
    );
  if (!match) return undefined;
  const fraction = (match[3] ?? "").padEnd(3, "0").slice(0, 3);
  let zone = match[4] ?? "Z";
  if (zone === "z") zone = "Z";
  if (/^[+-]\d{4}$/.test(zone)) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const date = new Date(`${match[1]}T${match[2]}.${fraction}${zone}`);
  return Number.isNaN(date.getTime()) ? undefined : date;
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

/**
 * Writes a cache file atomically, 0600 in a 0700 directory.
 *
 * @example
 * ```ts ignore
 * await writeCacheFile(deps, path, entry);
 * ```
 */
export async function writeCacheFile(
  deps: Pick<Deps, "fs">,
  path: string,
  entry: LoginCacheEntry,
): Promise<void> {
  const directory = dirnameOf(path);
  try {
    await deps.fs.mkdir(directory, { mode: CACHE_DIRECTORY_MODE });
    await deps.fs.writeTextFileAtomic(path, pythonJson(entry), { mode: CACHE_FILE_MODE });
  } catch (error) {
    throw new FileSystemError(
      `Cannot write cache file "${path}": ${(error as Error).message}`,
      {
        code: "CACHE_WRITE_FAILED",
        hint:
          "Check that the directory is writable, or choose another one with AWS_LOGIN_CACHE_DIRECTORY",
        cause: error,
      },
    );
  }
}
