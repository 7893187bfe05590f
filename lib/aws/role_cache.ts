/**
 * The cache of assumed-role credentials: `<login cache directory>/roles/<sha256>.json`, one file
 * per role of a chain, named by the SHA-256 of the chain up to it and its parameters
 * (`roleCacheKeyMaterial` in `role_chain.ts`). It lives under the login cache directory, so that
 * `AWS_LOGIN_CACHE_DIRECTORY` moves both, in a directory of its own, so that the AWS CLI and the
 * SDKs, which read the login cache directory's files (and `aws logout --all`, which removes the
 * login sessions among them), never see these.
 *
 * The files are written like login sessions (through `login_cache.ts`): atomically, 0600 in a
 * 0700 directory, under a lock file `<file>.lock` taken by every writer. Each records the login
 * session it was derived from, so that `logout` removes them with the session
 * ({@link removeDerivedRoleCredentials}). A file that cannot be read as one is ignored: the role
 * is assumed again and the file replaced.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import { joinPath } from "../runtime/paths.ts";
import {
  type CacheLocation,
  formatExpiresAt,
  listCacheFiles,
  locationInDirectory,
  loginCacheDirectory,
  parseExpiresAt,
  readSessionText,
  removeSession,
  sha256Hex,
  writeSession,
} from "./login_cache.ts";

/** Version of the file format. */
export const ROLE_CACHE_VERSION = 1;

/** An assumed role's credentials, as cached. */
export interface RoleCacheEntry {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
  readonly accountId: string | undefined;
  /** The role. */
  readonly roleArn: string;
  /** The role session STS issued, `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
  readonly assumedRoleArn: string;
  /** The profile that last assumed it, for people reading the file. */
  readonly profile: string;
  /** The login session at the base of the chain; `undefined` for static keys or a process. */
  readonly sourceLoginSession: string | undefined;
}

/**
 * The directory of role credentials: `roles` in the login cache directory.
 *
 * @example
 * ```ts ignore
 * roleCacheDirectory(deps); // "/home/me/.aws/login/cache/roles"
 * ```
 */
export function roleCacheDirectory(deps: Pick<Deps, "env" | "homeDir" | "os">): string {
  return joinPath(loginCacheDirectory(deps), "roles");
}

/**
 * The lowercase hex SHA-256 of a cache key's material.
 *
 * @example
 * ```ts
 * (await roleCacheKey("x")).length; // 64
 * ```
 */
export async function roleCacheKey(material: string): Promise<string> {
  return await sha256Hex(material);
}

/**
 * Where the credentials of a key are cached.
 *
 * @example
 * ```ts ignore
 * roleCacheLocation(deps, key).path; // "/home/me/.aws/login/cache/roles/<key>.json"
 * ```
 */
export function roleCacheLocation(
  deps: Pick<Deps, "env" | "homeDir" | "os">,
  key: string,
): CacheLocation {
  return locationInDirectory(roleCacheDirectory(deps), `${key}.json`);
}

/**
 * The file text of an entry (pure).
 *
 * @example
 * ```ts ignore
 * const text = formatRoleCacheEntry(entry);
 * ```
 */
export function formatRoleCacheEntry(entry: RoleCacheEntry): string {
  return JSON.stringify(
    {
      Version: ROLE_CACHE_VERSION,
      AccessKeyId: entry.accessKeyId,
      SecretAccessKey: entry.secretAccessKey,
      SessionToken: entry.sessionToken,
      Expiration: formatExpiresAt(entry.expiration),
      AccountId: entry.accountId ?? null,
      RoleArn: entry.roleArn,
      AssumedRoleArn: entry.assumedRoleArn,
      Profile: entry.profile,
      SourceLoginSession: entry.sourceLoginSession ?? null,
    },
    null,
    2,
  ) + "\n";
}

/**
 * An entry from its file text, or `undefined` when the text is not one (pure).
 *
 * @example
 * ```ts ignore
 * parseRoleCacheEntry(formatRoleCacheEntry(entry))?.roleArn === entry.roleArn; // true
 * ```
 */
export function parseRoleCacheEntry(text: string): RoleCacheEntry | undefined {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || value.Version !== ROLE_CACHE_VERSION) {
    return undefined;
  }
  const text_ = (key: string) => typeof value[key] === "string" ? value[key] as string : undefined;
  const [accessKeyId, secretAccessKey, sessionToken, expires, roleArn] = [
    text_("AccessKeyId"),
    text_("SecretAccessKey"),
    text_("SessionToken"),
    text_("Expiration"),
    text_("RoleArn"),
  ];
  const expiration = expires === undefined ? undefined : parseExpiresAt(expires);
  if (!accessKeyId || !secretAccessKey || !sessionToken || !roleArn || !expiration) {
    return undefined;
  }
  return {
    accessKeyId,
    secretAccessKey,
    sessionToken,
    expiration,
    accountId: text_("AccountId") || undefined,
    roleArn,
    assumedRoleArn: text_("AssumedRoleArn") ?? "",
    profile: text_("Profile") ?? "",
    sourceLoginSession: text_("SourceLoginSession") || undefined,
  };
}

/**
 * The cached entry at a location; `undefined` when there is none or it cannot be used.
 *
 * @example
 * ```ts ignore
 * const cached = await readRoleCache(deps, location);
 * ```
 */
export async function readRoleCache(
  deps: Pick<Deps, "fs">,
  location: CacheLocation,
): Promise<RoleCacheEntry | undefined> {
  const text = await readSessionText(deps, location);
  return text === undefined ? undefined : parseRoleCacheEntry(text);
}

/**
 * Writes an entry atomically, 0600 in a 0700 directory. The caller holds the file's lock.
 *
 * @example
 * ```ts ignore
 * await writeRoleCache(deps, location, entry);
 * ```
 */
export async function writeRoleCache(
  deps: Pick<Deps, "fs">,
  location: CacheLocation,
  entry: RoleCacheEntry,
): Promise<void> {
  await writeSession(deps, location, formatRoleCacheEntry(entry));
}

/** Which role credentials {@link removeDerivedRoleCredentials} removes. */
export type DerivedFrom = { readonly loginSession: string } | { readonly all: true };

/**
 * Removes the cached role credentials derived from a login session (or from any login session,
 * for `logout --all`), each under its lock; resolves to how many were removed. Role credentials
 * from static keys or a `credential_process` stay.
 *
 * @example
 * ```ts ignore
 * await removeDerivedRoleCredentials(deps, { loginSession: "arn:aws:iam::123456789012:user/alice" });
 * ```
 */
export async function removeDerivedRoleCredentials(
  deps: Pick<Deps, "fs" | "env" | "homeDir" | "os">,
  from: DerivedFrom,
): Promise<number> {
  const locations = await listCacheFiles(
    deps,
    roleCacheDirectory(deps),
    "the role cache directory",
  );
  const wanted = "loginSession" in from ? from.loginSession.trim() : undefined;
  let removed = 0;
  for (const location of locations) {
    const entry = await readRoleCache(deps, location).catch(() => undefined);
    const source = entry?.sourceLoginSession;
    if (source === undefined || (wanted !== undefined && source !== wanted)) continue;
    if (await removeSession(deps, location)) removed++;
  }
  return removed;
}
