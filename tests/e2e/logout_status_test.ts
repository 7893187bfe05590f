/**
 * End to end: `status` and `logout` as real processes on a session signed in by the real `login`.
 */

import { assertEquals, assertMatch, assertStringIncludes } from "../support/assert.ts";
import { runCli, sandbox } from "../support/cli.ts";
import { setSecondsLeft, signIn } from "../support/session.ts";
import { DEFAULT_SESSION_ARN, startEmulator } from "../../scripts/emulator/mod.ts";

Deno.test("status and logout (process): one session from sign-in to logout", async (t) => {
  await using emulator = await startEmulator({ regions: ["ap-southeast-2"] });
  await using box = await sandbox();
  const { path } = await signIn(emulator, box, { profile: "dev", region: "ap-southeast-2" });
  const env = await box.env({ AWS_ENDPOINT_URL_SIGNIN: emulator.url });
  const lock = `${path}.lock`;

  await t.step("status: the session, its profile, account, region and end", async () => {
    const result = await runCli(["status"], { env });
    assertEquals(result.code, 0, result.stderr);
    assertEquals(result.stderr, "");
    assertStringIncludes(result.stdout, `${DEFAULT_SESSION_ARN}: credentials valid\n`);
    assertStringIncludes(result.stdout, "  profiles     dev\n");
    assertStringIncludes(result.stdout, "  account      123456789012\n");
    assertStringIncludes(result.stdout, "  region       ap-southeast-2\n");
    assertMatch(
      result.stdout,
      /\n {2}credentials {2}expire \d{4}-\d\d-\d\d \d\d:\d\d UTC \(in 1[45] minutes\)\n/,
    );
    assertMatch(result.stdout, /\n {2}session {6}ends at the latest [^\n]+ UTC \(in 12 hours\)\n/);
  });

  await t.step("status --profile dev --json: exit 0, the session as JSON", async () => {
    const result = await runCli(["status", "--profile", "dev", "--json"], { env });
    assertEquals(result.code, 0, result.stderr);
    const [session, ...rest] = JSON.parse(result.stdout);
    assertEquals(rest, []);
    assertEquals(
      [
        session.loginSession,
        session.profiles,
        session.accountId,
        session.signInRegion,
        session.state,
      ],
      [DEFAULT_SESSION_ARN, ["dev"], "123456789012", "ap-southeast-2", "valid"],
    );
    assertEquals(session.cacheFile, path);
    const hours = (Date.parse(session.sessionEndsAtLatest) - Date.now()) / 3600_000;
    assertEquals(hours > 11.9 && hours <= 12, true, `${hours}`);
  });

  await t.step("expired credentials still count as usable: exit 0", async () => {
    await setSecondsLeft(path, -30);
    const result = await runCli(["status", "--profile", "dev", "--json"], { env });
    assertEquals(result.code, 0, result.stderr);
    assertEquals(JSON.parse(result.stdout)[0].state, "refreshable");
    // A refresh creates the lock file, which logout leaves for processes that may wait on it.
    assertEquals((await runCli(["export-credentials", "--profile", "dev"], { env })).code, 0);
    await Deno.stat(lock);
  });

  const config = await Deno.readTextFile(box.configPath);

  await t.step("logout: revoked at the emulator, file gone, config untouched", async () => {
    const result = await runCli(["logout", "--profile", "dev"], { env });
    assertEquals(result.code, 0, result.stderr);
    assertEquals(result.stdout, "");
    assertEquals(
      result.stderr,
      `Signed out ${DEFAULT_SESSION_ARN} (profile dev); revoked at AWS Sign-In\nTools that already loaded credentials may use them until they expire (at most 15 minutes).\n`,
    );
    assertEquals(emulator.counts.revokedSessions, 1);
    const left = (await Array.fromAsync(Deno.readDir(box.cacheDir))).map((entry) => entry.name);
    assertEquals(left, [lock.slice(box.cacheDir.length + 1)]);
    assertEquals(await Deno.readTextFile(box.configPath), config);
  });

  await t.step("after logout: status --profile exits 6, export-credentials exits 6", async () => {
    const status = await runCli(["status", "--profile", "dev"], { env });
    assertEquals(status.code, 6);
    assertStringIncludes(
      status.stdout,
      `${DEFAULT_SESSION_ARN}: no cached session: run "aws-login login --profile dev"\n`,
    );
    const exported = await runCli(["export-credentials", "--profile", "dev"], { env });
    assertEquals(exported.code, 6);
    assertEquals(exported.stdout, "");
    assertMatch(exported.stderr, /^aws-login: [^\n]+aws-login login --profile dev[^\n]+\n$/);
  });

  await t.step("logout --all with nothing left", async () => {
    const result = await runCli(["logout", "--all"], { env });
    assertEquals(result, {
      code: 0,
      stdout: "",
      stderr: "No cached login sessions: nothing to remove.\n",
    });
  });
});
