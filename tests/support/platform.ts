/**
 * Tests that cannot apply on every OS, skipped there with the reason in their name.
 *
 * @module
 */

/** Why a POSIX-only test is skipped on Windows, or `undefined` where it runs. */
export const POSIX_ONLY: string | undefined = Deno.build.os === "windows"
  ? "skipped on Windows: it runs /bin/sh scripts"
  : undefined;

/**
 * `Deno.test` for a test that needs a POSIX shell (`/bin/sh` scripts as fake programs, `sh -c`).
 * On Windows it is registered as ignored, with the reason in its name.
 */
export function posixTest(name: string, fn: (t: Deno.TestContext) => void | Promise<void>): void {
  Deno.test({
    name: POSIX_ONLY ? `${name} (${POSIX_ONLY})` : name,
    ignore: POSIX_ONLY !== undefined,
    fn,
  });
}

/**
 * Sends `signal` to `pid` only while that pid is still the test's own process, recognised by
 * `marker` in its environment or command line (Linux: `/proc`). A process that ended long ago may
 * have left its pid to another one, such as another test's child, which a blind kill would end.
 * Where there is no `/proc`, the signal is sent as before. Returns whether it was sent.
 *
 * @example
 * ```ts ignore
 * killOwn(pid, "SIGKILL", `FAKE_RECORD=${record}`);
 * ```
 */
export function killOwn(pid: number, signal: Deno.Signal, marker: string): boolean {
  if (Deno.build.os === "linux") {
    let identity: string;
    try {
      identity = Deno.readTextFileSync(`/proc/${pid}/environ`) + "\0" +
        Deno.readTextFileSync(`/proc/${pid}/cmdline`);
    } catch {
      return false; // gone, or not ours to read
    }
    if (!identity.includes(marker)) return false;
  }
  try {
    Deno.kill(pid, signal);
    return true;
  } catch {
    return false; // already gone
  }
}
