/**
 * A one-line answer with Tab completion, where the terminal allows: a pure editor that turns keys
 * into the new line and the text to echo, and {@link askLine}, which feeds it raw keys from the
 * terminal, or reads a plain line when standard input is not a terminal.
 *
 * The editor appends and deletes at the end of the line only (no cursor keys): enough for a region
 * name, and nothing to redraw, so a narrow terminal never shows a mangled line.
 *
 * @module
 */

import type { Deps, Output, RawInput } from "../runtime/deps.ts";
import { InterruptedError } from "../errors.ts";
import { ask, canPrompt } from "./prompt.ts";

/** The line being edited. */
export interface LineState {
  readonly text: string;
  /** How many Tabs in a row were just pressed (the second lists the candidates). */
  readonly tabs: number;
}

/** What a key did. */
export interface LineStep {
  readonly state: LineState;
  /** What to write to the terminal. */
  readonly echo: string;
  /** Set when the line is over: Enter, Ctrl-C, or Ctrl-D on an empty line. */
  readonly done?: "submit" | "cancel" | "eof";
}

/** What the editor needs besides the key. */
export interface EditOptions {
  /** The answers Tab completes to. */
  readonly completions: readonly string[];
  /** The question, written again after a list of candidates. */
  readonly prompt: string;
  /** Width of the terminal, for the list of candidates (default 80). */
  readonly columns?: number;
}

/** The state of an empty line. */
export const EMPTY_LINE: LineState = { text: "", tabs: 0 };

const BELL = "\x07";

/**
 * Splits what one read of a raw terminal gave into keys: a character, or an escape sequence
 * (`ESC [ ... final`, `ESC O x`, `ESC x`).
 *
 * @example
 * ```ts
 * splitKeys("ab\x1b[D\t"); // ["a", "b", "\x1b[D", "\t"]
 * ```
 */
export function splitKeys(chunk: string): string[] {
  const keys: string[] = [];
  const chars = [...chunk];
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i]!;
    if (char !== "\x1b" || i + 1 >= chars.length) {
      keys.push(char);
      continue;
    }
    let end = i + 1;
    if (chars[end] === "[") {
      end++;
      while (end < chars.length && !/[@-~]/.test(chars[end]!)) end++;
    } else if (chars[end] === "O") {
      end++;
    }
    keys.push(chars.slice(i, end + 1).join(""));
    i = end;
  }
  return keys;
}

/**
 * The longest common prefix of some words.
 *
 * @example
 * ```ts
 * commonPrefix(["eu-west-1", "eu-west-2"]); // "eu-west-"
 * ```
 */
export function commonPrefix(words: readonly string[]): string {
  if (words.length === 0) return "";
  let prefix = words[0]!;
  for (const word of words) {
    while (!word.startsWith(prefix)) prefix = prefix.slice(0, -1);
  }
  return prefix;
}

/**
 * Candidates laid out in columns that fit `columns`, each line ending in `\r\n` (raw mode).
 *
 * @example
 * ```ts
 * listCandidates(["eu-west-1", "eu-west-2"], 80); // "eu-west-1  eu-west-2\r\n"
 * ```
 */
export function listCandidates(candidates: readonly string[], columns: number): string {
  const width = Math.max(...candidates.map((c) => c.length)) + 2;
  const perLine = Math.max(1, Math.floor((columns - 1 + 2) / width));
  let text = "";
  for (let i = 0; i < candidates.length; i += perLine) {
    const row = candidates.slice(i, i + perLine);
    text += row.map((c, j) => j === row.length - 1 ? c : c.padEnd(width)).join("") + "\r\n";
  }
  return text;
}

/**
 * Applies one key to the line (pure). Printable characters are appended, Backspace deletes the
 * last one, Ctrl-U the whole line; Tab completes to the longest common prefix of the candidates
 * that start with the line, and a second Tab lists them; Enter submits, Ctrl-C cancels, Ctrl-D on
 * an empty line ends the input. Other keys (cursor keys, function keys) are ignored.
 *
 * @example
 * ```ts
 * const options = { completions: ["eu-west-1", "eu-west-2"], prompt: "Region: " };
 * editLine({ text: "eu-w", tabs: 0 }, "\t", options);
 * // { state: { text: "eu-west-", tabs: 1 }, echo: "est-" }
 * ```
 */
export function editLine(state: LineState, key: string, options: EditOptions): LineStep {
  const typed = (text: string, echo: string): LineStep => ({ state: { text, tabs: 0 }, echo });
  switch (key) {
    case "\r":
    case "\n":
      return { state, echo: "\r\n", done: "submit" };
    case "\x03":
      return { state, echo: "^C\r\n", done: "cancel" };
    case "\x04":
      return state.text === ""
        ? { state, echo: "\r\n", done: "eof" }
        : { state: { ...state, tabs: 0 }, echo: "" };
    case "\x7f":
    case "\b": {
      const chars = [...state.text];
      return chars.length === 0 ? typed("", BELL) : typed(chars.slice(0, -1).join(""), "\b \b");
    }
    case "\x15":
      return typed("", "\b \b".repeat([...state.text].length));
    case "\t":
      return complete(state, options);
  }
  const code = key.codePointAt(0) ?? 0;
  if (key.startsWith("\x1b") || code < 0x20 || code === 0x7f) {
    return { state: { ...state, tabs: 0 }, echo: "" };
  }
  return typed(state.text + key, key);
}

function complete(state: LineState, options: EditOptions): LineStep {
  const typedLower = state.text.toLowerCase();
  const matches = options.completions.filter((c) => c.toLowerCase().startsWith(typedLower));
  if (matches.length === 0) return { state: { ...state, tabs: 0 }, echo: BELL };
  const prefix = commonPrefix(matches.map((m) => m.toLowerCase()));
  if (prefix.length > state.text.length) {
    const added = prefix.slice(state.text.length);
    return { state: { text: state.text + added, tabs: 1 }, echo: added };
  }
  if (matches.length === 1 || state.tabs === 0) return { state: { ...state, tabs: 1 }, echo: BELL };
  const list = listCandidates(matches, options.columns ?? 80);
  return {
    state: { ...state, tabs: state.tabs + 1 },
    echo: `\r\n${list}${options.prompt}${state.text}`,
  };
}

/** Options of {@link askLine}. */
export interface AskLineOptions {
  /** The answers Tab completes to. */
  completions: readonly string[];
}

/**
 * Asks a question on stderr and reads one line, with Tab completion when standard input is a
 * terminal that can be put in raw mode; otherwise a plain line is read. `null` at end of input.
 * Ctrl-C rejects with an {@link InterruptedError} after ending the line, so the error starts on a
 * line of its own; the terminal is always put back as it was.
 *
 * @example
 * ```ts ignore
 * const region = await askLine(deps, "AWS Region [us-east-1]: ", { completions: knownRegions() });
 * ```
 */
export async function askLine(
  deps: Pick<Deps, "stdin" | "stderr">,
  question: string,
  options: AskLineOptions,
): Promise<string | null> {
  const raw = canPrompt(deps) ? deps.stdin.raw() : undefined;
  if (raw === undefined) return await ask(deps, question);
  using keys = raw;
  deps.stderr.write(question);
  const end = await readKeys(keys, deps.stderr, EMPTY_LINE, (state, key) =>
    editLine(state, key, {
      completions: options.completions,
      prompt: question,
      columns: deps.stderr.consoleSize()?.columns ?? 80,
    }));
  if (end.done === "eof" || (end.done === "end" && end.state.text === "")) return null;
  return end.state.text;
}

/**
 * Feeds the keys typed on a raw terminal to a pure editor, writing what it echoes, until the
 * answer is over (`submit`, `eof`) or the input ends (`end`, after ending the line); the keys typed
 * after the answer are given back for the next read. Ctrl-C (`cancel`) rejects with an
 * {@link InterruptedError}. The one key loop of the line editor and the secret prompt.
 *
 * @example
 * ```ts ignore
 * const { state } = await readKeys(keys, deps.stderr, EMPTY_LINE, (s, key) => editLine(s, key, options));
 * ```
 */
export async function readKeys<S>(
  keys: RawInput,
  stderr: Pick<Output, "write">,
  initial: S,
  edit: (state: S, key: string) => {
    readonly state: S;
    readonly echo: string;
    readonly done?: "submit" | "cancel" | "eof";
  },
): Promise<{ readonly state: S; readonly done: "submit" | "eof" | "end" }> {
  let state = initial;
  while (true) {
    const chunk = await keys.read();
    if (chunk === null) {
      stderr.write("\r\n");
      return { state, done: "end" };
    }
    const pressed = splitKeys(chunk);
    for (let i = 0; i < pressed.length; i++) {
      const step = edit(state, pressed[i]!);
      stderr.write(step.echo);
      state = step.state;
      if (step.done === undefined) continue;
      const rest = pressed.slice(i + 1).join("");
      if (rest !== "") keys.unread(rest.replace(/^\n/, ""));
      if (step.done === "cancel") throw new InterruptedError("Cancelled");
      return { state, done: step.done };
    }
  }
}
