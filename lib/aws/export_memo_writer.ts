/**
 * Writing the memo of `export-credentials` (its format is `export_memo.ts`): {@link recording}
 * writes down what one run of the program reads, and {@link saveMemo} keeps it when the run only
 * read and served a login session. Only the program loads this; the fast path needs the format.
 *
 * @module
 */

import type { Deps, FileSystem, Output } from "../runtime/deps.ts";
import { joinPath } from "../runtime/paths.ts";
import type { ExportFormat } from "./export_formats.ts";
import {
  MEMO_FILE,
  MEMO_FORMAT,
  memoDirectory,
  type MemoEntry,
  type Observation,
  observationDigest,
  type ObservationKind,
  parseMemo,
  statValue,
} from "./export_memo.ts";

/** How many runs the memo holds (profiles, formats, shells with other variables). */
const MAX_ENTRIES = 8;

/** A run of the program whose reads are written down. */
export interface Recording {
  /** The dependencies to run with. */
  readonly deps: Deps;
  /** What the run read, in order; `undefined` once it did anything but read and print. */
  observations(): readonly Observation[] | undefined;
}

/**
 * Wraps the dependencies of one run: reads of the environment, the home and working directories
 * and files are written down as they happen; anything else (a write, a lock, a request, a process,
 * a line on stderr or from stdin, a random number, a failed read) marks the run as more than a
 * read, which is never remembered. The clock passes through: the fast path checks the one
 * decision it takes part in, freshness, again.
 *
 * @example
 * ```ts ignore
 * const run = recording(deps);
 * await exportCredentials(run.deps, command);
 * run.observations(); // [["env", "AWS_CONFIG_FILE", null], ["home", "", "/home/me"], ...]
 * ```
 */
export function recording(deps: Deps): Recording {
  const seen: Observation[] = [];
  let onlyReads = true;
  const not = <A extends unknown[], R>(f: (...args: A) => R) => (...args: A): R => {
    onlyReads = false;
    return f(...args);
  };
  /** Keeps the order of the calls, whatever order their answers come in. */
  const observe = async <T>(
    kind: ObservationKind,
    key: string,
    read: () => Promise<T>,
    value: (result: T) => string | null,
  ): Promise<T> => {
    const slot = seen.length;
    seen.push([kind, key, null]);
    try {
      const result = await read();
      seen[slot] = [kind, key, value(result)];
      return result;
    } catch (error) {
      onlyReads = false;
      throw error;
    }
  };
  const inner = deps.fs;
  const fs: FileSystem = {
    readTextFile: (path) => observe("read", path, () => inner.readTextFile(path), (text) => text),
    stat: (path) => observe("stat", path, () => inner.stat(path), statValue),
    lstat: (path) => observe("lstat", path, () => inner.lstat(path), statValue),
    readFile: not((path) => inner.readFile(path)),
    writeFileAtomic: not((path, data, options) => inner.writeFileAtomic(path, data, options)),
    mkdir: not((path, options) => inner.mkdir(path, options)),
    chmod: not((path, mode) => inner.chmod(path, mode)),
    remove: not((path) => inner.remove(path)),
    listFiles: not((path) => inner.listFiles(path)),
    lock: not((path, options) => inner.lock(path, options)),
    makeTempDir: not((options) => inner.makeTempDir(options)),
    removeTree: not((path) => inner.removeTree(path)),
  };
  const stderr: Output = {
    write: not((text: string) => deps.stderr.write(text)),
    get isTerminal() {
      return deps.stderr.isTerminal;
    },
    consoleSize: () => deps.stderr.consoleSize(),
  };
  const recorded: Deps = {
    ...deps,
    env(name) {
      const value = deps.env(name);
      seen.push(["env", name, value ?? null]);
      return value;
    },
    homeDir() {
      const value = deps.homeDir();
      seen.push(["home", "", value ?? null]);
      return value;
    },
    cwd() {
      const value = deps.cwd();
      seen.push(["cwd", "", value]);
      return value;
    },
    fs,
    stderr,
    randomBytes: not((length) => deps.randomBytes(length)),
    randomUUID: not(() => deps.randomUUID()),
    sleep: not((ms, signal) => deps.sleep(ms, signal)),
    fetch: not((input, init) => deps.fetch(input, init)),
    spawn: not((argv, options) => deps.spawn(argv, options)),
    which: not((command) => deps.which(command)),
    serve: not((options, handler) => deps.serve(options, handler)),
    startChild: not((argv, options) => deps.startChild(argv, options)),
    selfCommand: not(() => deps.selfCommand()),
    random: not(() => deps.random()),
    stdin: {
      // Whether stdin is a terminal only decides whether a role's MFA code may be asked; reading
      // a line or a key is an input the memo does not replay.
      get isTerminal() {
        return deps.stdin.isTerminal;
      },
      readLine: not(() => deps.stdin.readLine()),
      raw: not(() => deps.stdin.raw()),
    },
  };
  return { deps: recorded, observations: () => (onlyReads ? seen : undefined) };
}

/**
 * Remembers a run that served the session file `sessionPath` in `format`: best effort (a memo that
 * cannot be written only means the next call runs in full), and only where the fast path looks
 * ({@link memoDirectory}), in a directory that exists.
 *
 * @example
 * ```ts ignore
 * await saveMemo(deps, { args, observations, sessionPath, format: "process" });
 * ```
 */
export async function saveMemo(
  deps: Pick<Deps, "env" | "os" | "fs">,
  run: {
    readonly args: readonly string[];
    readonly observations: readonly Observation[];
    readonly sessionPath: string;
    readonly format: ExportFormat;
  },
): Promise<void> {
  const directory = memoDirectory((name) => deps.env(name), deps.os);
  const session = run.observations.findLastIndex(([kind, key]) =>
    kind === "read" && key === run.sessionPath
  );
  if (directory === undefined || session === -1) return;
  try {
    if ((await deps.fs.stat(directory))?.isDirectory !== true) return;
    const path = joinPath(directory, MEMO_FILE);
    const remembered = { args: [...run.args], session, format: run.format };
    const entry: MemoEntry = {
      ...remembered,
      digest: observationDigest(remembered, deps.os, run.observations),
      reads: run.observations.map(([kind, key]) => [kind, key] as const),
    };
    // An old memo that cannot be read (another user's, say) is replaced, not kept forever.
    const old = (await deps.fs.stat(path))?.isFile
      ? parseMemo(await deps.fs.readTextFile(path).catch(() => ""))
      : [];
    const entries = [entry, ...old.filter((e) => e.digest !== entry.digest)].slice(0, MAX_ENTRIES);
    await deps.fs.writeFileAtomic(path, JSON.stringify({ format: MEMO_FORMAT, entries }) + "\n", {
      mode: 0o600,
    });
  } catch {
    // The memo only saves time.
  }
}
