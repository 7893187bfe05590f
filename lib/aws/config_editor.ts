/**
 * Line-preserving editor for `~/.aws/config`: sets keys of one profile and leaves every other byte
 * alone.
 *
 * The model is the AWS CLI's `ConfigFileWriter` (spec §9.2), made stricter about preservation and
 * made to agree with how botocore reads the file ({@link scanIni}, `profiles.ts`):
 *
 * - The section edited is the one botocore reads for the profile: `[default]` or
 *   `[profile default]` for `default`; `[profile NAME]`, `[profile "NAME"]`, `[profile  NAME ]`
 *   otherwise (`[ profile NAME ]` is not a profile to botocore, so it is not edited). When several
 *   headers name the profile, the one whose values win is edited (see {@link configProfileHeader}).
 * - When that same header appears more than once (botocore then refuses the file, the JS SDK merges
 *   the occurrences), a key is replaced where its winning assignment is (the last one), and a new
 *   key goes into the last occurrence. Either way the edited value is the one readers see, and no
 *   key is repeated that was not repeated before.
 * - Keys match case-insensitively, as botocore lower-cases them; the line keeps its spelling, its
 *   indentation and its separator (`key=value`, `key = value`, `key: value`). The whole value is
 *   replaced, including any text that looks like an inline comment, because botocore reads such
 *   text as part of the value. A key whose value already equals the new value is left untouched,
 *   so applying an edit twice changes nothing the second time.
 * - A missing key is inserted as `key = value` after the last option line of the section (after
 *   the indented lines of a nested block too), before the blank lines and comments that lead to
 *   the next section, with the indentation of the option before it (or of the next line, when that
 *   one is indented deeper and would otherwise become part of the new value).
 * - A missing profile is appended as a new section, after a blank line unless the file already
 *   ends with one, and after a line break when the file ends without one.
 * - New line breaks are the file's most common one (`\n` for a file without any). A file that ended
 *   without a final line break still does after an edit inside it. A byte order mark is kept.
 * - A key whose current value spans several lines (a nested block such as `s3 =`, or a value
 *   continued on indented lines) is not rewritten: a {@link ConfigError} says so.
 * - After editing, the result is read back and compared with the input: if anything but the
 *   requested values would read differently, a {@link ConfigError} is thrown instead of returning
 *   a file that means something else. Only files that botocore rejects anyway get there (a line it
 *   cannot read keeps the value before it open, so an inserted option could swallow the indented
 *   header after it).
 *
 * @module
 */

import { ConfigError } from "../errors.ts";
import { type IniLine, type IniScan, type IniSection, pyStrip, scanIni } from "./ini.ts";
import { configSectionName, ProfileIndex } from "./profiles.ts";

/** What to change: keys to set in one profile of the config file. */
export interface ConfigEdit {
  /** The profile name, e.g. `"default"` or `"dev"`. */
  profile: string;
  /** Keys and their new values, written in this order when they are new. */
  set: Readonly<Record<string, string>>;
}

const BOM = "\ufeff";
const BAD_KEY_CHAR = /[=:[]/;

/**
 * Applies an edit to the text of a config file and returns the new text. Pure: text in, text out.
 *
 * @throws {TypeError} when the profile name, a key or a value cannot be written safely (a line
 *   break, a key with whitespace, `=`, `:` or `[`, an empty value, surrounding whitespace).
 * @throws {ConfigError} when a key to set currently spans several lines, or the edit would change
 *   anything else.
 * @example
 * ```ts
 * import { editConfig } from "./config_editor.ts";
 * const text = "[profile dev]\nregion = eu-west-1 # Ireland\n\n[profile prod]\nregion = us-east-1\n";
 * editConfig(text, {
 *   profile: "dev",
 *   set: { login_session: "arn:aws:iam::123456789012:user/dev" },
 * });
 * // "[profile dev]\nregion = eu-west-1 # Ireland\nlogin_session = arn:aws:iam::123456789012:user/dev\n\n[profile prod]\nregion = us-east-1\n"
 * ```
 */
export function editConfig(text: string, edit: ConfigEdit): string {
  const header = `[${configSectionName(edit.profile)}]`;
  const entries = Object.entries(edit.set);
  checkEntries(entries);
  if (entries.length === 0) return text;

  const scan = scanIni(text);
  const eol = dominantEol(scan.lines);
  const target = new ProfileIndex(scan.sections).configHeader(edit.profile);
  const body = target === undefined
    ? appendSection(scan, eol, [header, ...entries.map(([key, value]) => `${key} = ${value}`)])
    : editSection(scan, eol, target, edit.profile, entries);
  const result = (scan.bom ? BOM : "") + body;
  verify(scan, scanIni(result), edit, entries, target);
  return result;
}

function checkEntries(entries: readonly [string, string][]): void {
  const seen = new Map<string, string>();
  for (const [key, value] of entries) {
    const hasSpace = [...key].some((char) => pyStrip(char) === "");
    if (key === "" || hasSpace || BAD_KEY_CHAR.test(key) || /^[#;]/.test(key)) {
      throw new TypeError(
        `Invalid key ${JSON.stringify(key)}: keys must be non-empty and cannot hold whitespace, ` +
          `"=", ":" or "[", nor start with "#" or ";"`,
      );
    }
    const other = seen.get(key.toLowerCase());
    if (other !== undefined) {
      throw new TypeError(
        `Invalid keys "${other}" and "${key}": config keys ignore case, so they are the same key`,
      );
    }
    seen.set(key.toLowerCase(), key);
    // Messages never show the value: it may be a secret.
    if (/[\r\n]/.test(value)) {
      throw new TypeError(`Invalid value for key "${key}": it holds a line break`);
    }
    if (value === "") throw new TypeError(`Invalid value for key "${key}": it is empty`);
    if (pyStrip(value) !== value) {
      throw new TypeError(
        `Invalid value for key "${key}": it has leading or trailing whitespace, which readers strip`,
      );
    }
  }
}

/** The most common line break of the file, the first one seen on a tie, `\n` when there is none. */
function dominantEol(lines: readonly IniLine[]): string {
  const counts = new Map<string, number>();
  for (const { eol } of lines) {
    if (eol !== "") counts.set(eol, (counts.get(eol) ?? 0) + 1);
  }
  let best = "\n";
  let bestCount = 0;
  for (const [eol, count] of counts) {
    if (count > bestCount) [best, bestCount] = [eol, count];
  }
  return best;
}

function appendSection(scan: IniScan, eol: string, newLines: readonly string[]): string {
  let text = scan.body;
  const last = scan.lines.at(-1);
  if (last !== undefined) {
    if (last.eol === "") text += eol;
    if (last.kind !== "blank") text += eol;
  }
  return text + newLines.map((line) => line + eol).join("");
}

function editSection(
  scan: IniScan,
  eol: string,
  header: string,
  profile: string,
  entries: readonly [string, string][],
): string {
  const { lines, sections } = scan;
  /** Line index → its new text (terminator included); every other line stays as it is. */
  const out = new Map<number, string>();
  const occurrences = new Set<number>();
  sections.forEach((section, index) => {
    if (section.name === header) occurrences.add(index);
  });
  const lastOccurrence = Math.max(...occurrences);

  const missing: [string, string][] = [];
  for (const [key, value] of entries) {
    const index = lines.findLastIndex((line) =>
      line.kind === "option" && occurrences.has(line.section) && line.key === key.toLowerCase()
    );
    const line = lines[index];
    if (line?.kind !== "option") {
      missing.push([key, value]);
      continue;
    }
    if (lines.some((other) => other.kind === "continuation" && other.option === index)) {
      throw new ConfigError(
        `Cannot set "${key}" in profile "${profile}": its current value spans several lines`,
        {
          code: "CONFIG_FILE_UNEDITABLE",
          hint: `Edit line ${line.number} of the config file by hand`,
        },
      );
    }
    if (line.value === value) continue;
    const head = line.text.slice(0, line.separator + 1);
    let gap = line.text.slice(line.separator + 1, line.valueStart);
    if (line.value === "") gap = pyStrip(line.text.charAt(line.separator - 1)) === "" ? " " : "";
    out.set(index, head + gap + value + line.eol);
  }
  if (missing.length === 0) return splice(scan, out);

  // After the last line of the section's options, before blank lines and comments.
  const anchor = lines.findLastIndex((line) =>
    line.section === lastOccurrence &&
    (line.kind === "section" || line.kind === "option" || line.kind === "continuation")
  );
  const anchorLine = lines[anchor];
  if (anchorLine === undefined) throw new Error("The section header line is missing");
  const indent = insertIndent(lines, anchor);
  const block = missing.map(([key, value]) => `${indent}${key} = ${value}`);
  // The anchor may already hold a replaced value: append to it, not to the original line.
  const anchorText = out.get(anchor) ?? anchorLine.text + anchorLine.eol;
  out.set(
    anchor,
    anchorLine.eol === ""
      // The last line of the file had no line break: keep it that way.
      ? anchorText + eol + block.join(eol)
      : anchorText + block.map((line) => line + eol).join(""),
  );
  return splice(scan, out);
}

/** The text with the lines of `replaced` swapped for their new text, every other byte kept. */
function splice(scan: IniScan, replaced: ReadonlyMap<number, string>): string {
  const parts: string[] = [];
  let from = 0;
  for (const index of [...replaced.keys()].sort((a, b) => a - b)) {
    const line = scan.lines[index]!;
    parts.push(scan.body.slice(from, line.start), replaced.get(index)!);
    from = line.start + line.text.length + line.eol.length;
  }
  parts.push(scan.body.slice(from));
  return parts.join("");
}

/**
 * Indentation for lines inserted after `anchor`: that of the line that set configparser's indent
 * level (the last option or header), so the new line does not continue the value before it, widened
 * to the next significant line's when a header left no value open, so that line does not become a
 * continuation of the new one.
 */
function insertIndent(lines: readonly IniLine[], anchor: number): string {
  const level = lines.findLast((line, i) =>
    i <= anchor && line.kind !== "blank" && line.kind !== "comment" && line.kind !== "continuation"
  );
  const next = lines.find((line, i) =>
    i > anchor && line.kind !== "blank" && line.kind !== "comment"
  );
  const base = level?.text.slice(0, level.indent) ?? "";
  if (next !== undefined && next.indent > base.length) return next.text.slice(0, next.indent);
  return base;
}

/** Reads the result back: only the requested values may differ from the input. */
function verify(
  before: IniScan,
  after: IniScan,
  edit: ConfigEdit,
  entries: readonly [string, string][],
  /** The header that was edited; `undefined`: the section was appended. */
  target: string | undefined,
): void {
  const appendedHeader = target === undefined ? `[${configSectionName(edit.profile)}]` : undefined;
  const fail = (why: string): never => {
    throw new ConfigError(
      `Cannot update profile "${edit.profile}" in the config file safely: ${why}`,
      { code: "CONFIG_FILE_UNEDITABLE", hint: "Edit the config file by hand" },
    );
  };
  const newValues = new Map(entries.map(([key, value]) => [key.toLowerCase(), value]));
  const expectedCount = before.sections.length + (appendedHeader === undefined ? 0 : 1);
  if (after.sections.length !== expectedCount) fail("the sections would change");
  const none = new Map<string, string>();
  before.sections.forEach((old, i) => {
    const now = after.sections[i];
    // A section reads the same when its bytes are the same: every header starts the reader afresh
    // (no option open, the header's indent), and what came before it only adds problems, which
    // are compared below. Only sections whose bytes differ are compared value by value.
    if (now !== undefined && sectionText(before, i) === sectionText(after, i)) return;
    const allowed = old.name === target ? newValues : none;
    if (now === undefined || !sameSection(old, now, allowed)) {
      fail(`section "${old.name}" would change`);
    }
  });
  if (appendedHeader !== undefined) {
    const added = after.sections.at(-1);
    if (added === undefined || `[${added.name}]` !== appendedHeader) {
      fail("the new section would not be read back");
    }
  }
  const codes = (scan: IniScan) => scan.problems.map((problem) => problem.code).join();
  if (codes(before) !== codes(after)) fail("the file would read differently");
  const values = new ProfileIndex(after.sections).configProfile(edit.profile) ?? {};
  for (const [key, value] of newValues) {
    if (own(values, key) !== value) fail(`"${key}" would not read back as written`);
  }
}

/** The text of a section: from its header line to the next header, or to the end of the file. */
function sectionText(scan: IniScan, index: number): string {
  const header = scan.lines[scan.sections[index]!.line - 1]!;
  const next = scan.sections[index + 1];
  const end = next === undefined ? scan.body.length : scan.lines[next.line - 1]!.start;
  return scan.body.slice(header.start, end);
}

/** Same name, nested blocks and values, except that keys in `allowed` may take their new value. */
function sameSection(a: IniSection, b: IniSection, allowed: ReadonlyMap<string, string>): boolean {
  if (a.name !== b.name || !sameRecord(a.nested, b.nested)) return false;
  const keys = new Set([...Object.keys(a.values), ...Object.keys(b.values)]);
  return [...keys].every((key) =>
    own(a.values, key) === own(b.values, key) ||
    (allowed.has(key) && own(b.values, key) === allowed.get(key))
  );
}

function sameRecord(
  a: Readonly<Record<string, Readonly<Record<string, string>>>>,
  b: Readonly<Record<string, Readonly<Record<string, string>>>>,
): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => {
    const x = own(a, key);
    const y = own(b, key);
    if (x === undefined || y === undefined) return false;
    const inner = new Set([...Object.keys(x), ...Object.keys(y)]);
    return [...inner].every((name) => own(x, name) !== undefined && own(x, name) === own(y, name));
  });
}

function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
