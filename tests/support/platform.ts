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
