/**
 * Reader for the INI dialect of the AWS shared `config` and `credentials` files.
 *
 * The reference is botocore (`configloader.raw_config_parse`), which is Python's
 * `configparser.RawConfigParser` with its defaults plus one level of nested blocks. Every rule below
 * was checked against botocore 1.43.11 on Python 3.11:
 *
 * - Lines end with `\n`, `\r\n` or a lone `\r` (Python reads files with universal newlines).
 * - A line whose stripped text starts with `#` or `;` is a comment, wherever it is indented.
 * - Inline comments are NOT stripped: `region = us-east-1 # home` has the value
 *   `"us-east-1 # home"`. (The JS SDK strips ` #...` and ` ;...`; botocore, and so the AWS CLI, does
 *   not. We follow botocore, so that what we read is what the CLI reads.)
 * - A section header is a stripped line starting with `[` up to its last `]`; text after that `]`
 *   is ignored and the name is not trimmed (`[ profile a ]` is named `" profile a "`).
 * - An option is `key = value` or `key: value`, split at the first `=` or `:`. Keys are
 *   lower-cased (`optionxform`); values are trimmed.
 * - A line indented deeper than the option line before it continues that option's value, even when
 *   it looks like a section header. Blank and comment lines do not end a value. A value whose first
 *   line is empty is a nested block (`s3 =` then `  max_concurrent_requests = 10`): each of its
 *   lines is split at the first `=`, and nested keys keep their case.
 * - `[DEFAULT]` is configparser's defaults section: its values apply to every other section. It is
 *   returned like any section here; `profiles.ts` applies it.
 *
 * Where botocore rejects the whole file (text before the first section, a line with no separator,
 * an empty key, a nested line without `=`, a repeated section or key, a byte order mark), this
 * reader never throws: it skips the line, keeps reading, and lists a {@link IniProblem} with the
 * line number so a caller can warn that the AWS CLI will refuse the file.
 *
 * @module
 */

/** Python's whitespace (`str.isspace`, and `\s` in `re`), which differs from JavaScript's `\s`. */
const PY_SPACE =
  "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const TRAILING_SPACE = new RegExp(`[${PY_SPACE}]+$`);
/** Python's `str.splitlines` boundaries, used by botocore to split a nested block. */
// deno-lint-ignore no-control-regex -- Python splits lines at these control characters too.
const PY_SPLITLINES = /\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/;
const BOM = "\ufeff";

/** One section: its raw header name, its values, and its nested sub-blocks. */
export interface IniSection {
  /** The header name exactly as botocore sees it: `"profile dev"`, `"default"`, `"sso-session x"`. */
  readonly name: string;
  /** 1-based line number of the header. */
  readonly line: number;
  /** Options with a plain value. Keys are lower-cased. A value may span lines (joined with `\n`). */
  readonly values: Readonly<Record<string, string>>;
  /** Options whose value is a nested block: `s3 =\n  max_concurrent_requests = 10`. */
  readonly nested: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** 1-based line of the option line of each key (its last assignment), plain or nested. */
  readonly keyLines: Readonly<Record<string, number>>;
}

/** Stable identifiers of the things botocore would refuse. */
export type IniProblemCode =
  | "byte-order-mark"
  | "no-section"
  | "no-separator"
  | "empty-key"
  | "nested-no-equals"
  | "duplicate-section"
  | "duplicate-key";

/** A line the reader skipped or flagged. Each one makes botocore refuse the whole file. */
export interface IniProblem {
  /** 1-based line number. */
  readonly line: number;
  /** What kind of problem it is. */
  readonly code: IniProblemCode;
  /** A sentence for a warning. Never contains a value from the file (it may be a secret). */
  readonly message: string;
}

/** What {@link parseIni} returns. */
export interface ParsedIni {
  /** One entry per section header, in file order (a repeated header gives two entries). */
  readonly sections: IniSection[];
  /** Lines skipped or flagged, in file order. */
  readonly problems: IniProblem[];
}

/** What a line of the file is. */
export type IniLine =
  | IniPlainLine
  | IniSectionLine
  | IniOptionLine
  | IniContinuationLine;

/** Fields shared by every {@link IniLine}. */
export interface IniLineBase {
  /** 1-based line number. */
  readonly number: number;
  /** Offset of the line in the text after the byte order mark. */
  readonly start: number;
  /** The line without its terminator (and without the byte order mark on line 1). */
  readonly text: string;
  /** The terminator: `"\n"`, `"\r\n"`, `"\r"`, or `""` for a last line without one. */
  readonly eol: string;
  /** Length of the leading whitespace of `text`. */
  readonly indent: number;
  /** Index in {@link IniScan.sections} of the section the line belongs to, `-1` before the first. */
  readonly section: number;
}

/** A blank line, a comment, or a line that was skipped (see {@link IniScan.problems}). */
export interface IniPlainLine extends IniLineBase {
  /** What the line is. */
  readonly kind: "blank" | "comment" | "invalid";
}

/** A section header. */
export interface IniSectionLine extends IniLineBase {
  /** What the line is. */
  readonly kind: "section";
  /** The header name. */
  readonly name: string;
}

/** The first line of an option. */
export interface IniOptionLine extends IniLineBase {
  /** What the line is. */
  readonly kind: "option";
  /** The key as botocore sees it (lower-cased). */
  readonly key: string;
  /** Offset in `text` of the separator (`=` or `:`). */
  readonly separator: number;
  /** Offset in `text` where the value starts (after the separator and its following spaces). */
  readonly valueStart: number;
  /** The value on this line, trimmed. */
  readonly value: string;
}

/** A line indented deeper than the option before it: part of that option's value. */
export interface IniContinuationLine extends IniLineBase {
  /** What the line is. */
  readonly kind: "continuation";
  /** Index in {@link IniScan.lines} of the option line this line continues. */
  readonly option: number;
}

/** The line-by-line view of a file that {@link scanIni} returns. */
export interface IniScan {
  /** Whether the text started with a UTF-8 byte order mark (not part of line 1's `text`). */
  readonly bom: boolean;
  /** The text after the byte order mark: every line's `start` is an offset in it. */
  readonly body: string;
  /** Every line of the file, in order. Joining `text + eol` (after the mark) gives the input back. */
  readonly lines: IniLine[];
  /** The sections, as in {@link ParsedIni.sections}. */
  readonly sections: IniSection[];
  /** The problems, as in {@link ParsedIni.problems}. */
  readonly problems: IniProblem[];
}

/**
 * Trims whitespace the way Python's `str.strip()` does.
 *
 * @example
 * ```ts
 * import { pyStrip } from "./ini.ts";
 * pyStrip("\t region \x1c"); // "region"
 * ```
 */
export function pyStrip(text: string): string {
  const start = leadingSpace(text);
  if (start === text.length) return "";
  let end = text.length;
  while (end > start && isPySpace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** Whether a UTF-16 code unit is Python whitespace (see {@link PY_SPACE}). */
function isPySpace(code: number): boolean {
  if (code === 0x20 || (code >= 0x09 && code <= 0x0d) || (code >= 0x1c && code <= 0x1f)) {
    return true;
  }
  if (code < 0x85) return false;
  return code === 0x85 || code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000;
}

/** Length of the leading Python whitespace of `text`. */
function leadingSpace(text: string): number {
  let i = 0;
  while (i < text.length && isPySpace(text.charCodeAt(i))) i++;
  return i;
}

/**
 * Reads the text of an AWS `config` or `credentials` file. Never throws.
 *
 * @example
 * ```ts
 * import { parseIni } from "./ini.ts";
 * const { sections, problems } = parseIni("[profile dev]\nregion = eu-west-1\ns3 =\n  addressing_style = path\n");
 * sections[0]?.name; // "profile dev"
 * sections[0]?.values; // { region: "eu-west-1" }
 * sections[0]?.nested; // { s3: { addressing_style: "path" } }
 * problems; // []
 * ```
 */
export function parseIni(text: string): ParsedIni {
  const { sections, problems } = scanIni(text);
  return { sections, problems };
}

interface MutableSection {
  name: string;
  line: number;
  /** Option key → index of its option line, in order of assignment. */
  options: Map<string, number>;
}

/**
 * Reads a file line by line, keeping every byte, for callers that rewrite it (the config editor).
 *
 * @example
 * ```ts
 * import { scanIni } from "./ini.ts";
 * const scan = scanIni("[default]\r\nregion=us-east-1\r\n");
 * scan.lines.map((line) => line.kind); // ["section", "option"]
 * scan.lines[1]?.eol; // "\r\n"
 * ```
 */
export function scanIni(text: string): IniScan {
  const bom = text.startsWith(BOM);
  const body = bom ? text.slice(BOM.length) : text;
  const problems: IniProblem[] = [];
  if (bom) {
    problems.push({
      line: 1,
      code: "byte-order-mark",
      message: "The file starts with a UTF-8 byte order mark, which botocore cannot read",
    });
  }

  const lines: IniLine[] = [];
  const sections: MutableSection[] = [];
  /** Header name → 1-based line of its first occurrence (configparser's `elements_added`). */
  const seenSections = new Map<string, number>();
  /** Header name → key → 1-based line of the first assignment. */
  const seenKeys = new Map<string, Map<string, number>>();
  let current = -1;
  /** Index in `lines` of the option whose value may continue, configparser's `optname`. */
  let option = -1;
  let indentLevel = 0;

  let start = 0;
  while (start < body.length) {
    // Lines end with \n, \r\n or a lone \r (Python's universal newlines).
    let end = start;
    while (end < body.length) {
      const code = body.charCodeAt(end);
      if (code === 0x0a || code === 0x0d) break;
      end++;
    }
    const eol = end >= body.length
      ? ""
      : body.charCodeAt(end) === 0x0d && body.charCodeAt(end + 1) === 0x0a
      ? "\r\n"
      : body.charAt(end);
    const lineText = body.slice(start, end);
    const lineStart = start;
    start = end + eol.length;
    const number = lines.length + 1;
    const stripped = pyStrip(lineText);
    const indent = leadingSpace(lineText);
    const first = stripped.charCodeAt(0);

    const comment = first === 0x23 || first === 0x3b; // "#" or ";"
    if (comment || stripped === "") {
      lines.push({
        number,
        start: lineStart,
        text: lineText,
        eol,
        indent,
        section: current,
        kind: comment ? "comment" : "blank",
      });
      continue;
    }
    if (current >= 0 && option >= 0 && indent > indentLevel) {
      lines.push({
        number,
        start: lineStart,
        text: lineText,
        eol,
        indent,
        section: current,
        kind: "continuation",
        option,
      });
      continue;
    }
    const base = { number, start: lineStart, text: lineText, eol, indent, section: current };

    indentLevel = indent;
    const close = stripped.lastIndexOf("]");
    if (stripped.startsWith("[") && close >= 2) {
      const name = stripped.slice(1, close);
      const first = seenSections.get(name);
      if (first !== undefined && name !== "DEFAULT") {
        problems.push({
          line: number,
          code: "duplicate-section",
          message: `Section "${name}" appears again (first on line ${first})`,
        });
      } else if (first === undefined) {
        seenSections.set(name, number);
      }
      current = sections.length;
      sections.push({ name, line: number, options: new Map() });
      option = -1;
      lines.push({ ...base, kind: "section", name, section: current });
      continue;
    }

    const section = sections[current];
    if (section === undefined) {
      problems.push({
        line: number,
        code: "no-section",
        message: "Text before the first section header",
      });
      lines.push({ ...base, kind: "invalid" });
      continue;
    }

    const separator = firstSeparator(stripped);
    if (separator < 0) {
      // configparser keeps the previous option open after a bad line.
      problems.push({
        line: number,
        code: "no-separator",
        message: 'The line is not a section header, a comment or an option with "=" or ":"',
      });
      lines.push({ ...base, kind: "invalid" });
      continue;
    }
    const key = pyStrip(stripped.slice(0, separator)).toLowerCase();
    if (key === "") {
      problems.push({ line: number, code: "empty-key", message: "The option has an empty name" });
      lines.push({ ...base, kind: "invalid" });
      option = -1;
      continue;
    }
    let keysOfSection = seenKeys.get(section.name);
    if (keysOfSection === undefined) seenKeys.set(section.name, keysOfSection = new Map());
    const firstKey = keysOfSection.get(key);
    if (firstKey === undefined) {
      keysOfSection.set(key, number);
    } else {
      problems.push({
        line: number,
        code: "duplicate-key",
        message:
          `Key "${key}" appears again in section "${section.name}" (first on line ${firstKey})`,
      });
    }
    // Offsets in the unstripped line.
    const lineSeparator = indent + separator;
    const afterSeparator = lineText.slice(lineSeparator + 1);
    const valueStart = lineSeparator + 1 + leadingSpace(afterSeparator);
    option = lines.length;
    section.options.delete(key);
    section.options.set(key, option);
    lines.push({
      ...base,
      kind: "option",
      key,
      separator: lineSeparator,
      valueStart,
      value: pyStrip(afterSeparator),
    });
  }

  return {
    bom,
    body,
    lines,
    sections: sections.map((section) => buildSection(section, lines, problems)),
    problems: problems.sort((a, b) => a.line - b.line),
  };
}

function firstSeparator(text: string): number {
  const equals = text.indexOf("=");
  const colon = text.indexOf(":");
  if (equals < 0) return colon;
  if (colon < 0) return equals;
  return Math.min(equals, colon);
}

function buildSection(
  section: MutableSection,
  lines: readonly IniLine[],
  problems: IniProblem[],
): IniSection {
  const values: Record<string, string> = {};
  const nested: Record<string, Record<string, string>> = {};
  const keyLines: Record<string, number> = {};
  for (const [key, index] of section.options) {
    const optionLine = lines[index];
    if (optionLine?.kind !== "option") continue;
    setOwn(keyLines, key, optionLine.number);
    // configparser joins the value's lines with "\n", blank lines included, then strips the end.
    const parts = [optionLine.value];
    const partLines = [optionLine.number];
    for (let i = index + 1; i < lines.length; i++) {
      const line = lines[i];
      // configparser keeps a value open across comments and lines it could not read.
      if (line === undefined || line.kind === "comment" || line.kind === "invalid") continue;
      if (line.kind === "blank") {
        parts.push("");
        partLines.push(line.number);
        continue;
      }
      if (line.kind !== "continuation" || line.option !== index) break;
      parts.push(pyStrip(line.text));
      partLines.push(line.number);
    }
    const value = parts.join("\n").replace(TRAILING_SPACE, "");
    if (value.startsWith("\n")) {
      setOwn(nested, key, parseNested(parts, partLines, problems));
    } else {
      setOwn(values, key, value);
    }
  }
  return { name: section.name, line: section.line, values, nested, keyLines };
}

/** botocore's `_parse_nested`: split each line at its first `=`, keys keep their case. */
function parseNested(
  parts: readonly string[],
  partLines: readonly number[],
  problems: IniProblem[],
): Record<string, string> {
  const result: Record<string, string> = {};
  parts.forEach((part, i) => {
    for (const piece of part.split(PY_SPLITLINES)) {
      const line = pyStrip(piece);
      if (line === "") continue;
      const equals = line.indexOf("=");
      if (equals < 0) {
        problems.push({
          line: partLines[i] ?? 0,
          code: "nested-no-equals",
          message: 'The line in a nested block has no "="',
        });
        continue;
      }
      setOwn(result, pyStrip(line.slice(0, equals)), pyStrip(line.slice(equals + 1)));
    }
  });
  return result;
}

/** `record[key] = value`, also for keys such as `__proto__` that plain assignment would not own. */
function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  if (key !== "__proto__") {
    record[key] = value;
    return;
  }
  Object.defineProperty(record, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
