/**
 * The recursion guard of `credential_process` profiles, like aws-cli's `_AWS_CLI_PROFILE_CHAIN`
 * (spec §12): a profile whose process runs aws-login for another profile, which runs a process for
 * a third, and so on, may nest at most {@link MAX_PROFILE_CHAIN} levels and never loop.
 *
 * A leaf module (no imports but the error families) so that the permission list can name the
 * variable without loading the credential code.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import { ConfigError } from "../errors.ts";

/** The environment variable carrying the profiles being resolved, outermost first. */
export const PROFILE_CHAIN_VARIABLE = "_AWS_LOGIN_PROFILE_CHAIN";

/** How deep credential processes may nest, as in aws-cli. */
export const MAX_PROFILE_CHAIN = 4;

/**
 * Checks and extends the chain of profiles being resolved.
 *
 * @example
 * ```ts ignore
 * profileChain(deps, "login"); // ["process", "login"] when _AWS_LOGIN_PROFILE_CHAIN=process
 * ```
 */
export function profileChain(deps: Pick<Deps, "env">, profile: string): string[] {
  const seen = (deps.env(PROFILE_CHAIN_VARIABLE) ?? "").split(",").map((p) => p.trim()).filter(
    Boolean,
  );
  if (seen.includes(profile)) {
    throw new ConfigError(
      `Credential process resolution detected an infinite loop, profile cycle: ${
        [...seen, profile].join(" -> ")
      }`,
      { code: "PROFILE_CYCLE" },
    );
  }
  if (seen.length >= MAX_PROFILE_CHAIN) {
    throw new ConfigError(
      `Maximum recursive credential process resolution reached (${MAX_PROFILE_CHAIN}). Profiles seen: ${
        seen.join(" -> ")
      }`,
      { code: "PROFILE_CHAIN_TOO_DEEP" },
    );
  }
  return [...seen, profile];
}
