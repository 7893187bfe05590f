/**
 * Text from outside (a server's error message, another program's stderr) made safe to print on a
 * terminal: no escape sequences or control characters that could rewrite the screen, a bounded
 * length, and no secret of ours echoed back.
 *
 * @module
 */

/** The longest outside text printed in one message. */
export const MAX_OUTSIDE_TEXT = 300;

/** What replaces a secret found in outside text. */
export const REDACTED = "[redacted]";

const ESCAPE_SEQUENCE =
  // deno-lint-ignore no-control-regex -- escape sequences are exactly what is removed here
  /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|[@-Z\\-_])/g;
// deno-lint-ignore no-control-regex -- C0 and C1 controls, DEL, and the bidirectional overrides
const CONTROL = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]+/g;

/** Options of {@link sanitizeOutsideText}. */
export interface SanitizeOptions {
  /** Values that must never be printed (tokens we sent); each occurrence is replaced. */
  secrets?: readonly (string | undefined)[];
  /** Default {@link MAX_OUTSIDE_TEXT}. */
  maxLength?: number;
}

/**
 * Makes outside text printable on one line: escape sequences removed, control characters and line
 * breaks turned into single spaces, secrets replaced by {@link REDACTED}, trimmed, and cut at
 * `maxLength` characters with an ellipsis.
 *
 * @example
 * ```ts
 * sanitizeOutsideText("bad \x1b[31mtoken\x1b[0m ASOR123\nagain", { secrets: ["ASOR123"] });
 * // "bad token [redacted] again"
 * ```
 */
export function sanitizeOutsideText(text: string, options: SanitizeOptions = {}): string {
  let clean = text.replace(ESCAPE_SEQUENCE, "");
  for (const secret of options.secrets ?? []) {
    // Short values could match ordinary words; every secret we send is long.
    if (secret !== undefined && secret.length >= 8) clean = clean.replaceAll(secret, REDACTED);
  }
  clean = clean.replace(CONTROL, " ").replace(/ {2,}/g, " ").trim();
  const max = options.maxLength ?? MAX_OUTSIDE_TEXT;
  return clean.length > max ? `${clean.slice(0, max - 3).trimEnd()}...` : clean;
}
