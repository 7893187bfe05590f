/**
 * End to end: `export-credentials` as real processes against the emulator, on sessions signed in by
 * the real `login` with the fake browser. Many processes at once, a shell that evaluates the output,
 * and a credential_process profile written by `configure credential-process`.
 */

import { assertEquals, assertMatch, assertStringIncludes, assertTrue } from "../support/assert.ts";
import { MAIN_PATH, runCli, sandbox } from "../support/cli.ts";
import { setSecondsLeft, signIn } from "../support/session.ts";
import { startEmulator } from "../../scripts/emulator/mod.ts";
import { POSIX_ONLY } from "../support/platform.ts";
import { processJson, within } from "../support/e2e.ts";

Deno.test("export-credentials (process): refreshes a session near its end, then serves the cache", async (t) => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const { path, entry } = await signIn(emulator, box, { profile: "dev" });
  const env = await box.env({ AWS_ENDPOINT_URL_SIGNIN: emulator.url });
  const oldKey = (entry.accessToken as Record<string, string>).accessKeyId;
  let refreshed: Record<string, string | number> = {};

  await t.step("60 s left: one refresh, the rotated token saved", async () => {
    await setSecondsLeft(path, 60);
    const result = await runCli(["export-credentials", "--profile", "dev"], { env });
    refreshed = processJson(result);
    assertEquals(result.stderr, "");
    assertEquals(emulator.counts.tokenByGrant.refresh_token, 1);
    assertTrue(refreshed.AccessKeyId !== oldKey);
    const cache = JSON.parse(await Deno.readTextFile(path));
    assertEquals(cache.accessToken.accessKeyId, refreshed.AccessKeyId);
    assertTrue(cache.refreshToken !== entry.refreshToken);
    assertEquals(refreshed.Expiration, cache.accessToken.expiresAt.replace(/Z$/, "+00:00"));
  });

  await t.step("right after: the same credentials, no request", async () => {
    const tokens = emulator.counts.token;
    const result = await runCli(["export-credentials", "--profile", "dev"], { env });
    assertEquals(processJson(result).AccessKeyId, refreshed.AccessKeyId);
    assertEquals(emulator.counts.token, tokens);
  });

  await t.step({
    name: `--format env: a POSIX shell evaluates stdout into the same values${
      POSIX_ONLY ? ` (${POSIX_ONLY})` : ""
    }`,
    ignore: POSIX_ONLY !== undefined,
    fn: async () => {
      const result = await runCli(["export-credentials", "--profile", "dev", "--format", "env"], {
        env,
      });
      assertEquals(result.code, 0, result.stderr);
      const script =
        `${result.stdout}printf '%s\\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" ` +
        `"$AWS_SESSION_TOKEN" "$AWS_CREDENTIAL_EXPIRATION"\n`;
      const shell = await new Deno.Command("sh", {
        args: ["-c", script],
        stdout: "piped",
        stderr: "piped",
        clearEnv: true,
      }).output();
      assertEquals(new TextDecoder().decode(shell.stderr), "");
      assertEquals(new TextDecoder().decode(shell.stdout).split("\n"), [
        String(refreshed.AccessKeyId),
        String(refreshed.SecretAccessKey),
        String(refreshed.SessionToken),
        String(refreshed.Expiration),
        "",
      ]);
    },
  });

  await t.step(
    "the session ended: exit 6, one line with the command, nothing on stdout",
    async () => {
      await setSecondsLeft(path, -60);
      emulator.expireRefreshTokens();
      const result = await runCli(["export-credentials", "--profile", "dev"], { env });
      assertEquals(result.code, 6);
      assertEquals(result.stdout, "");
      assertMatch(result.stderr, /^aws-login: [^\n]+\n$/);
      assertStringIncludes(result.stderr, 'run "aws-login login --profile dev"');
    },
  );
});

Deno.test("export-credentials (process): 16 processes at once on a role profile, one AssumeRole", async () => {
  const role = "arn:aws:iam::210987654321:role/Deploy";
  await using emulator = await startEmulator();
  await using box = await sandbox();
  await signIn(emulator, box, { profile: "dev" });
  await Deno.writeTextFile(
    box.configPath,
    `\n[profile deploy]\nrole_arn = ${role}\nsource_profile = dev\n`,
    { append: true },
  );
  const env = await box.env({
    AWS_ENDPOINT_URL_SIGNIN: emulator.url,
    AWS_ENDPOINT_URL_STS: emulator.url,
    AWS_REGION: "us-east-1",
  });
  // A slow answer keeps the AssumeRole in flight while the other processes arrive.
  emulator.injectFault({ path: "/", action: "AssumeRole", delayMs: 1500 });
  const results = await within(
    240_000,
    "16 export-credentials processes",
    Promise.all(
      Array.from(
        { length: 16 },
        () => runCli(["export-credentials", "--profile", "deploy"], { env }),
      ),
    ),
  );
  const keys = results.map((result) => processJson(result).AccessKeyId);
  assertEquals(new Set(keys).size, 1);
  for (const result of results) assertEquals(result.stderr, "");
  assertEquals(emulator.counts.assumeRole, 1);
  assertEquals(emulator.counts.assumeRoleByArn, { [role]: 1 });
});

Deno.test("export-credentials (process): 16 processes at once on a session that needs refreshing", async (t) => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const { path, entry } = await signIn(emulator, box, { profile: "dev" });
  const env = await box.env({ AWS_ENDPOINT_URL_SIGNIN: emulator.url });
  await setSecondsLeft(path, 60);
  // A slow answer keeps the refresh in flight while the other processes arrive.
  emulator.injectFault({ path: "/v1/token", delayMs: 1500 });

  // Meanwhile, a reader that looks at the file all the time never sees it half written.
  let running = true;
  const torn: string[] = [];
  let reads = 0;
  const reader = (async () => {
    while (running) {
      const text = await Deno.readTextFile(path);
      reads++;
      try {
        JSON.parse(text);
      } catch {
        torn.push(text);
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  })();
  const results = await within(
    240_000,
    "16 export-credentials processes",
    Promise.all(
      Array.from({ length: 16 }, () => runCli(["export-credentials", "--profile", "dev"], { env })),
    ),
  ).finally(() => running = false);
  await reader;

  await t.step("every process printed the same new credentials", () => {
    const keys = results.map((result) => processJson(result).AccessKeyId);
    assertEquals(new Set(keys).size, 1);
    assertTrue(keys[0] !== (entry.accessToken as Record<string, string>).accessKeyId);
    for (const result of results) assertEquals(result.stderr, "");
  });

  await t.step("the emulator saw exactly one refresh and no refused request", () => {
    assertEquals(emulator.counts.tokenByGrant.refresh_token, 1);
    assertEquals(emulator.counts.tokenErrors, 0);
  });

  await t.step("a reader never saw a torn file", () => {
    assertTrue(reads > 10, `${reads} reads`);
    assertEquals(torn, []);
  });

  await t.step(
    "the cache is whole, holds the rotated token and nothing was left behind",
    async () => {
      const cache = JSON.parse(await Deno.readTextFile(path));
      assertEquals(cache.accessToken.accessKeyId, processJson(results[0]!).AccessKeyId);
      assertTrue(cache.refreshToken !== entry.refreshToken);
      assertMatch(cache.refreshToken, /^ASOR/);
      const names = (await Array.fromAsync(Deno.readDir(box.cacheDir))).map((e) => e.name).sort();
      const name = path.slice(box.cacheDir.length + 1);
      assertEquals(names, [name, `${name}.lock`]);
    },
  );

  await t.step("the saved token is the live one: the next refresh works", async () => {
    await setSecondsLeft(path, 60);
    processJson(await runCli(["export-credentials", "--profile", "dev"], { env }));
    assertEquals(emulator.counts.tokenByGrant.refresh_token, 2);
  });
});

Deno.test("export-credentials (process): a profile written by configure credential-process", async (t) => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const { path } = await signIn(emulator, box, { profile: "login", region: "eu-central-1" });
  const env = await box.env({ AWS_ENDPOINT_URL_SIGNIN: emulator.url });

  await t.step("configure writes a command that runs this program", async () => {
    const result = await runCli(
      ["configure", "credential-process", "--profile", "bridge", "--source-profile", "login"],
      { env },
    );
    assertEquals(result.code, 0, result.stderr);
    assertEquals(result.stdout, "");
    const config = await Deno.readTextFile(box.configPath);
    const line = /\ncredential_process = (.+)\n/.exec(config)?.[1] ?? "";
    assertTrue(line.startsWith(`${Deno.execPath()} run `), line);
    assertStringIncludes(line, ` ${MAIN_PATH} export-credentials --profile login --format process`);
    assertStringIncludes(config, "[profile bridge]\n");
    assertStringIncludes(config, "\nregion = eu-central-1\n");
  });

  await t.step("export through it, from another directory, refreshing on the way", async () => {
    await setSecondsLeft(path, 60);
    const result = await within(
      120_000,
      "export-credentials --profile bridge",
      runCli(["export-credentials", "--profile", "bridge", "--format", "env"], {
        env,
        cwd: box.home,
      }),
    );
    assertEquals(result.code, 0, result.stderr);
    assertEquals(result.stderr, "");
    const cache = JSON.parse(await Deno.readTextFile(path));
    assertStringIncludes(
      result.stdout,
      `export AWS_ACCESS_KEY_ID=${cache.accessToken.accessKeyId}\n`,
    );
    assertEquals(emulator.counts.tokenByGrant.refresh_token, 1);
  });

  await t.step(
    "a profile whose credential_process runs itself: the loop error, no hang",
    async () => {
      const config = await Deno.readTextFile(box.configPath);
      const line = /\ncredential_process = (.+) export-credentials /.exec(config)?.[1] ?? "";
      await Deno.writeTextFile(
        box.configPath,
        `${config}\n[profile loop]\ncredential_process = ${line} export-credentials --profile loop\n`,
      );
      const result = await within(
        120_000,
        "export-credentials --profile loop",
        runCli(["export-credentials", "--profile", "loop"], { env }),
      );
      assertEquals(result.code, 3);
      assertEquals(result.stdout, "");
      assertMatch(result.stderr, /^aws-login: [^\n]+\n$/);
      assertStringIncludes(result.stderr, "infinite loop, profile cycle: loop -> loop");
    },
  );
});
