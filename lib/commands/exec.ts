/**
 * `aws-login exec [--profile P] [--no-server] -- COMMAND [ARGS...]`: runs a command with the
 * profile's credentials, kept fresh for as long as it runs.
 *
 * By default the child gets a credential endpoint on 127.0.0.1 (random port, random token), served
 * from this process through the same cache and locked refresh as `serve`; `--no-server` gives it
 * environment credentials instead. What the child sees and why is in `child_environment.ts`.
 *
 * The child owns the terminal: stdin, stdout and stderr are its own, aws-login prints only a
 * failure to get credentials (once) and the `--no-server` note, on stderr. aws-login exits with the
 * child's exit code, 128+N when signal N ended it. SIGTERM and SIGHUP are passed on; SIGINT is
 * passed on too, except when stdin is a terminal: then the terminal has sent Ctrl-C to the child
 * already (they share the foreground process group), and a second one would make a tool such as
 * Terraform stop at once instead of cleanly.
 *
 * An `exec` inside an `exec` child for the same profile runs the command as it is (it has the
 * credentials already); for another profile it is refused, since the child's config holds only its
 * own profile.
 *
 * @module
 */

import type { ChildProcess, Deps, ForwardedSignal, StartChildOptions } from "../runtime/deps.ts";
import type { ExecCommand } from "../cli/args.ts";
import { ChildStartError, CommandStartError, UsageError } from "../errors.ts";
import { loadSharedConfig, mergedProfileValues, resolveProfileName } from "../aws/shared_config.ts";
import {
  type CredentialSourceKind,
  resolveProfileCredentials,
} from "../aws/profile_credentials.ts";
import { openProfileCache } from "../aws/credential_cache.ts";
import { newToken, startCredentialEndpoint } from "../aws/container_endpoint.ts";
import {
  childConfigText,
  type ChildCredentials,
  childEnvironment,
  EXEC_MARKER_VARIABLE,
} from "../aws/child_environment.ts";
import { joinPath } from "../runtime/paths.ts";
import { mfaCodePrompter } from "../cli/mfa_prompt.ts";

/** The signals passed on to the child. */
export const FORWARDED_SIGNALS: readonly ForwardedSignal[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** Mode of the child's config and credentials files (in a 0700 directory). */
const CHILD_FILE_MODE = 0o600;

/**
 * Whether a signal aws-login received goes on to the child: always, except SIGINT while stdin is
 * a terminal, which the terminal has delivered to the child itself.
 *
 * @example
 * ```ts
 * shouldForward("SIGTERM", { stdinIsTerminal: true }); // true
 * shouldForward("SIGINT", { stdinIsTerminal: true }); // false
 * ```
 */
export function shouldForward(
  signal: ForwardedSignal,
  context: { readonly stdinIsTerminal: boolean },
): boolean {
  return signal !== "SIGINT" || !context.stdinIsTerminal;
}

/**
 * Inside an `exec` child: `true` when it serves this profile already (the environment has its
 * credentials), a {@link UsageError} for another profile (its config holds only its own).
 */
function insideExec(deps: Pick<Deps, "env">, profile: string): boolean {
  const outer = deps.env(EXEC_MARKER_VARIABLE);
  if (outer === undefined || outer === "") return false;
  if (profile === outer) return true;
  throw new UsageError(
    `aws-login exec cannot run inside "aws-login exec" for profile ${outer}: this environment has the credentials of ${outer} only`,
    {
      code: "NESTED_EXEC",
      hint: `Run it outside that command, or use profile ${outer} (what this environment has)`,
    },
  );
}

/**
 * Runs the command; resolves to its exit code.
 *
 * @example
 * ```ts ignore
 * const code = await exec(deps, { name: "exec", profile: "dev", server: true, argv: ["terraform", "apply"] });
 * ```
 */
export async function exec(deps: Deps, command: ExecCommand): Promise<number> {
  const profile = resolveProfileName(deps, command.profile);
  if (insideExec(deps, profile)) return await runChild(deps, command.argv, {});
  const shared = await loadSharedConfig(deps);
  // An MFA code may be asked for once, before the command owns the terminal.
  const askMfaCode = mfaCodePrompter(deps);
  const cache = command.server ? await openProfileCache(deps, profile, askMfaCode) : undefined;
  const direct = cache === undefined
    ? await resolveProfileCredentials(deps, { profile, shared, askMfaCode })
    : undefined;

  const endpoint = cache === undefined ? undefined : await startCredentialEndpoint(deps, {
    address: "127.0.0.1",
    port: 0,
    token: newToken(deps),
    credentials: () => cache.get(),
  });
  try {
    const credentials: ChildCredentials = endpoint !== undefined
      ? { kind: "endpoint", uri: endpoint.uri, token: endpoint.token }
      : { kind: "environment", ...direct! };
    const directory = await deps.fs.makeTempDir({ prefix: "aws-login-exec-" });
    try {
      const configFile = joinPath(directory, "config");
      const credentialsFile = joinPath(directory, "credentials");
      const config = childConfigText(shared, profile, credentials.kind);
      await deps.fs.writeFileAtomic(configFile, config, { mode: CHILD_FILE_MODE });
      await deps.fs.writeFileAtomic(credentialsFile, "", { mode: CHILD_FILE_MODE });
      const { env, unset } = childEnvironment({
        profile,
        configFile,
        credentialsFile,
        region: mergedProfileValues(shared, profile).region?.trim() || undefined,
        callerHasRegion: Boolean(deps.env("AWS_REGION") || deps.env("AWS_DEFAULT_REGION")),
        credentials,
      });
      if (direct?.expiration !== undefined) {
        deps.stderr.write(noServerNote(deps, direct.expiration, direct.source));
      }
      return await runChild(deps, command.argv, { env, unsetEnv: unset });
    } finally {
      await deps.fs.removeTree(directory);
    }
  } finally {
    await endpoint?.close();
  }
}

function noServerNote(
  deps: Pick<Deps, "now">,
  expiration: Date,
  source: CredentialSourceKind,
): string {
  const minutes = Math.max(0, Math.floor((expiration.getTime() - deps.now().getTime()) / 60_000));
  const why = source === "login-session" ? " (login credentials last at most 15 minutes)" : "";
  return `aws-login: note: with --no-server the credentials are not refreshed: they expire in ${minutes} minute${
    minutes === 1 ? "" : "s"
  }${why}\n`;
}

/**
 * Starts the child with the signal handlers in place (so that no signal can end aws-login before
 * the child does), passes signals on, and resolves to the child's exit code.
 */
async function runChild(
  deps: Deps,
  argv: readonly string[],
  options: StartChildOptions,
): Promise<number> {
  let child: ChildProcess | undefined;
  const early: ForwardedSignal[] = [];
  const removers = FORWARDED_SIGNALS.map((signal) =>
    deps.onSignal(signal, () => {
      if (!shouldForward(signal, { stdinIsTerminal: deps.stdin.isTerminal })) return;
      if (child === undefined) early.push(signal);
      else child.kill(signal);
    })
  );
  try {
    try {
      child = deps.startChild(argv, options);
    } catch (error) {
      if (!(error instanceof ChildStartError)) throw error;
      const notFound = error.reason === "not-found";
      throw new CommandStartError(
        `Cannot run "${argv[0]}": ${notFound ? "command not found" : error.message}`,
        { notFound, cause: error },
      );
    }
    for (const signal of early) child.kill(signal);
    return (await child.exited).code;
  } finally {
    for (const remove of removers) remove();
  }
}
