/**
 * Error families and their exit codes.
 *
 * A user's mistake ({@link UsageError}) is a different family from a failure of the world (network,
 * service, file system) and from a bug. `run()` turns each family into its documented exit code;
 * anything that is not an {@link AwsLoginError} is a bug and exits with {@link ExitCode.Internal}.
 *
 * @module
 */

/** Documented exit codes. Keep README.md in step. */
export const ExitCode = {
  Ok: 0,
  /** An unexpected failure: a bug. */
  Internal: 1,
  /** Bad flags, bad input. */
  Usage: 2,
  /** The AWS config, credentials or cache files rule the request out (profile refused, no region...). */
  Config: 3,
  /** The browser sign-in did not complete: denied, state mismatch, timed out, cancelled. */
  Authorization: 4,
  /** AWS Sign-In or STS answered with an error (access to a role denied, for one). */
  Service: 5,
  /** There is no usable session: sign in again (or an MFA code is needed and nobody to ask). */
  LoginRequired: 6,
  /** AWS Sign-In could not be reached. */
  Network: 7,
  /** A file could not be read or written. */
  FileSystem: 8,
  /** `exec`: the command was found but cannot be run, as a shell reports it. */
  CannotExecute: 126,
  /** `exec`: the command does not exist, as a shell reports it. */
  CommandNotFound: 127,
  /** Interrupted with Ctrl-C. */
  Interrupted: 130,
} as const;

/** One of the values of {@link ExitCode}. */
export type ExitCodeValue = typeof ExitCode[keyof typeof ExitCode];

/** Base class of every error aws-login reports to the user on purpose. */
export class AwsLoginError extends Error {
  /** The process exit code for this error. */
  readonly exitCode: ExitCodeValue;
  /** A stable machine-readable identifier, e.g. `"TOKEN_EXPIRED"` or `"STATE_MISMATCH"`. */
  readonly code: string;
  /** An optional second line telling the user what to do. */
  readonly hint: string | undefined;

  constructor(
    message: string,
    options: { exitCode: ExitCodeValue; code: string; hint?: string; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode;
    this.code = options.code;
    this.hint = options.hint;
  }
}

/**
 * An error on one line: the message, then the hint. For places that show only one line, such as a
 * `credential_process` caller, or a long-running command that reports a failure once.
 *
 * @example
 * ```ts
 * oneLineMessage(new AwsLoginError("No session", { exitCode: 6, code: "X", hint: "Sign in" }));
 * // "No session. Sign in"
 * ```
 */
export function oneLineMessage(error: AwsLoginError): string {
  return error.hint === undefined ? error.message : `${error.message}. ${error.hint}`;
}

/**
 * The one stderr line for a failure that a long-running command reports and survives (a refresh
 * that failed while `exec` or `serve` keeps running): an {@link AwsLoginError} on one line, anything
 * else as an internal error, without its stack.
 *
 * @example
 * ```ts
 * failureLine(new Error("boom")); // "aws-login: internal error while getting credentials: boom\n"
 * ```
 */
export function failureLine(error: unknown): string {
  const text = error instanceof AwsLoginError
    ? oneLineMessage(error)
    : `internal error while getting credentials: ${
      error instanceof Error ? error.message : String(error)
    }`;
  return `aws-login: ${text}\n`;
}

/** Options shared by the subclasses. */
export interface AwsErrorOptions {
  code?: string;
  hint?: string | undefined;
  cause?: unknown;
}

function withDefaults(
  exitCode: ExitCodeValue,
  fallbackCode: string,
  options: AwsErrorOptions = {},
) {
  return {
    exitCode,
    code: options.code ?? fallbackCode,
    ...(options.hint === undefined ? {} : { hint: options.hint }),
    ...(options.cause === undefined ? {} : { cause: options.cause }),
  };
}

/** The user asked for something that cannot be done as asked (exit 2). */
export class UsageError extends AwsLoginError {
  constructor(message: string, options?: AwsErrorOptions) {
    super(message, withDefaults(ExitCode.Usage, "USAGE", options));
  }
}

/** The configuration rules the request out (exit 3). */
export class ConfigError extends AwsLoginError {
  constructor(message: string, options?: AwsErrorOptions) {
    super(message, withDefaults(ExitCode.Config, "CONFIG", options));
  }
}

/** The browser sign-in did not complete (exit 4). */
export class AuthorizationError extends AwsLoginError {
  constructor(message: string, options?: AwsErrorOptions) {
    super(message, withDefaults(ExitCode.Authorization, "AUTHORIZATION", options));
  }
}

/** AWS Sign-In or STS answered with an error (exit 5). */
export class ServiceError extends AwsLoginError {
  /** HTTP status of the answer. */
  readonly status: number;
  /** `X-Amzn-ErrorType` of the answer, e.g. `AccessDeniedException`. */
  readonly errorType: string | undefined;
  constructor(
    message: string,
    options: AwsErrorOptions & { status: number; errorType?: string | undefined },
  ) {
    super(message, withDefaults(ExitCode.Service, "SERVICE", options));
    this.status = options.status;
    this.errorType = options.errorType;
  }
}

/** The session is gone and only a new sign-in helps (exit 6). */
export class LoginRequiredError extends AwsLoginError {
  constructor(message: string, options?: AwsErrorOptions) {
    super(message, withDefaults(ExitCode.LoginRequired, "LOGIN_REQUIRED", options));
  }
}

/** AWS Sign-In could not be reached (exit 7). */
export class NetworkError extends AwsLoginError {
  constructor(message: string, options?: AwsErrorOptions) {
    super(message, withDefaults(ExitCode.Network, "NETWORK", options));
  }
}

/** A file could not be read or written (exit 8). */
export class FileSystemError extends AwsLoginError {
  constructor(message: string, options?: AwsErrorOptions) {
    super(message, withDefaults(ExitCode.FileSystem, "FILE_SYSTEM", options));
  }
}

/**
 * Why `Deps.startChild` could not start a program. Not an {@link AwsLoginError}: `exec` turns it
 * into a {@link CommandStartError} for the user. Here rather than in `runtime/deps.ts`, so that the
 * interface module holds types only.
 */
export class ChildStartError extends Error {
  /** `not-found`: no such program; `not-executable`: it exists but cannot be run. */
  readonly reason: "not-found" | "not-executable" | "other";
  constructor(message: string, reason: ChildStartError["reason"], options?: ErrorOptions) {
    super(message, options);
    this.name = "ChildStartError";
    this.reason = reason;
  }
}

/** `exec` could not start the command (exit 127 when it does not exist, 126 otherwise). */
export class CommandStartError extends AwsLoginError {
  constructor(message: string, options: AwsErrorOptions & { notFound: boolean }) {
    super(
      message,
      withDefaults(
        options.notFound ? ExitCode.CommandNotFound : ExitCode.CannotExecute,
        options.notFound ? "COMMAND_NOT_FOUND" : "CANNOT_EXECUTE",
        options,
      ),
    );
  }
}

/** The user pressed Ctrl-C or answered "no" (exit 130 for Ctrl-C). */
export class InterruptedError extends AwsLoginError {
  constructor(message = "Interrupted", options?: AwsErrorOptions) {
    super(message, withDefaults(ExitCode.Interrupted, "INTERRUPTED", options));
  }
}

/**
 * The command that signs a profile in, as every message names it: `aws-login login` for the
 * default profile, `aws-login login --profile NAME` otherwise.
 *
 * @example
 * ```ts
 * loginCommand("dev"); // 'aws-login login --profile dev'
 * loginCommand("default"); // 'aws-login login'
 * ```
 */
export function loginCommand(profile: string): string {
  return profile === "default" ? "aws-login login" : `aws-login login --profile ${profile}`;
}

/**
 * Advice to sign in again, to end a sentence: `run "aws-login login --profile dev" to sign in again`.
 *
 * @example
 * ```ts
 * signInAgain("dev"); // 'run "aws-login login --profile dev" to sign in again'
 * ```
 */
export function signInAgain(profile: string): string {
  return `run "${loginCommand(profile)}" to sign in again`;
}

/**
 * The same text with its first letter in upper case, to start a sentence.
 *
 * @example
 * ```ts
 * capitalize("run it"); // "Run it"
 * ```
 */
export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
