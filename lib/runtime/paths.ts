/**
 * Path joining that keeps the style of the base path: a Windows path (`C:\Users\me`, `\\server\x`)
 * is joined with backslashes, everything else with `/`. No `node:path`, so the same code behaves the
 * same in tests on any OS.
 *
 * @module
 */

/**
 * Whether a path is written Windows-style.
 *
 * @example
 * ```ts
 * isWindowsPath("C:\\Users\\me"); // true
 * isWindowsPath("/home/me"); // false
 * ```
 */
export function isWindowsPath(path: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(path) || path.startsWith("\\\\") ||
    (path.includes("\\") && !path.includes("/"));
}

/**
 * Joins path parts with the separator of the first part's style.
 *
 * @example
 * ```ts
 * joinPath("/home/me", ".aws", "config"); // "/home/me/.aws/config"
 * joinPath("C:\\Users\\me", ".aws", "config"); // "C:\\Users\\me\\.aws\\config"
 * ```
 */
export function joinPath(base: string, ...parts: string[]): string {
  const separator = isWindowsPath(base) ? "\\" : "/";
  return [base.replace(/[\\/]+$/, ""), ...parts].join(separator);
}

/**
 * The directory part of a path.
 *
 * @example
 * ```ts
 * dirnameOf("/home/me/.aws/config"); // "/home/me/.aws"
 * ```
 */
export function dirnameOf(path: string): string {
  const index = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  if (index < 0) return ".";
  if (index === 0) return path.slice(0, 1);
  return path.slice(0, index);
}

/**
 * Whether a path is absolute (`/x`, `C:\x`, `\\server\x`).
 *
 * @example
 * ```ts
 * isAbsolutePath("/etc"); // true
 * isAbsolutePath("dotfiles/aws"); // false
 * ```
 */
export function isAbsolutePath(path: string): boolean {
  return path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith("\\\\");
}

/**
 * Resolves `path` against a directory, as a symbolic link's target is resolved against the
 * directory of the link.
 *
 * @example
 * ```ts
 * resolvePath("/home/me/.aws", "../dotfiles/aws/config"); // "/home/me/.aws/../dotfiles/aws/config"
 * resolvePath("/home/me/.aws", "/etc/aws/config"); // "/etc/aws/config"
 * ```
 */
export function resolvePath(directory: string, path: string): string {
  return isAbsolutePath(path) ? path : joinPath(directory, path);
}
