/**
 * A URL as a QR code on a terminal: the module matrix comes from `lean-qr` (a maintained encoder
 * with no dependencies), the drawing is ours and pure: two rows of modules per line of text with
 * the half-block characters `▀ ▄ █`, inside a quiet zone of 4 modules (ISO/IEC 18004).
 *
 * With colours, dark modules are drawn black on a white background, whatever the terminal's
 * theme. Without colours (`NO_COLOR`), the characters draw the light modules, which suits the
 * usual light-on-dark terminal; phone cameras also read the inverted code of a light theme.
 *
 * @module
 */

import { correction, generate } from "lean-qr";

/** The modules of a QR code: `true` is dark. */
export interface QrMatrix {
  /** Modules per side, without the quiet zone. */
  readonly size: number;
  get(x: number, y: number): boolean;
}

/** The quiet zone around the code, in modules. */
export const QUIET_ZONE = 4;

const BLOCKS = { both: "█", top: "▀", bottom: "▄", none: " " } as const;
const DARK_ON_LIGHT = "\x1b[30;107m";
const RESET = "\x1b[0m";

/**
 * The QR code of a text: byte mode, the smallest version at error correction level L or better.
 *
 * @example
 * ```ts
 * qrMatrix("https://example.com/").size; // 25
 * ```
 */
export function qrMatrix(text: string): QrMatrix {
  const code = generate(text, { minCorrectionLevel: correction.L });
  return { size: code.size, get: (x, y) => code.get(x, y) };
}

/**
 * How much room the drawing of a code of `size` modules takes on a terminal.
 *
 * @example
 * ```ts
 * qrDimensions(25); // { columns: 33, rows: 17 }
 * ```
 */
export function qrDimensions(size: number): { columns: number; rows: number } {
  const side = size + 2 * QUIET_ZONE;
  return { columns: side, rows: Math.ceil(side / 2) };
}

/**
 * Draws a QR code as lines of text (no line endings), quiet zone included. Each character holds
 * two modules: the upper one of an even row and the lower one of the next.
 *
 * @example
 * ```ts
 * const lines = renderQr(qrMatrix("x"), { color: false });
 * lines.length; // 15: (21 + 8) modules, two per line
 * ```
 */
export function renderQr(matrix: QrMatrix, options: { color: boolean }): string[] {
  const side = matrix.size + 2 * QUIET_ZONE;
  const dark = (x: number, y: number) => {
    const mx = x - QUIET_ZONE;
    const my = y - QUIET_ZONE;
    return mx >= 0 && my >= 0 && mx < matrix.size && my < matrix.size && matrix.get(mx, my);
  };
  const lines: string[] = [];
  for (let y = 0; y < side; y += 2) {
    let line = "";
    for (let x = 0; x < side; x++) {
      // With colours the glyph draws dark modules; without, it draws light ones.
      const top = dark(x, y) === options.color;
      const bottom = (y + 1 < side ? dark(x, y + 1) : false) === options.color;
      line += top && bottom ? BLOCKS.both : top ? BLOCKS.top : bottom ? BLOCKS.bottom : BLOCKS.none;
    }
    lines.push(options.color ? `${DARK_ON_LIGHT}${line}${RESET}` : line);
  }
  return lines;
}
