/**
 * Opens the user's browser: runs the commands of {@link browserCommands} one after another until
 * one succeeds. Every command is an argv array; no shell is involved.
 *
 * @module
 */

import type { Deps, SpawnResult } from "../runtime/deps.ts";
import { browserCommands, type BrowserOptions, type PlatformFacts } from "./browser.ts";
import { gatherFacts, type GatherFactsOptions } from "./facts.ts";

export { gatherFacts };
export type { GatherFactsOptions };

/** Options of {@link openBrowser}. */
export interface OpenBrowserOptions extends BrowserOptions {
  /** Facts gathered before (e.g. for `browserReachability`); gathered afresh when missing. */
  facts?: PlatformFacts;
  /** Where to look for facts when gathering them. */
  factsOptions?: GatherFactsOptions;
  /** How long one launcher may run before the next is tried. Default 5000 ms. */
  timeoutMs?: number;
}

/** The outcome of {@link openBrowser}. */
export interface OpenBrowserResult {
  /** Whether a launcher reported success. `false` means: show the URL and keep waiting. */
  opened: boolean;
  /** The argv that succeeded. */
  command?: string[];
  /** One line per launcher that failed, in order, for `--verbose`. */
  errors: string[];
}

/**
 * Launchers that hand the URL to something else and return at once. If one of these is still
 * running at the timeout it hangs, and the next candidate is tried. Anything else (a `BROWSER`
 * command, `xdg-open` without a desktop environment, `sensible-browser`, `x-www-browser`) may be
 * the browser itself running in the foreground: still running at the timeout means it opened, and
 * trying the next one would only open a second tab.
 */
const DISPATCHERS = new Set([
  "open",
  "gio",
  "wslview",
  "cmd",
  "cmd.exe",
  "powershell",
  "powershell.exe",
  "pwsh",
  "pwsh.exe",
  "rundll32",
  "rundll32.exe",
]);

const DEFAULT_TIMEOUT_MS = 5000;

/**
 * Opens `url` in a browser. Tries each command of {@link browserCommands} in turn; exit code 0 is
 * success (that is also how `xdg-open` reports it). A command that cannot be started, exits with
 * another code or hangs is recorded in `errors` and the next one is tried. Never throws for a
 * launcher's failure; resolves with `opened: false` when none worked or there was none to try.
 *
 * @example
 * ```ts
 * import { realDeps } from "../runtime/real.ts";
 *
 * const deps = realDeps();
 * const result = await openBrowser(deps, "https://example.com/", {});
 * if (!result.opened) deps.stderr.write("Open this URL in a browser: https://example.com/\n");
 * ```
 */
export async function openBrowser(
  deps: Pick<Deps, "env" | "os" | "fs" | "which" | "spawn">,
  url: string,
  options: OpenBrowserOptions = {},
): Promise<OpenBrowserResult> {
  const facts = options.facts ?? await gatherFacts(deps, options.factsOptions);
  const browserOptions = options.browserFlag === undefined
    ? {}
    : { browserFlag: options.browserFlag };
  const commands = browserCommands(facts, url, browserOptions);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const errors: string[] = [];
  for (const argv of commands) {
    const name = programName(argv);
    let result: SpawnResult;
    try {
      result = await deps.spawn(argv, { timeoutMs });
    } catch (error) {
      errors.push(`Cannot run "${name}": ${error instanceof Error ? error.message : error}`);
      continue;
    }
    if (result.code === 0) return { opened: true, command: argv, errors };
    if (isTimeout(result)) {
      if (!DISPATCHERS.has(name.toLowerCase())) return { opened: true, command: argv, errors };
      errors.push(`"${name}" did not finish within ${timeoutMs} ms`);
      continue;
    }
    const detail = firstLine(result.stderr) || firstLine(result.stdout);
    errors.push(`"${name}" exited with code ${result.code}${detail ? `: ${detail}` : ""}`);
  }
  return { opened: false, errors };
}

/** `Deps.spawn` stopped waiting at the timeout; the child keeps running. */
function isTimeout(result: SpawnResult): boolean {
  return result.timedOut === true;
}

/** The file name of the program, without its directory. */
function programName(argv: readonly string[]): string {
  return (argv[0] ?? "").split(/[\\/]/).pop() ?? "";
}

function firstLine(text: string): string {
  return text.trim().split(/\r?\n/, 1)[0] ?? "";
}
