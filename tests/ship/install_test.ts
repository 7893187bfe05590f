/**
 * The from-source install of the README, for real: `deno install -g -A -n aws-login --config
 * deno.json ./main.ts` into a temporary root (offline: the npm packages are in Deno's cache), the
 * installed command runs, and `configure credential-process` run from the sources then writes the
 * short bridge line naming it, which works.
 */

import { assertEquals, assertStringIncludes, assertTrue } from "../support/assert.ts";
import { runCli, runProgram, sandbox } from "../support/cli.ts";
import { repoPath } from "../support/paths.ts";
import { posixTest } from "../support/platform.ts";
import { signIn } from "../support/session.ts";
import { startEmulator } from "../../scripts/emulator/mod.ts";
import { INSTALL_FROM_SOURCE } from "../../lib/commands/configure_credential_process.ts";
import { VERSION } from "../../lib/version.ts";

posixTest("deno install from source gives an aws-login the bridge line can name", async (t) => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const root = `${box.home}/.deno-root`;
  // The shim that deno install writes runs `deno` from PATH: the one running these tests.
  const denoDir = Deno.execPath().replace(/\/[^/]+$/, "");
  const env = await box.env({ AWS_ENDPOINT_URL_SIGNIN: emulator.url });
  env.PATH = `${root}/bin:${env.PATH}:${denoDir}`;
  const command = `${root}/bin/aws-login`;

  await t.step("the README's command installs it", async () => {
    const words = INSTALL_FROM_SOURCE.split(" ");
    assertEquals(words.slice(0, 2), ["deno", "install"]);
    const result = await runProgram(
      [Deno.execPath(), ...words.slice(1, -1), "--root", root, words.at(-1)!],
      { env, cwd: repoPath(""), timeoutMs: 120_000 },
    );
    assertEquals(result.code, 0, result.stderr);
    const version = await runProgram([command, "--version"], { env, timeoutMs: 60_000 });
    assertEquals([version.code, version.stdout], [0, `aws-login ${VERSION}\n`], version.stderr);
  });

  await t.step("configure credential-process writes the short line, which works", async () => {
    await signIn(emulator, box, { profile: "login", env: { PATH: env.PATH! } });
    const result = await runCli(
      ["configure", "credential-process", "--profile", "bridge", "--source-profile", "login"],
      { env },
    );
    assertEquals(result.code, 0, result.stderr);
    const expected = `${command} export-credentials --profile login --format process`;
    assertStringIncludes(
      await Deno.readTextFile(box.configPath),
      `\ncredential_process = ${expected}\n`,
    );
    assertStringIncludes(result.stderr, `  credential_process = ${expected}\n`);
    assertEquals(result.stderr.includes("note:"), false, result.stderr);

    const bridged = await runCli(["export-credentials", "--profile", "bridge"], { env });
    assertEquals(bridged.code, 0, bridged.stderr);
    const direct = await runCli(["export-credentials", "--profile", "login"], { env });
    assertTrue(JSON.parse(bridged.stdout).AccessKeyId === JSON.parse(direct.stdout).AccessKeyId);
  });
});
