/**
 * Gathers the {@link PlatformFacts} that `browser.ts` decides on: environment variables, the
 * kernel release, container marker files and the browser launchers that exist. Reading only, and
 * only through {@link Deps}.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import {
  ENV_NAMES,
  type EnvName,
  type LauncherName,
  launcherNames,
  type PlatformFacts,
} from "./browser.ts";

/** Where {@link gatherFacts} looks; tests point these into a temporary directory. */
export interface GatherFactsOptions {
  /** Default `/proc/sys/kernel/osrelease`: contains "microsoft" or "WSL" on WSL. */
  osReleasePath?: string;
  /** Default `/.dockerenv`. */
  dockerEnvPath?: string;
  /** Default `/run/.containerenv` (Podman). */
  containerEnvPath?: string;
  /**
   * Default `/mnt/c/Windows/System32`: the Windows system directory as WSL mounts it, where
   * `cmd.exe`, `rundll32.exe` and PowerShell are found when the Windows `PATH` is not appended to
   * the Linux one (`appendWindowsPath = false`).
   */
  wslSystem32Path?: string;
}

/** Windows launchers, relative to the System32 directory. */
const SYSTEM32_FILES: Partial<Record<LauncherName, string>> = {
  "cmd.exe": "cmd.exe",
  "rundll32.exe": "rundll32.exe",
  "powershell.exe": "WindowsPowerShell/v1.0/powershell.exe",
};

/**
 * Reads the facts about this machine through `deps`.
 *
 * @example
 * ```ts
 * import { realDeps } from "../runtime/real.ts";
 * import { browserReachability } from "./browser.ts";
 *
 * const facts = await gatherFacts(realDeps());
 * const reachability = browserReachability(facts, {});
 * ```
 */
export async function gatherFacts(
  deps: Pick<Deps, "env" | "os" | "fs" | "which">,
  options: GatherFactsOptions = {},
): Promise<PlatformFacts> {
  const env: Partial<Record<EnvName, string>> = {};
  for (const name of ENV_NAMES) {
    const value = deps.env(name);
    if (value !== undefined && value !== "") env[name] = value;
  }
  const linux = deps.os === "linux";
  const [kernelRelease, dockerEnvFile, containerEnvFile, launchers] = await Promise.all([
    linux ? readOrEmpty(deps, options.osReleasePath ?? "/proc/sys/kernel/osrelease") : "",
    linux ? isFile(deps, options.dockerEnvPath ?? "/.dockerenv") : false,
    linux ? isFile(deps, options.containerEnvPath ?? "/run/.containerenv") : false,
    findLaunchers(deps, system32(deps, options)),
  ]);
  return {
    os: deps.os,
    env,
    kernelRelease: kernelRelease.trim(),
    dockerEnvFile,
    containerEnvFile,
    launchers,
  };
}

/** The System32 directory to look in when `which` does not find a Windows launcher. */
function system32(deps: Pick<Deps, "env" | "os">, options: GatherFactsOptions): string | undefined {
  if (deps.os === "windows") {
    const root = deps.env("SystemRoot") ?? deps.env("windir") ?? "C:\\Windows";
    return `${root}\\System32`;
  }
  if (deps.os === "linux") return options.wslSystem32Path ?? "/mnt/c/Windows/System32";
  return undefined;
}

async function findLaunchers(
  deps: Pick<Deps, "os" | "fs" | "which">,
  system32Dir: string | undefined,
): Promise<Partial<Record<LauncherName, string>>> {
  const names = launcherNames(deps.os);
  const paths = await Promise.all(names.map(async (name) => {
    const found = await deps.which(name);
    if (found !== null) return found;
    const relative = SYSTEM32_FILES[name];
    if (system32Dir === undefined || relative === undefined) return undefined;
    const separator = deps.os === "windows" ? "\\" : "/";
    const candidate = `${system32Dir}${separator}${relative.replaceAll("/", separator)}`;
    return await isFile(deps, candidate) ? candidate : undefined;
  }));
  const launchers: Partial<Record<LauncherName, string>> = {};
  names.forEach((name, index) => {
    const path = paths[index];
    if (path !== undefined) launchers[name] = path;
  });
  return launchers;
}

async function readOrEmpty(deps: Pick<Deps, "fs">, path: string): Promise<string> {
  try {
    return await deps.fs.readTextFile(path);
  } catch {
    return "";
  }
}

async function isFile(deps: Pick<Deps, "fs">, path: string): Promise<boolean> {
  try {
    return (await deps.fs.stat(path))?.isFile ?? false;
  } catch {
    return false;
  }
}
