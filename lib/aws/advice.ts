/**
 * The commands aws-login suggests when something keeps a tool from using a login session: the
 * one place where those suggestions are built, so that every message (the warning after `login`,
 * the fixes of `doctor`) offers the same way out.
 *
 * Two ways out are offered: a profile the tool can read (the `credential_process` bridge), and
 * `aws-login exec`, which runs the tool with this profile's credentials and nothing that shadows
 * them.
 *
 * @module
 */

import type { OsName } from "../runtime/deps.ts";
import { quoteWord } from "../platform/shell_words.ts";

/**
 * The `configure credential-process` command that gives a tool which cannot read `login_session`
 * a profile it can read: `<profile>-process`, whose `credential_process` serves `profile`'s
 * session.
 *
 * @example
 * ```ts
 * bridgeCommand("dev");
 * // "aws-login configure credential-process --profile dev-process --source-profile dev"
 * ```
 */
export function bridgeCommand(profile: string): string {
  const name = quoteWord(`${profile}-process`);
  return `aws-login configure credential-process --profile ${name} --source-profile ${
    quoteWord(profile)
  }`;
}

/**
 * What to do for a tool that cannot read `login_session`: the bridge profile, and how to use it.
 *
 * @example
 * ```ts
 * bridgeAdvice("dev");
 * // 'run "aws-login configure credential-process --profile dev-process --source-profile dev", then use profile dev-process, or run the tool with "aws-login exec --profile dev -- ..."'
 * ```
 */
export function bridgeAdvice(profile: string): string {
  return `run "${
    bridgeCommand(profile)
  }", then use profile ${profile}-process, or run the tool with "${execCommand(profile)}"`;
}

/**
 * The `exec` command line that runs a tool with a profile's credentials, the tool left as `...`.
 *
 * @example
 * ```ts
 * execCommand("dev"); // "aws-login exec --profile dev -- ..."
 * ```
 */
export function execCommand(profile: string): string {
  return `aws-login exec --profile ${quoteWord(profile)} -- ...`;
}

/**
 * What to do about credential variables that shadow the login session: unset them (in the
 * shell's syntax), or name the profile explicitly.
 *
 * @example
 * ```ts
 * environmentAdvice(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"], "dev", "linux");
 * // 'unset them ("unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY"), give tools the profile explicitly (--profile dev), or run them with "aws-login exec --profile dev -- ..."'
 * ```
 */
export function environmentAdvice(
  variables: readonly string[],
  profile: string,
  os: OsName,
): string {
  const unset = os === "windows"
    ? `Remove-Item ${variables.map((name) => `Env:${name}`).join(", ")}`
    : `unset ${variables.join(" ")}`;
  return `unset them ("${unset}"), give tools the profile explicitly (--profile ${
    quoteWord(profile)
  }), or run them with "${execCommand(profile)}"`;
}
