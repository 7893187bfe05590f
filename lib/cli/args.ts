/**
 * Command line → {@link Command}: pure, no I/O. Every mistake is a {@link UsageError}.
 *
 * @module
 */

import { FlagError, type FlagSpecs, flagSpellings, parseFlags } from "./flags.ts";
import { closestNames, didYouMean } from "../runtime/suggest.ts";
import { UsageError } from "../errors.ts";

import { EXPORT_FORMATS, type ExportFormat } from "../aws/export_formats.ts";

export type { ExportFormat };

/**
 * How a sign-in reaches the browser: this machine's browser, a browser anywhere with the redirect
 * pasted back or forwarded (`--no-browser`), or another device (`--remote`).
 */
export type SignInRoute = "browser" | "no-browser" | "remote";

/** `aws-login login`. */
export interface LoginCommand {
  readonly name: "login";
  readonly profile: string | undefined;
  readonly region: string | undefined;
  readonly endpointUrl: string | undefined;
  readonly redirectPort: number | undefined;
  readonly timeoutSeconds: number;
  /** The sign-in route asked for, `auto` to choose from what this machine can do. */
  readonly route: SignInRoute | "auto";
  /** `--browser COMMAND`: the command to open the URL with. */
  readonly browser: string | undefined;
  /** Show the `--remote` URL as a QR code where the terminal can (off with `--no-qr`). */
  readonly qr: boolean;
  /** `--copy`: also copy the URL to the terminal's clipboard (OSC 52). */
  readonly copy: boolean;
  /** `--yes`: replace another `login_session` of the profile without asking. */
  readonly yes: boolean;
}

/** `aws-login logout`. */
export interface LogoutCommand {
  readonly name: "logout";
  readonly profile: string | undefined;
  readonly all: boolean;
  /** Revoke the refresh token at AWS Sign-In before removing the files (off with `--no-revoke`). */
  readonly revoke: boolean;
}

/** `aws-login export-credentials`. */
export interface ExportCredentialsCommand {
  readonly name: "export-credentials";
  readonly profile: string | undefined;
  readonly format: ExportFormat;
}

/** `aws-login status`. */
export interface StatusCommand {
  readonly name: "status";
  readonly profile: string | undefined;
  readonly json: boolean;
  /** `--check`: refresh each session for real, to know whether its refresh token still works. */
  readonly check: boolean;
}

/** `aws-login doctor`. */
export interface DoctorCommand {
  readonly name: "doctor";
  readonly profile: string | undefined;
  readonly json: boolean;
}

/** `aws-login configure credential-process`. */
export interface ConfigureCredentialProcessCommand {
  readonly name: "configure-credential-process";
  readonly profile: string;
  readonly sourceProfile: string;
  readonly region: string | undefined;
}

/** Shells `aws-login completions` writes a script for. */
export const COMPLETION_SHELLS = ["bash", "zsh", "fish", "powershell"] as const;

/** One of {@link COMPLETION_SHELLS}. */
export type CompletionShell = typeof COMPLETION_SHELLS[number];

/** `aws-login completions SHELL`, or `aws-login completions --profiles` (used by the scripts). */
export interface CompletionsCommand {
  readonly name: "completions";
  /** The shell to print a script for; `undefined` with `--profiles`. */
  readonly shell: CompletionShell | undefined;
  /** Print the profile names, one a line, instead of a script. */
  readonly profiles: boolean;
}

/** `aws-login exec`. */
export interface ExecCommand {
  readonly name: "exec";
  readonly profile: string | undefined;
  /** `false` with `--no-server`: environment credentials instead of the endpoint. */
  readonly server: boolean;
  /** The command to run and its arguments: everything after `--`. */
  readonly argv: readonly string[];
}

/** `aws-login serve`. */
export interface ServeCommand {
  readonly name: "serve";
  readonly profile: string | undefined;
  /** `0`: a free port. */
  readonly port: number;
  /** The IP address to listen on. */
  readonly address: string;
  /** `--token-file`: where to read the token from, instead of a random one. */
  readonly tokenFile: string | undefined;
}

/** `aws-login help [command]`, `--help`. */
export interface HelpCommand {
  readonly name: "help";
  readonly topic: string | undefined;
}

/** `aws-login --version`. */
export interface VersionCommand {
  readonly name: "version";
}

/** Everything the command line can ask for. */
export type Command =
  | LoginCommand
  | LogoutCommand
  | ExportCredentialsCommand
  | StatusCommand
  | DoctorCommand
  | ConfigureCredentialProcessCommand
  | CompletionsCommand
  | ExecCommand
  | ServeCommand
  | HelpCommand
  | VersionCommand;

/** Default of `--timeout`: 10 minutes, as aws-cli waits. */
export const DEFAULT_TIMEOUT_SECONDS = 600;

/** Command names for help and suggestions. */
export const COMMAND_NAMES = [
  "login",
  "logout",
  "export-credentials",
  "status",
  "doctor",
  "configure",
  "completions",
  "exec",
  "serve",
] as const;

/** The name of a command. */
export type CommandName = (typeof COMMAND_NAMES)[number];

/** Default of `serve --address`. */
export const DEFAULT_SERVE_ADDRESS = "127.0.0.1";

const PROFILE: FlagSpecs = { profile: { type: "string" } };
const HELP: FlagSpecs = { help: { type: "boolean", short: "h" } };

/**
 * The flags of each command (`-h, --help` besides), by the words that name the command. The parser,
 * the suggestions for mistyped flags and the shell completions all read this one table.
 */
export const COMMAND_FLAGS: Readonly<Record<string, FlagSpecs>> = {
  login: {
    ...PROFILE,
    region: { type: "string" },
    "endpoint-url": { type: "string" },
    "redirect-port": { type: "string" },
    timeout: { type: "string" },
    remote: { type: "boolean" },
    "no-remote": { type: "boolean" },
    "no-browser": { type: "boolean" },
    browser: { type: "string" },
    "no-qr": { type: "boolean" },
    copy: { type: "boolean" },
    yes: { type: "boolean", short: "y" },
  },
  logout: { ...PROFILE, all: { type: "boolean" }, "no-revoke": { type: "boolean" } },
  "export-credentials": { ...PROFILE, format: { type: "string" } },
  status: { ...PROFILE, json: { type: "boolean" }, check: { type: "boolean" } },
  doctor: { ...PROFILE, json: { type: "boolean" } },
  "configure credential-process": {
    ...PROFILE,
    "source-profile": { type: "string" },
    region: { type: "string" },
  },
  completions: { profiles: { type: "boolean" } },
  exec: { ...PROFILE, "no-server": { type: "boolean" } },
  serve: {
    ...PROFILE,
    port: { type: "string" },
    address: { type: "string" },
    "token-file": { type: "string" },
  },
};

/**
 * The spellings of every flag of a command, for completions and suggestions.
 *
 * @example
 * ```ts
 * commandFlagSpellings("status"); // ["--profile", "--json", "--check", "--help", "-h"]
 * ```
 */
export function commandFlagSpellings(command: string): string[] {
  return flagSpellings({ ...(COMMAND_FLAGS[command] ?? {}), ...HELP });
}

function parse(command: string, args: string[]) {
  try {
    const { values, positionals } = parseFlags(args, { ...COMMAND_FLAGS[command], ...HELP });
    return { values, positionals: [...positionals] };
  } catch (error) {
    if (!(error instanceof FlagError)) throw error;
    throw new UsageError(error.message, {
      code: "BAD_ARGUMENT",
      hint: error.hint ?? `Run "aws-login ${command} --help" to see the options`,
    });
  }
}

function noPositionals(command: string, positionals: string[]): void {
  if (positionals.length > 0) {
    throw new UsageError(`Unexpected argument "${positionals[0]}" for "${command}"`, {
      code: "BAD_ARGUMENT",
      hint: `Run "aws-login ${command} --help" to see the options`,
    });
  }
}

function nonEmpty(flag: string, value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  if (value.trim() === "") {
    throw new UsageError(`Option "--${flag}" needs a value`, { code: "BAD_ARGUMENT" });
  }
  return value.trim();
}

/**
 * Parses a port number for `--redirect-port`: 1–65535.
 *
 * @example
 * ```ts
 * parsePort("8400"); // 8400
 * ```
 */
export function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    throw new UsageError(`Invalid port "${text}": use a number from 1 to 65535`, {
      code: "BAD_ARGUMENT",
    });
  }
  return Number(text);
}

/**
 * Parses a duration for `--timeout`: seconds, or a number with `s`, `m` or `h`.
 *
 * @example
 * ```ts
 * parseDuration("90"); // 90
 * parseDuration("5m"); // 300
 * ```
 */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text.trim());
  const unit = { s: 1, m: 60, h: 3600 }[match?.[2] as "s" | "m" | "h" ?? "s"];
  const seconds = match ? Number(match[1]) * unit : NaN;
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 24 * 3600) {
    throw new UsageError(
      `Invalid timeout "${text}": use seconds or a duration such as "90s", "5m" (at most 24h)`,
      { code: "BAD_ARGUMENT" },
    );
  }
  return seconds;
}

function parseLogin(args: string[]): LoginCommand | HelpCommand {
  const { values, positionals } = parse("login", args);
  if (values.help) return { name: "help", topic: "login" };
  noPositionals("login", positionals);
  const chosen = [
    values.remote && "--remote",
    values["no-remote"] && "--no-remote",
    values["no-browser"] && "--no-browser",
    values.browser !== undefined && "--browser",
  ].filter((flag): flag is string => typeof flag === "string");
  const allowedTogether = chosen.length === 2 && chosen.includes("--no-remote") &&
    chosen.includes("--browser");
  if (chosen.length > 1 && !allowedTogether) {
    const quoted = chosen.map((flag) => `"${flag}"`);
    throw new UsageError(`Options ${quoted.join(" and ")} cannot be used together`, {
      code: "BAD_ARGUMENT",
      hint: 'Run "aws-login login --help" to see what each one does',
    });
  }
  const redirectPort = nonEmpty("redirect-port", values["redirect-port"]);
  const timeout = nonEmpty("timeout", values.timeout);
  const route: SignInRoute | "auto" = values.remote
    ? "remote"
    : values["no-browser"]
    ? "no-browser"
    : values["no-remote"] || values.browser !== undefined
    ? "browser"
    : "auto";
  return {
    name: "login",
    profile: nonEmpty("profile", values.profile),
    region: nonEmpty("region", values.region),
    endpointUrl: nonEmpty("endpoint-url", values["endpoint-url"]),
    redirectPort: redirectPort === undefined ? undefined : parsePort(redirectPort),
    timeoutSeconds: timeout === undefined ? DEFAULT_TIMEOUT_SECONDS : parseDuration(timeout),
    route,
    browser: nonEmpty("browser", values.browser),
    qr: values["no-qr"] !== true,
    copy: values.copy === true,
    yes: values.yes === true,
  };
}

function parseLogout(args: string[]): LogoutCommand | HelpCommand {
  const { values, positionals } = parse("logout", args);
  if (values.help) return { name: "help", topic: "logout" };
  noPositionals("logout", positionals);
  const profile = nonEmpty("profile", values.profile);
  if (values.all && profile !== undefined) {
    throw new UsageError('Options "--all" and "--profile" cannot be used together', {
      code: "BAD_ARGUMENT",
    });
  }
  return {
    name: "logout",
    profile,
    all: values.all === true,
    revoke: values["no-revoke"] !== true,
  };
}

function parseExport(args: string[]): ExportCredentialsCommand | HelpCommand {
  const { values, positionals } = parse("export-credentials", args);
  if (values.help) return { name: "help", topic: "export-credentials" };
  noPositionals("export-credentials", positionals);
  const format = nonEmpty("format", values.format) ?? "process";
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    const suggestion = didYouMean(closestNames(format, EXPORT_FORMATS, { prefixes: true }));
    throw new UsageError(
      suggestion === undefined
        ? `Invalid format "${format}": choose one of ${EXPORT_FORMATS.join(", ")}`
        : `Invalid format "${format}": ${suggestion}`,
      {
        code: "BAD_ARGUMENT",
        ...(suggestion === undefined ? {} : { hint: `The formats: ${EXPORT_FORMATS.join(", ")}` }),
      },
    );
  }
  return {
    name: "export-credentials",
    profile: nonEmpty("profile", values.profile),
    format: format as ExportFormat,
  };
}

function parseStatus(args: string[]): StatusCommand | HelpCommand {
  const { values, positionals } = parse("status", args);
  if (values.help) return { name: "help", topic: "status" };
  noPositionals("status", positionals);
  return {
    name: "status",
    profile: nonEmpty("profile", values.profile),
    json: values.json === true,
    check: values.check === true,
  };
}

function parseDoctor(args: string[]): DoctorCommand | HelpCommand {
  const { values, positionals } = parse("doctor", args);
  if (values.help) return { name: "help", topic: "doctor" };
  noPositionals("doctor", positionals);
  return {
    name: "doctor",
    profile: nonEmpty("profile", values.profile),
    json: values.json === true,
  };
}

function parseConfigure(args: string[]): ConfigureCredentialProcessCommand | HelpCommand {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === "--help" || sub === "-h") {
    return { name: "help", topic: "configure" };
  }
  if (sub !== "credential-process") {
    const what = sub.startsWith("-") ? "option" : "configure command";
    throw new UsageError(`Unknown ${what} "${sub}"`, {
      code: sub.startsWith("-") ? "BAD_ARGUMENT" : "UNKNOWN_COMMAND",
      hint: 'The only configure command is "aws-login configure credential-process"',
    });
  }
  const { values, positionals } = parse("configure credential-process", rest);
  if (values.help) return { name: "help", topic: "configure" };
  noPositionals("configure credential-process", positionals);
  const profile = nonEmpty("profile", values.profile);
  const sourceProfile = nonEmpty("source-profile", values["source-profile"]);
  if (profile === undefined || sourceProfile === undefined) {
    throw new UsageError('Options "--profile" and "--source-profile" are both required', {
      code: "BAD_ARGUMENT",
      hint:
        "For example: aws-login configure credential-process --profile process --source-profile dev",
    });
  }
  if (profile === sourceProfile) {
    throw new UsageError(
      `The profile "${profile}" cannot be its own source: choose a new name for --profile`,
      { code: "BAD_ARGUMENT" },
    );
  }
  return {
    name: "configure-credential-process",
    profile,
    sourceProfile,
    region: nonEmpty("region", values.region),
  };
}

function parseCompletions(args: string[]): CompletionsCommand | HelpCommand {
  const { values, positionals } = parse("completions", args);
  if (values.help) return { name: "help", topic: "completions" };
  const [shell, ...extra] = positionals;
  if (values.profiles) {
    noPositionals("completions", positionals);
    return { name: "completions", shell: undefined, profiles: true };
  }
  if (shell === undefined) {
    throw new UsageError(`Command "completions" needs a shell: ${COMPLETION_SHELLS.join(", ")}`, {
      code: "BAD_ARGUMENT",
      hint: "For example: aws-login completions bash",
    });
  }
  noPositionals("completions", extra);
  if (!(COMPLETION_SHELLS as readonly string[]).includes(shell)) {
    const suggestion = didYouMean(closestNames(shell, COMPLETION_SHELLS, { prefixes: true }));
    throw new UsageError(
      `Unknown shell "${shell}": ${suggestion ?? `choose one of ${COMPLETION_SHELLS.join(", ")}`}`,
      { code: "BAD_ARGUMENT" },
    );
  }
  return { name: "completions", shell: shell as CompletionShell, profiles: false };
}

const EXEC_EXAMPLE = "aws-login exec --profile dev -- aws sts get-caller-identity";

function parseExec(args: string[]): ExecCommand | HelpCommand {
  const split = args.indexOf("--");
  const own = split < 0 ? args : args.slice(0, split);
  if (split < 0) {
    if (own.includes("--help") || own.includes("-h")) return { name: "help", topic: "exec" };
    throw new UsageError('Missing "--" before the command to run', {
      code: "BAD_ARGUMENT",
      hint:
        `Usage: aws-login exec [--profile NAME] [--no-server] -- COMMAND [ARGS...], e.g. ${EXEC_EXAMPLE}`,
    });
  }
  const { values, positionals } = parse("exec", own);
  if (values.help) return { name: "help", topic: "exec" };
  if (positionals.length > 0) {
    throw new UsageError(`Unexpected argument "${positionals[0]}" before "--"`, {
      code: "BAD_ARGUMENT",
      hint: `The command goes after "--", e.g. ${EXEC_EXAMPLE}`,
    });
  }
  const argv = args.slice(split + 1);
  if (argv.length === 0 || argv[0] === "") {
    throw new UsageError('Missing the command to run after "--"', {
      code: "BAD_ARGUMENT",
      hint: `Example: ${EXEC_EXAMPLE}`,
    });
  }
  return {
    name: "exec",
    profile: nonEmpty("profile", values.profile),
    server: values["no-server"] !== true,
    argv,
  };
}

/**
 * Checks an address for `serve --address`: an IPv4 or IPv6 address (a host name could resolve to
 * anything, and the endpoint's address must be known exactly).
 *
 * @example
 * ```ts
 * parseAddress("0.0.0.0"); // "0.0.0.0"
 * parseAddress("[::1]"); // "::1"
 * ```
 */
export function parseAddress(text: string): string {
  const address = text.trim().replace(/^\[(.*)\]$/, "$1");
  const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (ipv4 !== null && ipv4.slice(1).every((part) => Number(part) <= 255)) return address;
  if (address.includes(":") && /^[0-9A-Fa-f:.]+$/.test(address)) {
    try {
      return new URL(`http://[${address}]/`).hostname.slice(1, -1);
    } catch {
      // not an IPv6 address either
    }
  }
  throw new UsageError(`Invalid address "${text}": use an IP address such as 127.0.0.1`, {
    code: "BAD_ARGUMENT",
  });
}

function parseServe(args: string[]): ServeCommand | HelpCommand {
  const { values, positionals } = parse("serve", args);
  if (values.help) return { name: "help", topic: "serve" };
  noPositionals("serve", positionals);
  const port = nonEmpty("port", values.port);
  const address = nonEmpty("address", values.address);
  return {
    name: "serve",
    profile: nonEmpty("profile", values.profile),
    port: port === undefined ? 0 : parsePort(port),
    address: address === undefined ? DEFAULT_SERVE_ADDRESS : parseAddress(address),
    tokenFile: nonEmpty("token-file", values["token-file"]),
  };
}

const PARSERS: Readonly<Record<CommandName, (args: string[]) => Command>> = {
  login: parseLogin,
  logout: parseLogout,
  "export-credentials": parseExport,
  status: parseStatus,
  doctor: parseDoctor,
  configure: parseConfigure,
  completions: parseCompletions,
  exec: parseExec,
  serve: parseServe,
};

const HELP_FLAGS = ["--help", "-h"];
const VERSION_FLAGS = ["--version", "-V"];

/** What to say about a first word that names no command. */
function unknownCommand(args: readonly string[]): UsageError {
  const [first = ""] = args;
  if (first.startsWith("-")) {
    // An option before the command: say where it goes when some command has it.
    const command = args.find((arg) => Object.hasOwn(PARSERS, arg));
    const owner = command ??
      Object.keys(COMMAND_FLAGS).find((name) =>
        commandFlagSpellings(name).includes(first.split("=")[0]!)
      );
    if (owner !== undefined) {
      const rest = args.filter((arg) => arg !== command);
      return new UsageError(`Option "${first.split("=")[0]}" goes after the command`, {
        code: "BAD_ARGUMENT",
        hint: `For example: aws-login ${owner} ${rest.join(" ")}`.trimEnd(),
      });
    }
    const close = closestNames(first.replace(/^-+/, ""), ["help", "version"], { prefixes: true });
    const suggestion = didYouMean(close.map((name) => `--${name}`));
    return new UsageError(
      `Unknown option "${first}"${suggestion === undefined ? "" : `: ${suggestion}`}`,
      { code: "BAD_ARGUMENT", hint: 'Run "aws-login --help" for the commands and their options' },
    );
  }
  const suggestion = didYouMean(closestNames(first, COMMAND_NAMES, { prefixes: true }));
  return new UsageError(
    `Unknown command "${first}"${suggestion === undefined ? "" : `: ${suggestion}`}`,
    { code: "UNKNOWN_COMMAND", hint: 'Run "aws-login --help" for all commands' },
  );
}

/**
 * Parses the whole command line.
 *
 * @example
 * ```ts
 * parseCommandLine(["login", "--profile", "dev"]).name; // "login"
 * parseCommandLine(["--version"]).name; // "version"
 * ```
 */
export function parseCommandLine(args: readonly string[]): Command {
  const [first, ...rest] = args;
  if (first === undefined) return { name: "help", topic: undefined };
  // `aws-login --help login` and `aws-login help login` are `aws-login login --help`.
  if (HELP_FLAGS.includes(first) || first === "help") return { name: "help", topic: rest[0] };
  if (VERSION_FLAGS.includes(first) || first === "version") return { name: "version" };
  if (!Object.hasOwn(PARSERS, first)) throw unknownCommand(args);
  return PARSERS[first as CommandName](rest);
}
