/**
 * Splitting and quoting command lines without ever running a shell: `BROWSER` entries (Python's
 * `shlex.split`) and `credential_process` values (botocore's `compat_shell_split`: POSIX `shlex` on
 * Unix, the MSVC `CommandLineToArgvW` rules on Windows).
 *
 * @module
 */

/** Which rules to split with. */
export type ShellStyle = "posix" | "windows";

/** Options of {@link splitShellWords}. */
export interface ShellWordsOptions {
  /** Whether `\` escapes (POSIX); off for `BROWSER` on Windows, where it separates paths. */
  backslashEscapes?: boolean;
}

/**
 * Splits a command line into words like Python's `shlex.split` in POSIX mode: whitespace
 * separates, `'...'` is literal, `"..."` groups with `\"` and `\\` as its only escapes, `\` outside
 * quotes keeps the next character. Throws a `SyntaxError` on an unclosed quote or a trailing `\`.
 *
 * @example
 * ```ts
 * splitShellWords(`open -a "Google Chrome" %s`); // ["open", "-a", "Google Chrome", "%s"]
 * ```
 */
export function splitShellWords(text: string, options: ShellWordsOptions = {}): string[] {
  const escapes = options.backslashEscapes ?? true;
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word += char;
    } else if (quote === '"') {
      const next = text[i + 1];
      if (char === '"') {
        quote = undefined;
      } else if (char === "\\" && escapes && (next === '"' || next === "\\")) {
        word += next;
        i++;
      } else {
        word += char;
      }
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      inWord = true;
      if (char === "'" || char === '"') {
        quote = char;
      } else if (char === "\\" && escapes) {
        const next = text[i + 1];
        if (next === undefined) throw new SyntaxError("No escaped character");
        word += next;
        i++;
      } else {
        word += char;
      }
    }
  }
  if (quote !== undefined) throw new SyntaxError("No closing quotation");
  if (inWord) words.push(word);
  return words;
}

/**
 * Splits a command line into words the way botocore reads `credential_process`: `shlex` on POSIX
 * systems, the MSVC `CommandLineToArgvW` rules on Windows.
 *
 * @example
 * ```ts
 * splitCommandLine(String.raw`"C:\Program Files\x.exe" --flag`, "windows"); // ["C:\\Program Files\\x.exe", "--flag"]
 * ```
 */
export function splitCommandLine(text: string, style: ShellStyle): string[] {
  return style === "posix" ? splitShellWords(text) : splitWindows(text);
}

function splitWindows(text: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === "\\") {
      let count = 0;
      while (text[i] === "\\") {
        count++;
        i++;
      }
      if (text[i] === '"') {
        word += "\\".repeat(Math.floor(count / 2));
        if (count % 2 === 1) word += '"';
        else quoted = !quoted;
      } else {
        word += "\\".repeat(count);
        i--;
      }
      inWord = true;
    } else if (char === '"') {
      quoted = !quoted;
      inWord = true;
    } else if (/[ \t]/.test(char) && !quoted) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/**
 * Quotes one word so that `shlex.split` (botocore), `sh -c` (the JS SDK runs `credential_process`
 * through a shell) and, with `"windows"`, `CommandLineToArgvW` and `cmd.exe` read it back unchanged.
 * POSIX words are single-quoted, the one form both `shlex` and `sh` read the same way.
 *
 * @example
 * ```ts
 * quoteWord("/usr/local/bin/aws-login"); // "/usr/local/bin/aws-login"
 * quoteWord("/Users/me/My Tools/aws-login"); // "'/Users/me/My Tools/aws-login'"
 * ```
 */
export function quoteWord(word: string, style: ShellStyle = "posix"): string {
  const safe = style === "posix" ? /^[A-Za-z0-9_./:=@,+%-]+$/ : /^[A-Za-z0-9_./:=@,+\\-]+$/;
  if (safe.test(word)) return word;
  if (style === "windows") {
    const escaped = word.replace(/(\\*)"/g, (_, slashes: string) => `${slashes}${slashes}\\"`)
      .replace(/(\\+)$/, "$1$1");
    return `"${escaped}"`;
  }
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Joins words into a command line with {@link quoteWord}.
 *
 * @example
 * ```ts
 * joinCommandLine(["aws-login", "export-credentials", "--profile", "my profile"]);
 * // 'aws-login export-credentials --profile "my profile"'
 * ```
 */
export function joinCommandLine(words: readonly string[], style: ShellStyle = "posix"): string {
  return words.map((word) => quoteWord(word, style)).join(" ");
}
