/**
 * `status` in process, on cache files written by the test, with a fixed clock.
 */

import { assertEquals, assertMatch, assertStringIncludes } from "../support/assert.ts";
import { type Sandbox, sandbox } from "../support/cli.ts";
import { sha256Hex } from "../support/e2e.ts";
import { fakeDeps } from "../support/fake_deps.ts";
import { run } from "../../lib/run.ts";
import { describeSession, formatWhen, renderStatus } from "../../lib/commands/status.ts";
import { signIn } from "../support/session.ts";
import { DEFAULT_SESSION_ARN, startEmulator } from "../../scripts/emulator/mod.ts";

const NOW = new Date("2026-11-26T10:00:00Z");
const ALICE = "arn:aws:sts::111111111111:assumed-role/Admin/alice";
const BOB = "arn:aws:iam::222222222222:user/bob";
const CAROL = "arn:aws:sts::333333333333:assumed-role/Dev/carol";

function base64Url(value: unknown): string {
  return btoa(JSON.stringify(value)).replace(/=+$/, "").replaceAll("+", "-").replaceAll("/", "_");
}

/** A cache file as `login` writes it; the id_token carries `sub` and the sign-in time. */
function cacheText(
  session: string,
  options: { expiresAt: string; signedInAt?: string; signInRegion?: string },
): string {
  return JSON.stringify({
    accessToken: {
      accessKeyId: "ASIAEXAMPLE",
      secretAccessKey: "secret",
      sessionToken: "token",
      accountId: session.split(":")[4],
      expiresAt: options.expiresAt,
    },
    tokenType: "aws_sigv4",
    clientId: "arn:aws:signin:::devtools/same-device",
    refreshToken: "refresh",
    ...(options.signedInAt === undefined ? {} : {
      idToken: `e30.${
        base64Url({ sub: session, iat: Date.parse(options.signedInAt) / 1000 })
      }.c2ln`,
    }),
    dpopKey: "-----BEGIN EC PRIVATE KEY-----\n-----END EC PRIVATE KEY-----\n",
    ...(options.signInRegion === undefined ? {} : { signInRegion: options.signInRegion }),
  });
}

async function fileOf(box: Sandbox, session: string): Promise<string> {
  return `${box.cacheDir}/${await sha256Hex(session)}.json`;
}

/**
 * alice (profiles dev, dev2): valid, signed in at us-east-2; bob (ops): expired, refreshable, no
 * region; carol (no profile): session over; plus a JSON file that is not a session, and a lock.
 */
async function populated(): Promise<Sandbox> {
  const box = await sandbox();
  await Deno.mkdir(box.cacheDir, { recursive: true });
  await Deno.writeTextFile(
    box.configPath,
    `[profile dev]\nlogin_session = ${ALICE}\n\n[profile dev2]\nlogin_session = ${ALICE}\n\n` +
      `[profile ops]\nlogin_session = ${BOB}\n\n[profile plain]\nregion = eu-west-1\n\n` +
      `[profile gone]\nlogin_session = arn:aws:iam::444444444444:user/dave\n`,
  );
  await Deno.writeTextFile(
    await fileOf(box, ALICE),
    cacheText(ALICE, {
      expiresAt: "2026-11-26T10:12:00Z",
      signedInAt: "2026-11-26T09:00:00Z",
      signInRegion: "us-east-2",
    }),
  );
  await Deno.writeTextFile(await fileOf(box, ALICE) + ".lock", "");
  await Deno.writeTextFile(
    await fileOf(box, BOB),
    cacheText(BOB, { expiresAt: "2026-11-26T09:50:00Z", signedInAt: "2026-11-26T05:00:00Z" }),
  );
  await Deno.writeTextFile(
    await fileOf(box, CAROL),
    cacheText(CAROL, {
      expiresAt: "2026-11-25T20:00:00Z",
      signedInAt: "2026-11-25T19:45:00Z",
      signInRegion: "eu-west-1",
    }),
  );
  await Deno.writeTextFile(`${box.cacheDir}/not-a-session.json`, '{"startUrl": "x"}');
  return box;
}

async function status(box: Sandbox, args: string[]) {
  const deps = fakeDeps({ env: { HOME: box.home }, now: NOW });
  const code = await run(["status", ...args], deps);
  return { code, stdout: deps.stdout.text, stderr: deps.stderr.text };
}

const DAVE = "arn:aws:iam::444444444444:user/dave";

Deno.test("status: every cached session, and every profile whose session is not cached, on stdout", async () => {
  await using box = await populated();
  const result = await status(box, []);
  assertEquals(result.code, 0);
  assertEquals(result.stderr, "");
  const blocks: Record<string, string> = {
    [ALICE]: `${ALICE}: credentials valid
  profiles     dev, dev2
  account      111111111111
  region       us-east-2
  credentials  expire 2026-11-26 10:12 UTC (in 12 minutes)
  session      ends at the latest 2026-11-26 21:00 UTC (in 11 hours)
  cache file   ${await fileOf(box, ALICE)}`,
    [BOB]:
      `${BOB}: credentials expired; a refresh token is on disk, not tried ("aws-login status --check" tries it)
  profiles     ops
  account      222222222222
  credentials  expire 2026-11-26 09:50 UTC (10 minutes ago)
  session      ends at the latest 2026-11-26 17:00 UTC (in 7 hours)
  cache file   ${await fileOf(box, BOB)}`,
    [CAROL]: `${CAROL}: session ended
  profiles     (none in the config file)
  account      333333333333
  region       eu-west-1
  credentials  expire 2026-11-25 20:00 UTC (14 hours ago)
  session      ends at the latest 2026-11-26 07:45 UTC (2 hours ago)
  cache file   ${await fileOf(box, CAROL)}`,
  };
  // Listed in the order of the cache file names.
  const named = await Promise.all([ALICE, BOB, CAROL].map(async (s) => [await fileOf(box, s), s]));
  const order = named.sort(([a], [b]) => a!.localeCompare(b!)).map(([, session]) => session!);
  const missing = `${DAVE}: no cached session: run "aws-login login --profile gone"
  profiles     gone
  cache file   ${await fileOf(box, DAVE)} (missing)`;
  assertEquals(
    result.stdout,
    `Login sessions in ${box.cacheDir}:\n\n${
      [...order.map((s) => blocks[s]), missing].join("\n\n")
    }\n`,
  );
});

Deno.test("status --json: one object per session on stdout, missing ones included", async () => {
  await using box = await populated();
  const result = await status(box, ["--json"]);
  assertEquals(result.code, 0);
  assertEquals(result.stderr, "");
  const sessions = JSON.parse(result.stdout) as Record<string, unknown>[];
  const bySession = Object.fromEntries(sessions.map((s) => [s.loginSession, s]));
  assertEquals(Object.keys(bySession).sort(), [ALICE, BOB, CAROL, DAVE].sort());
  assertEquals(bySession[ALICE], {
    cacheFile: await fileOf(box, ALICE),
    loginSession: ALICE,
    profiles: ["dev", "dev2"],
    roleProfiles: [],
    accountId: "111111111111",
    signInRegion: "us-east-2",
    credentialsExpireAt: "2026-11-26T10:12:00.000Z",
    sessionEndsAtLatest: "2026-11-26T21:00:00.000Z",
    state: "valid",
    problem: null,
    check: null,
  });
  assertEquals(bySession[DAVE], {
    cacheFile: await fileOf(box, DAVE),
    loginSession: DAVE,
    profiles: ["gone"],
    roleProfiles: [],
    accountId: null,
    signInRegion: null,
    credentialsExpireAt: null,
    sessionEndsAtLatest: null,
    state: "missing",
    problem: 'no cached session: run "aws-login login --profile gone"',
    check: null,
  });
  assertEquals(
    [bySession[BOB]!.state, bySession[BOB]!.signInRegion, bySession[BOB]!.profiles],
    ["refreshable", null, ["ops"]],
  );
  assertEquals([bySession[CAROL]!.state, bySession[CAROL]!.profiles], ["ended", []]);
});

Deno.test("status --profile: exit 0 with a usable session, 6 without", async (t) => {
  await using box = await populated();

  await t.step("valid: only that session, exit 0", async () => {
    const result = await status(box, ["--profile", "dev2"]);
    assertEquals(result.code, 0);
    assertMatch(
      result.stdout,
      new RegExp(`^Login sessions in [^\\n]+:\\n\\n${ALICE}: credentials valid\\n`),
    );
    assertEquals(result.stdout.includes(BOB) || result.stdout.includes(DAVE), false);
  });

  await t.step("expired credentials that the next use refreshes: exit 0", async () => {
    const result = await status(box, ["--profile", "ops", "--json"]);
    assertEquals(result.code, 0);
    const sessions = JSON.parse(result.stdout) as Record<string, unknown>[];
    assertEquals(sessions.map((s) => [s.loginSession, s.state]), [[BOB, "refreshable"]]);
  });

  await t.step("no login_session: exit 6 saying what to run", async () => {
    const result = await status(box, ["--profile", "plain"]);
    assertEquals(result.code, 6);
    assertEquals(result.stderr, "");
    assertEquals(
      result.stdout,
      'Profile plain has no login session: run "aws-login login --profile plain"\n',
    );
    const json = await status(box, ["--profile", "plain", "--json"]);
    assertEquals([json.code, json.stdout], [6, "[]\n"]);
    assertStringIncludes(json.stderr, "Profile plain has no login session");
  });

  await t.step(
    "access keys: exit 6, and no advice to run a login that would be refused",
    async () => {
      await Deno.writeTextFile(box.credentialsPath, "[keys]\naws_access_key_id = AKIDEXAMPLE\n");
      const result = await status(box, ["--profile", "keys"]);
      assertEquals(result.code, 6);
      assertEquals(
        result.stdout,
        "Profile keys has no login session: it holds Access Key credentials (aws_access_key_id in " +
          '~/.aws/credentials), so aws-login cannot sign it in. Sign in to another profile instead, e.g. "aws-login login --profile keys-login"\n',
      );
      // The login it does not advise is indeed refused, naming the same key and file.
      const login = fakeDeps({ env: { HOME: box.home } });
      assertEquals(await run(["login", "--profile", "keys", "--region", "us-east-1"], login), 3);
      assertStringIncludes(login.stderr.text, "(aws_access_key_id in ~/.aws/credentials)");
      await Deno.remove(box.credentialsPath);
    },
  );

  await t.step("no cache file (logged out): listed as missing, exit 6", async () => {
    const result = await status(box, ["--profile", "gone"]);
    assertEquals(result.code, 6);
    assertStringIncludes(
      result.stdout,
      `${DAVE}: no cached session: run "aws-login login --profile gone"\n`,
    );
    assertMatch(
      result.stdout,
      /Profile gone has no usable login session: run "aws-login login --profile gone"\n$/,
    );
    const json = await status(box, ["--profile", "gone", "--json"]);
    assertEquals(json.code, 6);
    assertEquals(
      (JSON.parse(json.stdout) as Record<string, unknown>[]).map((s) => [s.loginSession, s.state]),
      [[DAVE, "missing"]],
    );
  });

  await t.step("an unusable cache file: exit 6, the problem shown", async () => {
    await Deno.writeTextFile(await fileOf(box, BOB), '{"accessToken": {');
    const result = await status(box, ["--profile", "ops", "--json"]);
    assertEquals(result.code, 6);
    const [session] = JSON.parse(result.stdout) as Record<string, unknown>[];
    assertEquals(session?.state, "invalid");
    assertMatch(String(session?.problem), /not valid JSON/);
  });
});

Deno.test("status: a session that ended is not usable", async () => {
  await using box = await populated();
  await Deno.writeTextFile(
    box.configPath,
    `${await Deno.readTextFile(box.configPath)}\n[profile old]\nlogin_session = ${CAROL}\n`,
  );
  const result = await status(box, ["--profile", "old"]);
  assertEquals(result.code, 6);
  assertMatch(result.stdout, /session ended: run "aws-login login --profile old"/);
});

Deno.test("status: the last credentials of an ended session are valid and cannot be refreshed", () => {
  const now = new Date("2026-11-26T10:00:00Z");
  const text = cacheText(ALICE, {
    expiresAt: "2026-11-26T10:05:00Z",
    signedInAt: "2026-11-25T21:59:00Z",
  });
  const described = describeSession("/c/x.json", text, ["dev"], ALICE, now);
  // Still usable, so the state (and the exit code of status --profile) is "valid".
  assertEquals(described.state, "valid");
  assertMatch(
    renderStatus([described], "/c", now, { checked: false }),
    /: credentials valid, but the session ended: they cannot be refreshed; run "aws-login login --profile dev"\n/,
  );
  const unnamed = describeSession("/c/x.json", text, [], ALICE, now);
  assertMatch(
    renderStatus([unnamed], "/c", now, { checked: false }),
    /: credentials valid, but the session ended: they cannot be refreshed\n/,
  );
});

Deno.test("status: no cache directory at all", async () => {
  await using box = await sandbox();
  const result = await status(box, []);
  assertEquals(result, {
    code: 0,
    stdout: `No login sessions in ${box.cacheDir}. Sign in with "aws-login login --profile NAME" ` +
      `(or "aws-login login" for the default profile).\n`,
    stderr: "",
  });
  const json = await status(box, ["--json"]);
  assertEquals(json, { code: 0, stdout: "[]\n", stderr: "" });
});

Deno.test("describeSession() tells the states apart", () => {
  const now = new Date("2026-11-26T10:00:00Z");
  const describe = (text: string, known?: string) =>
    describeSession("/c/x.json", text, [], known, now);
  const at = (expiresAt: string, signedInAt?: string) =>
    cacheText(ALICE, { expiresAt, ...(signedInAt === undefined ? {} : { signedInAt }) });

  assertEquals(describe(at("2026-11-26T10:01:00Z", "2026-11-26T09:00:00Z")).state, "valid");
  assertEquals(describe(at("2026-11-26T09:59:00Z", "2026-11-26T09:00:00Z")).state, "refreshable");
  assertEquals(describe(at("2026-11-26T09:59:00Z", "2026-11-25T21:59:00Z")).state, "ended");
  // Without an id_token (the Go SDK writes none) the end is unknown: refreshable.
  const noIdToken = describe(at("2026-11-26T09:59:00Z"));
  assertEquals([noIdToken.state, noIdToken.sessionEndsAtLatest], ["refreshable", null]);
  assertEquals(noIdToken.loginSession, null);
  // The session comes from the id_token when no profile names it.
  assertEquals(describe(at("2026-11-26T10:01:00Z", "2026-11-26T09:00:00Z")).loginSession, ALICE);
  const invalid = describe("{", BOB);
  assertEquals([invalid.state, invalid.loginSession], ["invalid", BOB]);
  assertMatch(String(invalid.problem), /"\/c\/x\.json"/);
});

Deno.test("formatWhen() writes UTC times with a rough distance", () => {
  const now = new Date("2026-11-26T10:03:00Z");
  assertEquals(
    formatWhen(new Date("2026-11-26T10:15:00Z"), now),
    "2026-11-26 10:15 UTC (in 12 minutes)",
  );
  assertEquals(
    formatWhen(new Date("2026-11-26T10:04:00Z"), now),
    "2026-11-26 10:04 UTC (in 1 minute)",
  );
  assertEquals(
    formatWhen(new Date("2026-11-26T07:03:00Z"), now),
    "2026-11-26 07:03 UTC (3 hours ago)",
  );
});

Deno.test("status --check refreshes each session for real, through the locked refresh", async (t) => {
  await using emulator = await startEmulator({ regions: ["eu-west-1"] });
  await using box = await sandbox();
  const { path } = await signIn(emulator, box, { profile: "dev", region: "eu-west-1" });
  // Time moves with every sleep: a refused refresh looks again for another writer's token.
  const check = async (args: string[], endpoint = emulator.url) => {
    const deps = fakeDeps({
      env: { HOME: box.home, AWS_ENDPOINT_URL_SIGNIN: endpoint },
      clock: "auto",
    });
    const code = await run(["status", "--check", ...args], deps);
    return { code, stdout: deps.stdout.text, stderr: deps.stderr.text };
  };

  await t.step("fresh credentials are refreshed anyway: the refresh token works", async () => {
    const before = await Deno.readTextFile(path);
    const result = await check([]);
    assertEquals(result.code, 0, result.stderr);
    assertStringIncludes(result.stdout, `${DEFAULT_SESSION_ARN}: credentials valid\n`);
    assertMatch(
      result.stdout,
      /\n {2}check {8}refreshed just now: the new credentials expire [^\n]+ UTC \(in 15 minutes\)\n/,
    );
    assertEquals(emulator.counts.tokenByGrant.refresh_token, 1);
    assertEquals((await Deno.readTextFile(path)) !== before, true);
  });

  await t.step("--json: the check's outcome in each session", async () => {
    const result = await check(["--json", "--profile", "dev"]);
    assertEquals(result.code, 0, result.stderr);
    const [session] = JSON.parse(result.stdout);
    assertEquals(session.check.ok, true);
    assertMatch(session.check.message, /^refreshed just now/);
    assertEquals(emulator.counts.tokenByGrant.refresh_token, 2);
  });

  await t.step("an unreachable Sign-In: the failure, exit 7, the file as it was", async () => {
    const closed = await startEmulator({ regions: ["eu-west-1"] });
    const url = closed.url;
    await closed.close();
    const before = await Deno.readTextFile(path);
    const result = await check([], url);
    assertEquals(result.code, 7, result.stdout);
    assertStringIncludes(result.stdout, `  check        the refresh failed: `);
    assertEquals(await Deno.readTextFile(path), before);
  });

  await t.step("an expired refresh token: the failure says to sign in again, exit 6", async () => {
    emulator.expireRefreshTokens();
    const result = await check(["--profile", "dev"]);
    assertEquals(result.code, 6, result.stdout);
    assertStringIncludes(
      result.stdout,
      '  check        the refresh failed: Your session has expired: run "aws-login login --profile dev" to sign in again\n',
    );
  });
});

Deno.test("status shows role profiles beside the session at the end of their chain", async (t) => {
  await using box = await populated();
  await Deno.writeTextFile(
    box.configPath,
    "\n[profile deploy]\nrole_arn = arn:aws:iam::210987654321:role/Deploy\nsource_profile = dev2\n" +
      "[profile audit]\nrole_arn = arn:aws:iam::210987654321:role/Audit\nsource_profile = deploy\n" +
      "[profile broken]\nrole_arn = arn:aws:iam::210987654321:role/X\nsource_profile = nowhere\n",
    { append: true },
  );

  await t.step("a roles row in the session's block, and in --json", async () => {
    const text = await status(box, []);
    assertStringIncludes(
      text.stdout,
      `${ALICE}: credentials valid\n  profiles     dev, dev2\n  roles        deploy, audit\n`,
    );
    const json = JSON.parse((await status(box, ["--json"])).stdout) as Record<string, unknown>[];
    const alice = json.find((s) => s.loginSession === ALICE)!;
    assertEquals(alice.roleProfiles, ["deploy", "audit"]);
  });

  await t.step("--profile ROLE: the source session, and its exit code", async () => {
    const result = await status(box, ["--profile", "audit"]);
    assertEquals(result.code, 0, result.stderr);
    assertMatch(
      result.stdout,
      new RegExp(
        `^Profile audit assumes role arn:aws:iam::210987654321:role/Audit with the login session of profile dev2:\n` +
          `Login sessions in [^\n]+:\n\n${ALICE}: credentials valid\n`,
      ),
    );
    const broken = await status(box, ["--profile", "broken"]);
    assertEquals(broken.code, 6);
    assertEquals(
      broken.stdout,
      'Profile broken has no login session: the source_profile "nowhere" of profile "broken" does not exist\n',
    );
  });
});
