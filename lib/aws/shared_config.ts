/**
 * Reading and writing the shared AWS files: `~/.aws/config` (`AWS_CONFIG_FILE`) and
 * `~/.aws/credentials` (`AWS_SHARED_CREDENTIALS_FILE`, read only).
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import { ConfigError, FileSystemError } from "../errors.ts";
import { type IniSection, parseIni } from "./ini.ts";
import { otherCredentialKey, ProfileIndex } from "./profiles.ts";
import type { ConfigEdit } from "./config_editor.ts";
import { expandPath, requireHome } from "./home.ts";
import { dirnameOf, joinPath } from "../runtime/paths.ts";
import { LockTimeoutError } from "../runtime/deps.ts";

/** The two shared files, read. */
export interface SharedConfig {
  readonly configPath: string;
  /** The config file's text, `""` when it does not exist. */
  readonly configText: string;
  readonly configExists: boolean;
  readonly config: readonly IniSection[];
  readonly credentialsPath: string;
  readonly credentials: readonly IniSection[];
  /** Both files' profiles, for lookups in constant time. */
  readonly profiles: ProfileIndex;
  /** Lines that could not be understood, for a warning. */
  readonly problems: readonly string[];
}

/**
 * The profile to use: the flag, else `AWS_PROFILE`, else `AWS_DEFAULT_PROFILE`, else `default`.
 *
 * @example
 * ```ts ignore
 * resolveProfileName(deps, undefined); // "default"
 * ```
 */
export function resolveProfileName(deps: Pick<Deps, "env">, flag: string | undefined): string {
  for (const candidate of [flag, deps.env("AWS_PROFILE"), deps.env("AWS_DEFAULT_PROFILE")]) {
    if (candidate !== undefined && candidate.trim() !== "") return candidate.trim();
  }
  return "default";
}

/** Path of the config file. */
export function configFilePath(deps: Pick<Deps, "env" | "homeDir" | "os">): string {
  const configured = deps.env("AWS_CONFIG_FILE");
  if (configured) return expandPath(deps, configured);
  return joinPath(requireHome(deps), ".aws", "config");
}

/** Path of the credentials file. */
export function credentialsFilePath(deps: Pick<Deps, "env" | "homeDir" | "os">): string {
  const configured = deps.env("AWS_SHARED_CREDENTIALS_FILE");
  if (configured) return expandPath(deps, configured);
  return joinPath(requireHome(deps), ".aws", "credentials");
}

async function readOptional(deps: Pick<Deps, "fs">, path: string): Promise<string | undefined> {
  const info = await deps.fs.stat(path);
  if (info === null) return undefined;
  if (!info.isFile) {
    throw new ConfigError(`Cannot read "${path}": it is not a file`, { code: "CONFIG_NOT_FILE" });
  }
  try {
    return await deps.fs.readTextFile(path);
  } catch (error) {
    throw new FileSystemError(`Cannot read "${path}": ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Reads and parses the config and credentials files. Missing files are empty.
 *
 * @example
 * ```ts ignore
 * const shared = await loadSharedConfig(deps);
 * ```
 */
export async function loadSharedConfig(
  deps: Pick<Deps, "env" | "homeDir" | "os" | "fs">,
): Promise<SharedConfig> {
  const configPath = configFilePath(deps);
  const credentialsPath = credentialsFilePath(deps);
  const configText = await readOptional(deps, configPath);
  const credentialsText = await readOptional(deps, credentialsPath);
  return sharedConfigOf({ configPath, configText, credentialsPath, credentialsText });
}

/**
 * The two shared files, from their texts (`undefined`: the file does not exist).
 *
 * @example
 * ```ts
 * const shared = sharedConfigOf({
 *   configPath: "/home/me/.aws/config",
 *   configText: "[profile dev]\nregion = eu-west-1\n",
 *   credentialsPath: "/home/me/.aws/credentials",
 *   credentialsText: undefined,
 * });
 * shared.profiles.configProfile("dev"); // { region: "eu-west-1" }
 * ```
 */
export function sharedConfigOf(files: {
  configPath: string;
  configText: string | undefined;
  credentialsPath: string;
  credentialsText: string | undefined;
}): SharedConfig {
  const { configPath, credentialsPath } = files;
  const config = parseIni(files.configText ?? "");
  const credentials = parseIni(files.credentialsText ?? "");
  return {
    configPath,
    configText: files.configText ?? "",
    configExists: files.configText !== undefined,
    config: config.sections,
    credentialsPath,
    credentials: credentials.sections,
    profiles: new ProfileIndex(config.sections, credentials.sections),
    problems: [
      ...config.problems.map((p) => `${configPath}:${p.line}: ${p.message}`),
      ...credentials.problems.map((p) => `${credentialsPath}:${p.line}: ${p.message}`),
    ],
  };
}

/**
 * The config-file values of a profile (empty when the profile is not defined).
 *
 * @example
 * ```ts ignore
 * profileValues(shared, "dev").region;
 * ```
 */
export function profileValues(shared: SharedConfig, profile: string): Record<string, string> {
  return shared.profiles.configProfile(profile) ?? {};
}

/** The merged config + credentials view of a profile. */
export function mergedProfileValues(shared: SharedConfig, profile: string): Record<string, string> {
  return shared.profiles.mergedProfile(profile) ?? {};
}

/** Other credentials a profile holds (spec §9.3): their kind, the key, and the file it is in. */
export interface OtherCredentials {
  /** In the AWS CLI's words, e.g. "Access Key". */
  readonly style: string;
  /** The key that holds them, e.g. `aws_access_key_id`. */
  readonly key: string;
  /** The file with that key, `~` for the home directory, e.g. `~/.aws/credentials`. */
  readonly file: string;
}

/**
 * The other credentials of a profile, with where they are, for a message that says what to
 * remove; `undefined` when the profile can hold a login session.
 *
 * @example
 * ```ts ignore
 * otherCredentials(shared, "dev", home);
 * // { style: "Access Key", key: "aws_access_key_id", file: "~/.aws/credentials" }
 * ```
 */
export function otherCredentials(
  shared: SharedConfig,
  profile: string,
  home: string | undefined,
): OtherCredentials | undefined {
  const found = otherCredentialKey(mergedProfileValues(shared, profile));
  if (found === undefined) return undefined;
  const fromCredentials = shared.profiles.credentialsProfile(profile) ?? {};
  const path = Object.hasOwn(fromCredentials, found.key)
    ? shared.credentialsPath
    : shared.configPath;
  return { ...found, file: tildePath(path, home) };
}

/**
 * A path with the home directory written `~`, as people write it.
 *
 * @example
 * ```ts
 * tildePath("/home/me/.aws/config", "/home/me"); // "~/.aws/config"
 * tildePath("/etc/aws/config", "/home/me"); // "/etc/aws/config"
 * ```
 */
export function tildePath(path: string, home: string | undefined): string {
  if (home === undefined || home === "" || !path.startsWith(home)) return path;
  const rest = path.slice(home.replace(/[\\/]$/, "").length);
  return /^[\\/]/.test(rest) ? `~${rest}` : path;
}

/** How long an edit waits for another aws-login process editing the same config file. */
export const CONFIG_LOCK_WAIT_MS = 10_000;

/**
 * The lock every aws-login writer of a config file takes: a hidden file beside it
 * (`~/.aws/.config.lock`), beside the path as configured even when that is a symbolic link.
 *
 * @example
 * ```ts
 * configLockPath("/home/me/.aws/config"); // "/home/me/.aws/.config.lock"
 * ```
 */
export function configLockPath(configPath: string): string {
  const directory = dirnameOf(configPath);
  const name = configPath.slice(directory.length + 1);
  return joinPath(directory, `.${name}.lock`);
}

/** The bytes of a config file and how they were read as text. */
interface DecodedConfig {
  readonly text: string;
  /**
   * `utf-8`: the file is valid UTF-8 (or new); `bytes`: it is not, and each byte was read as one
   * character, so that writing back byte for byte keeps every byte outside the edit.
   */
  readonly encoding: "utf-8" | "bytes";
}

function decodeConfig(bytes: Uint8Array | undefined): DecodedConfig {
  if (bytes === undefined) return { text: "", encoding: "utf-8" };
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), encoding: "utf-8" };
  } catch {
    return { text: new TextDecoder("latin1").decode(bytes), encoding: "bytes" };
  }
}

function encodeConfig(text: string, encoding: DecodedConfig["encoding"]): Uint8Array {
  if (encoding === "utf-8") return new TextEncoder().encode(text);
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

/**
 * Applies an edit to the config file on disk, under the config lock: reads the current bytes (they
 * may have changed since they were loaded), edits them line by line, and replaces the file
 * atomically, keeping its permissions, and its link when it is a symbolic link. A file that is not
 * valid UTF-8 is edited byte for byte (the new values must then be ASCII); a read-only file or
 * anything but a file is refused and left as it is.
 *
 * @example
 * ```ts ignore
 * await writeConfigEdit(deps, path, { profile: "dev", set: { login_session: arn } });
 * ```
 */
export async function writeConfigEdit(
  deps: Pick<Deps, "fs" | "timeout">,
  path: string,
  edit: ConfigEdit,
): Promise<void> {
  await using _lock = await lockConfig(deps, path);
  const info = await deps.fs.stat(path);
  if (info !== null && !info.isFile) {
    throw new ConfigError(`Cannot update "${path}": it is not a file`, { code: "CONFIG_NOT_FILE" });
  }
  if (info?.mode !== null && info?.mode !== undefined && (info.mode & 0o222) === 0) {
    throw new FileSystemError(`Cannot update "${path}": the file is read-only`, {
      code: "CONFIG_READ_ONLY",
      hint: `Make it writable (chmod u+w "${path}"), or choose another file with AWS_CONFIG_FILE`,
    });
  }
  let bytes: Uint8Array | undefined;
  try {
    bytes = info === null ? undefined : await deps.fs.readFile(path);
  } catch (error) {
    throw new FileSystemError(`Cannot read "${path}": ${(error as Error).message}`, {
      cause: error,
    });
  }
  const before = decodeConfig(bytes);
  if (before.encoding === "bytes") {
    const value = Object.values(edit.set).find((v) => /[^ -~]/.test(v));
    if (value !== undefined) {
      throw new ConfigError(
        `Cannot update "${path}": the file is not valid UTF-8, and a new value is not plain ASCII`,
        { code: "CONFIG_NOT_UTF8", hint: "Save the file as UTF-8, then run the command again" },
      );
    }
  }
  // Loaded here, when a command writes: reading the config (export-credentials) does not need it.
  const { editConfig } = await import("./config_editor.ts");
  let after: string;
  try {
    after = editConfig(before.text, edit);
  } catch (error) {
    throw new ConfigError(`Cannot update "${path}": ${(error as Error).message}`, { cause: error });
  }
  if (after === before.text && info !== null) return;
  await writeBytesKeepingMode(deps, path, encodeConfig(after, before.encoding), info?.mode);
}

async function lockConfig(deps: Pick<Deps, "fs" | "timeout">, path: string) {
  const lockPath = configLockPath(path);
  try {
    await deps.fs.mkdir(dirnameOf(path), { mode: 0o700 });
    return await deps.fs.lock(lockPath, { signal: deps.timeout(CONFIG_LOCK_WAIT_MS) });
  } catch (error) {
    if (error instanceof LockTimeoutError) {
      throw new FileSystemError(
        `Cannot update "${path}": another aws-login process has been editing it for ${
          CONFIG_LOCK_WAIT_MS / 1000
        } s`,
        { code: "CONFIG_LOCKED", hint: "If that process is stuck, stop it and try again" },
      );
    }
    throw new FileSystemError(`Cannot lock "${lockPath}": ${(error as Error).message}`, {
      code: "CONFIG_LOCK_FAILED",
      cause: error,
    });
  }
}

/** Mode of a config file aws-login creates. */
export const CONFIG_FILE_MODE = 0o600;

async function writeBytesKeepingMode(
  deps: Pick<Deps, "fs">,
  path: string,
  bytes: Uint8Array,
  mode: number | null | undefined,
): Promise<void> {
  try {
    await deps.fs.writeFileAtomic(path, bytes, { mode: mode ?? CONFIG_FILE_MODE });
  } catch (error) {
    throw new FileSystemError(`Cannot write "${path}": ${(error as Error).message}`, {
      code: "CONFIG_WRITE_FAILED",
      cause: error,
    });
  }
}

/**
 * A boolean setting from the environment (`true`/`false`, any case), else from the profile.
 *
 * @example
 * ```ts ignore
 * booleanSetting(deps, "AWS_USE_FIPS_ENDPOINT", profile.use_fips_endpoint);
 * ```
 */
export function booleanSetting(
  deps: Pick<Deps, "env">,
  variable: string,
  profileValue: string | undefined,
): boolean {
  for (const raw of [deps.env(variable), profileValue]) {
    if (raw === undefined || raw.trim() === "") continue;
    const value = raw.trim().toLowerCase();
    if (value === "true") return true;
    if (value === "false") return false;
    throw new ConfigError(`Invalid value "${raw}" for ${variable}: use "true" or "false"`, {
      code: "INVALID_SETTING",
    });
  }
  return false;
}
