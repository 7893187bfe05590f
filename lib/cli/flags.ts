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
  constructor(message: string, hint?: string) {
    super(message);
    this.name = "FlagError";
    this.hint = hint;
  }
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
      throw new FlagError(`Unknown option '${long ? "--" : "-"}${key}'`);
    }
    const shown = long ? `--${name}` : `-${key}`;
    if (spec.type === "boolean") {
      if (equals >= 0) throw new FlagError(`Option '${shown}' does not take a value`);
      values[name] = true;
      continue;
    }
    if (equals >= 0) {
      values[name] = body.slice(equals + 1);
      continue;
    }
    const next = args[i + 1];
    if (next === undefined) throw new FlagError(`Option '${shown} <value>' argument missing`);
    if (next.startsWith("-") && next !== "-") {
      throw new FlagError(
        `Option '${shown}' argument is ambiguous`,
        `To give a value starting with a dash, write ${shown}=${next}`,
      );
    }
    values[name] = next;
    i++;
  }
  return { values, positionals };
}
