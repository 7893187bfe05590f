/**
 * Reading and writing the shared AWS files: `~/.aws/config` (`AWS_CONFIG_FILE`) and
 * `~/.aws/credentials` (`AWS_SHARED_CREDENTIALS_FILE`, read only).
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import { ConfigError, FileSystemError } from "../errors.ts";
import { type IniSection, parseIni } from "./ini.ts";
import { configProfile, mergedProfile } from "./profiles.ts";
import type { ConfigEdit } from "./config_editor.ts";
import { expandPath, requireHome } from "./login_cache.ts";
import { dirnameOf, joinPath } from "./paths.ts";

/** The two shared files, read. */
export interface SharedConfig {
  readonly configPath: string;
  /** The config file's text, `""` when it does not exist. */
  readonly configText: string;
  readonly configExists: boolean;
  readonly config: readonly IniSection[];
  readonly credentialsPath: string;
  readonly credentials: readonly IniSection[];
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
  const credentialsText = await readOptional(deps, credentialsPath) ?? "";
  const config = parseIni(configText ?? "");
  const credentials = parseIni(credentialsText);
  return {
    configPath,
    configText: configText ?? "",
    configExists: configText !== undefined,
    config: config.sections,
    credentialsPath,
    credentials: credentials.sections,
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
  return configProfile([...shared.config], profile) ?? {};
}

/** The merged config + credentials view of a profile. */
export function mergedProfileValues(shared: SharedConfig, profile: string): Record<string, string> {
  return mergedProfile([...shared.config], [...shared.credentials], profile) ?? {};
}

/** Mode of a config file aws-login creates. */
export const CONFIG_FILE_MODE = 0o600;

/**
 * Applies an edit to the config file on disk: reads the current text (it may have changed since it
 * was loaded), edits it line by line, and replaces the file atomically, keeping its permissions.
 * Returns the text that was there before, so that a caller can roll back.
 *
 * @example
 * ```ts ignore
 * await writeConfigEdit(deps, path, { profile: "dev", set: { login_session: arn } });
 * ```
 */
export async function writeConfigEdit(
  deps: Pick<Deps, "fs">,
  path: string,
  edit: ConfigEdit,
): Promise<string | undefined> {
  const before = await readOptional(deps, path);
  // Loaded here, when a command writes: reading the config (export-credentials) does not need it.
  const { editConfig } = await import("./config_editor.ts");
  let after: string;
  try {
    after = editConfig(before ?? "", edit);
  } catch (error) {
    throw new ConfigError(`Cannot update "${path}": ${(error as Error).message}`, { cause: error });
  }
  if (after === before) return before;
  await writeTextKeepingMode(deps, path, after, before !== undefined);
  return before;
}

/**
 * Replaces a file atomically, keeping the mode of the file it replaces (0600 for a new one, in a
 * parent directory created 0700).
 */
export async function writeTextKeepingMode(
  deps: Pick<Deps, "fs">,
  path: string,
  text: string,
  existed: boolean,
): Promise<void> {
  try {
    const mode = existed ? (await deps.fs.stat(path))?.mode ?? CONFIG_FILE_MODE : CONFIG_FILE_MODE;
    if (!existed) await deps.fs.mkdir(dirnameOf(path), { mode: 0o700 });
    await deps.fs.writeTextFileAtomic(path, text, { mode });
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
