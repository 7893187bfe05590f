/**
 * `aws-login configure credential-process`: writes the profile people otherwise write by hand for
 * tools that cannot read `login_session` (spec §12):
 *
 * ```ini
 * [profile process]
 * credential_process = /usr/local/bin/aws-login export-credentials --profile login --format process
 * region = eu-west-1
 * ```
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import type { ConfigureCredentialProcessCommand } from "../cli/args.ts";
import { ConfigError } from "../errors.ts";
import {
  loadSharedConfig,
  mergedProfileValues,
  profileValues,
  writeConfigEdit,
} from "../aws/shared_config.ts";
import { otherCredentialStyle } from "../aws/profiles.ts";
import { checkRegionName } from "../signin/regions.ts";
import { joinCommandLine } from "../platform/shell_words.ts";

/**
 * The `credential_process` value that runs this program for a profile.
 *
 * @example
 * ```ts
 * credentialProcessCommand(["/usr/local/bin/aws-login"], "login", "posix");
 * // "/usr/local/bin/aws-login export-credentials --profile login --format process"
 * ```
 */
export function credentialProcessCommand(
  self: readonly string[],
  sourceProfile: string,
  style: "posix" | "windows",
): string {
  return joinCommandLine(
    [...self, "export-credentials", "--profile", sourceProfile, "--format", "process"],
    style,
  );
}

/**
 * Writes (or updates) the bridge profile.
 *
 * @example
 * ```ts ignore
 * await configureCredentialProcess(deps, { name: "configure-credential-process", profile: "process", sourceProfile: "login", region: undefined });
 * ```
 */
export async function configureCredentialProcess(
  deps: Deps,
  command: ConfigureCredentialProcessCommand,
): Promise<void> {
  const shared = await loadSharedConfig(deps);
  const source = profileValues(shared, command.sourceProfile);
  if (!source.login_session) {
    deps.stderr.write(
      `warning: profile ${command.sourceProfile} has no login session yet; run "aws-login login --profile ${command.sourceProfile}" before using profile ${command.profile}\n`,
    );
  }
  const target = mergedProfileValues(shared, command.profile);
  const { credential_process: existingProcess, ...rest } = target;
  const style = otherCredentialStyle(rest) ?? (target.login_session ? "Login Session" : undefined);
  if (style !== undefined) {
    throw new ConfigError(
      `Profile '${command.profile}' is already configured with ${style} credentials`,
      {
        code: "PROFILE_HAS_CREDENTIALS",
        hint:
          "Choose another name with --profile, or remove those credentials from the profile first",
      },
    );
  }
  const settings: Record<string, string> = {
    credential_process: credentialProcessCommand(
      deps.selfCommand(),
      command.sourceProfile,
      deps.os === "windows" ? "windows" : "posix",
    ),
  };
  // An explicit --region always wins; otherwise the source's region fills a profile that has none.
  const region = command.region ?? source.region;
  if (region && (command.region !== undefined || !profileValues(shared, command.profile).region)) {
    const checked = checkRegionName(
      region,
      command.region === undefined ? `profile "${command.sourceProfile}"` : undefined,
    );
    if (checked.warning) deps.stderr.write(checked.warning);
    settings.region = checked.region;
  }
  await writeConfigEdit(deps, shared.configPath, { profile: command.profile, set: settings });
  deps.stderr.write(
    `${
      existingProcess ? "Updated" : "Wrote"
    } profile ${command.profile} in ${shared.configPath}:\n` +
      `  credential_process = ${settings.credential_process}\n` +
      (settings.region ? `  region = ${settings.region}\n` : "") +
      `Tools that cannot read login_session can now use "--profile ${command.profile}" (or AWS_PROFILE=${command.profile}).\n`,
  );
}
