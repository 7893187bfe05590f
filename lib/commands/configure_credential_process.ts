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
import { ConfigError, UsageError } from "../errors.ts";
import {
  loadSharedConfig,
  mergedProfileValues,
  profileValues,
  type SharedConfig,
  writeConfigEdit,
} from "../aws/shared_config.ts";
import { otherCredentialStyle } from "../aws/profiles.ts";
import { isRoleProfile, roleChain } from "../aws/role_chain.ts";
import { checkRegionName } from "../signin/regions.ts";
import { joinCommandLine } from "../platform/shell_words.ts";
import { VERSION } from "../version.ts";

/** How long `aws-login --version` of the program on PATH may take to answer. */
export const VERSION_PROBE_TIMEOUT_MS = 5000;

/** The from-source install that puts an `aws-login` on PATH, for the note. */
export const INSTALL_FROM_SOURCE = "deno install -g -A -n aws-login --config deno.json ./main.ts";

/** What was found about the `aws-login` on PATH. */
export interface PathProgram {
  readonly path: string;
  /** What `--version` printed, `undefined` when it failed or did not answer in time. */
  readonly version: string | undefined;
}

/** The program a bridge line runs, and why, when it is not the short one. */
export interface BridgeProgram {
  readonly argv: readonly string[];
  /** A line for stderr when the long `deno run` line was written. */
  readonly note: string | undefined;
}

/**
 * Which program the bridge line runs (pure). A compiled binary is itself. Under `deno run`, the
 * `aws-login` on PATH when it is this same program (it reports the same version): its path is
 * short and keeps working when Deno is upgraded or the checkout moves. Otherwise the whole
 * `deno run` command line, with a note saying why.
 *
 * @example
 * ```ts
 * chooseBridgeProgram(["/usr/local/bin/aws-login"], undefined, "0.1.0").argv; // ["/usr/local/bin/aws-login"]
 * chooseBridgeProgram(["deno", "run", "main.ts"], { path: "/home/me/.deno/bin/aws-login", version: "0.1.0" }, "0.1.0").argv;
 * // ["/home/me/.deno/bin/aws-login"]
 * ```
 */
export function chooseBridgeProgram(
  self: readonly string[],
  onPath: PathProgram | undefined,
  version: string,
): BridgeProgram {
  if (self.length <= 1) return { argv: self, note: undefined };
  if (onPath !== undefined && onPath.version === version) {
    return { argv: [onPath.path], note: undefined };
  }
  const why = onPath === undefined
    ? "there is no aws-login on PATH"
    : onPath.version === undefined
    ? `"${onPath.path} --version" did not answer`
    : `the aws-login on PATH ("${onPath.path}") is version ${onPath.version}, not ${version}`;
  return {
    argv: self,
    note: `note: ${why}, so the line runs this checkout with deno; it stops working when Deno ` +
      `is upgraded or the checkout moves. For a short line, install this version ` +
      `(${INSTALL_FROM_SOURCE}) and run this command again\n`,
  };
}

/**
 * A line shortened for display when it is longer than `max`: its first and last characters,
 * about 100 in all, with how long it is.
 *
 * @example
 * ```ts
 * shortenForDisplay("/usr/local/bin/aws-login export-credentials"); // unchanged: it is short
 * shortenForDisplay("x".repeat(1300)).endsWith("xxx (1,300 characters)"); // true
 * ```
 */
export function shortenForDisplay(line: string, max = 160): string {
  if (line.length <= max) return line;
  const head = 40;
  const tail = 55;
  return `${line.slice(0, head)} ... ${line.slice(-tail)} (${
    line.length.toLocaleString("en-US")
  } characters)`;
}

/**
 * The profile at the end of a role profile's chain, when it is a login profile (or one that may
 * become one: a profile with no credentials yet); `undefined` when the chain ends in static keys
 * or a `credential_process`. A chain that cannot work (a cycle, a missing profile, ...) is
 * refused here with its {@link ConfigError}, before anything is written.
 */
function roleLoginProfile(
  shared: SharedConfig,
  profile: string,
): { profile: string; values: Readonly<Record<string, string>> } | undefined {
  const { base } = roleChain(shared, profile, (name) => name);
  const own = profileValues(shared, base);
  const merged = mergedProfileValues(shared, base);
  const hasOther = (merged.aws_access_key_id && merged.aws_secret_access_key) ||
    merged.credential_process;
  return own.login_session || !hasOther ? { profile: base, values: own } : undefined;
}

/** Finds the `aws-login` on PATH and asks its version (thin I/O around {@link chooseBridgeProgram}). */
async function bridgeProgram(deps: Deps): Promise<BridgeProgram> {
  const self = deps.selfCommand();
  if (self.length <= 1) return chooseBridgeProgram(self, undefined, VERSION);
  const path = await deps.which("aws-login");
  if (path === null) return chooseBridgeProgram(self, undefined, VERSION);
  let version: string | undefined;
  try {
    const result = await deps.spawn([path, "--version"], { timeoutMs: VERSION_PROBE_TIMEOUT_MS });
    if (result.code === 0 && !result.timedOut) {
      version = /^aws-login (\S+)\s*$/.exec(result.stdout)?.[1];
    }
  } catch {
    // it cannot be started: not usable
  }
  return chooseBridgeProgram(self, { path, version }, VERSION);
}

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
  const words = [...self, "export-credentials", "--profile", sourceProfile, "--format", "process"];
  if (style === "windows") {
    // The JS SDK runs the line through cmd.exe, which expands %VAR% and !VAR! even inside quotes
    // and leaves its quoted state at a \" escape: such names cannot be written safely.
    const unsafe = words.find((word) => /["%!^]/.test(word));
    if (unsafe !== undefined) {
      throw new UsageError(
        `Cannot write a credential_process line for cmd.exe with "${unsafe}": it holds one of " % ! ^`,
        { code: "UNSAFE_FOR_CMD", hint: "Choose a profile name without those characters" },
      );
    }
  }
  return joinCommandLine(words, style);
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
  // A role profile is a source too: its chain must be sound, and end in a login session.
  const login = isRoleProfile(mergedProfileValues(shared, command.sourceProfile))
    ? roleLoginProfile(shared, command.sourceProfile)
    : { profile: command.sourceProfile, values: source };
  if (login !== undefined && !login.values.login_session) {
    deps.stderr.write(
      `warning: profile ${login.profile} has no login session yet; run "aws-login login --profile ${login.profile}" before using profile ${command.profile}\n`,
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
  const program = await bridgeProgram(deps);
  const line = credentialProcessCommand(
    program.argv,
    command.sourceProfile,
    deps.os === "windows" ? "windows" : "posix",
  );
  const settings: Record<string, string> = { credential_process: line };
  // An explicit --region always wins; otherwise the source's region (a role's, else that of the
  // login profile at the end of its chain) fills a profile that has none.
  const region = command.region ?? (source.region || login?.values.region);
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
      `  credential_process = ${shortenForDisplay(line)}\n` +
      (settings.region ? `  region = ${settings.region}\n` : "") +
      (program.note ?? "") +
      `Tools that cannot read login_session can now use "--profile ${command.profile}" (or AWS_PROFILE=${command.profile}).\n`,
  );
}
