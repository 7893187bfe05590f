/**
 * End to end in a real terminal: the CLI runs in a tmux pane of a given size against the emulator,
 * and the test reads the pane (`tmux capture-pane`) as a person would see it.
 *
 * - In a 40-column pane the wait line stays one row while the countdown runs: the pane does not
 *   fill with spinner lines.
 * - In a wide pane `--remote` shows a QR code that decodes to the URL printed below it.
 * - The region prompt completes with Tab in raw mode, and the terminal is as it was afterwards.
 *
 * The pane is polled until what is awaited shows, with a deadline; nothing depends on how long a
 * step takes. Skipped when tmux is missing, unless CI requires it (`tests/support/tools.ts`).
 */

import { assertEquals, assertTrue } from "../support/assert.ts";
import { MAIN_PATH, runProgram, type Sandbox, sandbox } from "../support/cli.ts";
import { testWithPrograms } from "../support/tools.ts";
import { startEmulator } from "../../scripts/emulator/mod.ts";
import { decodeModules, modulesFromText } from "../support/qr.ts";

const POLL_DEADLINE_MS = 60_000;
const POLL_INTERVAL_MS = 100;

/** A tmux server of its own (its socket in the sandbox) with one pane running the CLI. */
class Pane implements AsyncDisposable {
  readonly #tmux: string;
  readonly #socket: string;
  readonly #env: Record<string, string>;

  constructor(tmux: string, box: Sandbox, env: Record<string, string>) {
    this.#tmux = tmux;
    this.#socket = `${box.home}/tmux.sock`;
    this.#env = env;
  }

  async #run(args: string[]): Promise<string> {
    const result = await runProgram([this.#tmux, "-S", this.#socket, "-f", "/dev/null", ...args], {
      env: this.#env,
      timeoutMs: 30_000,
    });
    if (result.code !== 0) throw new Error(`tmux ${args.join(" ")}: ${result.stderr}`);
    return result.stdout;
  }

  /** Starts the CLI with `args` in a detached pane of `columns` x `rows`. */
  async start(columns: number, rows: number, args: string[]): Promise<void> {
    const quoted = [Deno.execPath(), "run", "--allow-all", "--quiet", MAIN_PATH, ...args]
      .map((word) => `'${word.replaceAll("'", `'\\''`)}'`).join(" ");
    // When the CLI ends, the pane stays (cat waits on the terminal) so that it can still be read.
    const command = `${quoted}; echo "[exit $?]"; exec cat`;
    await this.#run([
      "new-session",
      "-d",
      "-s",
      "test",
      "-x",
      String(columns),
      "-y",
      String(rows),
      command,
    ]);
  }

  /** Types keys into the pane (tmux key names such as `Tab`, `Enter`, `C-c`, or text). */
  async keys(...keys: string[]): Promise<void> {
    await this.#run(["send-keys", "-t", "test", ...keys]);
  }

  /** Everything the pane shows, scrollback included, one string per row. */
  async rows(options: { join?: boolean } = {}): Promise<string[]> {
    const flags = ["capture-pane", "-p", "-S", "-", "-t", "test", ...(options.join ? ["-J"] : [])];
    return (await this.#run(flags)).replace(/\n+$/, "").split("\n");
  }

  /** Polls the pane until `probe` returns something, or fails at the deadline with the pane. */
  async until<T>(what: string, probe: (rows: string[]) => T | undefined): Promise<T> {
    const deadline = Date.now() + POLL_DEADLINE_MS;
    let rows: string[] = [];
    while (Date.now() < deadline) {
      rows = await this.rows();
      const found = probe(rows);
      if (found !== undefined) return found;
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
    throw new Error(`The pane never showed ${what}:\n${rows.join("\n")}`);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#run(["kill-server"]).catch(() => {});
  }
}

/** m:ss as seconds. */
function seconds(clock: string): number {
  const [minutes, secs] = clock.split(":").map(Number);
  return minutes! * 60 + secs!;
}

testWithPrograms("tmux, 40 columns: the wait line stays on one row", ["tmux"], async (paths) => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const env = await box.env({
    AWS_ENDPOINT_URL_SIGNIN: emulator.url,
    BROWSER: "true", // "opens" the browser, which then never calls back: the CLI waits
    TERM: "xterm-256color",
  });
  await using pane = new Pane(paths.tmux!, box, env);
  await pane.start(40, 20, ["login", "--region", "us-east-1"]);

  const spinnerRow = /^. Waiting for sign-in: (\d+:\d\d) left$/;
  const first = await pane.until("the wait line", (rows) => {
    const row = rows.find((row) => row.includes("Waiting"));
    if (row === undefined) return undefined;
    const clock = spinnerRow.exec(row)?.[1];
    assertTrue(clock !== undefined, `the wait line fits one row of 40:\n${rows.join("\n")}`);
    return { clock, rows: rows.length };
  });
  // Watch the countdown go down by 3 seconds: at 120 ms a frame, that is 25 redraws or more.
  const later = await pane.until("3 seconds of countdown", (rows) => {
    const matching = rows.filter((row) => /Waiting|left/.test(row));
    assertEquals(matching.length, 1, `one wait row:\n${rows.join("\n")}`);
    assertTrue(rows.every((row) => [...row].length <= 40));
    const clock = spinnerRow.exec(matching[0]!)?.[1];
    return clock !== undefined && seconds(first.clock) - seconds(clock) >= 3
      ? { clock, rows: rows.length }
      : undefined;
  });
  assertEquals(later.rows, first.rows, "the pane did not grow");
});

testWithPrograms("tmux, 100x60: --remote shows a QR code of the URL", ["tmux"], async (paths) => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const env = await box.env({
    AWS_ENDPOINT_URL_SIGNIN: emulator.url,
    TERM: "xterm-256color",
    NO_COLOR: "",
  });
  await using pane = new Pane(paths.tmux!, box, env);
  await pane.start(100, 60, ["login", "--remote", "--region", "us-east-1"]);
  await pane.until(
    "the prompt",
    (rows) => rows.some((row) => row.startsWith("Enter the authorization code")) ? true : undefined,
  );

  const joined = await pane.rows({ join: true });
  const url = joined.find((row) => /^http:\/\/127\.0\.0\.1:\d+\/v1\/authorize\?/.test(row));
  assertTrue(url !== undefined, joined.join("\n"));
  // The rows of half blocks. The pane drops the trailing spaces of a row, and the rows of the
  // quiet zone are blank: give each row its full width back, and the code a quiet zone again.
  const rows = await pane.rows();
  const block = rows.filter((row) => /[▀▄█]/.test(row) && /^[ ▀▄█]+$/.test(row));
  assertTrue(block.length > 20, rows.join("\n"));
  const width = Math.max(...block.map((row) => [...row].length));
  const blank = " ".repeat(width + 8);
  const lines = [blank, blank, ...block.map((row) => `    ${row.padEnd(width)}    `), blank, blank];
  assertEquals(decodeModules(modulesFromText(lines, { color: true })), url);
});

testWithPrograms(
  "tmux: the region prompt completes with Tab and gives the terminal back",
  ["tmux"],
  async (paths) => {
    await using emulator = await startEmulator();
    await using box = await sandbox();
    const env = await box.env({
      AWS_ENDPOINT_URL_SIGNIN: emulator.url,
      BROWSER: "true",
      TERM: "xterm-256color",
    });
    await using pane = new Pane(paths.tmux!, box, env);
    await pane.start(80, 30, ["login", "--profile", "asked"]);
    // The pane drops the trailing space of the question.
    const prompt = "AWS Region [us-east-1]:";
    const promptRow = (rows: string[]) => rows.findLast((row) => row.startsWith(prompt));
    await pane.until("the region prompt", promptRow);

    await pane.keys("eu-w", "Tab");
    await pane.until(
      "the common prefix",
      (rows) => promptRow(rows) === `${prompt} eu-west-` ? true : undefined,
    );
    await pane.keys("Tab");
    await pane.until(
      "the candidates",
      (rows) =>
        rows.some((row) => /^eu-west-1 +eu-west-2 +eu-west-3$/.test(row)) ? true : undefined,
    );
    await pane.keys("2", "Enter");
    await pane.until(
      "the wait for the browser",
      (rows) =>
        rows.some((row) => row.includes("Waiting for the browser sign-in")) ? true : undefined,
    );
    const rows = await pane.rows();
    assertEquals(rows.filter((row) => row.startsWith(prompt)).at(-1), `${prompt} eu-west-2`);

    await pane.keys("C-c");
    await pane.until("the end", (rows) => rows.includes("[exit 130]") ? true : undefined);
    // Cooked mode again: the terminal echoes what is typed, and cat prints the line back.
    await pane.keys("restored", "Enter");
    await pane.until(
      "the terminal echoing again",
      (rows) => rows.filter((row) => row === "restored").length === 2 ? true : undefined,
    );
  },
);
