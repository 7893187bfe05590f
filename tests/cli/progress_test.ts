import {
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
} from "../support/assert.ts";
import { fakeDeps } from "../support/fake_deps.ts";
import { formatClock, formatDuration, waitWithProgress } from "../../lib/cli/progress.ts";
import { AuthorizationError, InterruptedError } from "../../lib/errors.ts";

function later<T>(value: T, ms: number): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms));
}

Deno.test("waitWithProgress() draws a spinner with the time left on a terminal, then clears it", async () => {
  const deps = fakeDeps({ stderrIsTerminal: true });
  const value = await waitWithProgress(deps, later("done", 150), {
    label: "Waiting for the browser sign-in",
    timeoutSeconds: 600,
    tickMs: 20,
  });
  assertEquals(value, "done");
  assertMatch(
    deps.stderr.text,
    // deno-lint-ignore no-control-regex
    /\r\x1b\[2K. Waiting for the browser sign-in: (10:00|9:59) left \(Ctrl-C to cancel\)/,
  );
  assertEquals(deps.stderr.text.endsWith("\r\x1b[2K"), true);
});

Deno.test("waitWithProgress() prints plain lines without a terminal, and the hint after a while", async () => {
  const deps = fakeDeps();
  await waitWithProgress(deps, later(1, 120), {
    label: "Waiting",
    timeoutSeconds: 90,
    hint: "Try --remote.",
    hintAfterSeconds: 0.05,
  });
  assertEquals(deps.stderr.text, "Waiting (up to 90 seconds)...\nTry --remote.\n");
  assertEquals(deps.stderr.text.includes("\r"), false);
});

Deno.test("waitWithProgress() times out with a clear error", async () => {
  const deps = fakeDeps();
  const error = await assertRejects(
    () => waitWithProgress(deps, new Promise(() => {}), { label: "Waiting", timeoutSeconds: 0.1 }),
    AuthorizationError,
    "Timed out",
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
