/**
 * End to end, as a hostile environment and a careless user would try it: a refresher stopped while
 * it holds the lock, answers lost on the way back, sixteen config writers at once, symbolic links
 * and read-only files, a FIFO where the cache file should be, a lock file that points elsewhere,
 * bytes that are not UTF-8. Real processes, the real emulator.
 */

import { assertEquals, assertMatch, assertStringIncludes, assertTrue } from "../support/assert.ts";
import { MAIN_PATH, runCli, sandbox, startCli } from "../support/cli.ts";
import { setSecondsLeft, signIn } from "../support/session.ts";
import { processJson, snapshotTree } from "../support/e2e.ts";
import { startEmulator } from "../../scripts/emulator/mod.ts";
import { posixTest } from "../support/platform.ts";

/** Polls until `probe` holds; fails after `seconds` instead of hanging. */
async function until(seconds: number, what: string, probe: () => boolean): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

posixTest(
  "a refresher stopped while it holds the lock: valid credentials are still served, kill -9 recovers",
  async (t) => {
    await using emulator = await startEmulator();
    await using box = await sandbox();
    const { path } = await signIn(emulator, box, { profile: "dev" });
    const env = await box.env({ AWS_ENDPOINT_URL_SIGNIN: emulator.url });
    await setSecondsLeft(path, 120);
    const cached = JSON.parse(await Deno.readTextFile(path)).accessToken.accessKeyId;
    // The first refresher's token request stalls at the emulator for a minute...
    emulator.injectFault({ path: "/v1/token", delayMs: 60_000 });
    const requests = emulator.counts.token;
    const stuck = startCli(["export-credentials", "--profile", "dev"], { env });
    await using _stuck = stuck;
    await until(20, "the refresher's token request", () => emulator.counts.token > requests);
    // ...and the process is stopped there, holding the lock.
    stuck.kill("SIGSTOP");

    await t.step("another caller serves the valid credentials instead of waiting", async () => {
      const result = await runCli(["export-credentials", "--profile", "dev"], {
        env,
        timeoutMs: 20_000,
      });
      assertEquals(processJson(result).AccessKeyId, cached);
      assertEquals(result.stderr, "");
      assertEquals(emulator.counts.token, requests + 1);
    });

    await t.step("killed with -9, the lock is free again and the session refreshes", async () => {
      stuck.kill("SIGKILL");
      await stuck.result();
      const result = await runCli(["export-credentials", "--profile", "dev"], {
        env,
        timeoutMs: 30_000,
      });
      assertTrue(processJson(result).AccessKeyId !== cached);
      assertEquals(emulator.counts.tokenByGrant.refresh_token, 1);
    });
  },
);

Deno.test("a refresh whose answer was lost is sent again: the window keeps the session, strict mode says sign in again", async (t) => {
  await t.step("window (the service model): the retry gets the same answer", async () => {
    await using emulator = await startEmulator();
    await using box = await sandbox();
    const { path } = await signIn(emulator, box, { profile: "dev" });
    await setSecondsLeft(path, -60);
    emulator.injectFault({ path: "/v1/token", loseAnswer: true });
    const env = await box.env({ AWS_ENDPOINT_URL_SIGNIN: emulator.url });
    const result = await runCli(["export-credentials", "--profile", "dev"], { env });
    const output = processJson(result);
    assertEquals(emulator.counts.tokenByGrant.refresh_token, 1);
    assertEquals(emulator.counts.tokenReplays, 1);
    const cache = JSON.parse(await Deno.readTextFile(path));
    assertEquals(cache.accessToken.accessKeyId, output.AccessKeyId);
    // The session goes on.
    await setSecondsLeft(path, -60);
    processJson(await runCli(["export-credentials", "--profile", "dev"], { env }));
    assertEquals(emulator.counts.tokenByGrant.refresh_token, 2);
  });

  await t.step("strict rotation: one clear line saying to sign in again", async () => {
    await using emulator = await startEmulator({ refreshIdempotency: "strict" });
    await using box = await sandbox();
    const { path } = await signIn(emulator, box, { profile: "dev" });
    await setSecondsLeft(path, -60);
    const before = await Deno.readTextFile(path);
    emulator.injectFault({ path: "/v1/token", loseAnswer: true });
    const env = await box.env({ AWS_ENDPOINT_URL_SIGNIN: emulator.url });
    const result = await runCli(["export-credentials", "--profile", "dev"], { env });
    assertEquals(result.code, 6, result.stderr);
    assertEquals(result.stdout, "");
    assertMatch(result.stderr, /^aws-login: [^\n]+\n$/);
    assertStringIncludes(result.stderr, 'run "aws-login login --profile dev" to sign in again');
    assertEquals(await Deno.readTextFile(path), before);
  });
});

Deno.test("16 configure credential-process at once, for 16 profiles: 16 sections", async () => {
  await using box = await sandbox();
  await Deno.mkdir(`${box.home}/.aws`, { recursive: true });
  await Deno.writeTextFile(box.configPath, "# mine\n[profile dev]\nregion = eu-west-1\n");
  const env = await box.env();
  const results = await Promise.all(
    Array.from({ length: 16 }, (_, i) =>
      runCli([
        "configure",
        "credential-process",
        "--profile",
        `bridge${i}`,
        "--source-profile",
        "dev",
      ], { env })),
  );
  for (const result of results) assertEquals(result.code, 0, result.stderr);
  const config = await Deno.readTextFile(box.configPath);
  assertTrue(config.startsWith("# mine\n[profile dev]\nregion = eu-west-1\n"), config);
  for (let i = 0; i < 16; i++) {
    assertEquals(config.split(`[profile bridge${i}]\n`).length, 2, `bridge${i}:\n${config}`);
  }
});

posixTest("links and permissions are respected", async (t) => {
  await using emulator = await startEmulator();

  await t.step("a symlinked config stays a link; its target is edited", async () => {
    await using box = await sandbox();
    await Deno.mkdir(`${box.home}/dotfiles`, { recursive: true });
    await Deno.mkdir(`${box.home}/.aws`, { recursive: true });
    await Deno.writeTextFile(
      `${box.home}/dotfiles/aws-config`,
      "[profile dev]\nregion = eu-west-1\n",
    );
    await Deno.symlink("../dotfiles/aws-config", box.configPath);
    await signIn(emulator, box, { profile: "dev" });
    assertEquals((await Deno.lstat(box.configPath)).isSymlink, true);
    assertStringIncludes(
      await Deno.readTextFile(`${box.home}/dotfiles/aws-config`),
      "login_session = ",
    );
  });

  await t.step("a symlinked cache file is refreshed through the link", async () => {
    await using box = await sandbox();
    const { path } = await signIn(emulator, box, { profile: "dev" });
    const target = `${box.home}/kept-elsewhere.json`;
    await Deno.rename(path, target);
    await Deno.symlink(target, path);
    await setSecondsLeft(target, -60);
    const env = await box.env({ AWS_ENDPOINT_URL_SIGNIN: emulator.url });
    const output = processJson(await runCli(["export-credentials", "--profile", "dev"], { env }));
    assertEquals((await Deno.lstat(path)).isSymlink, true);
    assertEquals(
      JSON.parse(await Deno.readTextFile(target)).accessToken.accessKeyId,
      output.AccessKeyId,
    );
    const status = await runCli(["status", "--json"], { env });
    assertEquals(JSON.parse(status.stdout).length, 1, status.stdout);
  });

  await t.step("a read-only config is refused, not replaced", async () => {
    await using box = await sandbox();
    await Deno.mkdir(`${box.home}/.aws`, { recursive: true });
    await Deno.writeTextFile(box.configPath, "[profile dev]\nregion = eu-west-1\n");
    await Deno.chmod(box.configPath, 0o444);
    const before = await snapshotTree(box.home);
    const result = await runCli(
      ["configure", "credential-process", "--profile", "p", "--source-profile", "dev"],
      { env: await box.env() },
    );
    assertEquals(result.code, 8, result.stderr);
    assertStringIncludes(result.stderr, "read-only");
    assertEquals(await snapshotTree(box.home), before);
  });

  await t.step("a FIFO at the cache path is an error, not a hang", async () => {
    await using box = await sandbox();
    const { path } = await signIn(emulator, box, { profile: "dev" });
    await Deno.remove(path);
    const mkfifo = await new Deno.Command("mkfifo", { args: [path] }).output();
    assertEquals(mkfifo.code, 0);
    const env = await box.env({ AWS_ENDPOINT_URL_SIGNIN: emulator.url });
    const result = await runCli(["export-credentials", "--profile", "dev"], {
      env,
      timeoutMs: 20_000,
    });
    assertEquals(result.code, 8, result.stderr);
    assertStringIncludes(result.stderr, "is not a regular file");
    const status = await runCli(["status"], { env, timeoutMs: 20_000 });
    assertEquals(status.code, 0, status.stderr);
  });

  await t.step("a lock file that is a symbolic link is not followed", async () => {
    await using box = await sandbox();
    const { path } = await signIn(emulator, box, { profile: "dev" });
    await Deno.remove(`${path}.lock`).catch(() => {});
    const elsewhere = `${box.home}/planted`;
    await Deno.symlink(elsewhere, `${path}.lock`);
    await setSecondsLeft(path, -60);
    const env = await box.env({ AWS_ENDPOINT_URL_SIGNIN: emulator.url });
    const result = await runCli(["export-credentials", "--profile", "dev"], { env });
    assertEquals(result.code, 8, result.stderr);
    assertStringIncludes(result.stderr, "symbolic link");
    assertEquals(await Deno.lstat(elsewhere).then(() => "created", () => "absent"), "absent");
  });

  await t.step("a cache directory others can read gets a warning", async () => {
    await using box = await sandbox();
    const { path } = await signIn(emulator, box, { profile: "dev" });
    await Deno.chmod(box.cacheDir, 0o755);
    const env = await box.env({ AWS_ENDPOINT_URL_SIGNIN: emulator.url });
    const result = await runCli(["export-credentials", "--profile", "dev"], { env });
    processJson(result);
    assertStringIncludes(result.stderr, `the cache directory "${box.cacheDir}" can be read by`);
    assertStringIncludes(result.stderr, "chmod 700");
    assertTrue((await Deno.stat(path)).isFile);
  });
});

Deno.test("a config that is not UTF-8 is edited byte for byte", async () => {
  await using box = await sandbox();
  await Deno.mkdir(`${box.home}/.aws`, { recursive: true });
  // "Jos\xe9" in Latin-1: not valid UTF-8.
  const before = Uint8Array.from([
    ...new TextEncoder().encode("# owner: Jos"),
    0xe9,
    ...new TextEncoder().encode("\n[profile dev]\nregion = eu-west-1\n"),
  ]);
  await Deno.writeFile(box.configPath, before);
  const result = await runCli(
    ["configure", "credential-process", "--profile", "p", "--source-profile", "dev"],
    { env: await box.env() },
  );
  assertEquals(result.code, 0, result.stderr);
  const after = await Deno.readFile(box.configPath);
  assertEquals([...after.subarray(0, before.length)], [...before]);
  assertStringIncludes(new TextDecoder().decode(after.subarray(before.length)), "[profile p]");
});

Deno.test("a profile name that cannot be written is refused before the browser opens", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const result = await runCli(["login", "--profile", "a\nb", "--region", "us-east-1"], {
    env: await box.env({
      AWS_ENDPOINT_URL_SIGNIN: emulator.url,
      BROWSER: `${Deno.execPath()} run ${MAIN_PATH} --never-called %s`,
    }),
  });
  assertEquals(result.code, 2, result.stderr);
  assertStringIncludes(result.stderr, "line break");
  assertEquals(emulator.counts.authorize, 0);
  assertEquals(emulator.counts.token, 0);
});
