/**
 * Waiting for the user: a one-row spinner with the time left on a terminal (sized to its width,
 * redrawn in place, see `wait_line.ts`), one plain line otherwise, a hint after a while, a timeout
 * and Ctrl-C.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import { AuthorizationError, InterruptedError } from "../errors.ts";
import { formatClock, renderWaitLine } from "./wait_line.ts";

export { formatClock };

/** The width assumed for a terminal whose size cannot be read. */
const DEFAULT_COLUMNS = 80;

/** Options of {@link waitWithProgress}. */
export interface WaitOptions {
  /** What is awaited, e.g. "Waiting for the browser sign-in". */
  label: string;
  /** A shorter label for narrow terminals, e.g. "Waiting for sign-in". */
  shortLabel?: string;
  timeoutSeconds: number;
  /** Shown once after {@link hintAfterSeconds}. */
  hint?: string | undefined;
  /** Default 60. */
  hintAfterSeconds?: number;
  /** Default 120 ms on a terminal. */
  tickMs?: number;
  /** Redraw a spinner line on a terminal (default true); off while the user types on it. */
  animate?: boolean;
  /** Show nothing at all (the caller prompts on its own). */
  quiet?: boolean;
  /** Called when the wait ends for any reason (to abort pending reads and requests). */
  onEnd?: () => void;
  /** The second line of the timeout error (default: how to wait longer or sign in remotely). */
  timeoutHint?: string;
  /**
   * Whether the cursor is on a line the user types on (an open prompt): a timeout then ends that
   * line first, so that the error starts on a line of its own.
   */
  promptOpen?: () => boolean;
}

/** The hint of the timeout error by default. */
export const TIMEOUT_HINT =
  "Run the command again (use --timeout to wait longer, or --remote to sign in from another device)";

/**
 * Formats a duration for a sentence.
 *
 * @example
 * ```ts
 * formatDuration(600); // "10 minutes"
 * formatDuration(90); // "90 seconds"
 * ```
 */
export function formatDuration(seconds: number): string {
  if (seconds >= 120 && seconds % 60 === 0) return `${seconds / 60} minutes`;
  if (seconds === 60) return "1 minute";
  return `${seconds} seconds`;
}

/**
 * Waits for `work` while showing progress on stderr. Rejects with an {@link AuthorizationError}
 * (code `TIMEOUT`) after the timeout, and an {@link InterruptedError} on Ctrl-C.
 *
 * @example
 * ```ts ignore
 * const code = await waitWithProgress(deps, server.result, { label: "Waiting", timeoutSeconds: 600 });
 * ```
 */
export async function waitWithProgress<T>(
  deps: Pick<Deps, "stderr" | "sleep" | "onInterrupt">,
  work: Promise<T>,
  options: WaitOptions,
): Promise<T> {
  const stop = new AbortController();
  const terminal = deps.stderr.isTerminal && options.animate !== false;
  const hintAfterMs = (options.hintAfterSeconds ?? 60) * 1000;
  const tickMs = options.tickMs ?? (terminal ? 120 : hintAfterMs);
  const timeoutMs = options.timeoutSeconds * 1000;
  let interrupted!: () => void;
  const interruption = new Promise<never>((_, reject) => {
    interrupted = () => reject(new InterruptedError("Sign-in cancelled"));
  });
  const removeInterrupt = deps.onInterrupt(() => interrupted());

  const timeout = deps.sleep(timeoutMs, stop.signal).then(() => {
    if (stop.signal.aborted) return new Promise<never>(() => {});
    if (options.promptOpen?.()) deps.stderr.write("\n");
    throw new AuthorizationError(
      `Timed out after ${
        formatDuration(options.timeoutSeconds)
      } waiting for the sign-in to complete`,
      { code: "TIMEOUT", hint: options.timeoutHint ?? TIMEOUT_HINT },
    );
  });

  const display = (async () => {
    if (options.quiet) return;
    if (!terminal) {
      deps.stderr.write(`${options.label} (up to ${formatDuration(options.timeoutSeconds)})...\n`);
    }
    let elapsed = 0;
    let hinted = false;
    let frame = 0;
    while (!stop.signal.aborted) {
      if (terminal) {
        const line = renderWaitLine({
          frame: frame++,
          label: options.label,
          ...(options.shortLabel === undefined ? {} : { shortLabel: options.shortLabel }),
          secondsLeft: (timeoutMs - elapsed) / 1000,
        }, deps.stderr.consoleSize()?.columns ?? DEFAULT_COLUMNS);
        deps.stderr.write(`\r\x1b[2K${line}`);
      }
      if (!hinted && options.hint !== undefined && elapsed >= hintAfterMs) {
        hinted = true;
        deps.stderr.write(terminal ? `\r\x1b[2K${options.hint}\n` : `${options.hint}\n`);
      }
      await deps.sleep(tickMs, stop.signal);
      elapsed += tickMs;
    }
    if (terminal) deps.stderr.write("\r\x1b[2K");
  })();

  try {
    return await Promise.race([work, timeout, interruption]);
  } catch (error) {
    // Ctrl-C on a terminal line that is not redrawn leaves "^C" and the cursor after it.
    if (error instanceof InterruptedError && !terminal && deps.stderr.isTerminal) {
      deps.stderr.write("\n");
    }
    throw error;
  } finally {
    stop.abort();
    removeInterrupt();
    options.onEnd?.();
    await display;
  }
}
