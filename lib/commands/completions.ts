/**
 * `aws-login completions SHELL`: prints the completion script; `aws-login completions --profiles`
 * prints the profile names the scripts offer, one a line.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import type { CompletionsCommand } from "../cli/args.ts";
import { completionScript } from "../cli/completions.ts";
import { loadSharedConfig } from "../aws/shared_config.ts";

/**
 * Writes the script, or the profile names of the config and credentials files, to stdout. A
 * config file that cannot be read gives no names rather than an error: Tab must stay quiet.
 *
 * @example
 * ```ts ignore
 * await completions(deps, { name: "completions", shell: "bash", profiles: false });
 * ```
 */
export async function completions(deps: Deps, command: CompletionsCommand): Promise<void> {
  if (command.shell !== undefined) {
    deps.stdout.write(completionScript(command.shell));
    return;
  }
  let names: string[] = [];
  try {
    const shared = await loadSharedConfig(deps);
    names = shared.profiles.profiles();
  } catch {
    // nothing to offer
  }
  deps.stdout.write(names.map((name) => `${name}\n`).join(""));
}
