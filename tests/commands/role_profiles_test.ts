/**
 * Role profiles through the commands, in process (`run()` with fake dependencies) against the
 * emulator's STS, which verifies every signature against the credentials it issued:
 * `export-credentials` of a role on a login session, of a role chained on a role, of roles on
 * static keys, caching (no STS call while the cached credentials are fresh), 16 exports at once,
 * external id, denial, durations, MFA on a (fake) terminal and refused without one, the
 * configuration errors of a chain; `serve` of a role; `logout`; `configure credential-process`
 * with a role source. Real SDKs through the bridge and in `exec` are in `tests/interop/`.
 */

import { assertEquals, assertMatch, assertStringIncludes, assertTrue } from "../support/assert.ts";
import { type Sandbox, sandbox } from "../support/cli.ts";
import { type FakeDeps, fakeDeps, rawKeysInput } from "../support/fake_deps.ts";
import { snapshotTree } from "../support/e2e.ts";
import { signIn } from "../support/session.ts";
import { type Emulator, type EmulatorOptions, startEmulator } from "../../scripts/emulator/mod.ts";
import { signedRequest, xmlText } from "../emulator/helpers.ts";
import { run } from "../../lib/run.ts";
import type { Input } from "../../lib/runtime/deps.ts";

const USER_SESSION = "arn:aws:iam::123456789012:user/alice";
const DEPLOY = "arn:aws:iam::210987654321:role/Deploy";
const ADMIN = "arn:aws:iam::210987654321:role/ops/Admin";
const AUDIT = "arn:aws:iam::333333333333:role/Audit";
const MFA_SERIAL = "arn:aws:iam::123456789012:mfa/alice";

/** What one in-process run produced. */
interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly deps: FakeDeps;
}

/** A sandbox signed in as profile `dev` (region us-east-1) against the emulator. */
interface Signed extends AsyncDisposable {
  readonly emulator: Emulator;
  readonly box: Sandbox;
  readonly env: Record<string, string>;
  /** Appends profiles to the config file. */
  addConfig(text: string): Promise<void>;
  /** Runs the CLI in process. */
  run(args: string[], options?: { env?: Record<string, string>; stdin?: Input }): Promise<Outcome>;
}

async function signedIn(options: EmulatorOptions = {}): Promise<Signed> {
  const emulator = await startEmulator(options);
  const box = await sandbox();
  await signIn(emulator, box, { profile: "dev" });
  const env = {
    HOME: box.home,
    AWS_ENDPOINT_URL_SIGNIN: emulator.url,
    AWS_ENDPOINT_URL_STS: emulator.url,
  };
  return {
    emulator,
    box,
    env,
    async addConfig(text) {
      await Deno.writeTextFile(box.configPath, `\n${text}`, { append: true });
    },
    async run(args, runOptions = {}) {
      const deps = fakeDeps({
        env: { ...env, ...runOptions.env },
        clock: "real",
        ...(runOptions.stdin === undefined ? {} : { stdin: runOptions.stdin }),
        stderrIsTerminal: runOptions.stdin?.isTerminal ?? false,
      });
      const code = await run(args, deps);
      return { code, stdout: deps.stdout.text, stderr: deps.stderr.text, deps };
    },
    async [Symbol.asyncDispose]() {
      await box[Symbol.asyncDispose]();
      await emulator.close();
    },
  };
}

function processJson(outcome: Outcome): Record<string, string | number> {
  assertEquals(outcome.code, 0, outcome.stderr);
  return JSON.parse(outcome.stdout);
}

/** A failure: the documented code, nothing on stdout, exactly one line on stderr. */
function assertFailure(outcome: Outcome, code: number, ...parts: string[]): void {
  assertEquals(outcome.code, code, outcome.stderr);
  assertEquals(outcome.stdout, "");
  assertMatch(outcome.stderr, /^aws-login: [^\n]+\n$/);
  for (const part of parts) assertStringIncludes(outcome.stderr, part);
}

/** Who STS says the exported credentials are. */
async function callerArn(emulator: Emulator, output: Record<string, string | number>) {
  const response = await signedRequest(emulator.url, {
    accessKeyId: String(output.AccessKeyId),
    secretAccessKey: String(output.SecretAccessKey),
    sessionToken: String(output.SessionToken),
  });
  const xml = await response.text();
  assertEquals(response.status, 200, xml);
  return xmlText(xml, "Arn");
}

async function roleFiles(box: Sandbox): Promise<string[]> {
  try {
    return (await Array.fromAsync(Deno.readDir(`${box.cacheDir}/roles`)))
      .map((entry) => entry.name).filter((name) => name.endsWith(".json")).sort();
  } catch {
    return [];
  }
}

Deno.test("export-credentials of a role profile on a login session: STS, then the cache", async (t) => {
  await using s = await signedIn({ sessionArn: USER_SESSION });
  await s.addConfig(
    `[profile deploy]\nrole_arn = ${DEPLOY}\nsource_profile = dev\nregion = us-east-1\n`,
  );
  let first: Record<string, string | number> = {};

  await t.step(
    "the first export assumes the role once, signed with the login session",
    async () => {
      first = processJson(await s.run(["export-credentials", "--profile", "deploy"]));
      assertEquals(s.emulator.counts.assumeRole, 1);
      assertEquals(s.emulator.counts.assumeRoleByArn, { [DEPLOY]: 1 });
      assertEquals(s.emulator.counts.stsRejected, 0);
      assertMatch(String(first.AccessKeyId), /^ASIA/);
      assertEquals(Object.keys(first), [
        "Version",
        "AccessKeyId",
        "SecretAccessKey",
        "SessionToken",
        "Expiration",
      ]);
      // One hour, the default duration.
      const left = new Date(String(first.Expiration)).getTime() - Date.now();
      assertTrue(left > 3500_000 && left <= 3600_000, `${left} ms left`);
    },
  );

  await t.step("STS knows them as the assumed role, with botocore's session name", async () => {
    const arn = await callerArn(s.emulator, first);
    assertMatch(
      arn ?? "",
      /^arn:aws:sts::210987654321:assumed-role\/Deploy\/botocore-session-\d{10}$/,
    );
  });

  await t.step("cached 0600 in a 0700 directory under the login cache", async () => {
    const files = await roleFiles(s.box);
    assertEquals(files.length, 1);
    assertMatch(files[0]!, /^[0-9a-f]{64}\.json$/);
    if (Deno.build.os !== "windows") {
      assertEquals((await Deno.stat(`${s.box.cacheDir}/roles`)).mode! & 0o777, 0o700);
      assertEquals((await Deno.stat(`${s.box.cacheDir}/roles/${files[0]}`)).mode! & 0o777, 0o600);
    }
    const entry = JSON.parse(await Deno.readTextFile(`${s.box.cacheDir}/roles/${files[0]}`));
    assertEquals(entry.RoleArn, DEPLOY);
    assertEquals(entry.SourceLoginSession, USER_SESSION);
    assertEquals(entry.AccessKeyId, first.AccessKeyId);
  });

  await t.step("the second export makes no STS call, in every format", async () => {
    const sts = s.emulator.counts.sts;
    const again = processJson(await s.run(["export-credentials", "--profile", "deploy"]));
    assertEquals(again, first);
    for (const format of ["env", "env-no-export", "powershell", "windows-cmd", "fish"]) {
      const outcome = await s.run([
        "export-credentials",
        "--profile",
        "deploy",
        "--format",
        format,
      ]);
      assertEquals(outcome.code, 0, outcome.stderr);
      assertStringIncludes(outcome.stdout, String(first.AccessKeyId));
      assertStringIncludes(outcome.stdout, String(first.SessionToken));
    }
    assertEquals(s.emulator.counts.sts, sts);
    assertEquals(s.emulator.counts.tokenByGrant.refresh_token, 0);
  });

  await t.step("credentials with 5 minutes or less left are assumed again", async () => {
    const [file] = await roleFiles(s.box);
    const path = `${s.box.cacheDir}/roles/${file}`;
    const entry = JSON.parse(await Deno.readTextFile(path));
    entry.Expiration = new Date(Date.now() + 240_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    await Deno.writeTextFile(path, JSON.stringify(entry));
    const renewed = processJson(await s.run(["export-credentials", "--profile", "deploy"]));
    assertTrue(renewed.AccessKeyId !== first.AccessKeyId);
    assertEquals(s.emulator.counts.assumeRoleByArn, { [DEPLOY]: 2 });
  });

  await t.step("a cache file that is not one is assumed again and replaced", async () => {
    const [file] = await roleFiles(s.box);
    const path = `${s.box.cacheDir}/roles/${file}`;
    await Deno.writeTextFile(path, '{"Version": 1, "AccessKeyId": "trunc');
    const output = processJson(await s.run(["export-credentials", "--profile", "deploy"]));
    assertEquals(s.emulator.counts.assumeRoleByArn, { [DEPLOY]: 3 });
    assertEquals(JSON.parse(await Deno.readTextFile(path)).AccessKeyId, output.AccessKeyId);
  });
});

Deno.test("export-credentials of a role chained on a role, and of roles on static keys", async (t) => {
  await using s = await signedIn({ sessionArn: USER_SESSION });
  await s.addConfig(
    [
      `[profile admin]\nrole_arn = ${ADMIN}\nsource_profile = dev\nduration_seconds = 7200\n`,
      `[profile audit]\nrole_arn = ${AUDIT}\nsource_profile = admin\nrole_session_name = audit-me\n`,
      `region = us-east-1\n`,
    ].join(""),
  );

  await t.step("two AssumeRole calls, the second signed with the first role", async () => {
    const output = processJson(await s.run(["export-credentials", "--profile", "audit"]));
    assertEquals(s.emulator.counts.assumeRoleByArn, { [ADMIN]: 1, [AUDIT]: 1 });
    assertEquals(
      await callerArn(s.emulator, output),
      "arn:aws:sts::333333333333:assumed-role/Audit/audit-me",
    );
    assertEquals((await roleFiles(s.box)).length, 2);
  });

  await t.step("the first role of the chain is its own profile's cache too", async () => {
    const output = processJson(await s.run(["export-credentials", "--profile", "admin"]));
    assertEquals(s.emulator.counts.assumeRoleByArn, { [ADMIN]: 1, [AUDIT]: 1 });
    // duration_seconds = 7200 was honoured: the login session is an IAM user.
    const left = new Date(String(output.Expiration)).getTime() - Date.now();
    assertTrue(left > 7100_000 && left <= 7200_000, `${left} ms left`);
  });

  await t.step("static keys at the base (with a session token) assume the role", async () => {
    const dev = processJson(await s.run(["export-credentials", "--profile", "dev"]));
    await Deno.writeTextFile(
      s.box.credentialsPath,
      `[keys]\naws_access_key_id = ${dev.AccessKeyId}\naws_secret_access_key = ${dev.SecretAccessKey}\naws_session_token = ${dev.SessionToken}\n`,
    );
    await s.addConfig(
      `[profile keyed]\nrole_arn = ${DEPLOY}\nsource_profile = keys\nregion = us-east-1\n[profile keys]\n`,
    );
    const output = processJson(await s.run(["export-credentials", "--profile", "keyed"]));
    assertMatch(
      (await callerArn(s.emulator, output)) ?? "",
      /^arn:aws:sts::210987654321:assumed-role\/Deploy\//,
    );
    const entries = await Promise.all(
      (await roleFiles(s.box)).map(async (name) =>
        JSON.parse(await Deno.readTextFile(`${s.box.cacheDir}/roles/${name}`))
      ),
    );
    assertEquals(entries.filter((e) => e.SourceLoginSession === null).length, 1);
  });
});

Deno.test("export-credentials of a role: 16 exports at once make one AssumeRole call", async () => {
  await using s = await signedIn({ sessionArn: USER_SESSION });
  await s.addConfig(
    `[profile deploy]\nrole_arn = ${DEPLOY}\nsource_profile = dev\nregion = us-east-1\n`,
  );
  const outcomes = await Promise.all(
    Array.from({ length: 16 }, () => s.run(["export-credentials", "--profile", "deploy"])),
  );
  const keys = new Set(outcomes.map((outcome) => processJson(outcome).AccessKeyId));
  assertEquals(keys.size, 1);
  assertEquals(s.emulator.counts.assumeRole, 1);
  assertEquals(outcomes.map((o) => o.stderr).join(""), "");
});

Deno.test("export-credentials of a role: external id, denial and durations", async (t) => {
  await using s = await signedIn({
    roles: [
      { arn: DEPLOY, externalId: "partner-42" },
      { arn: ADMIN, deny: true },
      { arn: AUDIT, maxSessionDurationSeconds: 3600 },
    ],
  });
  await s.addConfig(
    [
      `[profile partner]\nrole_arn = ${DEPLOY}\nsource_profile = dev\nexternal_id = partner-42\nregion = us-east-1\n`,
      `[profile no-id]\nrole_arn = ${DEPLOY}\nsource_profile = dev\nregion = us-east-1\n`,
      `[profile denied]\nrole_arn = ${ADMIN}\nsource_profile = dev\nregion = us-east-1\n`,
      `[profile long]\nrole_arn = ${AUDIT}\nsource_profile = dev\nduration_seconds = 7200\nregion = us-east-1\n`,
      `[profile partner2]\nrole_arn = ${DEPLOY}\nsource_profile = dev\nexternal_id = partner-42\nrole_session_name = p2\nregion = us-east-1\n`,
    ].join(""),
  );

  await t.step("external_id is sent: the role's trust accepts it", async () => {
    processJson(await s.run(["export-credentials", "--profile", "partner"]));
    assertEquals(s.emulator.counts.assumeRoleByArn[DEPLOY], 1);
  });

  const before = await snapshotTree(s.box.home);

  await t.step("without it: one line naming the role and the identity that tried", async () => {
    const outcome = await s.run(["export-credentials", "--profile", "no-id"]);
    assertFailure(
      outcome,
      5,
      `Access denied: "arn:aws:sts::123456789012:assumed-role/Admin/alice" may not assume role "${DEPLOY}" (profile "no-id")`,
    );
  });

  await t.step("a denied role: the same, exit 5", async () => {
    const outcome = await s.run(["export-credentials", "--profile", "denied"]);
    assertFailure(outcome, 5, "Access denied", ADMIN, 'profile "denied"');
  });

  await t.step("an injected AccessDenied fault names caller and role too", async () => {
    s.emulator.injectFault({ path: "/", action: "AssumeRole", status: 403 });
    const outcome = await s.run(["export-credentials", "--profile", "partner"]);
    // partner is cached: no call, the fault stays queued for the next one.
    assertEquals(outcome.code, 0, outcome.stderr);
    const denied = await s.run(["export-credentials", "--profile", "partner2"]);
    assertFailure(denied, 5, "Access denied", DEPLOY, "assumed-role/Admin/alice");
  });

  await t.step(
    "7200 s on a role assumed with a role session's credentials: refused before any call",
    async () => {
      const calls = s.emulator.counts.assumeRole;
      const outcome = await s.run(["export-credentials", "--profile", "long"]);
      assertFailure(
        outcome,
        3,
        'Profile "long" asks for duration_seconds 7200',
        "role chaining",
        "Set duration_seconds to 3600 or less",
      );
      assertEquals(s.emulator.counts.assumeRole, calls);
    },
  );

  await t.step("a failed export leaves the files exactly as they were", async () => {
    assertEquals(await snapshotTree(s.box.home), before);
  });
});

Deno.test("export-credentials of a role: MaxSessionDuration and an expired source session", async (t) => {
  await using s = await signedIn({
    sessionArn: USER_SESSION,
    roles: [{ arn: AUDIT, maxSessionDurationSeconds: 3600 }],
  });
  await s.addConfig(
    `[profile long]\nrole_arn = ${AUDIT}\nsource_profile = dev\nduration_seconds = 7200\nregion = us-east-1\n`,
  );

  await t.step(
    "longer than the role allows: STS's refusal, said as a setting to change",
    async () => {
      const outcome = await s.run(["export-credentials", "--profile", "long"]);
      assertFailure(
        outcome,
        3,
        'Profile "long" asks for duration_seconds 7200, more than the maximum session duration',
        AUDIT,
      );
    },
  );

  await t.step("an expired source session says which login to run", async () => {
    await s.addConfig(
      `[profile ok]\nrole_arn = ${AUDIT}\nsource_profile = dev\nregion = us-east-1\n`,
    );
    s.emulator.expireRefreshTokens();
    const cache = (await Array.fromAsync(Deno.readDir(s.box.cacheDir)))
      .find((entry) => entry.name.endsWith(".json"))!;
    const path = `${s.box.cacheDir}/${cache.name}`;
    const entry = JSON.parse(await Deno.readTextFile(path));
    entry.accessToken.expiresAt = new Date(Date.now() - 60_000).toISOString().replace(
      /\.\d{3}Z$/,
      "Z",
    );
    await Deno.writeTextFile(path, JSON.stringify(entry));
    const outcome = await s.run(["export-credentials", "--profile", "ok"]);
    assertFailure(outcome, 6, '"aws-login login --profile dev"');
  });
});

Deno.test("export-credentials of a role with mfa_serial: asked on a terminal, refused without", async (t) => {
  await using s = await signedIn({
    sessionArn: USER_SESSION,
    roles: [{ arn: DEPLOY, mfaSerial: MFA_SERIAL, mfaCode: "123456" }],
  });
  await s.addConfig(
    `[profile mfa]\nrole_arn = ${DEPLOY}\nsource_profile = dev\nmfa_serial = ${MFA_SERIAL}\nregion = us-east-1\n`,
  );

  await t.step("without a terminal: one line saying so, no STS call", async () => {
    const outcome = await s.run(["export-credentials", "--profile", "mfa"]);
    assertFailure(outcome, 6, `needs an MFA code for "${MFA_SERIAL}"`, "no terminal");
    assertEquals(s.emulator.counts.assumeRole, 0);
  });

  await t.step("a wrong code: STS's refusal in one line", async () => {
    const stdin = rawKeysInput(["999111\r"]);
    const outcome = await s.run(["export-credentials", "--profile", "mfa"], { stdin });
    assertEquals(outcome.code, 5);
    assertStringIncludes(outcome.stderr, "MultiFactorAuthentication failed");
    assertTrue(!outcome.stderr.includes("999111"), "the code was printed");
    assertEquals(stdin.rawMode, false);
  });

  let output: Record<string, string | number> = {};
  await t.step("on a terminal: asked without echo, sent, and the terminal given back", async () => {
    const stdin = rawKeysInput(["12", "3456", "\r"]);
    const outcome = await s.run(["export-credentials", "--profile", "mfa"], { stdin });
    output = processJson(outcome);
    assertEquals(outcome.stderr, `Enter MFA code for ${MFA_SERIAL}: \r\n`);
    assertEquals(stdin.rawMode, false);
    assertEquals(s.emulator.counts.assumeRoleByArn, { [DEPLOY]: 1 });
  });

  await t.step("then cached: no question, no call, with or without a terminal", async () => {
    const quiet = await s.run(["export-credentials", "--profile", "mfa"]);
    assertEquals(processJson(quiet).AccessKeyId, output.AccessKeyId);
    assertEquals(quiet.stderr, "");
    const terminal = await s.run(["export-credentials", "--profile", "mfa"], {
      stdin: rawKeysInput([]),
    });
    assertEquals(processJson(terminal).AccessKeyId, output.AccessKeyId);
    assertEquals(s.emulator.counts.assumeRoleByArn, { [DEPLOY]: 1 });
  });

  await t.step(
    "near their end without a terminal: served until they expire, with a warning",
    async () => {
      const [file] = await roleFiles(s.box);
      const path = `${s.box.cacheDir}/roles/${file}`;
      const entry = JSON.parse(await Deno.readTextFile(path));
      entry.Expiration = new Date(Date.now() + 120_000).toISOString().replace(/\.\d{3}Z$/, "Z");
      await Deno.writeTextFile(path, JSON.stringify(entry));
      const outcome = await s.run(["export-credentials", "--profile", "mfa"]);
      assertEquals(processJson(outcome).AccessKeyId, output.AccessKeyId);
      assertStringIncludes(outcome.stderr, "renewing them needs an MFA code");
    },
  );
});

Deno.test("export-credentials: role chains that cannot work are errors naming the profile", async () => {
  await using s = await signedIn();
  await s.addConfig(
    [
      `[profile loop-a]\nrole_arn = ${DEPLOY}\nsource_profile = loop-b\n`,
      `[profile loop-b]\nrole_arn = ${ADMIN}\nsource_profile = loop-a\n`,
      `[profile missing]\nrole_arn = ${DEPLOY}\nsource_profile = nowhere\n`,
      `[profile ec2]\nrole_arn = ${DEPLOY}\ncredential_source = Ec2InstanceMetadata\n`,
      `[profile r1]\nrole_arn = ${DEPLOY}\nsource_profile = r2\n`,
      `[profile r2]\nrole_arn = ${DEPLOY}\nsource_profile = r3\n`,
      `[profile r3]\nrole_arn = ${DEPLOY}\nsource_profile = r4\n`,
      `[profile r4]\nrole_arn = ${DEPLOY}\nsource_profile = r5\n`,
      `[profile r5]\nrole_arn = ${DEPLOY}\nsource_profile = dev\n`,
    ].join(""),
  );
  const cases: [string, string[]][] = [
    ["loop-a", ["cycle", "loop-a -> loop-b -> loop-a"]],
    ["missing", ['The source_profile "nowhere" of profile "missing" does not exist']],
    ["ec2", ['Profile "ec2"', 'credential_source "Ec2InstanceMetadata"']],
    ["r1", ['Profile "r1" chains more than 4 roles']],
  ];
  for (const [profile, parts] of cases) {
    assertFailure(await s.run(["export-credentials", "--profile", profile]), 3, ...parts);
  }
  assertEquals(s.emulator.counts.sts, 0);
});

Deno.test("logout removes the role credentials derived from the session, and only those", async (t) => {
  await using s = await signedIn({ sessionArn: USER_SESSION });
  const dev = processJson(await s.run(["export-credentials", "--profile", "dev"]));
  await Deno.writeTextFile(
    s.box.credentialsPath,
    `[keys]\naws_access_key_id = ${dev.AccessKeyId}\naws_secret_access_key = ${dev.SecretAccessKey}\naws_session_token = ${dev.SessionToken}\n`,
  );
  await s.addConfig(
    `[profile deploy]\nrole_arn = ${DEPLOY}\nsource_profile = dev\nregion = us-east-1\n` +
      `[profile keyed]\nrole_arn = ${DEPLOY}\nsource_profile = keys\nregion = us-east-1\n` +
      `[profile keys]\n`,
  );
  processJson(await s.run(["export-credentials", "--profile", "deploy"]));
  processJson(await s.run(["export-credentials", "--profile", "keyed"]));
  assertEquals((await roleFiles(s.box)).length, 2);

  await t.step("logout --profile ROLE removes nothing and names the login profile", async () => {
    const before = await snapshotTree(s.box.home);
    const outcome = await s.run(["logout", "--profile", "deploy"]);
    assertEquals(outcome.code, 0, outcome.stderr);
    assertEquals(
      outcome.stderr,
      `warning: profile 'deploy' assumes a role with the login session of profile 'dev': nothing was removed. Run "aws-login logout --profile dev" to sign out; the role credentials cached from that session go with it\n`,
    );
    assertEquals(await snapshotTree(s.box.home), before);
  });

  await t.step("logout --profile dev: the session and its role credentials", async () => {
    const outcome = await s.run(["logout", "--profile", "dev"]);
    assertEquals(outcome.code, 0, outcome.stderr);
    assertEquals((await roleFiles(s.box)).length, 1);
    const failed = await s.run(["export-credentials", "--profile", "deploy"]);
    assertFailure(failed, 6, '"aws-login login --profile dev"');
  });

  await t.step("logout --all leaves role credentials from static keys", async () => {
    const outcome = await s.run(["logout", "--all"]);
    assertEquals(outcome.code, 0, outcome.stderr);
    assertEquals((await roleFiles(s.box)).length, 1);
  });
});

Deno.test("configure credential-process accepts a role profile as its source", async (t) => {
  await using s = await signedIn();
  await s.addConfig(
    `[profile deploy]\nrole_arn = ${DEPLOY}\nsource_profile = dev\nregion = eu-west-1\n` +
      `[profile later]\nrole_arn = ${DEPLOY}\nsource_profile = fresh\n[profile fresh]\nregion = eu-west-2\n` +
      `[profile broken]\nrole_arn = ${DEPLOY}\nsource_profile = nowhere\n`,
  );
  const configure = (profile: string, source: string) =>
    s.run(["configure", "credential-process", "--profile", profile, "--source-profile", source]);

  await t.step("a role on a login session: the bridge, the role's region, no warning", async () => {
    const outcome = await configure("bridge", "deploy");
    assertEquals(outcome.code, 0, outcome.stderr);
    assertTrue(!outcome.stderr.includes("warning"), outcome.stderr);
    const config = await Deno.readTextFile(s.box.configPath);
    assertStringIncludes(
      config,
      "[profile bridge]\ncredential_process = aws-login export-credentials --profile deploy --format process\nregion = eu-west-1\n",
    );
  });

  await t.step("a role on a profile not signed in yet: a warning naming that profile", async () => {
    const outcome = await configure("bridge2", "later");
    assertEquals(outcome.code, 0, outcome.stderr);
    assertStringIncludes(
      outcome.stderr,
      'warning: profile fresh has no login session yet; run "aws-login login --profile fresh"',
    );
    assertStringIncludes(await Deno.readTextFile(s.box.configPath), "region = eu-west-2\n");
  });

  await t.step("a role whose chain cannot work: refused, the config as it was", async () => {
    const before = await Deno.readTextFile(s.box.configPath);
    const outcome = await configure("bridge3", "broken");
    assertEquals(outcome.code, 3, outcome.stderr);
    assertStringIncludes(outcome.stderr, 'The source_profile "nowhere" of profile "broken"');
    assertEquals(await Deno.readTextFile(s.box.configPath), before);
  });
});

Deno.test("serve --profile ROLE hands out the role's credentials", async () => {
  await using s = await signedIn({ sessionArn: USER_SESSION });
  await s.addConfig(
    `[profile deploy]\nrole_arn = ${DEPLOY}\nsource_profile = dev\nregion = us-east-1\n`,
  );
  const deps = fakeDeps({ env: s.env, clock: "real" });
  const exited = run(["serve", "--profile", "deploy"], deps);
  const deadline = Date.now() + 30_000;
  while (deps.stdout.text.split("\n").length < 3) {
    if (Date.now() > deadline) throw new Error(`serve printed nothing:\n${deps.stderr.text}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const [uriLine, tokenLine] = deps.stdout.text.split("\n");
  const response = await fetch(uriLine!.replace("AWS_CONTAINER_CREDENTIALS_FULL_URI=", ""), {
    headers: { authorization: tokenLine!.replace("AWS_CONTAINER_AUTHORIZATION_TOKEN=", "") },
  });
  const body = await response.json();
  assertEquals(response.status, 200);
  const [file] = await roleFiles(s.box);
  const cached = JSON.parse(await Deno.readTextFile(`${s.box.cacheDir}/roles/${file}`));
  assertEquals(body.AccessKeyId, cached.AccessKeyId);
  assertEquals(body.Token, cached.SessionToken);
  assertMatch(
    (await callerArn(s.emulator, {
      AccessKeyId: body.AccessKeyId,
      SecretAccessKey: body.SecretAccessKey,
      SessionToken: body.Token,
    })) ?? "",
    /assumed-role\/Deploy\//,
  );
  deps.raiseSignal("SIGTERM");
  assertEquals(await exited, 0);
  assertEquals(s.emulator.counts.assumeRole, 1);
});

Deno.test("export-credentials of a role on an IAM user's long-term keys (no session token)", async () => {
  const key = {
    userArn: "arn:aws:iam::123456789012:user/bob",
    accessKeyId: "AKIAEXAMPLEBOB000001",
    secretAccessKey: "bob-secret-0123456789",
  };
  await using s = await signedIn({ accessKeys: [key] });
  await Deno.writeTextFile(
    s.box.credentialsPath,
    `[bob]\naws_access_key_id = ${key.accessKeyId}\naws_secret_access_key = ${key.secretAccessKey}\n`,
  );
  await s.addConfig(
    `[profile bob-deploy]\nrole_arn = ${DEPLOY}\nsource_profile = bob\nduration_seconds = 7200\nregion = us-east-1\n`,
  );
  const output = processJson(await s.run(["export-credentials", "--profile", "bob-deploy"]));
  assertMatch(
    (await callerArn(s.emulator, output)) ?? "",
    /^arn:aws:sts::210987654321:assumed-role\/Deploy\/botocore-session-\d+$/,
  );
  // Two hours: the caller is a user, not a role session.
  const left = new Date(String(output.Expiration)).getTime() - Date.now();
  assertTrue(left > 7100_000 && left <= 7200_000, `${left} ms left`);
  assertEquals(s.emulator.counts.stsRejected, 0);
});

Deno.test("exec --profile ROLE with mfa_serial asks once, before the command owns the terminal", async () => {
  await using s = await signedIn({
    sessionArn: USER_SESSION,
    roles: [{ arn: DEPLOY, mfaSerial: MFA_SERIAL, mfaCode: "123456" }],
  });
  await s.addConfig(
    `[profile mfa]\nrole_arn = ${DEPLOY}\nsource_profile = dev\nmfa_serial = ${MFA_SERIAL}\nregion = us-east-1\n`,
  );
  const stdin = rawKeysInput(["123456\r"]);
  let prompted = "";
  let seen: Record<string, string> = {};
  const deps: FakeDeps = fakeDeps({
    env: s.env,
    clock: "real",
    stdin,
    stderrIsTerminal: true,
    // A child that asks the endpoint twice, as an SDK would.
    startChild: (_argv, options) => {
      prompted = deps.stderr.text;
      const env = options?.env ?? {};
      const ask = async () => {
        const response = await fetch(env.AWS_CONTAINER_CREDENTIALS_FULL_URI!, {
          headers: { authorization: env.AWS_CONTAINER_AUTHORIZATION_TOKEN! },
        });
        return await response.json();
      };
      const exited = (async () => {
        seen = await ask();
        await ask();
        return { code: 0, signal: null };
      })();
      return { pid: 1, exited, kill: () => {} };
    },
  });
  const code = await run(["exec", "--profile", "mfa", "--", "sdk-program"], deps);
  assertEquals(code, 0, deps.stderr.text);
  assertEquals(prompted, `Enter MFA code for ${MFA_SERIAL}: \r\n`);
  assertEquals(deps.stderr.text, prompted);
  assertEquals(stdin.rawMode, false);
  const [file] = await roleFiles(s.box);
  const cached = JSON.parse(await Deno.readTextFile(`${s.box.cacheDir}/roles/${file}`));
  assertEquals(seen.AccessKeyId, cached.AccessKeyId);
  assertEquals(s.emulator.counts.assumeRoleByArn, { [DEPLOY]: 1 });
});
