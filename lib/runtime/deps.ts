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

/** The size of a terminal in character cells. */
export interface ConsoleSize {
  readonly columns: number;
  readonly rows: number;
}

/** A byte sink such as stdout or stderr. */
export interface Output {
  /** Writes the text as UTF-8. */
  write(text: string): void;
  /** Whether this stream is attached to a terminal. */
  readonly isTerminal: boolean;
  /** The size of the terminal now (it may change), `undefined` when not a terminal or unknown. */
  consoleSize(): ConsoleSize | undefined;
}

/** Keys as they are typed on a terminal in raw mode: no echo, no line editing, no signals. */
export interface RawInput extends Disposable {
  /** The next chunk of typed text (a key, an escape sequence or a paste); `null` at end of input. */
  read(): Promise<string | null>;
  /** Gives back text read past the end of the line, for the next read or `readLine()`. */
  unread(text: string): void;
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
  /**
   * Switches the terminal to raw mode until the result is disposed; `undefined` when standard input
   * is not a terminal or cannot be switched. No `readLine()` may be pending meanwhile.
   */
  raw(): RawInput | undefined;
}

/** Facts about a path, as far as aws-login needs them. */
export interface FileInfo {
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  /** Only from {@link FileSystem.lstat}: the path itself is a symbolic link. */
  readonly isSymlink: boolean;
  /** POSIX permission bits, `null` on Windows. */
  readonly mode: number | null;
  readonly mtime: Date | null;
}

/**
 * A held advisory lock; disposing releases it. The lock file can carry a short note from its
 * holder to the next one (for example that a refresh just failed), which survives the holder.
 */
export interface FileLock extends AsyncDisposable {
  release(): Promise<void>;
  /** The note the last holder left, `""` when none. */
  readNote(): Promise<string>;
  /** Replaces the note (`""` clears it). */
  writeNote(text: string): Promise<void>;
}

/** {@link FileSystem.lock} gave up waiting (its signal timed out): another process holds the lock. */
export class LockTimeoutError extends Error {
  constructor(path: string) {
    super(`"${path}" is locked by another process`);
    this.name = "LockTimeoutError";
  }
}

/** Options of {@link FileSystem.lock}. */
export interface LockOptions {
  /**
   * Stops waiting: with a {@link LockTimeoutError} when the signal's reason is a `TimeoutError`
   * (see {@link Deps.timeout}), else with that reason. Waits as long as it takes when absent.
   */
  signal?: AbortSignal;
}

/** File system operations. Paths are absolute or relative to the working directory. */
export interface FileSystem {
  /** Reads a file as UTF-8 (invalid bytes become U+FFFD). */
  readTextFile(path: string): Promise<string>;
  /** Reads a file's bytes. */
  readFile(path: string): Promise<Uint8Array>;
  /**
   * Writes a file atomically: a temporary file in the same directory, fsync, rename over the file.
   * When `path` is a symbolic link, the file it points to is replaced and the link stays. `mode` is
   * applied to the new file on POSIX systems.
   */
  writeFileAtomic(
    path: string,
    data: string | Uint8Array,
    options?: { mode?: number },
  ): Promise<void>;
  /** Follows symbolic links; returns `null` when nothing is at `path` (or a link is dangling). */
  stat(path: string): Promise<FileInfo | null>;
  /** Like {@link stat}, but describes a symbolic link itself. */
  lstat(path: string): Promise<FileInfo | null>;
  /** Creates the directory and its parents; `mode` applies to the directories it creates. */
  mkdir(path: string, options?: { mode?: number }): Promise<void>;
  /** Sets POSIX permission bits; does nothing on Windows. */
  chmod(path: string, mode: number): Promise<void>;
  /** Removes a file; resolves to `false` when there was nothing to remove. */
  remove(path: string): Promise<boolean>;
  /**
   * Names of the files of a directory, symbolic links to files included, sorted; `[]` when it does
   * not exist.
   */
  listFiles(path: string): Promise<string[]>;
  /**
   * Takes an exclusive advisory lock on `path` (created 0600 when missing, never deleted), waiting
   * while another process holds it, until `signal` aborts. The operating system releases it when
   * the process ends. A symbolic link at `path` is refused, never followed.
   */
  lock(path: string, options?: LockOptions): Promise<FileLock>;
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
  /** A number in [0, 1), for jitter (not for secrets). */
  random(): number;
  /** Waits; resolves early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** A signal that aborts with a `TimeoutError` `DOMException` after `ms`, on the same clock as {@link sleep}. */
  timeout(ms: number): AbortSignal;

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
