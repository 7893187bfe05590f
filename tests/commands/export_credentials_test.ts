/**
 * `export-credentials` in process: `run()` with fake dependencies (clock, environment, captured
 * output, a recording `sleep`) against the real emulator, the real file system and, where the region
 * matters, a `fetch` that sends the real regional host names to the emulator's listeners.
 */

import {
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
  assertTrue,
} from "../support/assert.ts";
import { type Sandbox, sandbox } from "../support/cli.ts";
import { onlyCacheFile } from "../support/e2e.ts";
import { type FakeDeps, fakeDeps } from "../support/fake_deps.ts";
import { forgetFailures, setSecondsLeft } from "../support/session.ts";
import { silentEndpoint } from "../support/endpoints.ts";
import { DEFAULT_SESSION_ARN, type Emulator, startEmulator } from "../../scripts/emulator/mod.ts";
import { run } from "../../lib/run.ts";
import type { Deps, SpawnOptions, SpawnResult } from "../../lib/runtime/deps.ts";
import { FAILURE_MEMORY_MS, sessionCredentials } from "../../lib/aws/session.ts";
import { NetworkError, ServiceError } from "../../lib/errors.ts";
import { TOKEN_RETRY_BUDGET_MS } from "../../lib/signin/token_policy.ts";
import { importDPoPKeyPem } from "../../lib/signin/dpop_key.ts";
import { refreshWithToken } from "../../lib/signin/token.ts";
import { resolveSignInEndpoint } from "../../lib/signin/endpoints.ts";

const SESSION = DEFAULT_SESSION_ARN;
const EXPIRES_AT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/** What one in-process run produced. */
interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly deps: FakeDeps;
  /** Every `deps.sleep()` delay, in order (none is actually waited for). */
  readonly sleeps: number[];
}

interface RunOptions {
  env?: Record<string, string>;
  fetch?: Deps["fetch"];
  fs?: Partial<Deps["fs"]>;
  spawn?: (argv: readonly string[], options?: SpawnOptions) => Promise<SpawnResult>;
  stdinIsTerminal?: boolean;
  /** Runs at each `deps.sleep()`, which otherwise returns at once. */
  onSleep?: (ms: number) => Promise<void>;
}

/** Runs the CLI in process with HOME in the sandbox; `sleep` records its delay, waits for nothing. */
async function runIn(box: Sandbox, args: string[], options: RunOptions = {}): Promise<Outcome> {
  const sleeps: number[] = [];
  const base = fakeDeps({
    env: { HOME: box.home, ...options.env },
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.spawn ? { spawn: options.spawn } : {}),
    stdin: {
      isTerminal: options.stdinIsTerminal ?? false,
      readLine: () => Promise.reject(new Error("export-credentials must never read stdin")),
      raw: () => {
        throw new Error("export-credentials must never read stdin");
      },
    },
    stderrIsTerminal: options.stdinIsTerminal ?? false,
  });
  const deps: FakeDeps = {
    ...base,
    fs: { ...base.fs, ...options.fs },
    sleep: (ms) => {
      sleeps.push(ms);
      return options.onSleep?.(ms) ?? Promise.resolve();
    },
  };
  const code = await run(args, deps);
  return { code, stdout: deps.stdout.text, stderr: deps.stderr.text, deps, sleeps };
}

/** A failure: the documented code, nothing on stdout, exactly one line on stderr. */
function assertFailure(outcome: Outcome, code: number, ...parts: string[]): void {
  assertEquals(outcome.code, code, outcome.stderr);
  assertEquals(outcome.stdout, "");
  assertMatch(outcome.stderr, /^aws-login: [^\n]+\n$/);
  for (const part of parts) assertStringIncludes(outcome.stderr, part);
}

/** The `process` JSON on stdout. */
function processOutput(outcome: Outcome): Record<string, unknown> {
  assertEquals(outcome.code, 0, outcome.stderr);
  return JSON.parse(outcome.stdout);
}

/** A fetch that never reaches anything. */
const unreachable: Deps["fetch"] = () =>
  Promise.reject(new TypeError("error sending request: Connection refused (os error 111)"));

/**
 * A fetch that sends `https://{region}.signin.aws.amazon.com/...` to the emulator's listener of that
 * region, as DNS would send it to the real regional endpoint, and records the regions token
 * requests went to.
 */
function regionalFetch(emulator: Emulator): { fetch: Deps["fetch"]; tokenRegions: string[] } {
  const tokenRegions: string[] = [];
  return {
    tokenRegions,
    fetch: (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const region = /^([a-z0-9-]+)\.signin\.aws\.amazon\.com$/.exec(url.hostname)?.[1];
      if (url.protocol !== "https:" || region === undefined) return fetch(input, init);
      if (url.pathname === "/v1/token") tokenRegions.push(region);
      return fetch(`${emulator.urlFor(region)}${url.pathname}${url.search}`, init);
    },
  };
}

/** A browser launcher for `run(["login"])`: follows the authorization redirect to the callback. */
function followingBrowser(
  fetchFn: Deps["fetch"],
): (argv: readonly string[]) => Promise<SpawnResult> {
  return async (argv) => {
    const authorize = await fetchFn(argv.at(-1)!, { redirect: "manual" });
    await authorize.body?.cancel();
    const location = authorize.headers.get("location");
    if (authorize.status !== 302 || location === null) {
      return { code: 1, stdout: "", stderr: `authorize answered ${authorize.status}` };
    }
    const callback = await fetch(location);
    await callback.body?.cancel();
    return { code: 0, stdout: "", stderr: "" };
  };
}

/** Signs in in process (the real login command) and returns the cache file. */
async function signInHere(
  box: Sandbox,
  options: { profile: string; region: string; env?: Record<string, string>; fetch?: Deps["fetch"] },
): Promise<{ path: string; entry: Record<string, unknown> }> {
  const fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  const outcome = await runIn(box, [
    "login",
    "--profile",
    options.profile,
    "--region",
    options.region,
  ], {
    env: { BROWSER: "fake-browser %s", ...options.env },
    fetch: fetchFn,
    spawn: followingBrowser(fetchFn),
  });
  assertEquals(outcome.code, 0, outcome.stderr);
  return await onlyCacheFile(box.cacheDir);
}

/** The emulator (one region) with profile `dev` signed in through `AWS_ENDPOINT_URL_SIGNIN`. */
async function signedIn(
  emulatorOptions: Parameters<typeof startEmulator>[0] = {},
): Promise<
  { emulator: Emulator; box: Sandbox; path: string; env: Record<string, string> } & AsyncDisposable
> {
  const emulator = await startEmulator(emulatorOptions);
  const box = await sandbox();
  const env = { AWS_ENDPOINT_URL_SIGNIN: emulator.url };
  const { path } = await signInHere(box, { profile: "dev", region: "us-east-1", env });
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

/** A cache file as the tests read it. */
interface CacheFile {
  accessToken: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken: string;
    accountId: string;
    expiresAt: string;
    [key: string]: unknown;
  };
  clientId: string;
  refreshToken: string;
  dpopKey: string;
  [key: string]: unknown;
}

async function readCache(path: string): Promise<CacheFile> {
  return JSON.parse(await Deno.readTextFile(path));
}

Deno.test("export-credentials: fresh credentials come from the cache with no network", async (t) => {
  await using s = await signedIn();
  const cached = await readCache(s.path);
  const tokenRequests = s.emulator.counts.token;

  await t.step("process format, from the file, without a single request", async () => {
    const outcome = await runIn(s.box, ["export-credentials", "--profile", "dev"], {
      env: s.env,
      fetch: unreachable,
    });
    assertEquals(processOutput(outcome), {
      Version: 1,
      AccessKeyId: cached.accessToken.accessKeyId,
      SecretAccessKey: cached.accessToken.secretAccessKey,
      SessionToken: cached.accessToken.sessionToken,
      Expiration: cached.accessToken.expiresAt.replace(/Z$/, "+00:00"),
    });
    assertEquals(outcome.stderr, "");
    assertEquals(s.emulator.counts.token, tokenRequests);
  });

  await t.step(
    "AWS_PROFILE picks the profile, --format env prints only the variables",
    async () => {
      const outcome = await runIn(s.box, ["export-credentials", "--format", "env"], {
        env: { ...s.env, AWS_PROFILE: "dev" },
        fetch: unreachable,
      });
      assertEquals(outcome.code, 0, outcome.stderr);
      assertEquals(
        outcome.stdout.split("\n").map((line) => line.split("=")[0]),
        [
          "export AWS_ACCESS_KEY_ID",
          "export AWS_SECRET_ACCESS_KEY",
          "export AWS_SESSION_TOKEN",
          "export AWS_CREDENTIAL_EXPIRATION",
          "",
        ],
      );
      assertStringIncludes(outcome.stdout, `AWS_ACCESS_KEY_ID=${cached.accessToken.accessKeyId}\n`);
    },
  );

  await t.step("the cache file is left exactly as it was", async () => {
    assertEquals(await readCache(s.path), cached);
  });
});

Deno.test("export-credentials: refresh goes to the login region, whatever AWS_REGION says", async (t) => {
  await using emulator = await startEmulator({
    regions: ["us-east-2", "eu-west-1"],
    publicUrlFor: (region) => `https://${region}.signin.aws.amazon.com`,
  });
  await using box = await sandbox();
  const routed = regionalFetch(emulator);
  // No endpoint override anywhere: aws-login computes the regional URLs itself.
  const { path, entry } = await signInHere(box, {
    profile: "dev",
    region: "us-east-2",
    fetch: routed.fetch,
  });
  assertEquals(entry.signInRegion, "us-east-2");
  assertEquals(routed.tokenRegions, ["us-east-2"]);

  await t.step(
    "AWS_REGION=eu-west-1: the refresh still goes to us-east-2 and succeeds",
    async () => {
      await setSecondsLeft(path, 60);
      const before = await readCache(path);
      const outcome = await runIn(box, ["export-credentials", "--profile", "dev"], {
        env: { AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "eu-west-1" },
        fetch: routed.fetch,
      });
      const output = processOutput(outcome);
      assertEquals(outcome.stderr, "");
      assertEquals(routed.tokenRegions, ["us-east-2", "us-east-2"]);
      assertEquals(emulator.counts.tokenByGrant.refresh_token, 1);
      const after = await readCache(path);
      assertEquals(output.AccessKeyId, after.accessToken.accessKeyId);
      assertTrue(after.accessToken.accessKeyId !== before.accessToken.accessKeyId);
      assertTrue(after.refreshToken !== before.refreshToken);
      assertEquals(after.signInRegion, "us-east-2");
    },
  );

  const current = await readCache(path);
  const keyPair = await importDPoPKeyPem(current.dpopKey);
  const tokenDeps = fakeDeps({ fetch: routed.fetch });
  const context = (region: string) => ({
    endpoint: resolveSignInEndpoint(region),
    clientId: current.clientId as string,
    keyPair,
  });

  await t.step("control: eu-west-1 refuses this refresh token (INVALID_REQUEST)", async () => {
    const error = await assertRejects(
      () => refreshWithToken(tokenDeps, context("eu-west-1"), current.refreshToken),
      ServiceError,
    );
    assertEquals(error.code, "INVALID_REQUEST");
  });

  await t.step(
    "control: without signInRegion, AWS_REGION is used and the refresh fails",
    async () => {
      const { signInRegion: _, ...withoutRegion } = current;
      await Deno.writeTextFile(path, JSON.stringify(withoutRegion));
      await setSecondsLeft(path, 60);
      const outcome = await runIn(box, ["export-credentials", "--profile", "dev"], {
        env: { AWS_REGION: "eu-west-1" },
        fetch: routed.fetch,
      });
      assertFailure(outcome, 6, "aws-login login --profile dev");
      assertEquals(routed.tokenRegions.at(-1), "eu-west-1");
      assertEquals(emulator.counts.tokenByGrant.refresh_token, 1);
    },
  );

  await t.step("control: the same token is still good at us-east-2", async () => {
    const tokens = await refreshWithToken(tokenDeps, context("us-east-2"), current.refreshToken);
    assertMatch(tokens.accessToken.accessKeyId, /^ASIA/);
  });
});

Deno.test("export-credentials: a refresh rewrites only what changed, in aws-cli's format", async () => {
  await using s = await signedIn();
  const original = await readCache(s.path);
  original.accessToken.futureTokenField = "kept";
  original.futureField = { nested: [1, "two"] };
  await Deno.writeTextFile(s.path, JSON.stringify(original));
  await setSecondsLeft(s.path, 120);
  const before = await readCache(s.path);

  const outcome = await runIn(s.box, ["export-credentials", "--profile", "dev"], { env: s.env });
  const output = processOutput(outcome);
  assertEquals(s.emulator.counts.tokenByGrant.refresh_token, 1);

  const text = await Deno.readTextFile(s.path);
  const after = JSON.parse(text);
  assertEquals(Object.keys(after), Object.keys(before));
  assertEquals(after.futureField, { nested: [1, "two"] });
  assertEquals(after.accessToken.futureTokenField, "kept");
  for (const key of ["tokenType", "clientId", "idToken", "dpopKey", "signInRegion"]) {
    assertEquals(after[key], before[key], key);
  }
  assertEquals(after.accessToken.accountId, before.accessToken.accountId);
  assertTrue(after.refreshToken !== before.refreshToken, "the refresh token rotates");
  for (const key of ["accessKeyId", "secretAccessKey", "sessionToken"]) {
    assertTrue(after.accessToken[key] !== before.accessToken[key], key);
    assertTrue(typeof after.accessToken[key] === "string" && after.accessToken[key] !== "", key);
  }
  assertMatch(after.accessToken.expiresAt, EXPIRES_AT);
  const minutes = (Date.parse(after.accessToken.expiresAt) - Date.now()) / 60000;
  assertTrue(minutes > 13 && minutes <= 15, `expires in ${minutes} minutes`);
  assertEquals(output.AccessKeyId, after.accessToken.accessKeyId);
  assertEquals(output.Expiration, after.accessToken.expiresAt.replace(/Z$/, "+00:00"));
  // One line, Python separators, like aws-cli's json.dumps.
  assertEquals(text.includes("\n"), false);
  assertStringIncludes(text, '{"accessToken": {"accessKeyId": "');
  if (Deno.build.os !== "windows") assertEquals((await Deno.stat(s.path)).mode! & 0o777, 0o600);

  await t_noSecondRefresh(s);
});

/** Right after a refresh the credentials are fresh: no further request. */
async function t_noSecondRefresh(
  s: { emulator: Emulator; box: Sandbox; env: Record<string, string> },
): Promise<void> {
  const tokens = s.emulator.counts.token;
  const outcome = await runIn(s.box, ["export-credentials", "--profile", "dev"], { env: s.env });
  assertEquals(outcome.code, 0, outcome.stderr);
  assertEquals(s.emulator.counts.token, tokens);
}

Deno.test("export-credentials: passing service faults are retried, then served stale or reported", async (t) => {
  await using s = await signedIn();
  const args = ["export-credentials", "--profile", "dev"];

  await t.step("500 once, then success: one retry after a pause", async () => {
    await forgetFailures(s.path);
    await setSecondsLeft(s.path, 60);
    s.emulator.injectFault({ path: "/v1/token", status: 500 });
    const outcome = await runIn(s.box, args, { env: s.env });
    const output = processOutput(outcome);
    assertEquals(outcome.stderr, "");
    assertEquals(outcome.sleeps.length, 1);
    assertEquals(s.emulator.counts.tokenByGrant.refresh_token, 1);
    assertEquals(output.AccessKeyId, (await readCache(s.path)).accessToken.accessKeyId);
  });

  await t.step("429 twice, then success: growing pauses", async () => {
    await forgetFailures(s.path);
    await setSecondsLeft(s.path, 60);
    s.emulator.injectFault({ path: "/v1/token", status: 429, times: 2 });
    const outcome = await runIn(s.box, args, { env: s.env });
    processOutput(outcome);
    assertEquals(outcome.stderr, "");
    assertEquals(outcome.sleeps.length, 2);
    assertTrue(outcome.sleeps[0]! < outcome.sleeps[1]!, `${outcome.sleeps}`);
    assertEquals(s.emulator.counts.tokenByGrant.refresh_token, 2);
  });

  await t.step("429 every time, credentials still valid: served with a warning", async () => {
    await forgetFailures(s.path);
    await setSecondsLeft(s.path, 140);
    const cached = await readCache(s.path);
    const faults = s.emulator.counts.faults;
    s.emulator.injectFault({ path: "/v1/token", status: 429, times: 4 });
    const outcome = await runIn(s.box, args, { env: s.env });
    assertEquals(processOutput(outcome).AccessKeyId, cached.accessToken.accessKeyId);
    assertMatch(outcome.stderr, /^warning: could not refresh the login session [^\n]+\n$/);
    assertStringIncludes(outcome.stderr, "expire in 2 minutes");
    assertEquals(s.emulator.counts.faults - faults, 4);
    assertEquals(outcome.sleeps.length, 3);
    assertTrue(outcome.sleeps[0]! < outcome.sleeps[1]! && outcome.sleeps[1]! < outcome.sleeps[2]!);
    assertEquals(await readCache(s.path), cached);
  });

  await t.step("right after, another caller serves them too, without a retry cycle", async () => {
    const cached = await readCache(s.path);
    const token = s.emulator.counts.token;
    const outcome = await runIn(s.box, args, { env: s.env });
    assertEquals(processOutput(outcome).AccessKeyId, cached.accessToken.accessKeyId);
    assertMatch(outcome.stderr, /^warning: could not refresh the login session [^\n]+\n$/);
    assertStringIncludes(outcome.stderr, "HTTP 429");
    assertEquals(s.emulator.counts.token, token);
    assertEquals(outcome.sleeps, []);
  });

  await t.step("unreachable, credentials still valid: served with a warning", async () => {
    await forgetFailures(s.path);
    await setSecondsLeft(s.path, 60);
    const cached = await readCache(s.path);
    const outcome = await runIn(s.box, args, { env: s.env, fetch: unreachable });
    assertEquals(processOutput(outcome).AccessKeyId, cached.accessToken.accessKeyId);
    assertMatch(outcome.stderr, /^warning: [^\n]*Connection refused[^\n]*\n$/);
    assertEquals(outcome.sleeps.length, 3);
  });

  await t.step("unreachable, credentials expired: exit 7 with one line", async () => {
    await forgetFailures(s.path);
    await setSecondsLeft(s.path, -60);
    const outcome = await runIn(s.box, args, { env: s.env, fetch: unreachable });
    assertFailure(outcome, 7, "Unable to reach AWS Sign-In", "Connection refused");
  });

  await t.step("503 every time, credentials expired: exit 5, try again later", async () => {
    await forgetFailures(s.path);
    await setSecondsLeft(s.path, -60);
    s.emulator.injectFault({ path: "/v1/token", status: 503, times: 4 });
    const outcome = await runIn(s.box, args, { env: s.env });
    assertFailure(outcome, 5, "HTTP 503", "try again later");
    assertEquals(outcome.sleeps.length, 3);
  });

  await t.step("429 every time, credentials expired: exit 5, not a new sign-in", async () => {
    await forgetFailures(s.path);
    await setSecondsLeft(s.path, -60);
    s.emulator.injectFault({ path: "/v1/token", status: 429, times: 4 });
    const outcome = await runIn(s.box, args, { env: s.env });
    assertFailure(outcome, 5, "HTTP 429", "Rate exceeded", "try again later");
    assertEquals(outcome.sleeps.length, 3);
  });

  await t.step("INSUFFICIENT_PERMISSIONS: exit 5 naming the missing action, no retry", async () => {
    await forgetFailures(s.path);
    await setSecondsLeft(s.path, -60);
    s.emulator.injectFault({ path: "/v1/token", error: "INSUFFICIENT_PERMISSIONS" });
    const outcome = await runIn(s.box, args, { env: s.env });
    assertFailure(outcome, 5, "insufficient permissions", "signin:CreateOAuth2Token");
    assertEquals(outcome.sleeps, []);
  });

  await t.step("after all that, the session still refreshes", async () => {
    await forgetFailures(s.path);
    await setSecondsLeft(s.path, -60);
    const outcome = await runIn(s.box, args, { env: s.env });
    processOutput(outcome);
    assertEquals(s.emulator.counts.tokenByGrant.refresh_token, 3);
  });

  // Last: the HTTP client may resend a request whose reused connection was dropped, so more drops
  // are queued than there are attempts, and some may be left over.
  await t.step("connections dropped by the service, credentials expired: exit 7", async () => {
    await forgetFailures(s.path);
    await setSecondsLeft(s.path, -60);
    s.emulator.injectFault({ path: "/v1/token", drop: true, times: 10 });
    const outcome = await runIn(s.box, args, { env: s.env });
    assertFailure(outcome, 7, "Unable to reach AWS Sign-In");
    assertEquals(outcome.sleeps.length, 3);
  });
});

Deno.test("export-credentials: an expired session asks for the exact sign-in command", async (t) => {
  await t.step("TOKEN_EXPIRED: exit 6", async () => {
    await using s = await signedIn();
    await setSecondsLeft(s.path, 60);
    const before = await Deno.readTextFile(s.path);
    s.emulator.expireRefreshTokens();
    const outcome = await runIn(s.box, ["export-credentials", "--profile", "dev"], {
      env: s.env,
      stdinIsTerminal: true,
    });
    assertFailure(outcome, 6, "expired", 'run "aws-login login --profile dev"');
    assertEquals(outcome.sleeps, []);
    // Never a prompt, never a browser, even on a terminal.
    assertEquals(outcome.deps.spawned, []);
    assertEquals(await Deno.readTextFile(s.path), before);
  });

  await t.step("USER_CREDENTIALS_CHANGED: exit 6 mentioning the password", async () => {
    await using s = await signedIn();
    await setSecondsLeft(s.path, -10);
    s.emulator.changeUserCredentials();
    const outcome = await runIn(s.box, ["export-credentials", "--profile", "dev"], { env: s.env });
    assertFailure(outcome, 6, "password", 'run "aws-login login --profile dev"');
  });

  await t.step("the default profile is named without --profile", async () => {
    await using emulator = await startEmulator();
    await using box = await sandbox();
    const env = { AWS_ENDPOINT_URL_SIGNIN: emulator.url };
    const { path } = await signInHere(box, { profile: "default", region: "us-east-1", env });
    await setSecondsLeft(path, 60);
    emulator.expireRefreshTokens();
    const outcome = await runIn(box, ["export-credentials"], { env });
    assertFailure(outcome, 6, 'run "aws-login login" to sign in again');
  });
});

Deno.test("export-credentials: an unusable cache file names the file and says to sign in again", async (t) => {
  await using s = await signedIn();
  const good = await Deno.readTextFile(s.path);
  const cases: Record<string, string> = {
    truncated: good.slice(0, Math.floor(good.length / 2)),
    corrupted: good.replace(/"/g, "'"),
    empty: "",
    "missing fields": JSON.stringify({ ...JSON.parse(good), refreshToken: undefined }),
    "bad expiry": good.replace(/"expiresAt": "[^"]+"/, '"expiresAt": "soon"'),
  };
  for (const [name, text] of Object.entries(cases)) {
    await t.step(name, async () => {
      await Deno.writeTextFile(s.path, text);
      const outcome = await runIn(s.box, ["export-credentials", "--profile", "dev"], {
        env: s.env,
        fetch: unreachable,
      });
      assertFailure(
        outcome,
        6,
        `"${s.path}"`,
        'Run "aws-login login --profile dev" to sign in again',
      );
    });
  }

  await t.step("no cache file at all (logged out)", async () => {
    await Deno.remove(s.path);
    const outcome = await runIn(s.box, ["export-credentials", "--profile", "dev"], { env: s.env });
    assertFailure(outcome, 6, SESSION, 'Run "aws-login login --profile dev" to sign in again');
  });
});

Deno.test({
  name: "export-credentials: a cache file readable by others is made private with a warning",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await using s = await signedIn();
    await Deno.chmod(s.path, 0o644);
    const outcome = await runIn(s.box, ["export-credentials", "--profile", "dev"], { env: s.env });
    processOutput(outcome);
    assertMatch(
      outcome.stderr,
      /^warning: cache file "[^"]+" was readable by other users [^\n]+\n$/,
    );
    assertStringIncludes(outcome.stderr, s.path);
    assertEquals((await Deno.stat(s.path)).mode! & 0o777, 0o600);
    const again = await runIn(s.box, ["export-credentials", "--profile", "dev"], { env: s.env });
    assertEquals(again.stderr, "");
  },
});

Deno.test("export-credentials: profiles that cannot give credentials", async (t) => {
  await using box = await sandbox();
  await Deno.mkdir(`${box.home}/.aws`);
  await Deno.writeTextFile(
    box.configPath,
    "[profile plain]\nregion = eu-west-1\n\n[profile static]\naws_access_key_id = AKIDSTATIC\naws_secret_access_key = s3cret\n",
  );

  await t.step("no login_session: exit 6 with the command that signs in", async () => {
    const outcome = await runIn(box, ["export-credentials", "--profile", "plain"]);
    assertFailure(
      outcome,
      6,
      "Profile plain has no login session",
      "aws-login login --profile plain",
    );
  });

  await t.step("a profile that does not exist: exit 3", async () => {
    const outcome = await runIn(box, ["export-credentials", "--profile", "nope"]);
    assertFailure(outcome, 3, "The config profile (nope) could not be found");
  });

  await t.step("static keys are printed as they are", async () => {
    const outcome = await runIn(box, ["export-credentials", "--profile", "static"]);
    assertEquals(processOutput(outcome), {
      Version: 1,
      AccessKeyId: "AKIDSTATIC",
      SecretAccessKey: "s3cret",
    });
  });

  await t.step("an unknown --format is a usage error", async () => {
    const outcome = await runIn(box, [
      "export-credentials",
      "--profile",
      "static",
      "--format",
      "xml",
    ]);
    assertFailure(outcome, 2, 'Invalid format "xml"');
  });

  await t.step("credentials cmd.exe cannot hold: exit 2 with one line, not a crash", async () => {
    await Deno.writeTextFile(
      box.configPath,
      '[profile odd]\naws_access_key_id = AKID\naws_secret_access_key = a"b\n',
    );
    const outcome = await runIn(box, [
      "export-credentials",
      "--profile",
      "odd",
      "--format",
      "windows-cmd",
    ]);
    assertFailure(outcome, 2, "windows-cmd", "--format");
  });
});

/** A `spawn` that runs `aws-login ...` in process, as the real program would run itself. */
function inProcessSelf(
  box: Sandbox,
  env: Record<string, string>,
  seen: Array<{ argv: string[]; chain: string | undefined }>,
): (argv: readonly string[], options?: SpawnOptions) => Promise<SpawnResult> {
  const spawn = async (argv: readonly string[], options?: SpawnOptions): Promise<SpawnResult> => {
    assertEquals(argv[0], "aws-login");
    const childEnv = { ...env, ...options?.env };
    seen.push({ argv: [...argv], chain: childEnv._AWS_LOGIN_PROFILE_CHAIN });
    const outcome = await runIn(box, argv.slice(1), { env: childEnv, spawn });
    return { code: outcome.code, stdout: outcome.stdout, stderr: outcome.stderr };
  };
  return spawn;
}

Deno.test("export-credentials: credential_process profiles, the profile chain and its guard", async (t) => {
  await using s = await signedIn();
  const config = await Deno.readTextFile(s.box.configPath);
  const process = (profile: string) =>
    `credential_process = aws-login export-credentials --profile ${profile} --format process\n`;
  await Deno.writeTextFile(
    s.box.configPath,
    config +
      `\n[profile bridge]\n${process("dev")}` +
      `\n[profile loop]\n${process("loop")}` +
      ["c1", "c2", "c3", "c4", "c5"].map((name, i) =>
        `\n[profile ${name}]\n${process(`c${i + 2}`)}`
      ).join(""),
  );
  const cached = await readCache(s.path);

  await t.step("a bridge profile runs this program for the login profile", async () => {
    const seen: Array<{ argv: string[]; chain: string | undefined }> = [];
    const outcome = await runIn(s.box, ["export-credentials", "--profile", "bridge"], {
      env: s.env,
      spawn: inProcessSelf(s.box, s.env, seen),
    });
    const output = processOutput(outcome);
    assertEquals(output.AccessKeyId, cached.accessToken.accessKeyId);
    assertEquals(output.Expiration, cached.accessToken.expiresAt.replace(/Z$/, "+00:00"));
    assertEquals(seen, [{
      argv: ["aws-login", "export-credentials", "--profile", "dev", "--format", "process"],
      chain: "bridge",
    }]);
  });

  await t.step("a profile whose process runs itself: the loop error, one level deep", async () => {
    const seen: Array<{ argv: string[]; chain: string | undefined }> = [];
    const outcome = await runIn(s.box, ["export-credentials", "--profile", "loop"], {
      env: s.env,
      spawn: inProcessSelf(s.box, s.env, seen),
    });
    assertFailure(outcome, 3, "infinite loop, profile cycle: loop -> loop");
    assertEquals(seen.length, 1);
  });

  await t.step("more than 4 nested processes: the depth error, said once", async () => {
    const seen: Array<{ argv: string[]; chain: string | undefined }> = [];
    const outcome = await runIn(s.box, ["export-credentials", "--profile", "c1"], {
      env: s.env,
      spawn: inProcessSelf(s.box, s.env, seen),
    });
    assertFailure(
      outcome,
      3,
      "Maximum recursive credential process resolution reached (4). Profiles seen: c1 -> c2 -> c3 -> c4",
    );
    assertEquals(outcome.stderr.split("Error when retrieving credentials").length, 2);
    assertEquals(seen.map((entry) => entry.chain), ["c1", "c1,c2", "c1,c2,c3", "c1,c2,c3,c4"]);
  });

  await t.step("the guard also applies when the chain arrives in the environment", async () => {
    const cycle = await runIn(s.box, ["export-credentials", "--profile", "dev"], {
      env: { ...s.env, _AWS_LOGIN_PROFILE_CHAIN: "bridge,dev" },
    });
    assertFailure(cycle, 3, "profile cycle: bridge -> dev -> dev");
    const deep = await runIn(s.box, ["export-credentials", "--profile", "dev"], {
      env: { ...s.env, _AWS_LOGIN_PROFILE_CHAIN: "a,b,c,d" },
    });
    assertFailure(deep, 3, "Maximum recursive credential process resolution reached (4)");
    const fine = await runIn(s.box, ["export-credentials", "--profile", "dev"], {
      env: { ...s.env, _AWS_LOGIN_PROFILE_CHAIN: "a,b,c" },
    });
    processOutput(fine);
  });

  await t.step("a failing process: exit 3 with its last stderr line", async () => {
    const outcome = await runIn(s.box, ["export-credentials", "--profile", "bridge"], {
      env: s.env,
      spawn: () => Promise.resolve({ code: 9, stdout: "", stderr: "starting\nboom: no token\n" }),
    });
    assertFailure(
      outcome,
      3,
      "Error when retrieving credentials from custom process: boom: no token",
    );
  });
});

/**
 * Another tool (aws-cli, an SDK) refreshes the session without our lock, between our read and our
 * request, so that our request carries a spent refresh token. It writes the file in place (as
 * aws-cli does) before our request is sent, or only when `save()` is called, or never.
 */
function otherWriterFirst(
  path: string,
  endpointUrl: string,
  options: { write: "before" | "later" | "never" },
): { fetch: Deps["fetch"]; save: () => Promise<void> } {
  let done = false;
  let save = () => Promise.resolve();
  return {
    save: () => save(),
    fetch: async (input, init) => {
      if (!done && String(input).endsWith("/v1/token")) {
        done = true;
        const entry = await readCache(path);
        const tokens = await refreshWithToken(fakeDeps(), {
          endpoint: resolveSignInEndpoint("us-east-1", { endpointUrl }),
          clientId: entry.clientId,
          keyPair: await importDPoPKeyPem(entry.dpopKey),
        }, entry.refreshToken);
        entry.accessToken = {
          ...entry.accessToken,
          ...tokens.accessToken,
          expiresAt: new Date(Date.now() + tokens.expiresIn * 1000).toISOString(),
        };
        entry.refreshToken = tokens.refreshToken!;
        save = () => Deno.writeTextFile(path, JSON.stringify(entry, null, 2));
        if (options.write === "before") await save();
        if (options.write === "never") save = () => Promise.resolve();
      }
      return await fetch(input, init);
    },
  };
}

Deno.test("export-credentials: a token rotated meanwhile by a writer that does not lock", async (t) => {
  const args = ["export-credentials", "--profile", "dev"];
  // Rotation only: in the emulator's default "window" mode the spent token would be answered
  // again with the other writer's tokens, and our request would not be refused.
  const strict = { refreshIdempotency: "strict" } as const;

  await t.step("its new credentials are fresh: they are served, no second try", async () => {
    await using s = await signedIn(strict);
    await setSecondsLeft(s.path, 60);
    const other = otherWriterFirst(s.path, s.emulator.url, { write: "before" });
    const outcome = await runIn(s.box, args, { env: s.env, fetch: other.fetch });
    const written = await readCache(s.path);
    assertEquals(processOutput(outcome).AccessKeyId, written.accessToken.accessKeyId);
    assertEquals(outcome.stderr, "");
    assertEquals(s.emulator.counts.tokenByGrant.refresh_token, 1);
    assertEquals(s.emulator.counts.tokenErrors, 1);
  });

  await t.step("its new credentials need refreshing too: one retry with its token", async () => {
    await using s = await signedIn({ ...strict, accessTokenTtlSeconds: 120 });
    const other = otherWriterFirst(s.path, s.emulator.url, { write: "before" });
    const outcome = await runIn(s.box, args, { env: s.env, fetch: other.fetch });
    const output = processOutput(outcome);
    assertEquals(outcome.stderr, "");
    assertEquals(s.emulator.counts.tokenByGrant.refresh_token, 2);
    assertEquals(s.emulator.counts.tokenErrors, 1);
    const after = await readCache(s.path);
    assertEquals(output.AccessKeyId, after.accessToken.accessKeyId);
    assertMatch(after.accessToken.expiresAt, EXPIRES_AT);
    // The token we saved is the live one: the next refresh works.
    await setSecondsLeft(s.path, 60);
    processOutput(await runIn(s.box, args, { env: s.env }));
    assertEquals(s.emulator.counts.tokenByGrant.refresh_token, 3);
  });

  await t.step("it saves only after our request was refused: found after a pause", async () => {
    await using s = await signedIn(strict);
    await setSecondsLeft(s.path, 60);
    const other = otherWriterFirst(s.path, s.emulator.url, { write: "later" });
    const outcome = await runIn(s.box, args, {
      env: s.env,
      fetch: other.fetch,
      onSleep: () => other.save(),
    });
    const written = await readCache(s.path);
    assertEquals(processOutput(outcome).AccessKeyId, written.accessToken.accessKeyId);
    assertEquals(outcome.sleeps.length, 1);
  });

  await t.step("the file did not change: no retry, sign in again", async () => {
    await using s = await signedIn(strict);
    await setSecondsLeft(s.path, 60);
    const other = otherWriterFirst(s.path, s.emulator.url, { write: "never" });
    const outcome = await runIn(s.box, args, { env: s.env, fetch: other.fetch });
    assertFailure(outcome, 6, "refused", 'run "aws-login login --profile dev"');
    assertEquals(s.emulator.counts.tokenErrors, 1);
  });
});

Deno.test("export-credentials: a cache that cannot be written never costs the session", async (t) => {
  await using s = await signedIn();
  const readOnly = () => Promise.reject(new Error("Read-only file system"));

  await t.step(
    "credentials still valid: served with a warning, the token is not spent",
    async () => {
      await setSecondsLeft(s.path, 60);
      const before = s.emulator.counts.token;
      const cached = JSON.parse(await Deno.readTextFile(s.path));
      const outcome = await runIn(s.box, ["export-credentials", "--profile", "dev"], {
        env: s.env,
        fs: { writeFileAtomic: readOnly },
      });
      assertEquals(processOutput(outcome).AccessKeyId, cached.accessToken.accessKeyId);
      assertStringIncludes(outcome.stderr, "Cannot write to the login cache directory");
      assertStringIncludes(outcome.stderr, "Read-only file system");
      assertEquals(s.emulator.counts.token, before);
    },
  );

  await t.step(
    "credentials expired: exit 8 naming the directory, the token is not spent",
    async () => {
      await setSecondsLeft(s.path, -60);
      const before = s.emulator.counts.token;
      const outcome = await runIn(s.box, ["export-credentials", "--profile", "dev"], {
        env: s.env,
        fs: { writeFileAtomic: readOnly },
      });
      assertFailure(outcome, 8, `"${s.box.cacheDir}"`, "Read-only file system");
      assertEquals(s.emulator.counts.token, before);
    },
  );

  await t.step(
    "the save fails after the refresh: the new credentials, and what to do",
    async () => {
      await setSecondsLeft(s.path, 60);
      const cached = JSON.parse(await Deno.readTextFile(s.path));
      const real = fakeDeps().fs;
      const outcome = await runIn(s.box, ["export-credentials", "--profile", "dev"], {
        env: s.env,
        fs: {
          writeFileAtomic: (path, data, options) =>
            path === s.path ? readOnly() : real.writeFileAtomic(path, data, options),
        },
      });
      const output = processOutput(outcome);
      assertTrue(output.AccessKeyId !== cached.accessToken.accessKeyId);
      assertStringIncludes(outcome.stderr, "could not be saved (");
      assertStringIncludes(outcome.stderr, 'run "aws-login login --profile dev" to sign in again');
      assertMatch(outcome.stderr, /^warning: [^\n]+\n$/);
    },
  );

  await t.step("lock fails: exit 8 naming the lock file", async () => {
    await setSecondsLeft(s.path, 60);
    const outcome = await runIn(s.box, ["export-credentials", "--profile", "dev"], {
      env: s.env,
      fs: { lock: () => Promise.reject(new Error("No locks available")) },
    });
    assertFailure(outcome, 8, `"${s.path}.lock"`, "No locks available");
  });
});

Deno.test("sessionCredentials(): a token endpoint that never answers costs one retry cycle, once", async (t) => {
  await using s = await signedIn();
  // The endpoint takes the request and says nothing until the client gives up.
  const silent = silentEndpoint(() => deps);
  const deps = fakeDeps({
    env: { HOME: s.box.home, ...s.env },
    clock: "auto",
    fetch: silent.fetch,
  });
  const request = { profile: "dev", loginSession: SESSION, profileValues: {} };

  await t.step("credentials still valid: served with a warning after the budget", async () => {
    await setSecondsLeft(s.path, 60 + TOKEN_RETRY_BUDGET_MS / 1000);
    const started = deps.now().getTime();
    const result = await sessionCredentials(deps, request);
    assertEquals(result.refreshed, false);
    assertStringIncludes(deps.stderr.text, "did not answer within");
    assertEquals(silent.calls(), 2);
    const spent = deps.now().getTime() - started;
    assertTrue(spent <= TOKEN_RETRY_BUDGET_MS + 100, `${spent} ms`);
  });

  await t.step(
    "the next caller, credentials expired: the failure is reported at once",
    async () => {
      await setSecondsLeft(s.path, -60);
      const error = await assertRejects(() => sessionCredentials(deps, request), NetworkError);
      assertStringIncludes(error.message, "a moment ago");
      assertEquals(silent.calls(), 2);
    },
  );

  await t.step("once that is old news, a new cycle is tried", async () => {
    await deps.advance(FAILURE_MEMORY_MS);
    await assertRejects(() => sessionCredentials(deps, request), NetworkError, "did not answer");
    assertEquals(silent.calls(), 4);
  });

  await t.step("a slow answer within the limit is used", async () => {
    s.emulator.injectFault({ path: "/v1/token", delayMs: 100 });
    await deps.advance(FAILURE_MEMORY_MS);
    // The same moment, with a real endpoint that takes 100 ms.
    const answering = fakeDeps({ env: { HOME: s.box.home, ...s.env }, now: deps.now() });
    const result = await sessionCredentials(answering, request);
    assertEquals(result.refreshed, true);
  });
});

Deno.test("export-credentials: a cache without signInRegion falls back to the profile's region, else says what to set", async (t) => {
  await using s = await signedIn();
  const { signInRegion: _, ...written } = await readCache(s.path);
  await Deno.writeTextFile(s.path, JSON.stringify(written));
  await setSecondsLeft(s.path, 60);

  await t.step("the region of the profile (written by login)", async () => {
    assertStringIncludes(await Deno.readTextFile(s.box.configPath), "region = us-east-1\n");
    processOutput(await runIn(s.box, ["export-credentials", "--profile", "dev"], { env: s.env }));
    assertEquals(s.emulator.counts.tokenByGrant.refresh_token, 1);
  });

  await t.step("no region anywhere: exit 3 naming the settings", async () => {
    const config = await Deno.readTextFile(s.box.configPath);
    await Deno.writeTextFile(s.box.configPath, config.replace("region = us-east-1\n", ""));
    await setSecondsLeft(s.path, 60);
    const outcome = await runIn(s.box, ["export-credentials", "--profile", "dev"], {
      env: s.env,
    });
    assertFailure(outcome, 3, "no region is known", "AWS_REGION", "aws-login login --profile dev");
  });
});

/** A fetch that passes token answers through `rewrite` on their way back. */
function rewritingFetch(rewrite: (body: Record<string, unknown>) => unknown): Deps["fetch"] {
  return async (input, init) => {
    const response = await fetch(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.pathname !== "/v1/token" || !response.ok) return response;
    return Response.json(rewrite(await response.json()), { status: response.status });
  };
}

Deno.test("export-credentials: odd refresh answers", async (t) => {
  await using s = await signedIn();
  const args = ["export-credentials", "--profile", "dev"];

  await t.step("no refreshToken: the current one is kept, the credentials are new", async () => {
    await setSecondsLeft(s.path, -60);
    const before = await readCache(s.path);
    const outcome = await runIn(s.box, args, {
      env: s.env,
      fetch: rewritingFetch(({ refreshToken: _, ...rest }) => rest),
    });
    const output = processOutput(outcome);
    const after = await readCache(s.path);
    assertEquals(after.refreshToken, before.refreshToken);
    assertEquals(after.accessToken.accessKeyId, output.AccessKeyId);
    assertTrue(output.AccessKeyId !== before.accessToken.accessKeyId);
  });

  for (const expiresIn of [0, -900, 43_201, "900"]) {
    await t.step(
      `expiresIn ${JSON.stringify(expiresIn)}: refused before anything is saved`,
      async () => {
        await forgetFailures(s.path);
        await setSecondsLeft(s.path, -60);
        const before = await Deno.readTextFile(s.path);
        const outcome = await runIn(s.box, args, {
          env: s.env,
          fetch: rewritingFetch((body) => ({ ...body, expiresIn })),
        });
        assertFailure(outcome, 5, '"expiresIn"');
        assertEquals(await Deno.readTextFile(s.path), before);
      },
    );
  }
});
