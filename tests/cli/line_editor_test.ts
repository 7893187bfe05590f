import { assertEquals, assertRejects, assertStringIncludes } from "../support/assert.ts";
import {
  askLine,
  commonPrefix,
  editLine,
  EMPTY_LINE,
  type LineState,
  listCandidates,
  splitKeys,
} from "../../lib/cli/line_editor.ts";
import { fakeDeps, rawKeysInput, scriptedInput } from "../support/fake_deps.ts";
import { InterruptedError } from "../../lib/errors.ts";

const OPTIONS = {
  completions: ["eu-west-1", "eu-west-2", "eu-north-1", "us-east-1"],
  prompt: "Region: ",
  columns: 40,
};

/** Types keys one by one from an empty line; returns the final state, the echo and the end. */
function type(keys: string[]): { state: LineState; echo: string; done: string | undefined } {
  let state = EMPTY_LINE;
  let echo = "";
  for (const key of keys) {
    const step = editLine(state, key, OPTIONS);
    state = step.state;
    echo += step.echo;
    if (step.done) return { state, echo, done: step.done };
  }
  return { state, echo, done: undefined };
}

Deno.test("editLine() edits at the end of the line and completes with Tab", () => {
  const table: [string[], string, string, string | undefined][] = [
    // keys, final text, echo, done
    [["e", "u"], "eu", "eu", undefined],
    [["e", "u", "\x7f"], "e", "eu\b \b", undefined],
    [["\x7f"], "", "\x07", undefined],
    [["a", "b", "\x15"], "", "ab\b \b\b \b", undefined],
    [["u", "\t"], "us-east-1", "us-east-1", undefined], // one candidate: completed
    [["e", "u", "-", "w", "\t"], "eu-west-", "eu-west-", undefined], // the common prefix
    [["x", "\t"], "x", "x\x07", undefined], // no candidate: a bell
    [["e", "u", "\t"], "eu-", "eu-", undefined],
    [
      ["e", "u", "\t", "\t"], // nothing more to add: the list, and the prompt again
      "eu-",
      "eu-\r\neu-west-1   eu-west-2   eu-north-1\r\nRegion: eu-",
      undefined,
    ],
    [["e", "u", "-", "\t"], "eu-", "eu-\x07", undefined], // the first Tab that adds nothing rings
    [
      ["e", "u", "-", "\t", "\t"],
      "eu-",
      "eu-\x07\r\neu-west-1   eu-west-2   eu-north-1\r\nRegion: eu-",
      undefined,
    ],
    [["a", "\x1b[D", "\x1bOH", "\x01", "b"], "ab", "ab", undefined], // other keys do nothing
    [["a", "\r"], "a", "a\r\n", "submit"],
    [["a", "\n"], "a", "a\r\n", "submit"],
    [["a", "\x03"], "a", "a^C\r\n", "cancel"],
    [["\x04"], "", "\r\n", "eof"],
    [["a", "\x04"], "a", "a", undefined], // Ctrl-D only ends an empty line
    [["é", "ü"], "éü", "éü", undefined],
  ];
  for (const [keys, text, echo, done] of table) {
    const result = type(keys);
    assertEquals([result.state.text, result.echo, result.done], [text, echo, done], keys.join(""));
  }
  // Completion ignores case and keeps what was typed.
  assertEquals(type(["E", "U", "-", "N", "\t"]).state.text, "EU-North-1");
});

Deno.test("splitKeys(), commonPrefix() and listCandidates()", () => {
  assertEquals(splitKeys("ab\x1b[D\x1b[1;5C\x1bOPz\x1b"), [
    "a",
    "b",
    "\x1b[D",
    "\x1b[1;5C",
    "\x1bOP",
    "z",
    "\x1b",
  ]);
  assertEquals(splitKeys("eu-west-1\r"), [..."eu-west-1", "\r"]);
  assertEquals(commonPrefix([]), "");
  assertEquals(commonPrefix(["ab", "abc", "abd"]), "ab");
  assertEquals(commonPrefix(["x", "y"]), "");
  assertEquals(listCandidates(["a", "bb", "ccc"], 80), "a    bb   ccc\r\n");
  assertEquals(listCandidates(["aaaa", "bbbb", "cccc"], 12), "aaaa  bbbb\r\ncccc\r\n");
  assertEquals(listCandidates(["a-long-name"], 5), "a-long-name\r\n");
});

Deno.test("askLine() reads raw keys on a terminal, completes, and restores the terminal", async () => {
  const stdin = rawKeysInput(["eu-w", "\t", "1", "\r"]);
  const deps = fakeDeps({ stdin, stderrIsTerminal: true, stderrSize: { columns: 40, rows: 20 } });
  const answer = await askLine(deps, "Region: ", { completions: OPTIONS.completions });
  assertEquals(answer, "eu-west-1");
  assertEquals(deps.stderr.text, "Region: eu-west-1\r\n");
  assertEquals(stdin.rawMode, false);
});

Deno.test("askLine() gives back what was pasted after the line", async () => {
  const stdin = rawKeysInput(["us-east-1\rnext line\n"]);
  const deps = fakeDeps({ stdin, stderrIsTerminal: true });
  assertEquals(await askLine(deps, "R: ", { completions: [] }), "us-east-1");
  assertEquals(await stdin.readLine(), "next line");
});

Deno.test("askLine() on Ctrl-C ends the line, restores the terminal and rejects", async () => {
  const stdin = rawKeysInput(["eu", "\x03"]);
  const deps = fakeDeps({ stdin, stderrIsTerminal: true });
  await assertRejects(() => askLine(deps, "R: ", { completions: [] }), InterruptedError);
  assertEquals(deps.stderr.text, "R: eu^C\r\n");
  assertEquals(stdin.rawMode, false);
});

Deno.test("askLine() reads a plain line without a terminal, and null at the end of input", async () => {
  const deps = fakeDeps({ stdin: scriptedInput(["eu-w\t"]) });
  assertEquals(await askLine(deps, "R: ", { completions: OPTIONS.completions }), "eu-w\t");
  assertEquals(deps.stderr.text, "R: ");
  assertEquals(await askLine(deps, "R: ", { completions: [] }), null);
  const ended = fakeDeps({ stdin: rawKeysInput(["eu"]), stderrIsTerminal: true });
  assertEquals(await askLine(ended, "R: ", { completions: [] }), "eu");
  assertStringIncludes(ended.stderr.text, "R: eu\r\n");
});
