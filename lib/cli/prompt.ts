/**
 * Questions on the terminal: the question goes to stderr, the answer comes from stdin.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";

/**
 * Whether the user can be asked something: stdin and stderr are both a terminal.
 *
 * @example
 * ```ts ignore
 * if (canPrompt(deps)) await ask(deps, "Region: ");
 * ```
 */
export function canPrompt(deps: Pick<Deps, "stdin" | "stderr">): boolean {
  return deps.stdin.isTerminal && deps.stderr.isTerminal;
}

/**
 * Writes the question to stderr and reads one line; `null` at end of input.
 *
 * @example
 * ```ts ignore
 * const answer = await ask(deps, "AWS Region [us-east-1]: ");
 * ```
 */
export async function ask(
  deps: Pick<Deps, "stdin" | "stderr">,
  question: string,
): Promise<string | null> {
  deps.stderr.write(question);
  return await deps.stdin.readLine();
}

/**
 * Asks a yes/no question until the answer is y, yes, n or no (any case). End of input is "no".
 *
 * @example
 * ```ts ignore
 * if (await confirm(deps, "Overwrite? (y/n): ")) { ... }
 * ```
 */
export async function confirm(
  deps: Pick<Deps, "stdin" | "stderr">,
  question: string,
): Promise<boolean> {
  while (true) {
    const answer = await ask(deps, question);
    if (answer === null) return false;
    const value = answer.trim().toLowerCase();
    if (value === "y" || value === "yes") return true;
    if (value === "n" || value === "no") return false;
    deps.stderr.write('Invalid response. Please enter "y" or "n"\n');
  }
}
