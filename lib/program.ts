/**
 * The whole program with its real dependencies, as `main.ts` starts it: the exit code of
 * {@link run}, and the last-resort crash report when `run` itself throws.
 *
 * @module
 */

import { run } from "./run.ts";
import { realDeps, reportCrash } from "./runtime/real.ts";

/**
 * Runs the program on `args`; returns the exit code.
 *
 * @example
 * ```ts ignore
 * Deno.exit(await main(Deno.args));
 * ```
 */
export async function main(args: readonly string[]): Promise<number> {
  try {
    return await run(args, realDeps());
  } catch (error) {
    reportCrash(error);
    return 1;
  }
}
