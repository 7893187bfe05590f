/**
 * Which browser command to run, and whether a browser can be reached at all.
 *
 * Pure decisions over a {@link PlatformFacts} snapshot: no I/O here. `facts.ts` gathers the facts
 * through `Deps`, `launch.ts` runs the commands this module returns.
 *
 * @module
 */

import type { OsName } from "../runtime/deps.ts";
import { splitShellWords } from "./shell_words.ts";
import { CI_VARIABLES, ENV_NAMES, type EnvName } from "./env_names.ts";

export { ENV_NAMES, type EnvName };

/** Programs that can hand a URL to a browser. Text-mode browsers are deliberately absent. */
export type LauncherName =
  | "open"
  | "xdg-open"
  | "gio"
  | "sensible-browser"
  | "x-www-browser"
  | "wslview"
  | "cmd.exe"
  | "powershell.exe"
  | "rundll32.exe";

const LINUX_LAUNCHERS: readonly LauncherName[] = [
  "xdg-open",
  "gio",
  "sensible-browser",
  "x-www-browser",
];
const WINDOWS_LAUNCHERS: readonly LauncherName[] = ["rundll32.exe", "cmd.exe", "powershell.exe"];

/**
 * The launchers worth looking up on an operating system family. On Linux this includes the WSL
 * ones, since whether this Linux is WSL is decided later, from all facts together.
 *
 * @example
 * ```ts
 * launcherNames("darwin"); // ["open"]
 * ```
 */
export function launcherNames(os: OsName): readonly LauncherName[] {
  switch (os) {
    case "darwin":
      return ["open"];
    case "windows":
      return WINDOWS_LAUNCHERS;
    case "linux":
      return [...LINUX_LAUNCHERS, "wslview", ...WINDOWS_LAUNCHERS];
    default:
      return LINUX_LAUNCHERS;
  }
}

/** What is known about the machine, as far as opening a browser goes. */
export interface PlatformFacts {
  /** The operating system family. */
  readonly os: OsName;
  /** The variables of {@link ENV_NAMES} that are set to a non-empty value. */
  readonly env: Readonly<Partial<Record<EnvName, string>>>;
  /** Text of `/proc/sys/kernel/osrelease` on Linux, `""` when unknown. */
  readonly kernelRelease: string;
  /** Whether `/.dockerenv` exists. */
  readonly dockerEnvFile: boolean;
  /** Whether `/run/.containerenv` (Podman) exists. */
  readonly containerEnvFile: boolean;
  /** The launchers that exist, each with the path to run it by. */
  readonly launchers: Readonly<Partial<Record<LauncherName, string>>>;
}

/** The answer of {@link browserReachability}. */
export type Reachability =
  | { readonly reachable: true }
  | { readonly reachable: false; readonly reason: string };

/** Options of {@link browserReachability} and {@link browserCommands}. */
export interface BrowserOptions {
  /** The `--browser` value: a command line used instead of `BROWSER` and the system default. */
  browserFlag?: string;
}

/**
 * Whether this is a WSL distribution (and not just a container on a WSL kernel).
 *
 * `WSL_DISTRO_NAME`/`WSL_INTEROP` are set by WSL itself and settle it. The kernel release alone is
 * weaker: Docker Desktop runs its containers on the same WSL2 kernel. So with container markers
 * present, only the Windows drive (a reachable `cmd.exe`) still says WSL: a distro imported from a
 * container image keeps its `/.dockerenv`.
 */
function isWsl(facts: PlatformFacts): boolean {
  if (facts.os !== "linux") return false;
  if (facts.env.WSL_DISTRO_NAME !== undefined || facts.env.WSL_INTEROP !== undefined) return true;
  if (!/microsoft|wsl/i.test(facts.kernelRelease)) return false;
  return containerKind(facts) === undefined || facts.launchers["cmd.exe"] !== undefined;
}

/** The container runtime this process seems to run in, `undefined` when none. */
function containerKind(facts: PlatformFacts): string | undefined {
  if (facts.dockerEnvFile) return "docker";
  if (facts.containerEnvFile) return "podman";
  return facts.env.container;
}

/** The name of the variable that says this is a CI job, `undefined` when none does. */
function ciVariable(facts: PlatformFacts): string | undefined {
  return CI_VARIABLES.find((name) => {
    const value = facts.env[name];
    return value !== undefined && !/^(false|0|no)$/i.test(value);
  });
}

function isSsh(facts: PlatformFacts): boolean {
  return facts.env.SSH_CONNECTION !== undefined || facts.env.SSH_CLIENT !== undefined ||
    facts.env.SSH_TTY !== undefined;
}

function hasDisplay(facts: PlatformFacts): boolean {
  return facts.env.DISPLAY !== undefined || facts.env.WAYLAND_DISPLAY !== undefined;
}

/**
 * Decides whether a browser the user can see can be opened from here. When it cannot, `reason` is
 * one short line for the user (login then switches to the `--remote` flow).
 *
 * An explicit `--browser` or `BROWSER` always counts as reachable: it is the user's (or their
 * editor's) choice, e.g. VS Code Remote sets `BROWSER` to a helper that opens the local browser.
 *
 * @example
 * ```ts
 * const facts = {
 *   os: "linux",
 *   env: { SSH_CONNECTION: "10.0.0.2 50000 10.0.0.1 22" },
 *   kernelRelease: "6.8.0-45-generic",
 *   dockerEnvFile: false,
 *   containerEnvFile: false,
 *   launchers: { "xdg-open": "/usr/bin/xdg-open" },
 * } as const;
 * browserReachability(facts, {});
 * // { reachable: false, reason: "no display in this SSH session" }
 * ```
 */
export function browserReachability(
  facts: PlatformFacts,
  options: BrowserOptions = {},
): Reachability {
  if (options.browserFlag || facts.env.BROWSER !== undefined) return { reachable: true };
  if (facts.env.AWS_EXECUTION_ENV?.toLowerCase() === "cloudshell") {
    return unreachable("running in AWS CloudShell");
  }
  if (facts.env.CODESPACES !== undefined && facts.env.CODESPACES !== "false") {
    return unreachable("running in GitHub Codespaces");
  }
  const ci = ciVariable(facts);
  if (ci !== undefined) return unreachable(`running in CI (${ci} is set)`);
  const ssh = isSsh(facts);
  if (isWsl(facts)) {
    if (ssh) {
      return unreachable("connected over SSH: a browser would open on the remote Windows desktop");
    }
    if (hasLauncher(facts)) return { reachable: true };
    return unreachable("cannot reach Windows from WSL: no wslview, cmd.exe or powershell.exe");
  }
  if (facts.os === "darwin" || facts.os === "windows") {
    if (ssh) {
      return unreachable(
        `connected over SSH: a browser would open on the remote ${
          facts.os === "darwin" ? "Mac's screen" : "Windows desktop"
        }`,
      );
    }
    return hasLauncher(facts) ? { reachable: true } : unreachable("no browser launcher found");
  }
  if (!hasDisplay(facts)) {
    if (ssh) return unreachable("no display in this SSH session");
    if (containerKind(facts) !== undefined) return unreachable("running in a container");
    return unreachable("no display (DISPLAY and WAYLAND_DISPLAY are not set)");
  }
  return hasLauncher(facts)
    ? { reachable: true }
    : unreachable("no browser launcher found (install xdg-utils or set BROWSER)");
}

function unreachable(reason: string): Reachability {
  return { reachable: false, reason };
}

function hasLauncher(facts: PlatformFacts): boolean {
  return systemCommands(facts, "https://example.com/").length > 0;
}

/**
 * The commands to try, in order, to open `url`; each is an argv array to run without a shell.
 *
 * 1. `--browser` alone when given: it is the user's explicit choice, so no fallback to the system
 *    default (which may be signed in to another account).
 * 2. Else every entry of `BROWSER` (Python `webbrowser` rules, see {@link browserEntryCommands}),
 *    then the system default, as Python does.
 * 3. The system default: macOS `open`; Windows `rundll32 url.dll,FileProtocolHandler`, then
 *    `cmd.exe /c start`; WSL `wslview`, `cmd.exe /c start`, PowerShell `Start-Process`, `rundll32`
 *    (and the Linux launchers when WSLg gives a display); other systems `xdg-open`, `gio open`,
 *    `sensible-browser`, `x-www-browser`. Only launchers found in `facts.launchers` are used, by
 *    the path found; text-mode browsers are never picked.
 *
 * Throws a `TypeError` when `url` is not an http or https URL: `start` and `rundll32` would run
 * anything else as a program.
 *
 * @example
 * ```ts
 * const facts = {
 *   os: "linux",
 *   env: { DISPLAY: ":0", BROWSER: "firefox --private-window %s" },
 *   kernelRelease: "",
 *   dockerEnvFile: false,
 *   containerEnvFile: false,
 *   launchers: { "xdg-open": "/usr/bin/xdg-open" },
 * } as const;
 * browserCommands(facts, "https://example.com/", {});
 * // [["firefox", "--private-window", "https://example.com/"],
 * //  ["/usr/bin/xdg-open", "https://example.com/"]]
 * ```
 */
export function browserCommands(
  facts: PlatformFacts,
  url: string,
  options: BrowserOptions = {},
): string[][] {
  checkUrl(url);
  const windows = facts.os === "windows";
  if (options.browserFlag) return browserEntryCommands(options.browserFlag, url, { windows });
  const commands: string[][] = [];
  for (const entry of (facts.env.BROWSER ?? "").split(windows ? ";" : ":")) {
    commands.push(...browserEntryCommands(entry, url, { windows }));
  }
  commands.push(...systemCommands(facts, url));
  return dedupe(commands);
}

function checkUrl(url: string): void {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new TypeError(`Cannot open "${url}" in a browser: it is not a URL`);
  }
  if (protocol !== "https:" && protocol !== "http:") {
    throw new TypeError(`Cannot open "${url}" in a browser: only http and https URLs are allowed`);
  }
}

function dedupe(commands: string[][]): string[][] {
  const seen = new Set<string>();
  return commands.filter((argv) => {
    const key = JSON.stringify(argv);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The system's own ways to open a URL, per {@link browserCommands} step 3. */
function systemCommands(facts: PlatformFacts, url: string): string[][] {
  const found = facts.launchers;
  const commands: (string[] | undefined)[] = [];
  if (facts.os === "darwin") {
    commands.push(found.open === undefined ? undefined : [found.open, url]);
  } else if (facts.os === "windows") {
    commands.push(rundll32(found["rundll32.exe"], url), cmdStart(found["cmd.exe"], url));
  } else {
    const wsl = isWsl(facts);
    if (wsl) {
      commands.push(
        found.wslview === undefined ? undefined : [found.wslview, url],
        cmdStart(found["cmd.exe"], url),
        powershellStart(found["powershell.exe"], url),
        rundll32(found["rundll32.exe"], url),
      );
    }
    if (!wsl || hasDisplay(facts)) {
      commands.push(
        found["xdg-open"] === undefined ? undefined : [found["xdg-open"], url],
        found.gio === undefined ? undefined : [found.gio, "open", "--", url],
        found["sensible-browser"] === undefined ? undefined : [found["sensible-browser"], url],
        found["x-www-browser"] === undefined ? undefined : [found["x-www-browser"], url],
      );
    }
  }
  return commands.filter((argv) => argv !== undefined);
}

/**
 * `rundll32 url.dll,FileProtocolHandler URL`: rundll32 hands the rest of its command line to
 * `ShellExecute` untouched, so nothing needs escaping (the URL has no space, see {@link cmdSafeUrl}).
 */
function rundll32(path: string | undefined, url: string): string[] | undefined {
  return path === undefined ? undefined : [path, "url.dll,FileProtocolHandler", cmdSafeUrl(url)];
}

/**
 * `cmd.exe /d /e:on /v:off /c start "" URL`. `/d` skips AutoRun scripts from the registry, `/e:on`
 * makes sure `start` may open a URL through its file association, `/v:off` turns delayed `!var!`
 * expansion off whatever the registry says. The empty `""` is `start`'s window title, so that the
 * URL is never taken for one.
 */
function cmdStart(path: string | undefined, url: string): string[] | undefined {
  return path === undefined
    ? undefined
    : [path, "/d", "/e:on", "/v:off", "/c", "start", "", escapeForCmd(url)];
}

/**
 * PowerShell `Start-Process '<url>'`. In a single-quoted PowerShell string only a single quote is
 * special (doubled to escape it); PowerShell also takes the typographic quotes U+2018..U+201B for
 * single quotes, so those are doubled too.
 */
function powershellStart(path: string | undefined, url: string): string[] | undefined {
  if (path === undefined) return undefined;
  const quoted = cmdSafeUrl(url).replace(/['\u2018-\u201b]/g, "$&$&");
  return [path, "-NoProfile", "-NonInteractive", "-Command", `Start-Process '${quoted}'`];
}

/**
 * Percent-encodes the characters of `url` that cannot cross a Windows command line unchanged:
 * space, tab, `"` and control characters. A browser reads the encoded form as the same URL; a
 * URL serialized by `new URL()` has none of them to begin with.
 */
function cmdSafeUrl(url: string): string {
  // deno-lint-ignore no-control-regex
  return url.replace(/[\u0000-\u0020"\u007f]/g, (c) => {
    return "%" + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0");
  });
}

/** Characters that `cmd.exe` treats specially on a command line outside double quotes. */
const CMD_SPECIAL = new Set(["^", "&", "|", "<", ">", "(", ")", "%", "!", '"']);

/**
 * Escapes a URL so that `cmd.exe /c start "" <result>` opens exactly that URL.
 *
 * How the string travels, on Windows and from WSL:
 * - Deno builds the Windows command line from the argv array the libuv way (Rust's std does the
 *   same): an argument without space, tab or `"` is copied verbatim, anything else is wrapped in
 *   `"..."` with `\"` inside. WSL interop also copies such an argument verbatim. So the result must
 *   contain no space, tab or `"`: those are percent-encoded first (a browser reads `%20` as a
 *   space), which also keeps cmd's quote state off for the whole URL.
 * - cmd.exe then reparses the text after `/c`. Phase 1 expands `%NAME%` (and `%NAME:~1,2%`,
 *   `%NAME:a=b%`) when NAME is a defined variable; on the command line (unlike in a batch file) an
 *   undefined one is left as it is, and there is no escape for `%` in this phase: `^` is only
 *   handled in phase 2. So every `%` is written as `^%` and the character after it is written with
 *   a `^` in front too (`%2F` -> `^%^2F`): every variable name phase 1 can see then starts and
 *   ends with `^`, and no Windows environment has such a variable. Phase 2 drops each `^` and keeps
 *   the character after it, so `^%^2F` becomes `%2F` again.
 * - Phase 2 ends the command at `&` and `|`, redirects at `<` and `>`, treats `(` `)` as block
 *   delimiters and `^` as the escape: each gets a `^` in front. `!` is escaped too, although
 *   `/v:off` already turns delayed expansion off.
 * - `start` gets `"" URL` and passes the URL to `ShellExecuteEx`.
 *
 * @example
 * ```ts
 * escapeForCmd("https://example.com/?a=1&b=%2F");
 * // "https://example.com/?a=1^&b=^%^2F"
 * ```
 */
export function escapeForCmd(url: string): string {
  let escaped = "";
  let afterPercent = false;
  for (const char of cmdSafeUrl(url)) {
    escaped += CMD_SPECIAL.has(char) || afterPercent ? "^" + char : char;
    afterPercent = char === "%";
  }
  return escaped;
}

/** Options of {@link browserEntryCommands}. */
export interface BrowserEntryOptions {
  /** Windows rules: backslashes are path separators, not escapes. */
  windows?: boolean;
}

/**
 * The commands for one `BROWSER` entry (or a `--browser` value), following Python's `webbrowser`:
 *
 * - The entry is split into words like a POSIX shell would (`shlex.split`): quotes group, `\`
 *   escapes outside single quotes; on Windows `\` is an ordinary character. No shell ever runs.
 * - `%s` in a word is replaced by the URL and `%%` by `%` (the original `BROWSER` convention; Python
 *   only knows `%s`). Without any `%s` the URL becomes the last argument.
 * - A last word `&` (Python's "run in the background") is dropped: the launcher does not wait for a
 *   browser that keeps running anyway.
 * - An entry without `%s` that splits into several words is also tried whole, as one program name:
 *   that is how Python runs it, and it keeps an unquoted path with spaces working
 *   (`/mnt/c/Program Files/Mozilla Firefox/firefox.exe`).
 *
 * An empty entry, or one with an unclosed quote, gives no command.
 *
 * @example
 * ```ts
 * browserEntryCommands("open -a Safari", "https://example.com/");
 * // [["open", "-a", "Safari", "https://example.com/"], ["open -a Safari", "https://example.com/"]]
 * ```
 */
export function browserEntryCommands(
  entry: string,
  url: string,
  options: BrowserEntryOptions = {},
): string[][] {
  const words = splitWords(entry, options.windows ?? false);
  if (words === undefined) return [];
  if (words.at(-1) === "&") words.pop();
  if (words.length === 0) return [];
  let placeholder = false;
  const argv = words.map((word) => {
    const expanded = expandPlaceholders(word, url);
    placeholder ||= expanded.placeholder;
    return expanded.text;
  });
  if (placeholder) return [argv];
  const commands = [[...argv, url]];
  const whole = entry.trim();
  if (words.length > 1 && !/["'\\]/.test(whole)) commands.push([whole, url]);
  return commands;
}

function expandPlaceholders(word: string, url: string): { text: string; placeholder: boolean } {
  let text = "";
  let placeholder = false;
  for (let i = 0; i < word.length; i++) {
    const char = word[i];
    const next = word[i + 1];
    if (char === "%" && next === "%") {
      text += "%";
      i++;
    } else if (char === "%" && next === "s") {
      text += url;
      placeholder = true;
      i++;
    } else {
      text += char;
    }
  }
  return { text, placeholder };
}

/** {@link splitShellWords}, with `undefined` for what it cannot split. */
function splitWords(text: string, windows: boolean): string[] | undefined {
  try {
    return splitShellWords(text, { backslashEscapes: !windows });
  } catch {
    return undefined;
  }
}
