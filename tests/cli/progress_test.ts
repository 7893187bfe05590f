import {
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
} from "../support/assert.ts";
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
  const deps = fakeDeps({ stderrIsTerminal: true });
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
