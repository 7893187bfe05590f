// deno-lint-ignore-file no-console
/**
 * The real {@link Deps}: the only module that touches `Deno.*`.
 *
 * @module
 */

import {
  type ChildProcess,
  type Deps,
  type FileLock,
  type FileSystem,
  type HttpServer,
  type Input,
  type LockOptions,
  LockTimeoutError,
  type OsName,
  type Output,
  type RawInput,
  type SpawnOptions,
  type SpawnResult,
  type StartChildOptions,
} from "./deps.ts";
import { ChildStartError } from "../errors.ts";
import type { LineReader } from "./line_reader.ts";
import { permissionFlags } from "./permissions.ts";
import { dirnameOf, joinPath, resolvePath } from "./paths.ts";
import { homeDirectory, isNotFound, readEnv, statOrNull } from "./host.ts";

const encoder = new TextEncoder();

function output(stream: typeof Deno.stdout | typeof Deno.stderr): Output {
  return {
    write(text: string) {
      const bytes = encoder.encode(text);
      let written = 0;
      while (written < bytes.length) {
        written += stream.writeSync(bytes.subarray(written));
      }
    },
    get isTerminal() {
      return stream.isTerminal();
    },
    consoleSize() {
      if (!stream.isTerminal()) return undefined;
      try {
        return Deno.consoleSize();
      } catch {
        return undefined;
      }
    },
  };
}

function input(): Input {
  let reader: LineReader | undefined;
  const lines = async () => {
    // Loaded on first use: most commands never read stdin.
    const { LineReader } = await import("./line_reader.ts");
    return reader ??= new LineReader(Deno.stdin.readable);
  };
  return {
    get isTerminal() {
      return Deno.stdin.isTerminal();
    },
    async readLine() {
      return await (await lines()).readLine();
    },
    raw(): RawInput | undefined {
      if (!Deno.stdin.isTerminal()) return undefined;
      try {
        Deno.stdin.setRaw(true);
      } catch {
        return undefined;
      }
      return {
        read: async () => await (await lines()).readChunk(),
        unread: (text) => reader?.unread(text),
        [Symbol.dispose]() {
          try {
            Deno.stdin.setRaw(false);
          } catch {
            // the terminal went away
          }
        },
      };
    },
  };
}

/** How many symbolic links a path may go through, as Linux allows. */
const MAX_LINKS = 40;

/**
 * The file a write to `path` must replace: `path` itself, or the end of its chain of symbolic
 * links (which may not exist yet), so that a link (a dotfiles checkout, say) stays a link.
 */
async function writeTarget(path: string): Promise<string> {
  let current = path;
  for (let hops = 0; hops < MAX_LINKS; hops++) {
    let info: Deno.FileInfo;
    try {
      info = await Deno.lstat(current);
    } catch (error) {
      if (isNotFound(error)) return current;
      throw error;
    }
    if (!info.isSymlink) return current;
    current = resolvePath(dirnameOf(current), await Deno.readLink(current));
  }
  throw new Error(`Too many levels of symbolic links at "${path}"`);
}

async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: { mode?: number } = {},
): Promise<void> {
  const target = await writeTarget(path);
  const random = crypto.getRandomValues(new Uint8Array(6));
  const suffix = Array.from(random, (b) => b.toString(16).padStart(2, "0")).join("");
  const directory = dirnameOf(target);
  const temporary = joinPath(directory, `.${target.slice(directory.length + 1)}.${suffix}.tmp`);
  const file = await Deno.open(temporary, {
    write: true,
    createNew: true,
    ...(options.mode === undefined ? {} : { mode: options.mode }),
  });
  try {
    try {
      const bytes = typeof data === "string" ? encoder.encode(data) : data;
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      await file.sync();
    } finally {
      file.close();
    }
    if (options.mode !== undefined && Deno.build.os !== "windows") {
      await Deno.chmod(temporary, options.mode);
    }
    await Deno.rename(temporary, target);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
}

/** Opens a lock file without following a symbolic link, creating it 0600 when missing. */
async function openLockFile(path: string): Promise<Deno.FsFile> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const info = statOrNull(Deno.lstatSync, path);
    if (info === null) {
      try {
        // createNew (O_EXCL) never follows a link, even a dangling one.
        return await Deno.open(path, { read: true, write: true, createNew: true, mode: 0o600 });
      } catch (error) {
        if (error instanceof Deno.errors.AlreadyExists) continue;
        throw error;
      }
    }
    if (info.isSymlink) {
      throw new Error(`"${path}" is a symbolic link; a lock file must be a plain file`);
    }
    if (!info.isFile) throw new Error(`"${path}" is not a file`);
    return await Deno.open(path, { read: true, write: true });
  }
  throw new Error(`"${path}" keeps changing`);
}

async function lock(path: string, options: LockOptions = {}): Promise<FileLock> {
  const { signal } = options;
  signal?.throwIfAborted();
  const file = await openLockFile(path);
  const locking = file.lock(true);
  let stop: (() => void) | undefined;
  const stopped = new Promise<"stopped">((resolve) => {
    stop = () => resolve("stopped");
    signal?.addEventListener("abort", stop, { once: true });
  });
  let outcome: "locked" | "stopped";
  try {
    outcome = await Promise.race([locking.then(() => "locked" as const), stopped]);
  } catch (error) {
    file.close();
    throw error;
  } finally {
    if (stop !== undefined) signal?.removeEventListener("abort", stop);
  }
  if (outcome === "stopped") {
    // The wait goes on in the background: when it ends, the file is closed, which releases the
    // lock at once.
    locking.then(() => file.close(), () => file.close());
    const reason = signal?.reason;
    if (reason instanceof DOMException && reason.name === "TimeoutError") {
      throw new LockTimeoutError(path);
    }
    throw reason;
  }
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    try {
      await file.unlock();
    } finally {
      file.close();
    }
  };
  return {
    release,
    [Symbol.asyncDispose]: release,
    async readNote() {
      await file.seek(0, Deno.SeekMode.Start);
      const chunks: Uint8Array[] = [];
      const buffer = new Uint8Array(4096);
      while (true) {
        const read = await file.read(buffer);
        if (read === null || read === 0) break;
        chunks.push(buffer.slice(0, read));
        if (chunks.length > 16) break; // a note is short; never read a huge file
      }
      return new TextDecoder().decode(concatBytes(chunks));
    },
    async writeNote(text) {
      await file.truncate(0);
      await file.seek(0, Deno.SeekMode.Start);
      const bytes = encoder.encode(text);
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
    },
  };
}

function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/**
 * Reading and `stat` use Deno's synchronous calls behind the asynchronous interface. An
 * asynchronous file call hands the work to a thread of Deno's pool and waits to be woken; the
 * credential path makes about eight of them (config, credentials and session file), and together
 * they cost about a million instructions each, about a millisecond at every start (see
 * "Performance" in README.md). The files are small local ones that the AWS CLI also reads
 * synchronously; a read that blocked (a FIFO put in a file's place after the `stat` that checks
 * it is a regular file) would block either way. Writes, the wait for a lock and directory
 * listings stay asynchronous.
 */
const fileSystem: FileSystem = {
  // deno-lint-ignore require-await -- async turns a throw into a rejection
  async readTextFile(path) {
    return Deno.readTextFileSync(path);
  },
  // deno-lint-ignore require-await -- async turns a throw into a rejection
  async readFile(path) {
    return Deno.readFileSync(path);
  },
  writeFileAtomic,
  // deno-lint-ignore require-await -- async turns a throw into a rejection
  stat: async (path) => statOrNull(Deno.statSync, path),
  // deno-lint-ignore require-await -- async turns a throw into a rejection
  lstat: async (path) => statOrNull(Deno.lstatSync, path),
  async mkdir(path, options = {}) {
    await Deno.mkdir(path, {
      recursive: true,
      ...(options.mode === undefined ? {} : { mode: options.mode }),
    });
  },
  async chmod(path, mode) {
    if (Deno.build.os === "windows") return;
    await Deno.chmod(path, mode);
  },
  async remove(path) {
    try {
      await Deno.remove(path);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  },
  async listFiles(path) {
    const names: string[] = [];
    try {
      for await (const entry of Deno.readDir(path)) {
        if (entry.isFile) names.push(entry.name);
        else if (
          entry.isSymlink && statOrNull(Deno.statSync, joinPath(path, entry.name))?.isFile
        ) {
          names.push(entry.name);
        }
      }
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
    return names.sort();
  },
  lock,
  async makeTempDir(options) {
    return await Deno.makeTempDir({ prefix: options.prefix });
  },
  async removeTree(path) {
    try {
      await Deno.remove(path, { recursive: true });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  },
};

async function which(command: string): Promise<string | null> {
  const windows = Deno.build.os === "windows";
  const isPath = command.includes("/") || (windows && command.includes("\\"));
  const extensions = windows
    ? ["", ...(readEnv("PATHEXT") ?? ".COM;.EXE;.BAT;.CMD").split(";").filter(Boolean)]
    : [""];
  const candidates = isPath
    ? extensions.map((ext) => command + ext)
    : (readEnv("PATH") ?? "").split(windows ? ";" : ":").filter(Boolean).flatMap((dir) =>
      extensions.map((ext) => `${dir}${windows ? "\\" : "/"}${command}${ext}`)
    );
  for (const candidate of candidates) {
    try {
      const info = await Deno.stat(candidate);
      if (!info.isFile) continue;
      if (!windows && info.mode !== null && (info.mode & 0o111) === 0) continue;
      return candidate;
    } catch {
      // not there: try the next one
    }
  }
  return null;
}

async function spawn(argv: readonly string[], options: SpawnOptions = {}): Promise<SpawnResult> {
  const [program, ...args] = argv;
  if (program === undefined) throw new TypeError("spawn() needs a program to run");
  const command = new Deno.Command(program, {
    args,
    stdin: "null",
    stdout: options.detached ? "null" : "piped",
    stderr: options.detached ? "null" : "piped",
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  const child = command.spawn();
  if (options.detached) {
    child.unref();
    return { code: 0, stdout: "", stderr: "" };
  }
  const result = child.output();
  if (options.timeoutMs === undefined) return decode(await result);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<SpawnResult>((resolve) => {
    timer = setTimeout(() => {
      child.unref();
      resolve({ code: -1, stdout: "", stderr: "", timedOut: true });
    }, options.timeoutMs);
  });
  try {
    return await Promise.race([result.then(decode), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function startChild(argv: readonly string[], options: StartChildOptions = {}): ChildProcess {
  const [program, ...args] = argv;
  if (program === undefined) throw new TypeError("startChild() needs a program to run");
  // Deno.Command can add variables but not leave inherited ones out (short of reading the whole
  // environment, which --allow-env does not grant): remove them here, then start the child.
  for (const name of options.unsetEnv ?? []) Deno.env.delete(name);
  return runChild(() =>
    new Deno.Command(program, {
      args,
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
      ...(options.env === undefined ? {} : { env: { ...options.env } }),
    }).spawn()
  );
}

/**
 * Starts a child with `spawn` and wraps it as a {@link ChildProcess}: a failure to start is a
 * `ChildStartError` saying whether the program is missing or cannot be run; `kill` after the end
 * does nothing. Exported for the fake dependencies of the tests, which start children in an
 * environment of their own.
 */
export function runChild(spawn: () => Deno.ChildProcess): ChildProcess {
  let child: Deno.ChildProcess;
  try {
    child = spawn();
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "not-found"
      : error instanceof Deno.errors.PermissionDenied
      ? "not-executable"
      : "other";
    throw new ChildStartError((error as Error).message, reason, { cause: error });
  }
  let ended = false;
  const exited = child.status.then((status) => {
    ended = true;
    return { code: status.code, signal: status.signal ?? null };
  });
  return {
    pid: child.pid,
    exited,
    kill(signal) {
      if (ended) return;
      try {
        child.kill(signal);
      } catch {
        // it ended meanwhile, or the OS has no such signal
      }
    },
  };
}

function onSignal(signal: Deno.Signal, handler: () => void): () => void {
  try {
    Deno.addSignalListener(signal, handler);
  } catch {
    return () => {}; // not a signal of this OS (SIGTERM, SIGHUP on Windows)
  }
  return () => Deno.removeSignalListener(signal, handler);
}

function decode(output: Deno.CommandOutput): SpawnResult {
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

async function serve(
  options: { hostname: string; port: number },
  handler: (request: Request) => Response | Promise<Response>,
): Promise<HttpServer> {
  const controller = new AbortController();
  let resolveListening!: (addr: Deno.NetAddr) => void;
  const listening = new Promise<Deno.NetAddr>((resolve) => resolveListening = resolve);
  const server = Deno.serve({
    hostname: options.hostname,
    port: options.port,
    signal: controller.signal,
    onListen: (addr) => resolveListening(addr as Deno.NetAddr),
    onError: () => new Response("Internal error", { status: 500 }),
  }, handler);
  const addr = await listening;
  const shutdown = async () => {
    controller.abort();
    await server.finished;
  };
  return {
    port: addr.port,
    hostname: addr.hostname,
    shutdown,
    [Symbol.asyncDispose]: shutdown,
  };
}

/** The path of this program's entry module as a local path or URL, for {@link Deps.selfCommand}. */
function selfCommand(): string[] {
  const exec = Deno.execPath();
  const base = exec.split(/[\\/]/).pop()?.toLowerCase() ?? "";
  if (base !== "deno" && base !== "deno.exe") return [exec];
  const main = Deno.mainModule;
  const entry = main.startsWith("file:") ? decodeURIComponent(new URL(main).pathname) : main;
  const local = Deno.build.os === "windows" && /^\/[A-Za-z]:/.test(entry) ? entry.slice(1) : entry;
  return [exec, "run", ...permissionFlags(), "--quiet", local];
}

/** Builds the real dependencies of the program. */
export function realDeps(): Deps {
  return {
    now: () => new Date(),
    randomBytes: (length) => crypto.getRandomValues(new Uint8Array(length)),
    randomUUID: () => crypto.randomUUID(),
    random: () => Math.random(),
    timeout: (ms) => AbortSignal.timeout(ms),
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          resolve();
        }
        signal?.addEventListener("abort", done, { once: true });
      }),
    env: readEnv,
    os: Deno.build.os as OsName,
    homeDir: () => homeDirectory(Deno.build.os, readEnv),
    cwd: () => Deno.cwd(),
    selfCommand,
    fs: fileSystem,
    fetch: (input, init) => fetch(input, init),
    spawn,
    which,
    serve,
    stdin: input(),
    stdout: output(Deno.stdout),
    stderr: output(Deno.stderr),
    onInterrupt: (handler) => onSignal("SIGINT", handler),
    startChild,
    onSignal,
  };
}

/** Runs a top-level failure handler: the last resort when `run()` itself throws. */
export function reportCrash(error: unknown): void {
  console.error("aws-login: internal error:", error);
}
