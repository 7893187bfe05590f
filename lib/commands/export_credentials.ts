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
 * A run that only read and served a login session is remembered (`aws/export_memo.ts`): the next
 * call with the same command line answers from `lib/fast_export.ts` while nothing it read changed.
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
import { recording, saveMemo } from "../aws/export_memo_writer.ts";

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
  args?: readonly string[],
): Promise<void> {
  // What this run reads is written down, so that the next call with the same command line can tell
  // that nothing changed and answer without the program (lib/fast_export.ts).
  const run = recording(deps);
  const profile = resolveProfileName(run.deps, command.profile);
  // The one question it may ask: the MFA code of a role with mfa_serial, on a terminal.
  const credentials = await resolveProfileCredentials(run.deps, {
    profile,
    askMfaCode: mfaCodePrompter(run.deps),
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
  const observations = run.observations();
  if (
    args !== undefined && observations !== undefined && credentials.source === "login-session" &&
    credentials.cacheFile !== undefined
  ) {
    await saveMemo(deps, {
      args,
      observations,
      sessionPath: credentials.cacheFile,
      format: command.format,
    });
  }
}
