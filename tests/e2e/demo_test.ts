import { assertEquals, assertStringIncludes } from "../support/assert.ts";
import { repoPath } from "../support/paths.ts";

Deno.test("deno task demo signs in against the emulator and prints who is signed in", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "demo"],
    cwd: repoPath("."),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);
  assertEquals(output.code, 0, stderr);
  assertStringIncludes(
    stdout,
    "STS GetCallerIdentity with those credentials says you are:\n  arn:aws:sts::123456789012:assumed-role/Admin/alice",
  );
  assertStringIncludes(stdout, "STS calls verified: 1.");
  // status reports on stdout, and the demo shows it.
  assertStringIncludes(
    stdout,
    "arn:aws:sts::123456789012:assumed-role/Admin/alice: credentials valid",
  );
  assertStringIncludes(stderr, "Updated profile demo to use");
});
