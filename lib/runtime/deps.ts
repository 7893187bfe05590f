/**
 * The one seam between aws-login and the outside world.
 *
 * Everything that reads the clock, the environment, the file system, the network, the terminal or
 * other processes goes through {@link Deps}. `lib/runtime/real.ts` is the only implementation that
 * touches `Deno.*`; tests build their own with `tests/support/fake_deps.ts`.
 *
 * @module
 */

/** The operating system family, as `Deno.build.os` names it. */
export type OsName =
  | "linux"
  | "darwin"
  | "windows"
  | "freebsd"
  | "netbsd"
  | "aix"
  | "solaris"
  | "illumos"
  | "android";

/** A byte sink such as stdout or stderr. */
export interface Output {
  /** Writes the text as UTF-8. */
  write(text: string): void;
  /** Whether this stream is attached to a terminal. */
  readonly isTerminal: boolean;
}

/** A line-oriented view of standard input. */
export interface Input {
  /** Whether standard input is a terminal. */
  readonly isTerminal: boolean;
  /**
   * Reads the next line without its line ending.
   * Resolves to `null` at end of input. Concurrent calls are served in order.
   */
  readLine(): Promise<string | null>;
}

/** Facts about a path, as far as aws-login needs them. */
export interface FileInfo {
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  /** POSIX permission bits, `null` on Windows. */
  readonly mode: number | null;
  readonly mtime: Date | null;
}

/** A held advisory lock; disposing releases it. */
export interface FileLock extends AsyncDisposable {
  release(): Promise<void>;
}

/** File system operations. Paths are absolute or relative to the working directory. */
export interface FileSystem {
  /** Reads a UTF-8 file; rejects with `Deno.errors.NotFound`-like errors mapped by {@link isNotFound}. */
  readTextFile(path: string): Promise<string>;
  /**
   * Writes a file atomically: a temporary file in the same directory, fsync, rename over `path`.
   * `mode` is applied to the new file on POSIX systems.
   */
  writeTextFileAtomic(path: string, text: string, options?: { mode?: number }): Promise<void>;
  /** Returns `null` when nothing is at `path`. */
  stat(path: string): Promise<FileInfo | null>;
  /** Creates the directory and its parents; `mode` applies to the directories it creates. */
  mkdir(path: string, options?: { mode?: number }): Promise<void>;
  /** Sets POSIX permission bits; does nothing on Windows. */
  chmod(path: string, mode: number): Promise<void>;
  /** Removes a file; resolves to `false` when there was nothing to remove. */
  remove(path: string): Promise<boolean>;
  /** Names of the entries of a directory (files only), or `[]` when it does not exist. */
  listFiles(path: string): Promise<string[]>;
  /**
   * Takes an exclusive advisory lock on `path` (created when missing, never deleted), waiting while
   * another process holds it. The operating system releases it when the process ends.
   */
  lock(path: string): Promise<FileLock>;
  /** Creates a new directory only the current user can use (0700), in the system's temp dir. */
  makeTempDir(options: { prefix: string }): Promise<string>;
  /** Removes a directory and everything in it; does nothing when it does not exist. */
  removeTree(path: string): Promise<void>;
}

/** What {@link Deps.spawn} returns once the process has ended. */
export interface SpawnResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Set when the wait ended at `timeoutMs` while the program kept running. */
  readonly timedOut?: boolean;
}

/** Options for {@link Deps.spawn}. */
export interface SpawnOptions {
  /** Extra environment for the child, added to the current environment. */
  env?: Record<string, string>;
  /** Wait for the process to end (default) or resolve as soon as it started. */
  detached?: boolean;
  /** Give up waiting after this many milliseconds (the child keeps running). */
  timeoutMs?: number;
}

/** An HTTP server bound by {@link Deps.serve}. */
export interface HttpServer extends AsyncDisposable {
  /** The port the server is bound to. */
  readonly port: number;
  /** The host name the server is bound to. */
  readonly hostname: string;
  /** Stops accepting connections and waits for the open ones to end. */
  shutdown(): Promise<void>;
}

/** Options for {@link Deps.serve}. */
export interface ServeOptions {
  hostname: string;
  /** `0` picks a free port. */
  port: number;
}

/** The signals aws-login passes on to a child it runs (`exec`). */
export type ForwardedSignal = "SIGINT" | "SIGTERM" | "SIGHUP";

/** How a child started by {@link Deps.startChild} ended. */
export interface ChildExit {
  /** The exit code; after a signal death, 128 + the signal number, as a shell reports it. */
  readonly code: number;
  /** The signal that ended it, e.g. `"SIGTERM"`, or `null`. */
  readonly signal: string | null;
}

/** A running child with inherited stdin, stdout and stderr. */
export interface ChildProcess {
  readonly pid: number;
  /** Settles when the child has ended. */
  readonly exited: Promise<ChildExit>;
  /** Sends a signal; does nothing once the child has ended. */
  kill(signal: ForwardedSignal): void;
}

/** Options for {@link Deps.startChild}. */
export interface StartChildOptions {
  /** Variables set for the child, over the inherited environment. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Inherited variables the child must not see. They are removed from this process's environment
   * as well (an OS process hands its own environment to its children), so only a process that no
   * longer needs them should ask.
   */
  readonly unsetEnv?: readonly string[];
}

/** All effects aws-login performs. */
export interface Deps {
  /** Current time. */
  now(): Date;
  /** Cryptographically strong random bytes. */
  randomBytes(length: number): Uint8Array;
  /** A random UUID v4 string. */
  randomUUID(): string;
  /** Waits; resolves early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;

  /** Reads an environment variable; `undefined` when unset. */
  env(name: string): string | undefined;
  /** The operating system family. */
  readonly os: OsName;
  /** The user's home directory (`HOME`, or `USERPROFILE` on Windows), `undefined` when unknown. */
  homeDir(): string | undefined;
  /**
   * The argv that starts this very program again, e.g. `["/usr/local/bin/aws-login"]` for a compiled
   * binary or `["deno", "run", "-A", "/path/main.ts"]` under `deno run`.
   */
  selfCommand(): string[];

  readonly fs: FileSystem;
  /** HTTP client. */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** Runs a program with an argv array (never a shell string). Rejects when it cannot be started. */
  spawn(argv: readonly string[], options?: SpawnOptions): Promise<SpawnResult>;
  /** Whether an executable with this name is on `PATH` (or the absolute path exists); returns its path. */
  which(command: string): Promise<string | null>;
  /** Binds an HTTP server. Rejects with the OS error when the address is taken. */
  serve(
    options: ServeOptions,
    handler: (request: Request) => Response | Promise<Response>,
  ): Promise<HttpServer>;

  readonly stdin: Input;
  readonly stdout: Output;
  readonly stderr: Output;
  /**
   * Registers a handler for Ctrl-C for the duration of a login; returns a function that removes it.
   */
  onInterrupt(handler: () => void): () => void;
  /**
   * Starts a program with an argv array, stdin, stdout and stderr inherited, and returns at once.
   * Throws a `ChildStartError` (`lib/errors.ts`) when it cannot be started.
   */
  startChild(argv: readonly string[], options?: StartChildOptions): ChildProcess;
  /**
   * Registers a handler for a signal sent to this process; returns a function that removes it.
   * Where the OS has no such signal (SIGTERM and SIGHUP on Windows) it registers nothing.
   */
  onSignal(signal: ForwardedSignal, handler: () => void): () => void;
}
