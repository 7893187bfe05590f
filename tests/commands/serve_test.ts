/**
 * `aws-login serve` in process: `run()` with fake dependencies (a clock the test moves, signals it
 * raises, captured output) serving a session the real `login` signed in against the emulator, to
 * real HTTP requests on loopback. The token file, the hints, a refresh due under 32 requests at
 * once, a session that cannot be refreshed, and the stop.
 */

import {
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
  assertTrue,
} from "../support/assert.ts";
import { type Sandbox, sandbox } from "../support/cli.ts";
import { type FakeDeps, fakeDeps } from "../support/fake_deps.ts";
import { signIn } from "../support/session.ts";
import { type Emulator, startEmulator } from "../../scripts/emulator/mod.ts";
import { run } from "../../lib/run.ts";
import { readTokenFile, serveHints } from "../../lib/commands/serve.ts";
import { ConfigError, FileSystemError } from "../../lib/errors.ts";
import { realDeps } from "../../lib/runtime/real.ts";
import { POSIX_ONLY } from "../support/platform.ts";

const MINUTE = 60_000;

async function signedIn(): Promise<
  { emulator: Emulator; box: Sandbox; env: Record<string, string> } & AsyncDisposable
> {
  const emulator = await startEmulator();
  const box = await sandbox();
  await signIn(emulator, box, { profile: "dev" });
  const env = { HOME: box.home, AWS_ENDPOINT_URL_SIGNIN: emulator.url };
  return {
    emulator,
    box,
    env,
    async [Symbol.asyncDispose]() {
      await box[Symbol.asyncDispose]();
      await emulator.close();
    },
  };
}

/** A running `serve`, with what it printed. */
interface Serving {
  readonly deps: FakeDeps;
  readonly uri: string;
  readonly token: string;
  readonly exited: Promise<number>;
  get(token?: string): Promise<{ status: number; body: Record<string, string> }>;
}

/** Starts `run(["serve", ...])` and waits, polling with a deadline, for its two stdout lines. */
async function startServe(env: Record<string, string>, args: string[] = []): Promise<Serving> {
  const deps = fakeDeps({ env });
  const exited = run(["serve", "--profile", "dev", ...args], deps);
  const deadline = Date.now() + 30_000;
  let settled = false;
  exited.finally(() => settled = true);
  while (deps.stdout.text.split("\n").length < 3) {
    if (settled) throw new Error(`serve ended: ${await exited}\n${deps.stderr.text}`);
    if (Date.now() > deadline) throw new Error(`serve printed nothing:\n${deps.stderr.text}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const [uriLine, tokenLine] = deps.stdout.text.split("\n");
  const uri = uriLine!.replace("AWS_CONTAINER_CREDENTIALS_FULL_URI=", "");
  const token = tokenLine!.replace("AWS_CONTAINER_AUTHORIZATION_TOKEN=", "");
  return {
    deps,
    uri,
    token,
    exited,
    async get(presented = token) {
      const response = await fetch(uri, { headers: { authorization: presented } });
      return { status: response.status, body: await response.json() };
    },
  };
}

Deno.test("readTokenFile() wants a file only its owner can read, holding a long token", async (t) => {
  await using box = await sandbox();
  const deps = realDeps();
  const path = `${box.home}/token`;
  const token = "0123456789abcdef0123456789abcdef";
  await t.step("a 0600 file with a final newline", async () => {
    await Deno.writeTextFile(path, `${token}\n`, { mode: 0o600 });
    await Deno.chmod(path, 0o600);
    assertEquals(await readTokenFile(deps, path), token);
  });
  await t.step({
    name: `readable by others: refused, saying how to fix it${
      POSIX_ONLY ? ` (${POSIX_ONLY})` : ""
    }`,
    ignore: POSIX_ONLY !== undefined,
    fn: async () => {
      await Deno.chmod(path, 0o644);
      const error = await assertRejects(
        () => readTokenFile(deps, path),
        ConfigError,
        `Token file "${path}" can be read by other users (mode 644): it must be mode 600`,
      );
      assertEquals(error.hint, `Run: chmod 600 ${path}`);
      assertEquals(error.exitCode, 3);
      await Deno.chmod(path, 0o600);
    },
  });
  await t.step("too short", async () => {
    await Deno.writeTextFile(path, "short\n");
    await assertRejects(() => readTokenFile(deps, path), ConfigError, "at least 22 are needed");
  });
  await t.step("missing", async () => {
    const error = await assertRejects(
      () => readTokenFile(deps, `${box.home}/none`),
      FileSystemError,
      "missing",
    );
    assertEquals(error.exitCode, 8);
  });
});

Deno.test("serveHints() gives a docker line that shows the token only where it was shown already", () => {
  const uri = "http://127.0.0.1:9911/credentials";
  const base = { profile: "dev", uri, address: "127.0.0.1", port: 9911, tokenFile: undefined };
  const hidden = serveHints({ ...base, visibleToken: undefined });
  assertStringIncludes(
    hidden,
    `docker run --network host -e AWS_CONTAINER_CREDENTIALS_FULL_URI=${uri} -e AWS_CONTAINER_AUTHORIZATION_TOKEN="$AWS_CONTAINER_AUTHORIZATION_TOKEN" IMAGE`,
  );
  assertStringIncludes(
    serveHints({ ...base, visibleToken: "t0k3n" }),
    "AWS_CONTAINER_AUTHORIZATION_TOKEN=t0k3n IMAGE",
  );
  assertStringIncludes(
    serveHints({ ...base, visibleToken: "t0k3n", tokenFile: "/home/me/my token" }),
    `AWS_CONTAINER_AUTHORIZATION_TOKEN="$(cat '/home/me/my token')" IMAGE`,
  );
  assertTrue(!hidden.includes("warning"));
  const wide = serveHints({ ...base, address: "0.0.0.0", visibleToken: undefined });
  assertMatch(wide, /^warning: listening on 0\.0\.0\.0, which other machines may reach/);
  assertStringIncludes(
    wide,
    "socat TCP-LISTEN:9911,bind=127.0.0.1,fork TCP:host.docker.internal:9911",
  );
  assertTrue(!wide.includes("--network host"));
});

Deno.test("serve: two lines on stdout, credentials for the token only, stop on SIGTERM", async (t) => {
  await using s = await signedIn();
  const serving = await startServe(s.env);

  await t.step("stdout is exactly the two variables", () => {
    assertMatch(
      serving.deps.stdout.text,
      /^AWS_CONTAINER_CREDENTIALS_FULL_URI=http:\/\/127\.0\.0\.1:\d+\/credentials\nAWS_CONTAINER_AUTHORIZATION_TOKEN=[A-Za-z0-9_-]{43}\n$/,
    );
    assertStringIncludes(
      serving.deps.stderr.text,
      "aws-login: serving the credentials of profile dev at",
    );
    assertTrue(!serving.deps.stderr.text.includes(serving.token), "the token went to stderr");
  });

  await t.step(
    "with the token: the session's credentials; without or wrong: 401 / 403",
    async () => {
      const good = await serving.get();
      assertEquals(good.status, 200);
      assertMatch(good.body.AccessKeyId!, /^ASIA/);
      assertEquals(good.body.AccountId, "123456789012");
      assertEquals((await serving.get("")).status, 401);
      assertEquals((await serving.get("x".repeat(43))).status, 403);
    },
  );

  await t.step("SIGTERM: exit 0, a last line on stderr, nothing more on stdout", async () => {
    const stdout = serving.deps.stdout.text;
    serving.deps.raiseSignal("SIGTERM");
    assertEquals(await serving.exited, 0);
    assertEquals(serving.deps.stdout.text, stdout);
    assertTrue(serving.deps.stderr.text.endsWith("aws-login: stopped\n"));
    await assertRejects(() => fetch(serving.uri), TypeError);
  });
});

Deno.test("serve: 32 requests when a refresh is due make one token request and get the same credentials", async () => {
  await using s = await signedIn();
  const serving = await startServe(s.env);
  const first = await serving.get();
  assertEquals(s.emulator.counts.tokenByGrant.refresh_token, 0);

  // Eleven minutes on: four left, inside the refresh window. A slow answer keeps the refresh in
  // flight while the requests arrive.
  serving.deps.advance(11 * MINUTE);
  s.emulator.injectFault({ path: "/v1/token", delayMs: 500 });
  const answers = await Promise.all(Array.from({ length: 32 }, () => serving.get()));
  assertEquals(s.emulator.counts.tokenByGrant.refresh_token, 1);
  assertEquals(s.emulator.counts.tokenErrors, 0);
  assertEquals(new Set(answers.map((a) => a.status)), new Set([200]));
  assertEquals(new Set(answers.map((a) => a.body.AccessKeyId)).size, 1);
  assertTrue(answers[0]!.body.AccessKeyId !== first.body.AccessKeyId);
  // The true expiry: 15 minutes after the refresh, by the clock aws-login runs on.
  assertEquals(
    Date.parse(answers[0]!.body.Expiration!),
    Math.floor((serving.deps.now().getTime() + 15 * MINUTE) / 1000) * 1000,
  );
  serving.deps.raiseSignal("SIGINT");
  assertEquals(await serving.exited, 0);
});

Deno.test("serve: a session that cannot be refreshed answers 403 naming aws-login login, said once", async () => {
  await using s = await signedIn();
  const serving = await startServe(s.env);
  s.emulator.expireRefreshTokens();
  serving.deps.advance(16 * MINUTE);
  for (let i = 0; i < 3; i++) {
    const answer = await serving.get();
    assertEquals(answer.status, 403);
    assertEquals(answer.body.code, "LoginRequired");
    assertStringIncludes(answer.body.message!, 'run "aws-login login --profile dev"');
  }
  const lines = serving.deps.stderr.text.split("\n").filter((line) =>
    line.includes("aws-login login")
  );
  assertEquals(lines.length, 1, serving.deps.stderr.text);
  assertMatch(
    lines[0]!,
    /^aws-login: Your session has expired: run "aws-login login --profile dev"/,
  );
  // Signed in again (here: a fresh login): served again without a restart.
  await signIn(s.emulator, s.box, { profile: "dev" });
  serving.deps.setNow(new Date());
  assertEquals((await serving.get()).status, 200);
  assertStringIncludes(
    serving.deps.stderr.text,
    "aws-login: the credentials of profile dev are available again\n",
  );
  serving.deps.raiseSignal("SIGTERM");
  assertEquals(await serving.exited, 0);
});

Deno.test("serve: bad input ends at once with one line and its exit code", async () => {
  await using s = await signedIn();
  const serving = await startServe(s.env);
  const port = new URL(serving.uri).port;
  const cases: [string[], number, RegExp][] = [
    [
      ["--port", port],
      2,
      new RegExp(
        `^aws-login: Cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use\\. Choose another --port`,
      ),
    ],
    [
      ["--profile", "nope"],
      3,
      /^aws-login: The config profile \(nope\) could not be found\. Run "aws-login login --profile nope"/,
    ],
    [["--token-file", `${s.box.home}/none`], 8, /^aws-login: Cannot read token file/],
    [["--bogus"], 2, /^aws-login: Unknown option "--bogus"/],
  ];
  for (const [args, code, line] of cases) {
    const deps = fakeDeps({ env: s.env });
    const argv = args[0] === "--profile"
      ? ["serve", ...args]
      : ["serve", "--profile", "dev", ...args];
    assertEquals(await run(argv, deps), code, deps.stderr.text);
    assertMatch(deps.stderr.text, /^[^\n]+\n$/);
    assertMatch(deps.stderr.text, line);
    assertEquals(deps.stdout.text, "");
  }
  serving.deps.raiseSignal("SIGTERM");
  assertEquals(await serving.exited, 0);
});
