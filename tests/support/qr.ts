/**
 * Reading a QR code back from the text aws-login draws (or a terminal pane shows): the characters
 * become modules again, the modules a bitmap, and `jsqr` (a decoder from npm, used by tests only)
 * reads the bitmap.
 *
 * @module
 */

import jsQRModule from "jsqr";

type Decoder = (
  data: Uint8ClampedArray,
  width: number,
  height: number,
  options?: { inversionAttempts?: "dontInvert" | "onlyInvert" | "attemptBoth" | "invertFirst" },
) => { data: string } | null;

// jsqr is CommonJS: at run time the default import is the function its types call `default`.
const jsQR = jsQRModule as unknown as Decoder;

const TOP: Record<string, [boolean, boolean]> = {
  "█": [true, true],
  "▀": [true, false],
  "▄": [false, true],
  " ": [false, false],
};

/**
 * The modules drawn by lines of half-block text, quiet zone included: `true` is dark. With
 * `color`, the glyphs are the dark modules (black on white); without, they are the light ones.
 * Escape sequences are ignored. Throws on any other character.
 */
export function modulesFromText(
  lines: readonly string[],
  options: { color: boolean },
): boolean[][] {
  const rows: boolean[][] = [];
  for (const raw of lines) {
    // deno-lint-ignore no-control-regex
    const line = raw.replace(/\x1b\[[0-9;]*m/g, "");
    const upper: boolean[] = [];
    const lower: boolean[] = [];
    for (const char of line) {
      const halves = TOP[char];
      if (halves === undefined) {
        throw new Error(`Not a half-block character: ${JSON.stringify(char)}`);
      }
      upper.push(halves[0] === options.color);
      lower.push(halves[1] === options.color);
    }
    rows.push(upper, lower);
  }
  return rows;
}

/** Decodes a grid of modules (quiet zone included) with jsQR; `null` when it reads nothing. */
export function decodeModules(modules: readonly (readonly boolean[])[], scale = 4): string | null {
  const height = modules.length * scale;
  const width = (modules[0]?.length ?? 0) * scale;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dark = modules[Math.floor(y / scale)]![Math.floor(x / scale)] ?? false;
      const offset = (y * width + x) * 4;
      data.fill(dark ? 0 : 255, offset, offset + 3);
      data[offset + 3] = 255;
    }
  }
  return jsQR(data, width, height, { inversionAttempts: "dontInvert" })?.data ?? null;
}
