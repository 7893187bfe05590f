/**
 * End to end: the fast path of `export-credentials` (`lib/fast_export.ts`) as real processes, on a
 * session the real `login` signed in. It answers, byte for byte as the program does, only while
 * nothing the program read has changed; each change below must reach the program, which answers
 * differently (another session, a refresh, a warning, an error) than the memo would have.
 *
 * A run of the program replaces the memo (an atomic write: a new file), a run of the fast path
 * leaves it alone; so the memo's inode and modification time tell which of the two answered.
 */

import { assertEquals, assertStringIncludes, assertTrue } from "../support/assert.ts";
import { type CliResult, runCli, sandbox } from "../support/cli.ts";
import { setSecondsLeft, signIn } from "../support/session.ts";
import { processJson, sha256Hex } from "../support/e2e.ts";
import { startEmulator } from "../../scripts/emulator/mod.ts";
import { POSIX_ONLY } from "../support/platform.ts";

const OTHER = "arn:aws:iam::222222222222:user/other";

Deno.test("export-credentials: the fast path answers only while nothing the program read changed", async (t) => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const { path, entry, loginSession } = await signIn(emulator, box, { profile: "dev" });
  const env = await box.env({ AWS_ENDPOINT_URL_SIGNIN: emulator.url });
  const memo = `${box.cacheDir}/aws-login-export-memo`;
  const stamp = async () => {
    const info = await Deno.stat(memo);
    return `${info.ino}/${info.mtime?.getTime()}`;
  };
  const exportAs = async (args = ["--profile", "dev"], extra: Record<string, string> = {}) =>
    await runCli(["export-credentials", ...args], { env: { ...env, ...extra } });
  /**
   * Runs twice: the first answer is the program's when `changed` (the memo is replaced), and the
   * second, the same bytes, comes from the fast path (the memo stays as it was).
   */
  const programThenFast = async (
    args?: string[],
    extra?: Record<string, string>,
    changed = true,
  ) => {
    const before = await stamp().catch(() => "none");
    const first = await exportAs(args, extra);
    assertEquals(first.code, 0, first.stderr);
    const after = await stamp();
    if (changed) assertTrue(after !== before, "the program answered and replaced the memo");
    const second = await exportAs(args, extra);
    assertEquals(second, first);
    assertEquals(await stamp(), after, "the fast path answered");
    return first;
  };
  /** The current files and command line remembered, whichever answered first. */
  const remembered = async (args?: string[], extra?: Record<string, string>) =>
    await programThenFast(args, extra, false);
  const key = (result: CliResult) => processJson(result).AccessKeyId;
  const config = await Deno.readTextFile(box.configPath);
  const token = entry.accessToken as Record<string, string>;

  await t.step("the first call leaves a memo that holds no value", async () => {
    await programThenFast();
    const text = await Deno.readTextFile(memo);
    for (
      const value of [token.accessKeyId, token.secretAccessKey, token.sessionToken, loginSession]
    ) {
      assertTrue(!text.includes(value!), "a value is in the memo");
    }
    assertTrue(!text.includes(entry.refreshToken as string));
  });

  await t.step("each format and command line is remembered on its own", async () => {
    const envFormat = await programThenFast(["--profile", "dev", "--format", "env"]);
    assertStringIncludes(envFormat.stdout, `export AWS_ACCESS_KEY_ID=${token.accessKeyId}`);
    // The first one still answers from the memo.
    const before = await stamp();
    assertEquals(key(await exportAs()), token.accessKeyId);
    assertEquals(await stamp(), before);
  });

  // A second session, as another login would leave it (the program serves it from its file).
  const other = { ...entry, accessToken: { ...token, accessKeyId: "ASIAOTHEREXAMPLE0000" } };
  await Deno.writeTextFile(`${box.cacheDir}/${await sha256Hex(OTHER)}.json`, JSON.stringify(other));
  await Deno.chmod(`${box.cacheDir}/${await sha256Hex(OTHER)}.json`, 0o600).catch(() => {});

  await t.step("a changed config: the program answers, with the session it now names", async () => {
    await Deno.writeTextFile(
      box.configPath,
      config.replace(loginSession, OTHER) + `\n[profile other]\nlogin_session = ${OTHER}\n`,
    );
    assertEquals(key(await programThenFast()), "ASIAOTHEREXAMPLE0000");
    await Deno.writeTextFile(
      box.configPath,
      config + `\n[profile other]\nlogin_session = ${OTHER}\n`,
    );
    assertEquals(key(await programThenFast()), token.accessKeyId);
  });

  await t.step("another AWS_PROFILE: the program answers for that profile", async () => {
    assertEquals(key(await programThenFast([], { AWS_PROFILE: "dev" })), token.accessKeyId);
    assertEquals(key(await programThenFast([], { AWS_PROFILE: "other" })), "ASIAOTHEREXAMPLE0000");
  });

  await t.step("a profile that is no longer a login profile: the program's error", async () => {
    await remembered();
    await Deno.writeTextFile(box.configPath, config.replace(/^login_session = .*$/m, "region = x"));
    const result = await exportAs();
    assertTrue(result.code !== 0, result.stdout);
    assertStringIncludes(result.stderr, "aws-login login --profile dev");
    await Deno.writeTextFile(box.configPath, config);
  });

  await t.step({
    name: `a session file others can read: the program warns and mends it${
      POSIX_ONLY ? ` (${POSIX_ONLY})` : ""
    }`,
    ignore: POSIX_ONLY !== undefined,
    fn: async () => {
      await remembered();
      await Deno.chmod(path, 0o644);
      const result = await exportAs();
      assertEquals(result.code, 0, result.stderr);
      assertStringIncludes(result.stderr, "was readable by other users");
      assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
    },
  });

  await t.step("credentials due for a refresh: the program refreshes them", async () => {
    await remembered();
    await setSecondsLeft(path, 60);
    const refreshes = emulator.counts.tokenByGrant.refresh_token ?? 0;
    const result = await exportAs();
    assertEquals(emulator.counts.tokenByGrant.refresh_token, refreshes + 1);
    const fresh = key(result);
    assertTrue(fresh !== token.accessKeyId);
    // The refresh wrote the session file: the next call runs the program once more, then not.
    assertEquals(key(await programThenFast()), fresh);
    assertEquals(emulator.counts.tokenByGrant.refresh_token, refreshes + 1);
  });

  await t.step(
    "the same files once the credentials enter the refresh window: a refresh",
    async () => {
      // Fresh for a few more seconds: the program serves them and leaves a memo; once only five
      // minutes are left, nothing read has changed, and still the program must answer.
      const margin = 6_000;
      const current = JSON.parse(await Deno.readTextFile(path));
      const due = Date.now() + margin;
      current.accessToken.expiresAt = new Date(due + 5 * 60_000).toISOString().replace(
        /\.\d{3}Z$/,
        "Z",
      );
      await Deno.writeTextFile(path, JSON.stringify(current));
      const refreshes = emulator.counts.tokenByGrant.refresh_token ?? 0;
      await remembered();
      assertEquals(
        emulator.counts.tokenByGrant.refresh_token ?? 0,
        refreshes,
        "served, not refreshed",
      );
      assertTrue(Date.now() < due, "the first calls took longer than the margin");
      await new Promise((resolve) => setTimeout(resolve, due - Date.now() + 1_500));
      const result = await exportAs();
      assertEquals(result.code, 0, result.stderr);
      assertEquals(emulator.counts.tokenByGrant.refresh_token, refreshes + 1);
      assertTrue(key(result) !== current.accessToken.accessKeyId);
    },
  );

  await t.step({
    name: `a memo others could have written is not trusted${POSIX_ONLY ? ` (${POSIX_ONLY})` : ""}`,
    ignore: POSIX_ONLY !== undefined,
    fn: async () => {
      await remembered();
      await Deno.chmod(memo, 0o666);
      // The program answers, and writes a memo of its own (0600).
      await programThenFast(undefined, undefined, true);
      assertEquals((await Deno.stat(memo)).mode! & 0o777, 0o600);
    },
  });

  await t.step({
    name: `a FIFO where a remembered file was: the program's error at once, never a hang${
      POSIX_ONLY ? ` (${POSIX_ONLY})` : ""
    }`,
    ignore: POSIX_ONLY !== undefined,
    fn: async () => {
      await remembered();
      await remembered(["--profile", "dev", "--format", "env"]);
      await Deno.remove(box.configPath);
      const fifo = await new Deno.Command("mkfifo", { args: [box.configPath] }).output();
      assertEquals(fifo.code, 0);
      try {
        for (const args of [["--profile", "dev"], ["--profile", "dev", "--format", "env"]]) {
          const result = await runCli(["export-credentials", ...args], { env, timeoutMs: 20_000 });
          assertEquals(result.code, 3, result.stderr);
          assertStringIncludes(result.stderr, "it is not a file");
        }
      } finally {
        await Deno.remove(box.configPath);
        await Deno.writeTextFile(box.configPath, config);
      }
    },
  });

  await t.step("a torn memo is ignored and replaced", async () => {
    await Deno.writeTextFile(memo, "{");
    await programThenFast();
  });

  await t.step("after logout, the program says the session is gone", async () => {
    await remembered();
    const out = await runCli(["logout", "--profile", "dev", "--no-revoke"], { env });
    assertEquals(out.code, 0, out.stderr);
    const result = await exportAs();
    assertTrue(result.code !== 0, result.stdout);
    assertStringIncludes(result.stderr, "aws-login login --profile dev");
  });
});

Deno.test("export-credentials: no memo where the program alone can expand the cache directory", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  await signIn(emulator, box, { profile: "dev" });
  const cache = `${box.home}/.aws/login/cache`;
  const env = await box.env({
    AWS_ENDPOINT_URL_SIGNIN: emulator.url,
    AWS_LOGIN_CACHE_DIRECTORY: "~/.aws/login/cache",
  });
  for (let i = 0; i < 2; i++) {
    const result = await runCli(["export-credentials", "--profile", "dev"], { env });
    assertEquals(result.code, 0, result.stderr);
  }
  assertEquals(await Deno.stat(`${cache}/aws-login-export-memo`).catch(() => null), null);
});
