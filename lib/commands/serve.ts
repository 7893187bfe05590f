/**
 * `aws-login serve [--profile P] [--port N] [--address ADDR] [--token-file F]`: the credential
 * endpoint of `exec`, on its own, for containers, devcontainers, IDEs and other processes, until
 * SIGINT or SIGTERM.
 *
 * stdout gets exactly two lines, as soon as it listens (scripts read them):
 * `AWS_CONTAINER_CREDENTIALS_FULL_URI=<uri>` and `AWS_CONTAINER_AUTHORIZATION_TOKEN=<token>`.
 * Everything else goes to stderr: what is served where, how a container reaches it, a warning for
 * an address other than loopback, a failure to get credentials (once), and the stop.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import type { ServeCommand } from "../cli/args.ts";
import { ConfigError, FileSystemError, UsageError } from "../errors.ts";
import { resolveProfileName } from "../aws/shared_config.ts";
import { openProfileCache } from "../aws/credential_cache.ts";
import {
  ENDPOINT_PATH,
  newToken,
  startCredentialEndpoint,
  tokenProblem,
} from "../aws/container_endpoint.ts";
import { EXEC_MARKER_VARIABLE } from "../aws/child_environment.ts";
import { quoteWord } from "../platform/shell_words.ts";
import { isLoopbackHost } from "../signin/endpoints.ts";
import { mfaCodePrompter } from "../cli/mfa_prompt.ts";

/**
 * Reads the token of `--token-file`: the file must be readable by its owner only (mode 0600 or
 * stricter) and hold one token of at least 22 visible characters; surrounding whitespace (a final
 * newline) is ignored.
 *
 * @example
 * ```ts ignore
 * const token = await readTokenFile(deps, "/home/me/.aws-login-token");
 * ```
 */
export async function readTokenFile(deps: Pick<Deps, "fs">, path: string): Promise<string> {
  const info = await deps.fs.stat(path);
  if (info === null || !info.isFile) {
    throw new FileSystemError(
      `Cannot read token file "${path}": ${info ? "not a file" : "missing"}`,
      {
        code: "TOKEN_FILE_MISSING",
        hint:
          "Create it with a random token, readable by you only: (umask 077; openssl rand -hex 32 > FILE)",
      },
    );
  }
  if (info.mode !== null && (info.mode & 0o077) !== 0) {
    throw new ConfigError(
      `Token file "${path}" can be read by other users (mode ${
        (info.mode & 0o777).toString(8)
      }): it must be mode 600`,
      { code: "TOKEN_FILE_MODE", hint: `Run: chmod 600 ${quoteWord(path)}` },
    );
  }
  let text: string;
  try {
    text = await deps.fs.readTextFile(path);
  } catch (error) {
    throw new FileSystemError(`Cannot read token file "${path}": ${(error as Error).message}`, {
      code: "TOKEN_FILE_UNREADABLE",
      cause: error,
    });
  }
  const token = text.trim();
  const why = tokenProblem(token);
  if (why !== undefined) {
    throw new ConfigError(`Token file "${path}" does not hold a usable token: ${why}`, {
      code: "TOKEN_FILE_INVALID",
    });
  }
  return token;
}

/** What the stderr hints need. */
export interface ServeHintsInput {
  readonly profile: string;
  readonly uri: string;
  readonly address: string;
  readonly port: number;
  /** The token when it may be shown (stdout and stderr are a terminal), else `undefined`. */
  readonly visibleToken: string | undefined;
  readonly tokenFile: string | undefined;
}

/**
 * The human lines on stderr: what is served, a `docker run` line to paste, and for an address
 * other than loopback a warning and how a container can still use it. Pure.
 *
 * @example
 * ```ts ignore
 * serveHints({ profile: "dev", uri, address: "127.0.0.1", port: 9911, visibleToken: undefined, tokenFile: undefined });
 * ```
 */
export function serveHints(input: ServeHintsInput): string {
  const token = input.tokenFile !== undefined
    ? `"$(cat ${quoteWord(input.tokenFile)})"`
    : input.visibleToken ?? '"$AWS_CONTAINER_AUTHORIZATION_TOKEN"';
  const lines = [
    `aws-login: serving the credentials of profile ${input.profile} at ${input.uri}`,
    "Programs on this machine: set the two variables printed on stdout.",
  ];
  if (isLoopbackHost(input.address)) {
    lines.push(
      "A container sharing this machine's network (Linux; Docker Desktop with host networking):",
      `  docker run --network host -e AWS_CONTAINER_CREDENTIALS_FULL_URI=${input.uri} -e AWS_CONTAINER_AUTHORIZATION_TOKEN=${token} IMAGE`,
    );
  } else {
    const port = input.port;
    lines.unshift(
      `warning: listening on ${input.address}, which other machines may reach: anyone who can get the token can get the credentials`,
    );
    lines.push(
      "AWS SDKs accept plain http only from a loopback address: in a container on a bridge network, relay",
      `one to this endpoint, e.g. socat TCP-LISTEN:${port},bind=127.0.0.1,fork TCP:host.docker.internal:${port},`,
      `and use AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:${port}${ENDPOINT_PATH} there.`,
    );
  }
  lines.push("Stop with Ctrl-C.");
  return lines.join("\n") + "\n";
}

/**
 * Serves until SIGINT or SIGTERM; resolves to the exit code (0).
 *
 * @example
 * ```ts ignore
 * await serve(deps, { name: "serve", profile: "dev", port: 0, address: "127.0.0.1", tokenFile: undefined });
 * ```
 */
export async function serve(deps: Deps, command: ServeCommand): Promise<number> {
  const outer = deps.env(EXEC_MARKER_VARIABLE);
  if (outer !== undefined && outer !== "") {
    throw new UsageError(
      `aws-login serve cannot run inside "aws-login exec" for profile ${outer}`,
      {
        code: "NESTED_EXEC",
        hint: "Run it outside that command",
      },
    );
  }
  const profile = resolveProfileName(deps, command.profile);
  const token = command.tokenFile === undefined
    ? newToken(deps)
    : await readTokenFile(deps, command.tokenFile);
  // An MFA code may be asked for once, at the start; later refreshes cannot ask.
  const cache = await openProfileCache(deps, profile, mfaCodePrompter(deps));

  // Listen for the stop first: a signal that arrives while binding must not kill the process.
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => stop = resolve);
  const removers = [deps.onSignal("SIGINT", () => stop()), deps.onSignal("SIGTERM", () => stop())];
  try {
    await using endpoint = await startCredentialEndpoint(deps, {
      address: command.address,
      port: command.port,
      token,
      credentials: () => cache.get(),
    });
    deps.stdout.write(
      `AWS_CONTAINER_CREDENTIALS_FULL_URI=${endpoint.uri}\nAWS_CONTAINER_AUTHORIZATION_TOKEN=${endpoint.token}\n`,
    );
    const showToken = deps.stdout.isTerminal && deps.stderr.isTerminal;
    deps.stderr.write(serveHints({
      profile,
      uri: endpoint.uri,
      address: endpoint.address,
      port: endpoint.port,
      visibleToken: showToken ? endpoint.token : undefined,
      tokenFile: command.tokenFile,
    }));
    await stopped;
    deps.stderr.write("aws-login: stopped\n");
  } finally {
    for (const remove of removers) remove();
  }
  return 0;
}
