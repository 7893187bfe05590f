import { assertEquals, assertThrows } from "../support/assert.ts";
import {
  joinCommandLine,
  quoteWord,
  splitCommandLine,
  splitShellWords,
} from "../../lib/platform/shell_words.ts";
import { posixTest } from "../support/platform.ts";

const WORDS = [
  "/usr/local/bin/aws-login",
  "/Users/me/My Tools/aws-login",
  "it's",
  'say "hi"',
  "$HOME",
  "back\\slash",
  "a`b`",
  "semi;colon&amp|pipe",
  "percent%20",
  "",
];

Deno.test("splitShellWords() follows shlex.split in POSIX mode", () => {
  const table: [string, string[]][] = [
    ["a b  c", ["a", "b", "c"]],
    [`open -a "Google Chrome" %s`, ["open", "-a", "Google Chrome", "%s"]],
    [`'single \\ "kept"'`, [`single \\ "kept"`]],
    [`"dq \\" \\\\ \\$ \\a"`, [`dq " \\ \\$ \\a`]],
    [`a\\ b`, ["a b"]],
    [`x""y`, ["xy"]],
    [`""`, [""]],
    [``, []],
  ];
  for (const [text, words] of table) assertEquals(splitShellWords(text), words, text);
  assertThrows(() => splitShellWords(`"open`), SyntaxError, "No closing quotation");
  assertThrows(() => splitShellWords(`a\\`), SyntaxError);
  assertEquals(splitShellWords(`C:\\Tools\\b.exe %s`, { backslashEscapes: false }), [
    "C:\\Tools\\b.exe",
    "%s",
  ]);
});

Deno.test("splitCommandLine() reads Windows command lines with the MSVC rules", () => {
  const table: [string, string[]][] = [
    [`"C:\\Program Files\\x.exe" --flag`, ["C:\\Program Files\\x.exe", "--flag"]],
    [`a\\\\\\"b`, [`a\\"b`]],
    [`"a\\\\" b`, ["a\\", "b"]],
    [`a\\b c`, ["a\\b", "c"]],
  ];
  for (const [text, words] of table) assertEquals(splitCommandLine(text, "windows"), words, text);
});

Deno.test("quoteWord() round-trips through both splitters", () => {
  for (const word of WORDS) {
    assertEquals(splitCommandLine(quoteWord(word, "posix"), "posix"), [word], `posix ${word}`);
    assertEquals(
      splitCommandLine(quoteWord(word, "windows"), "windows"),
      [word],
      `windows ${word}`,
    );
  }
  assertEquals(quoteWord("/usr/local/bin/aws-login"), "/usr/local/bin/aws-login");
  assertEquals(
    joinCommandLine(["aws-login", "export-credentials", "--profile", "my dev"]),
    "aws-login export-credentials --profile 'my dev'",
  );
});

posixTest(
  "joinCommandLine() output reads back the same through sh and through Python's shlex",
  async () => {
    const line = joinCommandLine(WORDS);
    const sh = await new Deno.Command("sh", {
      args: ["-c", `for a in ${line}; do printf '%s\\0' "$a"; done`],
    }).output();
    assertEquals(new TextDecoder().decode(sh.stdout).split("\0").slice(0, -1), WORDS);
    const python = await new Deno.Command("python3", {
      args: ["-c", "import json, shlex, sys; print(json.dumps(shlex.split(sys.argv[1])))", line],
    }).output();
    assertEquals(JSON.parse(new TextDecoder().decode(python.stdout)), WORDS);
  },
);
