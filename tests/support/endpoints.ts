/**
 * Stand-ins for what a test cannot get from the emulator: an endpoint that never answers, on the
 * virtual clock, and a lock whose first use a test can wait for.
 *
 * @module
 */

import type { Deps, LockOptions } from "../../lib/runtime/deps.ts";
import type { FakeDeps } from "./fake_deps.ts";

/** A `fetch` that takes every request and never answers; counts the requests. */
export interface SilentEndpoint {
  readonly fetch: Deps["fetch"];
  readonly calls: () => number;
}

/**
 * An endpoint that says nothing until the client gives up: the virtual clock of `deps()` moves on
 * in steps of 100 ms until the request's signal aborts (its timeout fired), then the request fails
 * with the signal's reason.
 */
export function silentEndpoint(deps: () => FakeDeps): SilentEndpoint {
  let calls = 0;
  return {
    calls: () => calls,
    fetch: (_input, init) => {
      calls++;
      return new Promise((_, reject) => {
        const signal = init?.signal;
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
        setTimeout(async () => {
          while (!signal?.aborted) await deps().advance(100);
        }, 0);
      });
    },
  };
}

/**
 * The same deps, with a lock on `path` that resolves `reached` as soon as it is asked for (before it
 * is held): a test can then act while the code under test waits for it.
 */
export function watchingLock(
  deps: FakeDeps,
  path: string,
): { deps: FakeDeps; reached: Promise<"locking"> } {
  let resolve!: (value: "locking") => void;
  const reached = new Promise<"locking">((r) => resolve = r);
  return {
    reached,
    deps: {
      ...deps,
      fs: {
        ...deps.fs,
        lock: (lockPath: string, options?: LockOptions) => {
          if (lockPath === path) resolve("locking");
          return deps.fs.lock(lockPath, options);
        },
      },
    },
  };
}
