/**
 * The fast path of `export-credentials`, which a `credential_process` user runs at nearly every
 * AWS call: before the program is loaded, `main.ts` asks {@link fastExport} whether the memo of an
 * earlier run (`lib/aws/export_memo.ts`) still holds. It reads again, in the same order, what that
 * run read (variables, files, their `stat`), and compares the digest of what it sees. When
 * everything is the same and the session's credentials are still fresh, it returns what the full
 * program would print. Otherwise, it returns `undefined` and the full program runs, which decides,
 * refreshes, warns and fails as usual.
 *
 * It decides nothing of its own: no profile, file or credential rule is written here, only the
 * replay of the reads, the freshness rule of `expiry.ts` and the formats of `export_formats.ts`.
 * Like `runtime/real.ts`, it talks to Deno directly, and it never throws. It trusts no memo that
 * others could have written (group- or world-writable, it or its directory); whoever can write the
 * session file beside it decides what the program serves anyway.
 *
 * @module
 */

import {
  MEMO_FILE,
  memoDirectory,
  type MemoEntry,
  type Observation,
  observationDigest,
  type ObservationKind,
  parseMemo,
  statValue,
} from "./aws/export_memo.ts";
import { isFresh, parseExpiresAt } from "./aws/expiry.ts";
import { formatCredentials } from "./aws/export_formats.ts";
import { homeDirectory, readEnv, statOrNull, toFileInfo } from "./runtime/host.ts";
import { joinPath } from "./runtime/paths.ts";

/**
 * Whether only the owner can write `path` (POSIX modes; on Windows, where the files inherit the
 * ACL of the profile directory, as the session files do, it is taken as private); throws when
 * nothing is there.
 */
function writableByOwnerOnly(path: string): boolean {
  const { mode } = toFileInfo(Deno.statSync(path), Deno.build.os);
  return mode === null || (mode & 0o022) === 0;
}

/** What the full program would see now for one of its reads. */
function look(kind: ObservationKind, key: string): string | null {
  switch (kind) {
    case "env":
      return readEnv(key) ?? null;
    case "home":
      return homeDirectory(Deno.build.os, readEnv) ?? null;
    case "cwd":
      return Deno.cwd();
    case "stat":
      return statValue(statOrNull(Deno.statSync, key));
    case "lstat":
      return statValue(statOrNull(Deno.lstatSync, key));
    case "read":
      return Deno.readTextFileSync(key);
  }
}

/**
 * The text `export-credentials` would print for `args` now, or `undefined` when only the full
 * program can tell (no memo, something changed, the credentials are due for a refresh, anything
 * unexpected).
 *
 * @example
 * ```ts ignore
 * const text = fastExport(Deno.args);
 * ```
 */
export function fastExport(args: readonly string[]): string | undefined {
  try {
    if (args[0] !== "export-credentials") return undefined;
    const directory = memoDirectory(readEnv, Deno.build.os);
    if (directory === undefined) return undefined;
    const path = joinPath(directory, MEMO_FILE);
    // A memo that others could have written is not trusted (POSIX modes; Windows has ACLs).
    if (!writableByOwnerOnly(directory) || !writableByOwnerOnly(path)) return undefined;
    const memo = Deno.readTextFileSync(path);
    for (const entry of parseMemo(memo)) {
      const text = replay(args, entry);
      if (text !== undefined) return text;
    }
  } catch {
    // Anything unexpected: the full program runs.
  }
  return undefined;
}

function replay(args: readonly string[], entry: MemoEntry): string | undefined {
  // Another command line: nothing to replay.
  if (entry.args.length !== args.length || entry.args.some((arg, i) => arg !== args[i])) {
    return undefined;
  }
  const seen: Observation[] = [];
  /** What the replay's last `stat` of each path saw: a file is read only after one said "file". */
  const stats = new Map<string, string | null>();
  try {
    for (const [kind, key] of entry.reads) {
      if (kind === "read" && !isFile(stats.get(key))) return undefined; // a FIFO would hang
      const value = look(kind, key);
      if (kind === "stat") stats.set(key, value);
      seen.push([kind, key, value]);
    }
  } catch {
    return undefined; // a read that fails now did not fail then
  }
  if (observationDigest(entry, Deno.build.os, seen) !== entry.digest) return undefined;
  const token = JSON.parse(seen[entry.session]![2]!).accessToken;
  const expiration = parseExpiresAt(token.expiresAt);
  if (expiration === undefined || !isFresh(expiration.getTime(), Date.now())) return undefined;
  return formatCredentials({
    accessKeyId: token.accessKeyId,
    secretAccessKey: token.secretAccessKey,
    sessionToken: token.sessionToken,
    expiration,
  }, entry.format);
}

/** Whether a {@link statValue} is that of a regular file. */
function isFile(value: string | null | undefined): boolean {
  return typeof value === "string" && JSON.parse(value)[0] === true;
}
