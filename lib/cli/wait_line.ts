/**
 * The one-row wait line of a terminal, as a pure renderer: `renderWaitLine(state, width)` never
 * returns more than `width - 1` columns, so the line never wraps and `\r` + erase-line redraws it
 * in place. (A line as wide as the terminal leaves the cursor in the last column, where some
 * terminals wrap at the next character.) It says less when the terminal is narrow.
 *
 * @module
 */

/** The spinner frames (Braille patterns: one column wide). */
export const SPINNER_FRAMES: readonly string[] = [
  "⠋",
  "⠙",
  "⠹",
  "⠸",
  "⠼",
  "⠴",
  "⠦",
  "⠧",
  "⠇",
  "⠏",
];

/**
 * Formats seconds as `m:ss`.
 *
 * @example
 * ```ts
 * formatClock(601); // "10:01"
 * ```
 */
export function formatClock(seconds: number): string {
  const whole = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

/** What the wait line shows. */
export interface WaitLineState {
  /** Increases by one per redraw; picks the spinner frame. */
  readonly frame: number;
  /** What is awaited, e.g. "Waiting for the browser sign-in". */
  readonly label: string;
  /** A shorter label for narrow terminals, e.g. "Waiting for sign-in". */
  readonly shortLabel?: string;
  readonly secondsLeft: number;
}

/**
 * The number of terminal columns a text takes: East Asian wide and fullwidth characters (and most
 * emoji) take two, combining marks and control characters none, the rest one.
 *
 * @example
 * ```ts
 * displayWidth("⠋ wait"); // 6
 * displayWidth("日本"); // 4
 * ```
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x20 || (code >= 0x7f && code < 0xa0)) continue;
    if (/\p{Mn}|\p{Me}|\u200b|\u200d/u.test(char)) continue;
    width += isWide(code) ? 2 : 1;
  }
  return width;
}

function isWide(code: number): boolean {
  return (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0x303e) ||
    (code >= 0x3041 && code <= 0x33ff) ||
    (code >= 0x3400 && code <= 0x4dbf) ||
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0xa000 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1f64f) ||
    (code >= 0x1f900 && code <= 0x1f9ff) ||
    (code >= 0x20000 && code <= 0x3fffd);
}

/**
 * Cuts a text to at most `columns` display columns.
 *
 * @example
 * ```ts
 * fitColumns("abcdef", 3); // "abc"
 * ```
 */
export function fitColumns(text: string, columns: number): string {
  let result = "";
  for (const char of text) {
    if (displayWidth(result + char) > columns) break;
    result += char;
  }
  return result;
}

/**
 * The wait line for a terminal `width` columns wide: the longest wording that fits in `width - 1`
 * columns, from `⠋ Waiting for the browser sign-in: 9:58 left (Ctrl-C to cancel)` down to `⠋ 9:58`.
 *
 * @example
 * ```ts
 * const state = {
 *   frame: 0,
 *   label: "Waiting for the browser sign-in",
 *   shortLabel: "Waiting for sign-in",
 *   secondsLeft: 598,
 * };
 * renderWaitLine(state, 80); // "⠋ Waiting for the browser sign-in: 9:58 left (Ctrl-C to cancel)"
 * renderWaitLine(state, 40); // "⠋ Waiting for sign-in: 9:58 left"
 * renderWaitLine(state, 20); // "⠋ 9:58 left"
 * ```
 */
export function renderWaitLine(state: WaitLineState, width: number): string {
  const spinner = SPINNER_FRAMES[state.frame % SPINNER_FRAMES.length]!;
  const left = formatClock(state.secondsLeft);
  const short = state.shortLabel ?? state.label;
  const wordings = [
    `${spinner} ${state.label}: ${left} left (Ctrl-C to cancel)`,
    `${spinner} ${state.label}: ${left} left`,
    `${spinner} ${short}: ${left} left (Ctrl-C to cancel)`,
    `${spinner} ${short}: ${left} left`,
    `${spinner} Waiting: ${left} left`,
    `${spinner} ${left} left`,
    `${spinner} ${left}`,
  ];
  const budget = Math.max(0, width - 1);
  return wordings.find((text) => displayWidth(text) <= budget) ?? fitColumns(spinner, budget);
}
