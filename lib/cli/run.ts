/**
 * `run(args, deps)`: the whole program as a function returning an exit code.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import { AwsLoginError, ExitCode } from "../errors.ts";
import { type Command, parseCommandLine } from "./args.ts";
import { helpText, helpTopics, isHelpTopic } from "./help.ts";
import { closestNames, didYouMean } from "./suggest.ts";
import { completions } from "../commands/completions.ts";
import { VERSION } from "../version.ts";
import { login } from "../commands/login.ts";
import { logout } from "../commands/logout.ts";
import { exportCredentials } from "../commands/export_credentials.ts";
import { status } from "../commands/status.ts";
import { configureCredentialProcess } from "../commands/configure_credential_process.ts";

/**
 * Formats an error for stderr. With `oneLine`, the hint joins the message on the same line, for
 * callers such as `credential_process` that show only the first line.
 *
 * @example
 * ```ts
 * import { UsageError } from "../errors.ts";
 * formatError(new UsageError("Unknown command \"x\"", { hint: "Run aws-login --help" }));
 * // 'aws-login: Unknown command "x"\nRun aws-login --help\n'
 * ```
 */
export function formatError(error: AwsLoginError, options: { oneLine?: boolean } = {}): string {
  if (error.hint === undefined) return `aws-login: ${error.message}\n`;
  return options.oneLine
    ? `aws-login: ${error.message}. ${error.hint}\n`
    : `aws-login: ${error.message}\n${error.hint}\n`;
}

async function dispatch(deps: Deps, command: Command): Promise<number> {
  switch (command.name) {
    case "help":
      if (command.topic !== undefined && !isHelpTopic(command.topic)) {
        const suggestion = didYouMean(
          closestNames(command.topic, helpTopics(), { prefixes: true }),
        );
        deps.stderr.write(
          `aws-login: There is no help topic "${command.topic}"${
            suggestion === undefined ? "" : `: ${suggestion}`
          }\n\n`,
        );
        deps.stderr.write(helpText());
        return ExitCode.Usage;
      }
      deps.stdout.write(helpText(command.topic));
      return ExitCode.Ok;
    case "version":
      deps.stdout.write(`aws-login ${VERSION}\n`);
      return ExitCode.Ok;
    case "login":
      await login(deps, command);
      return ExitCode.Ok;
    case "logout":
      await logout(deps, command);
      return ExitCode.Ok;
    case "export-credentials":
      await exportCredentials(deps, command);
      return ExitCode.Ok;
    case "status":
      return await status(deps, command);
    case "doctor": {
      // Loaded only for doctor: its checks and detection are no part of the credential path.
      const { doctor } = await import("../commands/doctor.ts");
      return await doctor(deps, command);
    }
    case "configure-credential-process":
      await configureCredentialProcess(deps, command);
      return ExitCode.Ok;
    case "completions":
      await completions(deps, command);
      return ExitCode.Ok;
  }
}

/**
 * Runs the program. Never throws and never exits the process: returns the exit code.
 *
 * @example
 * ```ts ignore
 * const code = await run(["login", "--profile", "dev"], realDeps());
 * ```
 */
export async function run(args: readonly string[], deps: Deps): Promise<number> {
  let command: Command | undefined;
  try {
    command = parseCommandLine(args);
    return await dispatch(deps, command);
  } catch (error) {
    if (error instanceof AwsLoginError) {
      deps.stderr.write(formatError(error, { oneLine: command?.name === "export-credentials" }));
      return error.exitCode;
    }
    if (error instanceof DOMException && error.name === "AbortError") {
      deps.stderr.write("aws-login: Interrupted\n");
      return ExitCode.Interrupted;
    }
    const detail = error instanceof Error ? error.stack ?? error.message : String(error);
    deps.stderr.write(
      `aws-login: Internal error: ${detail}\nThis is a bug in aws-login ${VERSION}; please report it with the command you ran.\n`,
    );
    return ExitCode.Internal;
  }
}
