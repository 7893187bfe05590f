/**
 * `run(args, deps)`: the whole program as a function returning an exit code.
 *
 * @module
 */

import type { Deps } from "./runtime/deps.ts";
import { AwsLoginError, ExitCode } from "./errors.ts";
import { type Command, parseCommandLine } from "./cli/args.ts";
import { closestNames, didYouMean } from "./runtime/suggest.ts";
import { VERSION } from "./version.ts";

/**
 * Formats an error for stderr. With `oneLine`, the hint joins the message on the same line, for
 * callers such as `credential_process` that show only the first line.
 *
 * @example
 * ```ts
 * import { UsageError } from "./errors.ts";
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

/**
 * Runs a command. Each command's module is loaded with a literal `import()` when it runs, so that a
 * command loads only what it uses (`export-credentials`, run at every AWS call of a
 * `credential_process` user, does not load the browser or sign-in code) and `deno compile` still
 * embeds every module.
 */
async function dispatch(deps: Deps, command: Command, args: readonly string[]): Promise<number> {
  switch (command.name) {
    case "help": {
      const { helpText, helpTopics, isHelpTopic } = await import("./cli/help.ts");
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
    }
    case "version":
      deps.stdout.write(`aws-login ${VERSION}\n`);
      return ExitCode.Ok;
    case "login": {
      const { login } = await import("./commands/login.ts");
      await login(deps, command);
      return ExitCode.Ok;
    }
    case "logout": {
      const { logout } = await import("./commands/logout.ts");
      await logout(deps, command);
      return ExitCode.Ok;
    }
    case "export-credentials": {
      const { exportCredentials } = await import("./commands/export_credentials.ts");
      await exportCredentials(deps, command, args);
      return ExitCode.Ok;
    }
    case "status": {
      const { status } = await import("./commands/status.ts");
      return await status(deps, command);
    }
    case "doctor": {
      // Loaded only for doctor: its checks and detection are no part of the credential path.
      const { doctor } = await import("./commands/doctor.ts");
      return await doctor(deps, command);
    }
    case "configure-credential-process": {
      const { configureCredentialProcess } = await import(
        "./commands/configure_credential_process.ts"
      );
      await configureCredentialProcess(deps, command);
      return ExitCode.Ok;
    }
    case "completions": {
      const { completions } = await import("./commands/completions.ts");
      await completions(deps, command);
      return ExitCode.Ok;
    }
    case "exec": {
      const { exec } = await import("./commands/exec.ts");
      return await exec(deps, command);
    }
    case "serve": {
      const { serve } = await import("./commands/serve.ts");
      return await serve(deps, command);
    }
  }
}

/** Commands whose errors take one line: a caller may show only that, or mix it with its output. */
const ONE_LINE_ERRORS: ReadonlySet<string> = new Set(["export-credentials", "exec", "serve"]);

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
    return await dispatch(deps, command, args);
  } catch (error) {
    if (error instanceof AwsLoginError) {
      const name = command?.name ?? args[0] ?? "";
      deps.stderr.write(formatError(error, { oneLine: ONE_LINE_ERRORS.has(name) }));
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
