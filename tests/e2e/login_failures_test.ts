/**
 * End to end: every way a sign-in can go wrong ends with a clear message, a documented exit code,
 * no stack trace, and the user's config and cache exactly as they were.
 */

import { assertEquals, assertMatch, assertStringIncludes, assertTrue } from "../support/assert.ts";
import { runCli, type Sandbox, sandbox, startCli } from "../support/cli.ts";
import { fakeBrowserEnv, onlyCacheFile, snapshotTree } from "../support/e2e.ts";
import { type Fault, startEmulator } from "../../scripts/emulator/mod.ts";

const OTHER_SESSION = "arn:aws:sts::999999999999:assumed-role/Old/bob";

/** A home with a config and a cache file of another session, to prove nothing is touched. */
async function populatedHome(box: Sandbox): Promise<void> {
  await Deno.mkdir(box.cacheDir, { recursive: true, mode: 0o700 });
  await Deno.writeTextFile(
    box.configPath,
    "# keep me\n[profile dev]\nregion = eu-west-1\n; odd = but fine\n[profile other]\nlogin_session = " +
      OTHER_SESSION + "\n",
  );
  await Deno.writeTextFile(`${box.cacheDir}/0000.json`, '{"accessToken": {"accessKeyId": "x"}}', {
    mode: 0o600,
  });
}

/** Starts a login whose browser only records the URL, and returns what it needs to fake a callback. */
async function loginWaitingForCallback(box: Sandbox, endpoint: string) {
  const cli = startCli(["login", "--profile", "dev", "--region", "eu-west-1", "--timeout", "60"], {
    env: await box.env({
      AWS_ENDPOINT_URL_SIGNIN: endpoint,
      ...(await fakeBrowserEnv({ mode: "record" })),
    }),
  });
  const [, url] = await cli.waitForStderr(/^(http:\/\/127\.0\.0\.1:\d+\/v1\/authorize\?\S+)$/m);
  const authorize = new URL(url!);
  return {
    cli,
    authorize,
    redirectUri: authorize.searchParams.get("redirect_uri")!,
    state: authorize.searchParams.get("state")!,
  };
}

/** Gets a real code from the emulator by following the authorize redirect without delivering it. */
async function realCode(authorize: URL): Promise<string> {
  const response = await fetch(authorize, { redirect: "manual" });
  await response.body?.cancel();
  return new URL(response.headers.get("location")!).searchParams.get("code")!;
}

async function rawGet(url: string, host: string): Promise<number> {
  const target = new URL(url);
  const connection = await Deno.connect({ hostname: "127.0.0.1", port: Number(target.port) });
  try {
    await connection.write(
      new TextEncoder().encode(
        `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      ),
    );
    const buffer = new Uint8Array(1024);
    const n = await connection.read(buffer);
    return Number(new TextDecoder().decode(buffer.subarray(0, n ?? 0)).split(" ")[1]);
  } finally {
    connection.close();
  }
}

Deno.test("login failures: bad callbacks end the sign-in and change nothing", async (t) => {
  await using emulator = await startEmulator();
  const cases: [string, (state: string) => string, string][] = [
    [
      "a wrong state",
      () => "code=abc&state=someone-else",
      "State parameter someone-else does not match",
    ],
    [
      "error=access_denied",
      (state) => `error=access_denied&error_description=User+denied+access&state=${state}`,
      'sign-in returned "access_denied": User denied access',
    ],
    ["no code", (state) => `state=${state}`, "Failed to retrieve an authorization code"],
  ];
  for (const [name, query, message] of cases) {
    await t.step(name, async () => {
      await using box = await sandbox();
      await populatedHome(box);
      const before = await snapshotTree(box.home);
      const flow = await loginWaitingForCallback(box, emulator.url);
      await using _cli = flow.cli;
      const page = await fetch(`${flow.redirectUri}?${query(flow.state)}`);
      assertEquals(page.status, 400);
      await page.body?.cancel();
      const result = await flow.cli.result();
      assertEquals(result.code, 4, result.stderr);
      assertStringIncludes(result.stderr, message);
      assertEquals(result.stderr.includes("    at "), false);
      assertEquals(await snapshotTree(box.home), before);
    });
  }
});

Deno.test("login failures: a foreign Host and a second callback are refused, the real one wins", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const flow = await loginWaitingForCallback(box, emulator.url);
  await using _cli = flow.cli;
  const code = await realCode(flow.authorize);
  const callback = `${flow.redirectUri}?code=${encodeURIComponent(code)}&state=${flow.state}`;
  assertEquals(await rawGet(callback, "attacker.example"), 421);
  assertEquals(
    await rawGet(
      `${flow.redirectUri.replace("/oauth/callback", "/other")}`,
      new URL(callback).host,
    ),
    404,
  );
  const first = await fetch(callback);
  assertEquals(first.status, 200);
  await first.body?.cancel();
  // The listener either answers 409 or, when the login has already moved on and closed it, is
  // gone: both refuse the second callback (which one depends on timing).
  const second = await fetch(callback).catch((error) => error as Error);
  if (second instanceof Response) {
    assertEquals(second.status, 409);
    await second.body?.cancel();
  } else {
    assertMatch(String(second.cause ?? second), /reset|refused|closed/i);
  }
  const result = await flow.cli.result();
  assertEquals(result.code, 0, result.stderr);
  assertEquals(emulator.counts.tokenByGrant.authorization_code, 1);
});

Deno.test("login failures: every kind of token error is explained and changes nothing", async (t) => {
  const cases: [string, Fault, number, string][] = [
    [
      "AUTHCODE_EXPIRED",
      { path: "/v1/token", error: "AUTHCODE_EXPIRED" },
      5,
      "expired authorization code",
    ],
    [
      "INSUFFICIENT_PERMISSIONS",
      { path: "/v1/token", error: "INSUFFICIENT_PERMISSIONS" },
      5,
      "'signin:CreateOAuth2Token'",
    ],
    ["TOKEN_EXPIRED (clock skew)", { path: "/v1/token", error: "TOKEN_EXPIRED" }, 5, "clock"],
    [
      "INVALID_REQUEST",
      { path: "/v1/token", error: "INVALID_REQUEST" },
      5,
      "ValidationException INVALID_REQUEST",
    ],
    ["500", { path: "/v1/token", status: 500 }, 5, "InternalServerException"],
    ["503", { path: "/v1/token", status: 503 }, 5, "rejected the token request"],
    ["connection dropped", { path: "/v1/token", drop: true }, 7, "Unable to reach AWS Sign-In"],
  ];
  for (const [name, fault, exitCode, message] of cases) {
    await t.step(name, async () => {
      await using emulator = await startEmulator();
      await using box = await sandbox();
      await populatedHome(box);
      const before = await snapshotTree(box.home);
      emulator.injectFault(fault);
      const result = await runCli(["login", "--profile", "dev"], {
        env: await box.env({ AWS_ENDPOINT_URL_SIGNIN: emulator.url, ...(await fakeBrowserEnv()) }),
      });
      assertEquals(result.code, exitCode, result.stderr);
      assertStringIncludes(result.stderr, message);
      assertEquals(result.stderr.includes("    at "), false);
      assertEquals(await snapshotTree(box.home), before);
    });
  }
});

Deno.test("login: throttling (429) is retried and the sign-in completes", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  emulator.injectFault({ path: "/v1/token", status: 429 });
  const result = await runCli(["login", "--region", "us-east-1"], {
    env: await box.env({ AWS_ENDPOINT_URL_SIGNIN: emulator.url, ...(await fakeBrowserEnv()) }),
  });
  assertEquals(result.code, 0, result.stderr);
  assertEquals(emulator.counts.token, 2);
  assertEquals(emulator.counts.tokenByGrant.authorization_code, 1);
});

Deno.test("login failures: an unwritable cache directory is reported before the browser opens", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  await populatedHome(box);
  await Deno.writeTextFile(`${box.home}/not-a-dir`, "");
  const before = await snapshotTree(box.home);
  const result = await runCli(["login", "--profile", "dev"], {
    env: await box.env({
      AWS_ENDPOINT_URL_SIGNIN: emulator.url,
      AWS_LOGIN_CACHE_DIRECTORY: `${box.home}/not-a-dir/cache`,
      ...(await fakeBrowserEnv()),
    }),
  });
  assertEquals(result.code, 8, result.stderr);
  assertStringIncludes(result.stderr, "Cannot write to the login cache directory");
  assertStringIncludes(result.stderr, "AWS_LOGIN_CACHE_DIRECTORY");
  assertEquals(emulator.counts.authorize, 0);
  assertEquals(await snapshotTree(box.home), before);
});

Deno.test("login: a config file with odd lines is warned about and kept as it was", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  await Deno.mkdir(`${box.home}/.aws`);
  const odd =
    "stray line before any section\n[profile dev]\nregion = eu-west-1\nno equals sign here\n" +
    "[unclosed section\n[profile other]\nx = 1";
  await Deno.writeTextFile(box.configPath, odd);
  const result = await runCli(["login", "--profile", "dev"], {
    env: await box.env({ AWS_ENDPOINT_URL_SIGNIN: emulator.url, ...(await fakeBrowserEnv()) }),
  });
  assertEquals(result.code, 0, result.stderr);
  assertStringIncludes(result.stderr, "warning: ignoring");
  const text = await Deno.readTextFile(box.configPath);
  for (const line of odd.split("\n")) assertStringIncludes(text, line);
  assertStringIncludes(text, "login_session = arn:aws:sts::123456789012:assumed-role/Admin/alice");
  assertTrue(text.endsWith("x = 1"), "the missing final newline stays missing");
});

Deno.test("login: a different existing login_session is not replaced without a terminal", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  await populatedHome(box);
  const before = await snapshotTree(box.home);
  const result = await runCli(["login", "--profile", "other", "--region", "us-east-1"], {
    env: await box.env({ AWS_ENDPOINT_URL_SIGNIN: emulator.url, ...(await fakeBrowserEnv()) }),
  });
  assertEquals(result.code, 3, result.stderr);
  assertStringIncludes(result.stderr, `already configured to use session ${OTHER_SESSION}`);
  assertStringIncludes(result.stderr, "nothing was saved");
  assertEquals(await snapshotTree(box.home), before);
});

Deno.test("login: signing in again with the same session replaces the cache file in place", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const env = await box.env({ AWS_ENDPOINT_URL_SIGNIN: emulator.url, ...(await fakeBrowserEnv()) });
  assertEquals((await runCli(["login", "--region", "us-east-1"], { env })).code, 0);
  const first = await onlyCacheFile(box.cacheDir);
  const config = await Deno.readTextFile(box.configPath);
  const again = await runCli(["login"], { env });
  assertEquals(again.code, 0, again.stderr);
  const second = await onlyCacheFile(box.cacheDir);
  assertEquals(second.name, first.name);
  assertTrue(second.entry.refreshToken !== first.entry.refreshToken);
  assertEquals(await Deno.readTextFile(box.configPath), config);
});
