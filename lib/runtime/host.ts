/**
 * How the program reads the host: environment variables, the home directory, and Deno's file facts
 * as the program sees them ({@link FileInfo}). Shared by the real dependencies (`real.ts`) and the
 * fast path of `export-credentials` (`lib/fast_export.ts`), which must observe the environment and
 * the files exactly as the full program does.
 *
 * @module
 */

import type { FileInfo } from "./deps.ts";

/**
 * An environment variable; `undefined` when unset, or when the permissions do not cover it (a
 * compiled binary reads only the variables `--allow-env` lists, see `permissions.ts`), rather than
 * an error, so that `$VAR` in a configured path stays as written instead of failing with
 * `NotCapable`.
 *
 * @example
 * ```ts ignore
 * readEnv("HOME"); // "/home/me"
 * ```
 */
export function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) return undefined;
    throw error;
  }
}

/**
 * Whether nothing is at the path: it does not exist, or a part of it is a file, not a directory.
 *
 * @example
 * ```ts ignore
 * isNotFound(new Deno.errors.NotFound("x")); // true
 * ```
 */
export function isNotFound(error: unknown): boolean {
  return error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory;
}

/**
 * The facts of a `Deno.stat`/`Deno.lstat` the program uses: POSIX permission bits (`null` on
 * Windows, where the files inherit ACLs), the kind of file and its modification time.
 *
 * @example
 * ```ts
 * toFileInfo(Deno.statSync("."), Deno.build.os).isDirectory; // true
 * ```
 */
export function toFileInfo(info: Deno.FileInfo, os: string): FileInfo {
  return {
    isFile: info.isFile,
    isDirectory: info.isDirectory,
    isSymlink: info.isSymlink,
    mode: os === "windows" ? null : info.mode === null ? null : info.mode & 0o7777,
    mtime: info.mtime,
  };
}

/**
 * The home directory: `HOME`, and on Windows `USERPROFILE` first.
 *
 * @example
 * ```ts
 * homeDirectory("linux", (name) => ({ HOME: "/home/me" })[name]); // "/home/me"
 * ```
 */
export function homeDirectory(
  os: string,
  env: (name: string) => string | undefined,
): string | undefined {
  return os === "windows" ? env("USERPROFILE") ?? env("HOME") : env("HOME");
}

/**
 * `Deno.statSync` or `Deno.lstatSync` of `path` as {@link FileInfo}; `null` when nothing is at the
 * path.
 *
 * @example
 * ```ts ignore
 * statOrNull(Deno.statSync, "/home/me/.aws/config")?.isFile; // true
 * ```
 */
export function statOrNull(
  read: (path: string) => Deno.FileInfo,
  path: string,
): FileInfo | null {
  try {
    return toFileInfo(read(path), Deno.build.os);
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}
