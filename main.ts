/**
 * aws-login: short-lived AWS credentials from your AWS console sign-in, without long-term access
 * keys. A standalone reimplementation of `aws login`.
 *
 * ```sh
 * deno run -A jsr:@aws-login/aws-login login --profile dev
 * ```
 *
 * This module only wires the real dependencies; everything else is in `lib/`.
 *
 * @module
 */

import { run } from "./lib/run.ts";
import { realDeps, reportCrash } from "./lib/runtime/real.ts";

if (import.meta.main) {
  let code: number;
  try {
    code = await run(Deno.args, realDeps());
  } catch (error) {
    reportCrash(error);
    code = 1;
  }
  Deno.exit(code);
}
