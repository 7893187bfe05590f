/**
 * Snapshot tests of the help texts: a change to them is a change of the user interface and must be
 * reviewed. Run with UPDATE_SNAPSHOTS=1 to rewrite the snapshots after an intended change.
 */

import { assertEquals, assertStringIncludes, assertTrue } from "../support/assert.ts";
import { helpText, helpTopics } from "../../lib/cli/help.ts";
import { run } from "../../lib/run.ts";
import { fakeDeps } from "../support/fake_deps.ts";

const TOPICS = ["main", ...helpTopics()];

function textOf(topic: string): string {
  return helpText(topic === "main" ? undefined : topic);
}

Deno.test("help texts match their snapshots", async () => {
  assertEquals(
    TOPICS,
    [
      "main",
      "login",
      "logout",
      "export-credentials",
      "status",
      "doctor",
      "configure",
      "completions",
      "exec",
      "serve",
    ],
  );
  for (const topic of TOPICS) {
    const text = textOf(topic);
    const file = new URL(`../testdata/help/${topic}.txt`, import.meta.url);
    if (Deno.env.get("UPDATE_SNAPSHOTS") === "1") await Deno.writeTextFile(file, text);
    assertEquals(text, await Deno.readTextFile(file), `help for ${topic}`);
  }
});

Deno.test("every help text fits 80 columns, opens with a sentence and ends with examples", () => {
  for (const topic of TOPICS) {
    const text = textOf(topic);
    const lines = text.split("\n");
    lines.forEach((line, i) => {
      assertTrue(
        [...line].length <= 80,
        `help ${topic}, line ${i + 1} is ${[...line].length} columns: ${line}`,
      );
      assertEquals(/\t/.test(line), false, `help ${topic}, line ${i + 1} has a tab`);
    });
    // The first paragraph is a plain sentence: a capital (or the program's name), no jargon.
    const first = text.slice(0, text.indexOf("\n\n"));
    assertTrue(/^(aws-login |[A-Z])/.test(first), `help ${topic} starts with: ${first}`);
    assertTrue(first.endsWith("."), `help ${topic}: the first paragraph is a sentence`);
    assertEquals(/PKCE|DPoP|OAuth|Usage:/.test(first), false, `help ${topic}: ${first}`);
    // The last section is "Examples:", each a command line of this program or of one it serves.
    const examples = text.slice(text.lastIndexOf("\n\nExamples:\n") + "\n\nExamples:\n".length);
    assertTrue(text.includes("\n\nExamples:\n"), `help ${topic} has an Examples: section`);
    const commands = examples.trimEnd().split("\n");
    assertTrue(commands.length >= 2, `help ${topic} has at least two examples`);
    for (const command of commands) {
      assertTrue(/^ {2}\S/.test(command), `help ${topic}: example "${command}" is indented by 2`);
      assertTrue(
        /aws-login|^ {2}(aws|ssh|docker|AWS_PROFILE=\S+) /.test(command),
        `help ${topic}: "${command}" is not a command line`,
      );
    }
    assertTrue(
      text.endsWith("\n") && !text.endsWith("\n\n"),
      `help ${topic} ends with one newline`,
    );
  }
});

Deno.test("every example in the help parses as a command line", async () => {
  const { parseCommandLine } = await import("../../lib/cli/args.ts");
  const { splitShellWords } = await import("../../lib/platform/shell_words.ts");
  for (const topic of TOPICS) {
    const text = textOf(topic);
    const examples = text.slice(text.lastIndexOf("Examples:\n") + 10).trimEnd().split("\n");
    for (const example of examples) {
      // `eval "$(aws-login ...)"`, `a || b`, `x >> file`: check each aws-login invocation.
      const inner = example.match(/\$\((aws-login [^)]*)\)/)?.[1];
      const segments = inner === undefined ? example.split(/ \|\|? | >>? /) : [inner];
      for (const segment of segments) {
        const words = splitShellWords(segment.trim());
        if (words[0] !== "aws-login") continue;
        parseCommandLine(words.slice(1)); // throws a UsageError when the example is wrong
      }
    }
  }
});

Deno.test("help login, login --help and --help login print the same", async () => {
  const outputs: string[] = [];
  for (
    const args of [["help", "login"], ["login", "--help"], ["--help", "login"], ["login", "-h"]]
  ) {
    const deps = fakeDeps();
    assertEquals(await run(args, deps), 0);
    assertEquals(deps.stderr.text, "");
    outputs.push(deps.stdout.text);
  }
  assertEquals(new Set(outputs).size, 1);
  assertEquals(outputs[0], helpText("login"));
  for (const topic of helpTopics()) {
    const a = fakeDeps();
    const b = fakeDeps();
    await run(["help", topic], a);
    await run(["--help", topic], b);
    assertEquals(a.stdout.text, b.stdout.text, topic);
  }
});

Deno.test("help goes to stdout with exit 0; an unknown topic is a usage error", async () => {
  const deps = fakeDeps();
  assertEquals(await run(["login", "--help"], deps), 0);
  assertStringIncludes(deps.stdout.text, "--redirect-port PORT");
  const other = fakeDeps();
  assertEquals(await run(["help", "nope"], other), 2);
  assertStringIncludes(other.stderr.text, 'aws-login: There is no help topic "nope"\n');
  const typo = fakeDeps();
  assertEquals(await run(["help", "lgoin"], typo), 2);
  assertStringIncludes(
    typo.stderr.text,
    'aws-login: There is no help topic "lgoin": did you mean "login"?\n',
  );
});

Deno.test("--version prints the version of deno.json", async () => {
  const deps = fakeDeps();
  assertEquals(await run(["--version"], deps), 0);
  const denoJson = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  assertEquals(deps.stdout.text, `aws-login ${denoJson.version}\n`);
});

Deno.test("usage errors exit 2 with the message and a hint on stderr, nothing on stdout", async () => {
  const deps = fakeDeps();
  assertEquals(await run(["login", "--bogus"], deps), 2);
  assertEquals(deps.stdout.text, "");
  assertEquals(
    deps.stderr.text,
    `aws-login: Unknown option "--bogus"\nRun "aws-login login --help" to see the options\n`,
  );
  const typo = fakeDeps();
  assertEquals(await run(["login", "--profle", "dev"], typo), 2);
  assertStringIncludes(
    typo.stderr.text,
    'aws-login: Unknown option "--profle": did you mean "--profile"?\n',
  );
});
