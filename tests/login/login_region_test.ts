/**
 * Region names at login: a typo of a known region is refused before any browser opens, from
 * wherever it comes; upper case is lowered; an unknown name is used with a warning; the prompt
 * checks its answers the same way.
 */

import { assertEquals, assertStringIncludes } from "../support/assert.ts";
import { fakeDeps, scriptedInput } from "../support/fake_deps.ts";
import { fakeBrowserCommand, snapshotTree } from "../support/e2e.ts";
import { cacheDir, sandbox } from "../support/cli.ts";
import { run } from "../../lib/run.ts";
import { startEmulator } from "../../scripts/emulator/mod.ts";

async function loginEnv(home: string, endpoint: string, extra: Record<string, string> = {}) {
  return {
    HOME: home,
    PATH: Deno.env.get("PATH") ?? "",
    DENO_DIR: await cacheDir(),
    AWS_ENDPOINT_URL_SIGNIN: endpoint,
    BROWSER: fakeBrowserCommand(),
    ...extra,
  };
}

Deno.test("login refuses a mistyped region with a suggestion, exit 2, before any browser", async (t) => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  await Deno.mkdir(`${box.home}/.aws`);
  await Deno.writeTextFile(box.configPath, "[profile typo]\nregion = us-wset-2\n");
  const before = await snapshotTree(box.home);
  const cases: [string, string[], Record<string, string>, string][] = [
    [
      "--region",
      ["--region", "eu-wset-1"],
      {},
      'Unknown region "eu-wset-1": did you mean "eu-west-1"?',
    ],
    [
      "AWS_REGION",
      [],
      { AWS_REGION: "ap-southest-2" },
      'Unknown region "ap-southest-2" (from AWS_REGION): did you mean "ap-southeast-2"?',
    ],
    [
      "the profile",
      ["--profile", "typo"],
      {},
      `Unknown region "us-wset-2" (from the profile's region): did you mean "us-west-2"?`,
    ],
    [
      "an invalid name",
      ["--region", "us_east_1"],
      {},
      'Invalid region "us_east_1": did you mean "us-east-1"?',
    ],
  ];
  for (const [name, args, env, message] of cases) {
    await t.step(name, async () => {
      const deps = fakeDeps({ env: await loginEnv(box.home, emulator.url, env) });
      assertEquals(await run(["login", ...args], deps), 2, deps.stderr.text);
      assertStringIncludes(deps.stderr.text, `aws-login: ${message}\n`);
      assertEquals(deps.spawned, [], "no browser was started");
      assertEquals(emulator.counts.authorize, 0);
      assertEquals(await snapshotTree(box.home), before);
    });
  }
});

Deno.test("login lowers the case of a region and warns about one it does not know", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const upper = fakeDeps({ env: await loginEnv(box.home, emulator.url) });
  assertEquals(
    await run(["login", "--profile", "up", "--region", "EU-WEST-1"], upper),
    0,
    upper.stderr.text,
  );
  assertStringIncludes(await Deno.readTextFile(box.configPath), "region = eu-west-1\n");
  assertEquals(upper.stderr.text.includes("warning"), false);

  const fresh = fakeDeps({ env: await loginEnv(box.home, emulator.url) });
  assertEquals(
    await run(["login", "--profile", "new", "--region", "eu-west-4"], fresh),
    0,
    fresh.stderr.text,
  );
  assertStringIncludes(
    fresh.stderr.text,
    `warning: region "eu-west-4" is not in aws-login's list of regions; using it anyway, in case AWS added it since\n`,
  );
  assertStringIncludes(await Deno.readTextFile(box.configPath), "region = eu-west-4\n");
});

Deno.test("the region prompt checks its answers like --region", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const deps = fakeDeps({
    env: await loginEnv(box.home, emulator.url),
    stdin: scriptedInput(["eu-wset-1", "EU-CENTRAL-1"], true),
    stderrIsTerminal: true,
  });
  assertEquals(await run(["login", "--profile", "asked"], deps), 0, deps.stderr.text);
  assertStringIncludes(deps.stderr.text, 'Unknown region "eu-wset-1": did you mean "eu-west-1"?\n');
  assertStringIncludes(deps.stderr.text, "Saved region eu-central-1 to profile asked.");
});
