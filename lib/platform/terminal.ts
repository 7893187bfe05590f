/**
 * What the terminal on stderr can show, decided from the environment (pure): colours, OSC 8
 * hyperlinks. Nothing here writes to a terminal.
 *
 * OSC 8 hyperlinks are written only to terminals known to show them (an allow list), because a
 * terminal that does not know the sequence may print it as text, and only when stderr is a
 * terminal: pipes, logs and tests always get the plain URL. `NO_COLOR` is about colour and leaves
 * links alone; `FORCE_HYPERLINK=1` or `=0` overrides the detection, as in the npm package
 * `supports-hyperlinks`. Inside tmux and screen links are off: they pass them on only when
 * configured to.
 *
 * @module
 */

/** The variables read here, for the `--allow-env` list. */
export const TERMINAL_ENV_NAMES = [
  "TERM",
  "TERM_PROGRAM",
  "TERM_PROGRAM_VERSION",
  "VTE_VERSION",
  "WT_SESSION",
  "KONSOLE_VERSION",
  "NO_COLOR",
  "FORCE_HYPERLINK",
] as const;

/** Reads one variable. */
export type EnvReader = (name: typeof TERMINAL_ENV_NAMES[number]) => string | undefined;

function major(version: string | undefined): number {
  return Number.parseInt(version ?? "", 10) || 0;
}

/**
 * Whether colours may be used: a terminal, not `TERM=dumb`, no `NO_COLOR` (https://no-color.org).
 *
 * @example
 * ```ts
 * useColor((name) => ({ TERM: "xterm-256color" } as Record<string, string>)[name], true); // true
 * useColor((name) => ({ NO_COLOR: "1" } as Record<string, string>)[name], true); // false
 * ```
 */
export function useColor(env: EnvReader, isTerminal: boolean): boolean {
  if (!isTerminal || env("TERM") === "dumb") return false;
  const noColor = env("NO_COLOR");
  return noColor === undefined || noColor === "";
}

/**
 * Whether OSC 8 hyperlinks may be written to a terminal.
 *
 * @example
 * ```ts
 * const env = (values: Record<string, string>) => (name: string) => values[name];
 * supportsHyperlinks(env({ TERM_PROGRAM: "WezTerm" }), true); // true
 * supportsHyperlinks(env({ TERM_PROGRAM: "WezTerm" }), false); // false: not a terminal
 * supportsHyperlinks(env({ TERM: "xterm" }), true); // false: not known to show them
 * ```
 */
export function supportsHyperlinks(env: EnvReader, isTerminal: boolean): boolean {
  if (!isTerminal) return false;
  const forced = env("FORCE_HYPERLINK");
  if (forced !== undefined && forced !== "") return forced !== "0";
  const term = env("TERM") ?? "";
  if (term === "dumb" || /^(screen|tmux)/.test(term)) return false;
  if (env("WT_SESSION")) return true; // Windows Terminal
  const program = env("TERM_PROGRAM");
  const version = env("TERM_PROGRAM_VERSION");
  if (program === "iTerm.app") return major(version) >= 3;
  if (program === "WezTerm" || program === "ghostty") return true;
  if (program === "vscode") {
    const [maj = 0, min = 0] = (version ?? "").split(".").map((part) => Number(part) || 0);
    return maj > 1 || (maj === 1 && min >= 72);
  }
  if (major(env("VTE_VERSION")) >= 5000) return true; // GNOME Terminal, Tilix, ... (VTE 0.50)
  if (env("KONSOLE_VERSION")) return true;
  return /^(xterm-kitty|xterm-ghostty|alacritty|foot)/.test(term);
}

/**
 * A URL as an OSC 8 hyperlink: the visible text is the URL itself, so that it can still be
 * selected and copied whole.
 *
 * @example
 * ```ts
 * hyperlink("https://example.com/"); // "\x1b]8;;https://example.com/\x1b\\https://example.com/\x1b]8;;\x1b\\"
 * ```
 */
export function hyperlink(url: string): string {
  return `\x1b]8;;${url}\x1b\\${url}\x1b]8;;\x1b\\`;
}

/**
 * The OSC 52 sequence that asks the terminal to put a text on the system clipboard. Terminals that
 * allow it do so even over SSH; the others ignore it.
 *
 * @example
 * ```ts
 * clipboardCopy("hi"); // "\x1b]52;c;aGk=\x07"
 * ```
 */
export function clipboardCopy(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `\x1b]52;c;${btoa(binary)}\x07`;
}
