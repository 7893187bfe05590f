/**
 * `aws-login export-credentials`: credentials of a profile on stdout, for `credential_process`, for
 * `eval` in a shell, or for scripts. Never prompts, never opens a browser.
 *
 * Login profiles are served by {@link sessionCredentials}. So that the command also works on the
 * profile `configure credential-process` writes, a profile with static keys is printed as it is,
 * and a profile with a `credential_process` is resolved by running it, with a recursion guard like
 * aws-cli's `_AWS_CLI_PROFILE_CHAIN`.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import type { ExportCredentialsCommand } from "../cli/args.ts";
import { ConfigError, LoginRequiredError, UsageError } from "../errors.ts";
import {
  loadSharedConfig,
  mergedProfileValues,
  profileValues,
  resolveProfileName,
  type SharedConfig,
} from "../aws/shared_config.ts";
import { listProfiles } from "../aws/profiles.ts";
import { sessionCredentials } from "../aws/session.ts";
import { type ExportableCredentials, formatCredentials } from "../aws/export_formats.ts";
import { parseExpiresAt } from "../aws/login_cache.ts";
import { splitCommandLine } from "../platform/shell_words.ts";
import { sanitizeOutsideText } from "../runtime/sanitize.ts";

/** The environment variable carrying the profiles being resolved, outermost first. */
export const PROFILE_CHAIN_VARIABLE = "_AWS_LOGIN_PROFILE_CHAIN";

/** How deep credential processes may nest, as in aws-cli. */
export const MAX_PROFILE_CHAIN = 4;

const PROCESS_FAILED = "Error when retrieving credentials from custom process";

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
  const chain = profileChain(deps, profile);
  const shared = await loadSharedConfig(deps);
  const credentials = await resolveCredentials(deps, shared, profile, chain);
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

async function resolveCredentials(
  deps: Deps,
  shared: SharedConfig,
  profile: string,
  chain: string[],
): Promise<ExportableCredentials> {
  const exists = listProfiles([...shared.config], [...shared.credentials]).includes(profile);
  if (!exists) {
    throw new ConfigError(`The config profile (${profile}) could not be found`, {
      code: "NO_PROFILE",
      hint: `Run "aws-login login --profile ${profile}" to create it`,
    });
  }
  const own = profileValues(shared, profile);
  const merged = mergedProfileValues(shared, profile);
  if (own.login_session) {
    const { credentials } = await sessionCredentials(deps, {
      profile,
      loginSession: own.login_session,
      profileValues: own,
    });
    return credentials;
  }
  if (merged.aws_access_key_id && merged.aws_secret_access_key) {
    return {
      accessKeyId: merged.aws_access_key_id,
      secretAccessKey: merged.aws_secret_access_key,
      sessionToken: merged.aws_session_token,
    };
  }
  if (merged.credential_process) {
    return await runCredentialProcess(deps, profile, merged.credential_process, chain);
  }
  throw new LoginRequiredError(`Profile ${profile} has no login session`, {
    code: "NO_LOGIN_SESSION",
    hint: `Run "aws-login login --profile ${profile}" to sign in`,
  });
}

async function runCredentialProcess(
  deps: Deps,
  profile: string,
  commandLine: string,
  chain: string[],
): Promise<ExportableCredentials> {
  let argv: string[];
  try {
    argv = splitCommandLine(commandLine, deps.os === "windows" ? "windows" : "posix");
  } catch (error) {
    throw new ConfigError(
      `Cannot parse credential_process of profile ${profile}: ${(error as Error).message}`,
      { code: "BAD_CREDENTIAL_PROCESS" },
    );
  }
  if (argv.length === 0) {
    throw new ConfigError(`The credential_process of profile ${profile} is empty`, {
      code: "BAD_CREDENTIAL_PROCESS",
    });
  }
  let result;
  try {
    result = await deps.spawn(argv, { env: { [PROFILE_CHAIN_VARIABLE]: chain.join(",") } });
  } catch (error) {
    throw new ConfigError(
      `Cannot run credential_process of profile ${profile} ("${argv[0]}"): ${
        (error as Error).message
      }`,
      { code: "BAD_CREDENTIAL_PROCESS", cause: error },
    );
  }
  if (result.code !== 0) {
    // Another program's words: one line, no escape sequences, bounded.
    const detail = sanitizeOutsideText(
      result.stderr.trim().split("\n").pop()?.replace(/^aws-login: /, "") ?? "",
    );
    // A nested aws-login already said where it failed: do not repeat the prefix at every level.
    throw new ConfigError(
      detail.startsWith(PROCESS_FAILED)
        ? detail
        : `${PROCESS_FAILED}: ${detail || `exit code ${result.code}`}`,
      { code: "CREDENTIAL_PROCESS_FAILED" },
    );
  }
  return parseProcessOutput(profile, result.stdout);
}

/**
 * Reads `credential_process` output (Version 1 JSON).
 *
 * @example
 * ```ts
 * parseProcessOutput("p", '{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S"}').accessKeyId; // "A"
 * ```
 */
export function parseProcessOutput(profile: string, stdout: string): ExportableCredentials {
  const invalid = (why: string) =>
    new ConfigError(`Invalid credential_process output for profile ${profile}: ${why}`, {
      code: "BAD_CREDENTIAL_PROCESS",
    });
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(stdout);
  } catch {
    throw invalid("it is not JSON");
  }
  if (value?.Version !== 1) throw invalid("Version is not 1");
  const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = value;
  if (typeof AccessKeyId !== "string" || typeof SecretAccessKey !== "string") {
    throw invalid("AccessKeyId or SecretAccessKey is missing");
  }
  const expiration = typeof Expiration === "string" ? parseExpiresAt(Expiration) : undefined;
  return {
    accessKeyId: AccessKeyId,
    secretAccessKey: SecretAccessKey,
    sessionToken: typeof SessionToken === "string" ? SessionToken : undefined,
    expiration,
  };
}
