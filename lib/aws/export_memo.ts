/**
 * The memo of `export-credentials`: what the full program read when it served a login session's
 * credentials, so that the next call can check that nothing it read has changed and print the same
 * answer without loading the program (`lib/fast_export.ts`).
 *
 * The full program decides which profile, which files, which kind of credentials, and whether the
 * cached ones can be served. Its run is a function of what it reads: environment variables, the home
 * and working directories, and the files it `stat`s and reads. `export_memo_writer.ts` wraps the
 * dependencies of one run and writes each of those down in order, as an {@link Observation}. When
 * the run only read (no write, lock, network, process, or line on stderr) and served a login
 * session, it keeps the list of what was read and a digest of everything that was seen, with the
 * program's version, the OS and the command line. The next call reads the same things again, in
 * the same order. If it sees the same values, the full program would decide the same again: the fast path prints the credentials of the session file it has just read, if they
 * are still fresh (the one input that changes by itself is time). Otherwise it does nothing, and
 * the full program runs.
 *
 * The memo holds paths, variable names and a digest, never a value or a secret. It lives in the
 * login cache directory as `aws-login-export-memo` (no `.json`, so that nothing takes it for a
 * session) and holds the last few runs. Losing it costs one full run. This module is the memo's
 * format, shared by the writer and the fast path, which loads nothing else of the program.
 *
 * @module
 */

import type { FileInfo } from "../runtime/deps.ts";
import { joinPath } from "../runtime/paths.ts";
import { homeDirectory } from "../runtime/host.ts";
import { VERSION } from "../version.ts";
import { EXPORT_FORMATS, type ExportFormat } from "./export_formats.ts";

/** The memo's file name, in the login cache directory. */
export const MEMO_FILE = "aws-login-export-memo";

/** The layout of the memo and of its digests; a new one makes every older memo miss. */
export const MEMO_FORMAT = 2;

/** What a run looked at: a variable, the home or working directory, a file's facts or text. */
export type ObservationKind = "env" | "home" | "cwd" | "stat" | "lstat" | "read";

/** One thing a run read, and what it saw (`null`: unset, or no such file). */
export type Observation = readonly [kind: ObservationKind, key: string, value: string | null];

/** What a run of `export-credentials` is remembered by, but for the digest. */
export interface RememberedRun {
  /** Its command line (`export-credentials --profile dev`: names, never a secret). */
  readonly args: readonly string[];
  /** The index in the run's reads of the read of the session file it served. */
  readonly session: number;
  readonly format: ExportFormat;
}

/** One remembered run. */
export interface MemoEntry extends RememberedRun {
  /** {@link observationDigest} of the run. */
  readonly digest: string;
  /** What it read, in order, without the values. */
  readonly reads: readonly (readonly [ObservationKind, string])[];
}

/**
 * The value of a `stat` as the memo sees it. A directory's modification time is left out: it
 * changes with every file written in it (the memo's own), and nothing depends on it.
 *
 * @example
 * ```ts
 * statValue(null); // null
 * ```
 */
export function statValue(info: FileInfo | null): string | null {
  if (info === null) return null;
  return JSON.stringify([
    info.isFile,
    info.isDirectory,
    info.isSymlink,
    info.mode,
    info.isDirectory ? null : info.mtime?.getTime() ?? null,
  ]);
}

/**
 * The digest of a run: a 64-bit hash of the memo's format, the program's version, the OS, the
 * command line, which read was the session and the format, and everything the run saw.
 *
 * It only has to notice a change, not resist a forger: whoever can write the memo (in the
 * user's 0700 cache directory) can write the session file beside it. So it is two 32-bit
 * multiply-xor lanes and a final mix, computed in a few microseconds, rather than WebCrypto's
 * SHA-256, whose first call costs more than half a millisecond, a tenth of what the fast path may
 * spend in all.
 *
 * @example
 * ```ts
 * const run = { args: ["export-credentials"], session: 0, format: "process" } as const;
 * observationDigest(run, "linux", [["read", "/c/x.json", "{}"]]).length; // 16
 * ```
 */
export function observationDigest(
  run: RememberedRun,
  os: string,
  observations: readonly Observation[],
): string {
  const bytes = new TextEncoder().encode(
    JSON.stringify([MEMO_FORMAT, VERSION, os, run.args, run.session, run.format, observations]),
  );
  // Four bytes a step (the code runs once per process, in V8's interpreter), the length mixed in.
  const padded = new Uint8Array(Math.ceil(bytes.length / 4) * 4);
  padded.set(bytes);
  const words = new Int32Array(padded.buffer);
  let a = 0x811c9dc5 ^ bytes.length;
  let b = 0x2545f491;
  for (let i = 0; i < words.length; i++) {
    a = Math.imul(a ^ words[i]!, 0x01000193);
    b = Math.imul(b ^ words[i]!, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a ^= Math.imul(b ^ (b >>> 15), 0x85ebca6b);
  b ^= Math.imul(a ^ (a >>> 13), 0xc2b2ae35);
  a ^= a >>> 16;
  b ^= b >>> 16;
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}

/**
 * Where the memo is: the login cache directory, when `AWS_LOGIN_CACHE_DIRECTORY` is unset or a
 * plain path. When the program would expand it (a leading `~`, a `$VAR`, a `%VAR%` on Windows),
 * there is no memo (the expansion rules stay in the program), and with no home directory neither.
 *
 * @example
 * ```ts
 * memoDirectory((name) => ({ HOME: "/home/me" })[name], "linux"); // "/home/me/.aws/login/cache"
 * ```
 */
export function memoDirectory(
  env: (name: string) => string | undefined,
  os: string,
): string | undefined {
  const configured = env("AWS_LOGIN_CACHE_DIRECTORY");
  if (configured !== undefined && configured !== "") {
    const expanded = configured.startsWith("~") || configured.includes("$") ||
      (os === "windows" && configured.includes("%"));
    return expanded ? undefined : configured;
  }
  const home = homeDirectory(os, env);
  return home ? joinPath(home, ".aws", "login", "cache") : undefined;
}

const KINDS: readonly string[] = ["env", "home", "cwd", "stat", "lstat", "read"];

function isEntry(value: unknown): value is MemoEntry {
  if (typeof value !== "object" || value === null) return false;
  const entry = value as Record<string, unknown>;
  return typeof entry.digest === "string" && entry.digest.length === 16 &&
    Array.isArray(entry.args) && entry.args.every((arg) => typeof arg === "string") &&
    Array.isArray(entry.reads) &&
    entry.reads.every((read) =>
      Array.isArray(read) && read.length === 2 && KINDS.includes(read[0]) &&
      typeof read[1] === "string"
    ) &&
    Number.isInteger(entry.session) &&
    (entry.reads as string[][])[entry.session as number]?.[0] === "read" &&
    (EXPORT_FORMATS as readonly unknown[]).includes(entry.format);
}

/**
 * The entries of a memo file; `[]` for anything else (another format, a torn or foreign file).
 *
 * @example
 * ```ts
 * parseMemo("{"); // []
 * ```
 */
export function parseMemo(text: string): MemoEntry[] {
  try {
    const value = JSON.parse(text);
    if (value?.format !== MEMO_FORMAT || !Array.isArray(value.entries)) return [];
    return value.entries.filter(isEntry);
  } catch {
    return [];
  }
}
