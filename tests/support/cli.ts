/**
 * Runs the real CLI as a separate process, in a sandbox directory that stands in for the home
 * directory, with a clean environment.
 *
 * @module
 */

import { repoPath } from "./paths.ts";
import { denoDir } from "../../scripts/deno_dir.ts";

const MAIN = repoPath("main.ts");

let cachedDenoDir: Promise<string> | undefined;

/** Deno's cache directory, so that child processes with another HOME find the npm packages. */
export function cacheDir(): Promise<string> {
  cachedDenoDir ??= denoDir();
  return cachedDenoDir;
}

/**
 * A directory with a stand-in `aws-login` that reports another version. It comes first on the
 * `PATH` of {@link Sandbox.env}, so that an `aws-login` installed on the machine never changes
 * what `configure credential-process` writes in a test; tests of the short line put their own
 * `aws-login` before it.
 */
export const STAND_IN_BIN: string = repoPath("tests/testdata/bin");

/** A throw-away home directory with the usual AWS paths. */
export interface Sandbox extends AsyncDisposable {
  readonly home: string;
  readonly configPath: string;
  readonly credentialsPath: string;
  readonly cacheDir: string;
  /**
   * The environment for a CLI process: HOME, PATH (after {@link STAND_IN_BIN}) and DENO_DIR,
   * plus `extra`.
   */
  env(extra?: Record<string, string>): Promise<Record<string, string>>;
}

/** Creates a {@link Sandbox}. */
export async function sandbox(): Promise<Sandbox> {
  const home = await Deno.makeTempDir({ prefix: "aws-login-test-" });
  const sep = Deno.build.os === "windows" ? "\\" : "/";
  return {
    home,
    configPath: [home, ".aws", "config"].join(sep),
    credentialsPath: [home, ".aws", "credentials"].join(sep),
    cacheDir: [home, ".aws", "login", "cache"].join(sep),
    async env(extra = {}) {
      return {
        HOME: home,
        PATH: [STAND_IN_BIN, Deno.env.get("PATH") ?? "/usr/bin:/bin"].join(
          Deno.build.os === "windows" ? ";" : ":",
        ),
        DENO_DIR: await cacheDir(),
        NO_COLOR: "1",
        // Windows: the home directory comes from USERPROFILE, and sockets need SystemRoot.
        ...(Deno.build.os === "windows"
          ? { USERPROFILE: home, SystemRoot: Deno.env.get("SystemRoot") ?? "C:\\Windows" }
          : {}),
        ...extra,
      };
    },
    async [Symbol.asyncDispose]() {
      await Deno.remove(home, { recursive: true }).catch(() => {});
    },
  };
}

/** What a CLI run produced. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link runCli}. */
export interface RunCliOptions {
  /** Working directory; default the current one. */
  cwd?: string;
  env: Record<string, string>;
  /** Text for stdin; stdin is empty (closed) when absent. */
  stdin?: string | ReadableStream<Uint8Array>;
  /** Deno permission flags; default `--allow-all`. */
  permissions?: string[];
  /** Program to run instead of `deno run main.ts`, e.g. a compiled binary. */
  argv0?: string[];
  /** Kill the program and fail after this long. */
  timeoutMs?: number;
}

/** The argv that runs the CLI with `args`: `deno run <permissions> main.ts`, or `argv0`. */
function cliArgv(args: string[], options: RunCliOptions): string[] {
  return [
    ...(options.argv0 ??
      [Deno.execPath(), "run", ...(options.permissions ?? ["--allow-all"]), "--quiet", MAIN]),
    ...args,
  ];
}

/** Options of {@link runProgram}. */
export interface RunProgramOptions {
  env: Record<string, string>;
  /** Text for stdin; stdin is empty (closed) when absent. */
  stdin?: string | ReadableStream<Uint8Array>;
  /** Kill the program and fail after this long. */
  timeoutMs?: number;
  /** Working directory; default the current one. */
  cwd?: string;
}

/** Runs a program with a clean environment and waits for it; kills it when it outlives `timeoutMs`. */
export async function runProgram(argv: string[], options: RunProgramOptions): Promise<CliResult> {
  const [program, ...args] = argv;
  const controller = new AbortController();
  const child = new Deno.Command(program!, {
    args,
    env: options.env,
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    signal: controller.signal,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  }).spawn();
  let timedOut = false;
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  const writer = (async () => {
    if (options.stdin instanceof ReadableStream) {
      await options.stdin.pipeTo(child.stdin).catch(() => {});
      return;
    }
    const w = child.stdin.getWriter();
    try {
      if (options.stdin !== undefined) await w.write(new TextEncoder().encode(options.stdin));
      await w.close();
    } catch {
      // the child may exit before reading
    }
  })();
  try {
    const output = await child.output();
    await writer;
    const decoder = new TextDecoder();
    const stderr = decoder.decode(output.stderr);
    if (timedOut) {
      throw new Error(`"${argv.join(" ")}" was killed after ${options.timeoutMs} ms:\n${stderr}`);
    }
    return { code: output.code, stdout: decoder.decode(output.stdout), stderr };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `deno run main.ts <args>` and waits for it. */
export async function runCli(args: string[], options: RunCliOptions): Promise<CliResult> {
  return await runProgram(cliArgv(args, options), options);
}

/** The path of the CLI entry module. */
export const MAIN_PATH = MAIN;

/** A CLI process the test talks to while it runs. */
export interface LiveCli extends AsyncDisposable {
  /** Resolves with the first match of `pattern` in stderr (waits for more output as needed). */
  waitForStderr(pattern: RegExp): Promise<RegExpMatchArray>;
  /** Resolves with the first match of `pattern` in stdout (waits for more output as needed). */
  waitForStdout(pattern: RegExp): Promise<RegExpMatchArray>;
  /** Sends a signal to the process. */
  kill(signal: Deno.Signal): void;
  /** Writes a line to stdin. */
  writeLine(line: string): Promise<void>;
  /** Closes stdin. */
  closeStdin(): Promise<void>;
  /** Waits for the process to end. */
  result(): Promise<CliResult>;
}

/** Starts `deno run main.ts <args>` with piped stdio, for interactive scenarios. */
export function startCli(args: string[], options: RunCliOptions): LiveCli {
  const [program, ...rest] = cliArgv(args, options);
  const child = new Deno.Command(program!, {
    args: rest,
    env: options.env,
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const decoder = new TextDecoder();
  let stderr = "";
  let stdout = "";
  let changed: () => void = () => {};
  const pumpStderr = (async () => {
    for await (const chunk of child.stderr) {
      stderr += decoder.decode(chunk, { stream: true });
      changed();
    }
  })();
  const pumpStdout = (async () => {
    for await (const chunk of child.stdout) {
      stdout += decoder.decode(chunk, { stream: true });
      changed();
    }
  })();
  const status = child.status;
  let ended = false;
  status.then(() => {
    ended = true;
    changed();
  });
  const writer = child.stdin.getWriter();
  let finished: Promise<CliResult> | undefined;
  const result = () =>
    finished ??= (async () => {
      const { code } = await status;
      await Promise.all([pumpStderr, pumpStdout]);
      await writer.close().catch(() => {});
      return { code, stdout, stderr };
    })();
  /** Waits for `pattern` in one of the streams; several waits may be pending at once. */
  const waiters = new Set<() => void>();
  changed = () => {
    for (const wake of [...waiters]) wake();
  };
  async function waitFor(
    read: () => string,
    pump: Promise<void>,
    pattern: RegExp,
    name: string,
  ): Promise<RegExpMatchArray> {
    while (true) {
      const match = read().match(pattern);
      if (match) return match;
      if (ended) {
        await pump;
        const last = read().match(pattern);
        if (last) return last;
        throw new Error(`The CLI ended without printing ${pattern} on ${name}:\n${stderr}`);
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          waiters.delete(wake);
          resolve();
        };
        waiters.add(wake);
      });
    }
  }
  return {
    waitForStderr: (pattern) => waitFor(() => stderr, pumpStderr, pattern, "stderr"),
    waitForStdout: (pattern) => waitFor(() => stdout, pumpStdout, pattern, "stdout"),
    kill: (signal) => child.kill(signal),
    writeLine: (line) => writer.write(new TextEncoder().encode(line + "\n")),
    closeStdin: () => writer.close(),
    result,
    async [Symbol.asyncDispose]() {
      if (!ended) {
        try {
          child.kill("SIGKILL");
        } catch {
          // already gone
        }
      }
      await result().catch(() => {});
    },
  };
}
