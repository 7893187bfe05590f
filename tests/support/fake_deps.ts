/**
 * A {@link Deps} for tests: a settable clock, an environment from a record, captured output and
 * scripted input. The file system, network and listeners are the real ones (tests point them at a
 * temporary directory and at loopback).
 *
 * @module
 */

import type {
  ChildProcess,
  ConsoleSize,
  Deps,
  ForwardedSignal,
  Input,
  OsName,
  Output,
  RawInput,
  SpawnOptions,
  SpawnResult,
  StartChildOptions,
} from "../../lib/runtime/deps.ts";
import { realDeps, runChild } from "../../lib/runtime/real.ts";
import { LineReader } from "../../lib/runtime/line_reader.ts";
import { type ClockMode, VirtualClock } from "./virtual_clock.ts";

/** Captured text of an output stream. */
export interface CapturedOutput extends Output {
  readonly text: string;
}

/** An output that records everything written to it; a terminal of `size` when given one. */
export function captureOutput(isTerminal = false, size?: ConsoleSize): CapturedOutput {
  let text = "";
  return {
    write(chunk: string) {
      text += chunk;
    },
    get text() {
      return text;
    },
    isTerminal,
    consoleSize: () => isTerminal ? size : undefined,
  };
}

/** Input that answers `readLine()` from the given lines, then end of input. */
export function scriptedInput(lines: readonly string[], isTerminal = false): Input {
  const bytes = new TextEncoder().encode(lines.map((line) => line + "\n").join(""));
  const reader = new LineReader(ReadableStream.from([bytes]));
  return { isTerminal, readLine: () => reader.readLine(), raw: () => undefined };
}

/**
 * A terminal's raw key input: `read()` answers each chunk in turn (a chunk is what one read of a
 * real terminal gives: a key, an escape sequence or a paste), then end of input. `rawMode` tells
 * whether raw mode is on.
 */
export function rawKeysInput(chunks: readonly string[]): Input & { readonly rawMode: boolean } {
  const reader = new LineReader(
    ReadableStream.from(chunks.map((c) => new TextEncoder().encode(c))),
  );
  let rawMode = false;
  return {
    isTerminal: true,
    readLine: () => reader.readLine(),
    get rawMode() {
      return rawMode;
    },
    raw(): RawInput {
      rawMode = true;
      return {
        read: () => reader.readChunk(),
        unread: (text) => reader.unread(text),
        [Symbol.dispose]: () => rawMode = false,
      };
    },
  };
}

/** Input whose lines are pushed by the test while the code under test waits. */
export function pushInput(isTerminal = false): Input & { push(line: string): void; end(): void } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => controller = c });
  const reader = new LineReader(stream);
  const encoder = new TextEncoder();
  return {
    isTerminal,
    readLine: () => reader.readLine(),
    raw: () => undefined,
    push: (line) => controller.enqueue(encoder.encode(line + "\n")),
    end: () => controller.close(),
  };
}

/** Options of {@link fakeDeps}. */
export interface FakeDepsOptions {
  env?: Record<string, string>;
  now?: Date;
  /**
   * `manual` (default): time moves only with {@link FakeDeps.advance}; `auto`: every sleep moves it
   * (backoff and retries run at once, as if the time had passed); `real`: the real clock and timers.
   */
  clock?: ClockMode | "real";
  /** Values {@link Deps.random} returns, in turn (default always 0.5). */
  random?: readonly number[];
  os?: OsName;
  stdin?: Input;
  stdoutIsTerminal?: boolean;
  stderrIsTerminal?: boolean;
  /** The size of the stderr terminal (with `stderrIsTerminal`); unknown when absent. */
  stderrSize?: ConsoleSize;
  spawn?: (argv: readonly string[], options?: SpawnOptions) => Promise<SpawnResult>;
  which?: (command: string) => Promise<string | null>;
  fetch?: Deps["fetch"];
  selfCommand?: string[];
  startChild?: Deps["startChild"];
  /** The working directory (default the real one). */
  cwd?: string;
}

/** A {@link Deps} with captured output, for in-process tests. */
export interface FakeDeps extends Deps {
  readonly stdout: CapturedOutput;
  readonly stderr: CapturedOutput;
  /** The environment; tests may change it. */
  readonly envRecord: Record<string, string>;
  /** Moves the virtual clock forward, firing due sleeps and timeouts (no-op on the real clock). */
  advance(ms: number): Promise<void>;
  /** Sets the virtual clock without firing anything. */
  setNow(date: Date): void;
  /** The virtual clock, `undefined` with `clock: "real"`. */
  readonly clock: VirtualClock | undefined;
  /** The argv of every spawn call, in order. */
  readonly spawned: string[][];
  /** Runs the handlers registered with `onSignal` for the signal, as if it had arrived. */
  raiseSignal(signal: ForwardedSignal): void;
}

/**
 * A real child process whose environment is the fake one: `envRecord` without `unsetEnv`, plus
 * `env` (the test process's own environment is not inherited, nor changed).
 */
function startChildIn(
  envRecord: Readonly<Record<string, string>>,
  argv: readonly string[],
  options: StartChildOptions = {},
): ChildProcess {
  const [program, ...args] = argv;
  if (program === undefined) throw new TypeError("startChild() needs a program to run");
  const env: Record<string, string> = { ...envRecord };
  for (const name of options.unsetEnv ?? []) delete env[name];
  Object.assign(env, options.env ?? {});
  return runChild(() => new Deno.Command(program, { args, env, clearEnv: true }).spawn());
}

/** Builds a {@link FakeDeps}. */
export function fakeDeps(options: FakeDepsOptions = {}): FakeDeps {
  const real = realDeps();
  const mode = options.clock ?? "manual";
  const clock = mode === "real"
    ? undefined
    : new VirtualClock(options.now?.getTime() ?? Date.now(), mode);
  let offset = (options.now?.getTime() ?? Date.now()) - Date.now();
  const envRecord = { ...(options.env ?? {}) };
  const os = options.os ?? real.os;
  const spawned: string[][] = [];
  const randoms = [...(options.random ?? [])];
  let nextRandom = 0;
  const signalHandlers = new Map<ForwardedSignal, Set<() => void>>();
  return {
    now: () => new Date(clock?.now() ?? Date.now() + offset),
    async advance(ms) {
      if (clock === undefined) offset += ms;
      else await clock.advance(ms);
    },
    setNow(date) {
      if (clock === undefined) offset = date.getTime() - Date.now();
      else clock.set(date.getTime());
    },
    clock,
    randomBytes: real.randomBytes,
    randomUUID: real.randomUUID,
    random: () => randoms.length === 0 ? 0.5 : randoms[nextRandom++ % randoms.length]!,
    sleep: clock === undefined ? real.sleep : (ms, signal) => clock.sleep(ms, signal),
    timeout: clock === undefined ? real.timeout : (ms) => clock.timeout(ms),
    env: (name) => envRecord[name],
    envRecord,
    os,
    homeDir: () => os === "windows" ? envRecord.USERPROFILE ?? envRecord.HOME : envRecord.HOME,
    selfCommand: () => options.selfCommand ?? ["aws-login"],
    cwd: () => options.cwd ?? real.cwd(),
    fs: real.fs,
    fetch: options.fetch ?? real.fetch,
    spawn: (argv, spawnOptions) => {
      spawned.push([...argv]);
      return (options.spawn ?? real.spawn)(argv, spawnOptions);
    },
    spawned,
    which: options.which ?? (() => Promise.resolve(null)),
    serve: real.serve,
    stdin: options.stdin ?? scriptedInput([]),
    stdout: captureOutput(options.stdoutIsTerminal ?? false),
    stderr: captureOutput(options.stderrIsTerminal ?? false, options.stderrSize),
    onInterrupt: () => () => {},
    startChild: options.startChild ??
      ((argv, childOptions) => startChildIn(envRecord, argv, childOptions)),
    onSignal(signal, handler) {
      const handlers = signalHandlers.get(signal) ?? new Set();
      signalHandlers.set(signal, handlers);
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    raiseSignal(signal) {
      for (const handler of [...signalHandlers.get(signal) ?? []]) handler();
    },
  };
}
