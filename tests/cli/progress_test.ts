import {
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
  assertTrue,
} from "../support/assert.ts";
import { displayWidth } from "../../lib/cli/wait_line.ts";
import { fakeDeps } from "../support/fake_deps.ts";
import { formatClock, formatDuration, waitWithProgress } from "../../lib/cli/progress.ts";
import { AuthorizationError, InterruptedError } from "../../lib/errors.ts";

/** A promise the test settles when it wants. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => resolve = r);
  return { promise, resolve };
}

Deno.test("waitWithProgress() draws a spinner with the time left on a terminal, then clears it", async () => {
  const deps = fakeDeps({ stderrIsTerminal: true, stderrSize: { columns: 120, rows: 40 } });
  const work = deferred<string>();
  const waiting = waitWithProgress(deps, work.promise, {
    label: "Waiting for the browser sign-in",
    timeoutSeconds: 600,
    tickMs: 1000,
  });
  await deps.advance(61_000);
  assertMatch(
    deps.stderr.text,
    // deno-lint-ignore no-control-regex
    /\r\x1b\[2K. Waiting for the browser sign-in: 10:00 left \(Ctrl-C to cancel\)/,
  );
  // deno-lint-ignore no-control-regex
  assertMatch(deps.stderr.text, /\r\x1b\[2K. Waiting for the browser sign-in: 8:59 left/);
  work.resolve("done");
  assertEquals(await waiting, "done");
  assertEquals(deps.stderr.text.endsWith("\r\x1b[2K"), true);
});

Deno.test("waitWithProgress() prints plain lines without a terminal, and the hint after a while", async () => {
  const deps = fakeDeps();
  const stderr = () => deps.stderr.text;
  const work = deferred<number>();
  const waiting = waitWithProgress(deps, work.promise, {
    label: "Waiting",
    timeoutSeconds: 90,
    hint: "Try --remote.",
    hintAfterSeconds: 60,
  });
  await deps.advance(59_000);
  assertEquals(stderr(), "Waiting (up to 90 seconds)...\n");
  await deps.advance(1_000);
  assertEquals(stderr(), "Waiting (up to 90 seconds)...\nTry --remote.\n");
  work.resolve(1);
  await waiting;
  assertEquals(stderr().includes("\r"), false);
});

Deno.test("waitWithProgress() times out with a clear error, and not before", async () => {
  const deps = fakeDeps();
  let settled = false;
  const waiting = waitWithProgress(deps, new Promise(() => {}), {
    label: "Waiting",
    timeoutSeconds: 90,
  }).finally(() => settled = true);
  waiting.catch(() => {});
  await deps.advance(89_000);
  assertEquals(settled, false);
  await deps.advance(1_000);
  const error = await assertRejects(
    () => waiting,
    AuthorizationError,
    "Timed out after 90 seconds",
  );
  assertEquals(error.code, "TIMEOUT");
  assertStringIncludes(error.hint ?? "", "--timeout");
});

Deno.test("waitWithProgress() ends on Ctrl-C and removes its handler", async () => {
  let handler: (() => void) | undefined;
  const deps = {
    ...fakeDeps(),
    onInterrupt(h: () => void) {
      handler = h;
      return () => handler = undefined;
    },
  };
  const waiting = waitWithProgress(deps, new Promise(() => {}), { label: "W", timeoutSeconds: 60 });
  handler!();
  await assertRejects(() => waiting, InterruptedError);
  assertEquals(handler, undefined);
});

Deno.test("formatClock() and formatDuration() read naturally", () => {
  assertEquals(formatClock(0), "0:00");
  assertEquals(formatClock(59.2), "1:00");
  assertEquals(formatClock(600), "10:00");
  assertEquals(formatDuration(600), "10 minutes");
  assertEquals(formatDuration(60), "1 minute");
  assertEquals(formatDuration(3), "3 seconds");
});

Deno.test("waitWithProgress() sizes every frame to the terminal: one row at 40 columns", async () => {
  const deps = fakeDeps({ stderrIsTerminal: true, stderrSize: { columns: 40, rows: 20 } });
  const work = deferred<string>();
  const waiting = waitWithProgress(deps, work.promise, {
    label: "Waiting for the browser sign-in",
    shortLabel: "Waiting for sign-in",
    timeoutSeconds: 600,
    tickMs: 250,
  });
  await deps.advance(1_000);
  work.resolve("done");
  await waiting;
  const frames = deps.stderr.text.split("\r\x1b[2K").filter((frame) => frame !== "");
  assertTrue(frames.length >= 2, deps.stderr.text);
  for (const frame of frames) {
    assertEquals(frame.includes("\n"), false);
    assertTrue(displayWidth(frame) <= 39, frame);
    assertMatch(frame, /^. Waiting for sign-in: (10:00|9:59) left$/);
  }
});

Deno.test("waitWithProgress() ends an open prompt before the timeout error", async () => {
  const deps = fakeDeps({ stderrIsTerminal: true });
  deps.stderr.write("Enter the code: ");
  const waiting = waitWithProgress(deps, new Promise(() => {}), {
    label: "Waiting",
    timeoutSeconds: 60,
    quiet: true,
    promptOpen: () => true,
    timeoutHint: "Run the command again",
  });
  waiting.catch(() => {});
  await deps.advance(60_000);
  const error = await assertRejects(() => waiting, AuthorizationError);
  assertEquals(deps.stderr.text, "Enter the code: \n");
  assertEquals(error.hint, "Run the command again");
});

Deno.test("waitWithProgress() ends the line after Ctrl-C on a line that is not redrawn", async () => {
  let handler: (() => void) | undefined;
  const deps = {
    ...fakeDeps({ stderrIsTerminal: true }),
    onInterrupt(h: () => void) {
      handler = h;
      return () => handler = undefined;
    },
  };
  const waiting = waitWithProgress(deps, new Promise(() => {}), {
    label: "W",
    timeoutSeconds: 60,
    quiet: true,
    animate: false,
  });
  handler!();
  await assertRejects(() => waiting, InterruptedError);
  assertEquals(deps.stderr.text, "\n");
});
