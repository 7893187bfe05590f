/**
 * File URLs as paths the operating system takes: `new URL(...).pathname` gives `/C:/...` on
 * Windows and keeps `%20`, which child processes cannot open.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** The local path of a `file:` URL. */
export function localPath(url: URL | string): string {
  return fileURLToPath(url);
}

/** The local path of a file of this repository, from its path relative to the root. */
export function repoPath(relative: string): string {
  return fileURLToPath(new URL(`../../${relative}`, import.meta.url));
}
