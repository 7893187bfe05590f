/**
 * How the sign-in URL is shown: always in full as plain text (it must stay copyable), as an OSC 8
 * hyperlink where the terminal shows those, as a QR code for `--remote` where the terminal is big
 * enough, and copied to the clipboard with `--copy`. Pure text builders and a thin writer.
 *
 * @module
 */

import type { ConsoleSize, Deps } from "../runtime/deps.ts";
import { qrDimensions, qrMatrix, renderQr } from "./qr.ts";
import { formatDuration } from "./progress.ts";
import {
  clipboardCopy,
  type EnvReader,
  hyperlink,
  supportsHyperlinks,
  useColor,
} from "../platform/terminal.ts";

/** What the terminal on stderr can show, as far as the URL is concerned. */
export interface UrlTerminal {
  readonly isTerminal: boolean;
  readonly size: ConsoleSize | undefined;
  readonly hyperlinks: boolean;
  readonly color: boolean;
  /** `TERM=dumb`: no drawing at all. */
  readonly dumb?: boolean;
}

/**
 * Lines besides the QR code that must fit on the screen with it: the caption, a blank line, the
 * URL's blank line after it, the deadline and the prompt, and one spare for the line the shell
 * scrolls.
 */
const LINES_AROUND_QR = 6;

/**
 * Reads what the terminal on stderr can show.
 *
 * @example
 * ```ts ignore
 * urlTerminal(deps); // { isTerminal: true, size: { columns: 120, rows: 50 }, hyperlinks: false, color: true }
 * ```
 */
export function urlTerminal(deps: Pick<Deps, "env" | "stderr">): UrlTerminal {
  const env: EnvReader = deps.env;
  const isTerminal = deps.stderr.isTerminal;
  return {
    isTerminal,
    size: isTerminal ? deps.stderr.consoleSize() : undefined,
    hyperlinks: supportsHyperlinks(env, isTerminal),
    color: useColor(env, isTerminal),
    dumb: env("TERM") === "dumb",
  };
}

/**
 * The URL as printed: a hyperlink whose text is the URL where the terminal shows hyperlinks, the
 * bare URL everywhere else.
 *
 * @example
 * ```ts
 * shownUrl("https://x/", { isTerminal: false, size: undefined, hyperlinks: false, color: false }); // "https://x/"
 * ```
 */
export function shownUrl(url: string, terminal: UrlTerminal): string {
  return terminal.isTerminal && terminal.hyperlinks ? hyperlink(url) : url;
}

/** What {@link qrSection} decided. */
export type QrSection =
  | { readonly kind: "code"; readonly text: string }
  | { readonly kind: "too-small"; readonly text: string }
  | { readonly kind: "none"; readonly text: "" };

/**
 * The QR code of the URL, with its caption, when stderr is a terminal that can show all of it
 * together with the URL and the prompt below it; a one-line note when the terminal is too small;
 * nothing when stderr is not a terminal, when its size is unknown or `TERM=dumb`.
 *
 * @example
 * ```ts
 * const terminal = { isTerminal: true, size: { columns: 40, rows: 24 }, hyperlinks: false, color: true };
 * qrSection("https://example.com/", terminal).kind; // "too-small"
 * ```
 */
export function qrSection(url: string, terminal: UrlTerminal): QrSection {
  if (!terminal.isTerminal || terminal.dumb || terminal.size === undefined) {
    return { kind: "none", text: "" };
  }
  const matrix = qrMatrix(url);
  const need = qrDimensions(matrix.size);
  const { columns, rows } = terminal.size;
  const urlRows = Math.ceil(url.length / Math.max(1, columns));
  const needColumns = need.columns + 1;
  const needRows = need.rows + urlRows + LINES_AROUND_QR;
  if (columns < needColumns || rows < needRows) {
    return {
      kind: "too-small",
      text: `(A terminal of ${needColumns}x${needRows} or more would show the URL as a QR code; ` +
        `this one is ${columns}x${rows}.)\n`,
    };
  }
  const lines = renderQr(matrix, { color: terminal.color });
  return {
    kind: "code",
    text: `${lines.join("\n")}\nScan the QR code with a phone, or visit the following URL:\n`,
  };
}

/**
 * The local time of a deadline, `HH:MM`.
 *
 * @example
 * ```ts ignore
 * clockTime(new Date(2026, 0, 1, 14, 32)); // "14:32"
 * ```
 */
export function clockTime(date: Date): string {
  return `${String(date.getHours()).padStart(2, "0")}:${
    String(date.getMinutes()).padStart(2, "0")
  }`;
}

/**
 * The line before the `--remote` prompt that says how long the code is awaited. It is printed
 * once, as a duration and a clock time, instead of a countdown: the prompt's line belongs to the
 * user while they type or paste, and redrawing anything on it, or above it, would corrupt what
 * they typed as soon as a long paste wraps or the screen scrolls.
 *
 * @example
 * ```ts ignore
 * deadlineLine(new Date(2026, 0, 1, 14, 22), 600); // "Sign in and paste the code within 10 minutes (by 14:32).\n"
 * ```
 */
export function deadlineLine(now: Date, timeoutSeconds: number): string {
  const by = clockTime(new Date(now.getTime() + timeoutSeconds * 1000));
  return `Sign in and paste the code within ${formatDuration(timeoutSeconds)} (by ${by}).\n`;
}

/**
 * With `--copy`: the OSC 52 sequence that copies the URL and a line saying so, on a terminal; a
 * warning elsewhere (a pipe has no clipboard).
 *
 * @example
 * ```ts
 * copyText("https://x/", { isTerminal: false, size: undefined, hyperlinks: false, color: false });
 * // "warning: --copy needs a terminal on stderr; the URL was not copied\n"
 * ```
 */
export function copyText(url: string, terminal: UrlTerminal): string {
  if (!terminal.isTerminal) {
    return "warning: --copy needs a terminal on stderr; the URL was not copied\n";
  }
  return `${
    clipboardCopy(url)
  }Sent the URL to the clipboard (OSC 52: if the terminal allows it).\n`;
}
