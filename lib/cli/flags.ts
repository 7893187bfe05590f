/**
 * A strict command-line flag parser, in the manner of `node:util` `parseArgs` (`--name value`,
 * `--name=value`, `-h`, `--` ends the flags).
 *
 * It exists because importing `node:util` starts Deno's Node compatibility layer, which costs about
 * 25 ms at every start, and `export-credentials` runs at every AWS call of tools that use it as a
 * `credential_process` (see the benchmark in README.md).
 *
 * @module
 */

import { closestNames, didYouMean } from "../runtime/suggest.ts";

/** How one flag is read. */
export interface FlagSpec {
  readonly type: "string" | "boolean";
  /** A one-letter alias, e.g. `h` for `-h`. */
  readonly short?: string;
}

/** The flags a command accepts, by long name. */
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** Parsed flags: strings for string flags, `true` for boolean flags that were given. */
export interface ParsedFlags {
  readonly values: Readonly<Record<string, string | true>>;
  readonly positionals: readonly string[];
}

/** A flag that cannot be read; the message is for the user, `hint` says how to fix it. */
export class FlagError extends Error {
  readonly hint: string | undefined;
  /** For an unknown option: the option as typed, e.g. `--profle`. */
  readonly unknown: string | undefined;
  constructor(message: string, hint?: string, unknown?: string) {
    super(message);
    this.name = "FlagError";
    this.hint = hint;
    this.unknown = unknown;
  }
}

/**
 * The spellings of the flags in `specs`, long ones first: `--profile`, ..., `-h`.
 *
 * @example
 * ```ts
 * flagSpellings({ help: { type: "boolean", short: "h" } }); // ["--help", "-h"]
 * ```
 */
export function flagSpellings(specs: FlagSpecs): string[] {
  const long = Object.keys(specs).map((name) => `--${name}`);
  const short = Object.values(specs).flatMap((spec) => spec.short ? [`-${spec.short}`] : []);
  return [...long, ...short];
}

/** `Unknown option "--profle": did you mean "--profile"?`, or without a suggestion. */
function unknownOption(typed: string, specs: FlagSpecs): FlagError {
  // Compare names without their dashes: "-profile" is "--profile" typed with one dash.
  const names = Object.keys(specs);
  const bare = typed.replace(/^-+/, "");
  const close = closestNames(bare, names, { prefixes: true }).map((name) => `--${name}`);
  const suggestion = didYouMean(close);
  return new FlagError(
    `Unknown option "${typed}"${suggestion === undefined ? "" : `: ${suggestion}`}`,
    undefined,
    typed,
  );
}

/**
 * Parses `args` against `specs`. Unknown flags, missing values, a value given to a boolean flag and
 * a value that looks like a flag are errors ({@link FlagError}); a repeated flag keeps its last
 * value.
 *
 * @example
 * ```ts
 * parseFlags(["--profile=dev", "-h", "x"], { profile: { type: "string" }, help: { type: "boolean", short: "h" } });
 * // { values: { profile: "dev", help: true }, positionals: ["x"] }
 * ```
 */
export function parseFlags(args: readonly string[], specs: FlagSpecs): ParsedFlags {
  const values: Record<string, string | true> = {};
  const positionals: string[] = [];
  const shorts = new Map(
    Object.entries(specs).flatMap(([name, spec]) => spec.short ? [[spec.short, name]] : []),
  );
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const long = arg.startsWith("--");
    const body = long ? arg.slice(2) : arg.slice(1);
    const equals = body.indexOf("=");
    const key = equals < 0 ? body : body.slice(0, equals);
    const name = long ? key : shorts.get(key);
    const spec = name === undefined ? undefined : specs[name];
    if (name === undefined || spec === undefined || (!long && key.length !== 1)) {
      throw unknownOption(`${long ? "--" : "-"}${key}`, specs);
    }
    const shown = long ? `--${name}` : `-${key}`;
    if (spec.type === "boolean") {
      if (equals >= 0) throw new FlagError(`Option "${shown}" does not take a value`);
      values[name] = true;
      continue;
    }
    if (equals >= 0) {
      values[name] = body.slice(equals + 1);
      continue;
    }
    const next = args[i + 1];
    if (next === undefined) throw new FlagError(`Option "${shown}" needs a value`);
    if (next.startsWith("-") && next !== "-") {
      throw new FlagError(
        `Option "${shown}" needs a value, and "${next}" looks like an option`,
        `To give a value that starts with a dash, write ${shown}=${next}`,
      );
    }
    values[name] = next;
    i++;
  }
  return { values, positionals };
}
