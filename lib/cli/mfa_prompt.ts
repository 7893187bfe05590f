/**
 * The MFA prompt a command hands to the credential resolver: a small module, so that a command
 * that never asks (nearly every `export-credentials`) loads only this; the prompt itself,
 * `secret_prompt.ts`, is loaded when a code is asked for.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import { canPrompt } from "./prompt.ts";

/**
 * Asks for the MFA code of a device on the terminal, or `undefined` when stdin and stderr are not
 * both a terminal (then nobody can be asked, and a role with `mfa_serial` is refused).
 *
 * @example
 * ```ts ignore
 * await resolveProfileCredentials(deps, { profile, askMfaCode: mfaCodePrompter(deps) });
 * ```
 */
export function mfaCodePrompter(
  deps: Pick<Deps, "stdin" | "stderr">,
): ((serial: string) => Promise<string>) | undefined {
  if (!canPrompt(deps)) return undefined;
  return async (serial) => {
    const { askMfaCode } = await import("./secret_prompt.ts");
    return await askMfaCode(deps, serial);
  };
}
