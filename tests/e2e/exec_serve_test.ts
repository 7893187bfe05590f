/**
 * End to end: `exec` and `serve` as real processes, run with exactly the permissions the binaries
 * embed, on a session the real `login` signed in against the emulator: the two stdout lines, a
 * prompt stop on SIGTERM and SIGINT, signals passed to an exec child, 32 requests at once when
 * another process made the cache file due, and bad input.
 */

import { assertEquals, assertMatch, assertStringIncludes, assertTrue } from "../support/assert.ts";
import { runCli, type Sandbox, sandbox, startCli } from "../support/cli.ts";
import { setSecondsLeft, signIn } from "../support/session.ts";
import { posixTest } from "../support/platform.ts";
import { within } from "../support/e2e.ts";
import { type Emulator, startEmulator } from "../../scripts/emulator/mod.ts";
import { permissionFlags } from "../../lib/runtime/permissions.ts";

/** The CLI as the binaries run it: `deno run` with the embedded permission flags. */
const NARROW = permissionFlags();

async function signedIn(): Promise<
  { emulator: Emulator; box: Sandbox; path: string; env: Record<string, string> } & AsyncDisposable
> {
  const emulator = await startEmulator();
  const box = await sandbox();
  const { path } = await signIn(emulator, box, { profile: "dev" });
  const env = await box.env({ AWS_ENDPOINT_URL_SIGNIN: emulator.url });
  return {
    emulator,
    box,
    path,
    env,
    async [Symbol.asyncDispose]() {
      await box[Symbol.asyncDispose]();
      await emulator.close();
    },
  };
}

async function startServe(env: Record<string, string>, args: string[] = []) {
  const cli = startCli(["serve", "--profile", "dev", ...args], { env, permissions: NARROW });
  const [, uri, token] = await within(
    60_000,
    "serve printing its two lines",
    cli.waitForStdout(
      /^AWS_CONTAINER_CREDENTIALS_FULL_URI=(\S+)\nAWS_CONTAINER_AUTHORIZATION_TOKEN=(\S+)\n/,
    ),
  );
  return Object.assign(cli, { uri: uri!, token: token! });
}

posixTest(
  "serve: two lines on stdout, served to loopback clients, exit 0 on SIGTERM and SIGINT",
  async (t) => {
    await using s = await signedIn();
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      await t.step(`stopped with ${signal}`, async () => {
        await using serving = await startServe(s.env);
        const response = await fetch(serving.uri, { headers: { authorization: serving.token } });
        assertEquals(response.status, 200);
        assertMatch((await response.json()).AccessKeyId, /^ASIA/);
        // An idle keep-alive connection must not hold the stop up.
        serving.kill(signal);
        const result = await within(10_000, `exit after ${signal}`, serving.result());
        assertEquals(result.code, 0, result.stderr);
        assertEquals(result.stdout.split("\n").length, 3);
        assertTrue(result.stderr.endsWith("aws-login: stopped\n"), result.stderr);
        assertTrue(!/\bat .*:\d+:\d+/.test(result.stderr), result.stderr);
      });
    }
  },
);

posixTest(
  "serve: 32 requests after another process made the session due: one refresh, one answer",
  async () => {
    await using s = await signedIn();
    await using serving = await startServe(s.env);
    const get = async () => {
      const response = await fetch(serving.uri, { headers: { authorization: serving.token } });
      return { status: response.status, body: await response.json() };
    };
    const before = await get();
    // As if time had passed for the session: one minute left, in a file another process wrote.
    await setSecondsLeft(s.path, 60);
    s.emulator.injectFault({ path: "/v1/token", delayMs: 500 });
    const answers = await Promise.all(Array.from({ length: 32 }, get));
    assertEquals(s.emulator.counts.tokenByGrant.refresh_token, 1);
    assertEquals(new Set(answers.map((a) => a.status)), new Set([200]));
    assertEquals(new Set(answers.map((a) => a.body.AccessKeyId)).size, 1);
    assertTrue(answers[0]!.body.AccessKeyId !== before.body.AccessKeyId);
    const cache = JSON.parse(await Deno.readTextFile(s.path));
    assertEquals(answers[0]!.body.AccessKeyId, cache.accessToken.accessKeyId);
    assertEquals(answers[0]!.body.Expiration, cache.accessToken.expiresAt);
  },
);

posixTest(
  "exec: passes SIGTERM to the child and exits with its code; the private files go",
  async () => {
    await using s = await signedIn();
    const ready = `${s.box.home}/ready`;
    // The sleep holds none of the test's pipes: if it outlived its shell, the test would fail in
    // seconds rather than wait for it.
    const script = `trap 'kill $! 2>/dev/null; exit 21' TERM; ` +
      `sleep 600 >/dev/null 2>&1 & echo "$AWS_CONFIG_FILE" > ${ready}; wait $!`;
    await using cli = startCli(["exec", "--profile", "dev", "--", "sh", "-c", script], {
      env: s.env,
      permissions: NARROW,
    });
    let config = "";
    const deadline = Date.now() + 60_000;
    while (config === "") {
      config = (await Deno.readTextFile(ready).catch(() => "")).trim();
      if (Date.now() > deadline) throw new Error("the child did not start");
      if (config === "") await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assertStringIncludes(await Deno.readTextFile(config), "[profile dev]");
    cli.kill("SIGTERM");
    const result = await within(10_000, "exit after SIGTERM", cli.result());
    assertEquals(result.code, 21, result.stderr);
    assertEquals(result.stderr, "");
    assertEquals(await Deno.stat(config).catch(() => null), null);
  },
);

Deno.test("exec and serve: bad input, one line each, documented exit codes", async () => {
  await using s = await signedIn();
  await Deno.writeTextFile(s.box.configPath, "\n[profile empty]\nregion = us-east-1\n", {
    append: true,
  });
  const cases: [string[], number, RegExp][] = [
    [
      ["exec", "--bogus", "--", "true"],
      2,
      /^aws-login: Unknown option "--bogus"\. Run "aws-login exec --help"/,
    ],
    [
      ["exec", "--profile", "dev", "aws", "sts"],
      2,
      /^aws-login: Missing "--" before the command to run\. /,
    ],
    [["exec", "--profile", "dev", "--"], 2, /^aws-login: Missing the command to run after "--"\. /],
    [
      ["exec", "--profile", "dev", "--", "aws-login-no-such-command"],
      127,
      /^aws-login: Cannot run "aws-login-no-such-command": command not found$/,
    ],
    [
      ["exec", "--profile", "empty", "--", "true"],
      6,
      /^aws-login: Profile empty has no login session\. Run "aws-login login --profile empty" to sign in$/,
    ],
    [["serve", "--profile", "empty"], 6, /aws-login login --profile empty/],
    [["serve", "--address", "localhost"], 2, /^aws-login: Invalid address "localhost"/],
    [
      ["serve", "--profile", "dev", "--address", "172.17.0.1"],
      2,
      /^aws-login: Cannot listen on 172\.17\.0\.1:0: aws-login's permissions allow listening on 127\.0\.0\.1 and 0\.0\.0\.0 only\. /,
    ],
  ];
  for (const [args, code, line] of cases) {
    const result = await runCli(args, { env: s.env, permissions: NARROW });
    assertEquals(result.code, code, `${args.join(" ")}: ${result.stderr}`);
    assertEquals(result.stdout, "", args.join(" "));
    assertMatch(result.stderr, /^[^\n]+\n$/, args.join(" "));
    assertMatch(result.stderr.trimEnd(), line, args.join(" "));
  }
});

posixTest("serve: a port in use, one line, exit 2", async () => {
  await using s = await signedIn();
  await using serving = await startServe(s.env);
  const port = new URL(serving.uri).port;
  const result = await runCli(["serve", "--profile", "dev", "--port", port], {
    env: s.env,
    permissions: NARROW,
  });
  assertEquals(result.code, 2, result.stderr);
  assertEquals(
    result.stderr,
    `aws-login: Cannot listen on 127.0.0.1:${port}: the port is in use. Choose another --port, or leave it out to use a free one\n`,
  );
});
