/**
 * A virtual clock for {@link Deps.now}, {@link Deps.sleep} and {@link Deps.timeout}: time moves only
 * when a test says so (`advance`), or, in `auto` mode, whenever the code under test sleeps. Nothing
 * waits for real, so backoff, lock waits and progress lines are tested without timing luck.
 *
 * @module
 */

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fire: () => void;
}

/** Lets promise continuations and I/O callbacks that are already due run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** How the clock moves. */
export type ClockMode = "manual" | "auto";

/** A clock that only moves when told to. */
export class VirtualClock {
  #now: number;
  #timers: Timer[] = [];
  #seq = 0;
  readonly mode: ClockMode;

  constructor(start: number, mode: ClockMode = "manual") {
    this.#now = start;
    this.mode = mode;
  }

  /** Current virtual time in milliseconds. */
  now(): number {
    return this.#now;
  }

  /** Sets the time without firing timers (for tests that place the clock before starting). */
  set(time: number): void {
    this.#now = time;
  }

  /** Number of sleeps and timeouts waiting for the clock. */
  get pending(): number {
    return this.#timers.length;
  }

  #schedule(ms: number, fire: () => void): () => void {
    const timer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fire };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((t) => t !== timer);
    };
  }

  /** Resolves once the clock has moved `ms` forward (at once in `auto` mode), or when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    if (this.mode === "auto") {
      return settle().then(() => this.advance(ms));
    }
    return new Promise<void>((resolve) => {
      const cancel = this.#schedule(ms, () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      });
      const onAbort = () => {
        cancel();
        resolve();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** A signal that aborts with a `TimeoutError` once the clock has moved `ms` forward. */
  timeout(ms: number): AbortSignal {
    const controller = new AbortController();
    this.#schedule(ms, () => {
      controller.abort(new DOMException("Signal timed out.", "TimeoutError"));
    });
    return controller.signal;
  }

  /** Moves the clock forward, firing due timers in order and letting their continuations run. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    while (true) {
      const due = this.#timers
        .filter((timer) => timer.at <= target)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) break;
      this.#timers = this.#timers.filter((timer) => timer !== due);
      this.#now = Math.max(this.#now, due.at);
      due.fire();
      await settle();
    }
    this.#now = Math.max(this.#now, target);
    await settle();
  }
}
