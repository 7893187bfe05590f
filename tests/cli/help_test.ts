/**
 * Snapshot tests of the help texts: a change to them is a change of the user interface and must be
 * reviewed. Run with UPDATE_SNAPSHOTS=1 to rewrite the snapshots after an intended change.
 */

import { assertEquals, assertStringIncludes } from "../support/assert.ts";
import { helpText } from "../../lib/cli/help.ts";
import { run } from "../../lib/cli/run.ts";
import { fakeDeps } from "../support/fake_deps.ts";
import { VERSION } from "../../lib/version.ts";

const TOPICS = [
  "main",
  "login",
  "logout",
  "export-credentials",
  "status",
  "configure",
  "exec",
  "serve",
];

Deno.test("help texts match their snapshots", async () => {
  for (const topic of TOPICS) {
    const text = helpText(topic === "main" ? undefined : topic).replace(VERSION, "<version>");
    const file = new URL(`../testdata/help/${topic}.txt`, import.meta.url);
    if (Deno.env.get("UPDATE_SNAPSHOTS") === "1") await Deno.writeTextFile(file, text);
    assertEquals(text, await Deno.readTextFile(file), `help for ${topic}`);
  }
});

Deno.test("help goes to stdout with exit 0; an unknown topic is a usage error", async () => {
  const deps = fakeDeps();
  assertEquals(await run(["login", "--help"], deps), 0);
  assertStringIncludes(deps.stdout.text, "--redirect-port PORT");
  const other = fakeDeps();
  assertEquals(await run(["help", "nope"], other), 2);
  assertStringIncludes(other.stderr.text, 'no help topic "nope"');
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
    `aws-login: Unknown option '--bogus'\nRun "aws-login login --help" to see the options\n`,
  );
});
