/**
 * The home directory and the path expansion aws-cli applies to configured paths
 * (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, `AWS_LOGIN_CACHE_DIRECTORY`).
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import { FileSystemError } from "../errors.ts";

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
