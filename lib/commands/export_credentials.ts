/**
 * `aws-login export-credentials`: credentials of a profile on stdout, for `credential_process`, for
 * `eval` in a shell, or for scripts. Never opens a browser; the one thing it may ask, on a terminal
 * only, is the MFA code of a role profile with `mfa_serial`.
 *
 * The credentials come from {@link resolveProfileCredentials}: a login session (refreshed when
 * needed), a role profile (its roles assumed with STS and cached), and so that the command also
 * works on the profile `configure credential-process` writes, static keys as they are and a
 * `credential_process` run with a recursion guard like aws-cli's `_AWS_CLI_PROFILE_CHAIN`.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import type { ExportCredentialsCommand } from "../cli/args.ts";
import { UsageError } from "../errors.ts";
import { resolveProfileName } from "../aws/shared_config.ts";
import { resolveProfileCredentials } from "../aws/profile_credentials.ts";
import { formatCredentials } from "../aws/export_formats.ts";
import { mfaCodePrompter } from "../cli/mfa_prompt.ts";

/**
 * Prints the credentials of the profile in the asked format.
 *
 * @example
 * ```ts ignore
 * await exportCredentials(deps, { name: "export-credentials", profile: "dev", format: "process" });
 * ```
 */
export async function exportCredentials(
  deps: Deps,
  command: ExportCredentialsCommand,
): Promise<void> {
  const profile = resolveProfileName(deps, command.profile);
  // The one question it may ask: the MFA code of a role with mfa_serial, on a terminal.
  const credentials = await resolveProfileCredentials(deps, {
    profile,
    askMfaCode: mfaCodePrompter(deps),
  });
  let text: string;
  try {
    text = formatCredentials(credentials, command.format);
  } catch (error) {
    // Only credentials from the config or a credential_process can hold such characters.
    throw new UsageError(
      `Cannot print the credentials of profile ${profile} as ${command.format}: ${
        (error as Error).message
      }`,
      { code: "UNPRINTABLE_CREDENTIALS", hint: 'Choose another --format, such as "process"' },
    );
  }
  deps.stdout.write(text);
}
