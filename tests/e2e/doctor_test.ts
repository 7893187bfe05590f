/**
 * `aws-login doctor` as a real process against the emulator: a healthy session, a skewed clock
 * (the emulator's `Date` header), environment keys, keys in the credentials file, a profile
 * without a cache file, an unreachable Sign-In; that it changes no file; the `--json` shape.
 */

import { assertEquals, assertMatch, assertStringIncludes, assertTrue } from "../support/assert.ts";
import { type CliResult, runCli, sandbox } from "../support/cli.ts";
import { snapshotTree } from "../support/e2e.ts";
import { signIn } from "../support/session.ts";
import { DEFAULT_SESSION_ARN, startEmulator } from "../../scripts/emulator/mod.ts";

interface Check {
  id: string;
  status: "ok" | "warn" | "fail";
  message: string;
  fix: string | null;
}

function checksOf(result: CliResult): Map<string, Check> {
  const parsed = JSON.parse(result.stdout) as { checks: Check[] };
  assertEquals(Object.keys(parsed), ["checks"]);
  return new Map(parsed.checks.map((check) => [check.id, check]));
}

Deno.test("doctor (process): from a healthy session to each thing that can go wrong", async (t) => {
  let skew = 0;
  await using emulator = await startEmulator({
    regions: ["eu-west-1"],
    now: () => Date.now() + skew,
  });
  await using box = await sandbox();
  await signIn(emulator, box, { profile: "dev", region: "eu-west-1" });
  const doctor = async (args: string[], env: Record<string, string> = {}) =>
    await runCli(["doctor", ...args], {
      env: await box.env({ AWS_ENDPOINT_URL_SIGNIN: emulator.url, ...env }),
    });

  await t.step(
    "a healthy session: every session and clock check ok, exit 0, no file changed",
    async () => {
      const before = await snapshotTree(box.home);
      const result = await doctor(["--profile", "dev", "--json"]);
      assertEquals(result.code, 0, result.stdout + result.stderr);
      const checks = checksOf(result);
      assertEquals([...checks.keys()], [
        "config",
        "session",
        "session.cache",
        "session.permissions",
        "session.credentials",
        "session.end",
        "precedence.environment",
        "precedence.aws-profile",
        "precedence.profile",
        "clock",
        "tools.aws-cli",
        "tools.python",
        "tools.js-sdk",
        "browser",
      ]);
      for (const check of checks.values()) {
        assertEquals(Object.keys(check), ["id", "status", "message", "fix"]);
        assertEquals(check.fix === null, check.status === "ok", check.id);
      }
      for (const id of ["session", "session.cache", "session.permissions", "session.credentials"]) {
        assertEquals(checks.get(id)?.status, "ok", `${id}: ${checks.get(id)?.message}`);
      }
      assertStringIncludes(checks.get("session")!.message, DEFAULT_SESSION_ARN);
      assertMatch(checks.get("session.end")!.message, /ends at the latest .+ UTC, in 12 hours$/);
      assertMatch(
        checks.get("clock")!.message,
        new RegExp(
          `^This computer's clock is within \\d seconds? of AWS Sign-In \\(the Date header of ${
            RegExp.escape(emulator.url)
          }\\)$`,
        ),
      );
      assertEquals(await snapshotTree(box.home), before);
      // One plain request for the clock, nothing else.
      assertEquals([emulator.counts.token, emulator.counts.revoke], [1, 0]);
    },
  );

  await t.step(
    "the human report: ok/warn/fail per line, the fix under each, on stdout",
    async () => {
      const result = await doctor(["--profile", "dev"]);
      assertEquals(result.code, 0, result.stderr);
      assertEquals(result.stderr, "");
      assertMatch(result.stdout, /^aws-login doctor: profile dev\n\n/);
      for (const line of result.stdout.split("\n").slice(2, -3)) {
        assertMatch(line, /^(ok {4}|warn {2}|fail {2}| {6}fix: )\S/);
      }
      assertMatch(result.stdout, /\n\n(Nothing to fix\.|\d+ failures?, \d+ warnings?\.)\n$/);
    },
  );

  await t.step("a clock 10 minutes off: a warning that says by how much", async () => {
    skew = 10 * 60_000;
    const result = await doctor(["--profile", "dev", "--json"]);
    skew = 0;
    assertEquals(result.code, 0, result.stdout);
    const clock = checksOf(result).get("clock")!;
    assertEquals(clock.status, "warn");
    assertMatch(clock.message, /^This computer's clock is 10 minutes behind AWS Sign-In/);
    assertStringIncludes(clock.fix!, "sync the clock");
  });

  await t.step("keys in the environment, and AWS_PROFILE naming another profile", async () => {
    const result = await doctor(["--profile", "dev", "--json"], {
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
      AWS_PROFILE: "prod",
    });
    const checks = checksOf(result);
    assertEquals(checks.get("precedence.environment")?.status, "warn");
    assertStringIncludes(checks.get("precedence.environment")!.message, "AWS_ACCESS_KEY_ID is set");
    assertStringIncludes(
      checks.get("precedence.environment")!.fix!,
      "unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN",
    );
    assertEquals(
      checks.get("precedence.aws-profile")?.message,
      'AWS_PROFILE is "prod" in this shell: tools without --profile use profile prod, not dev',
    );
    // The key id is never printed.
    assertEquals(result.stdout.includes("AKIDEXAMPLE"), false);
  });

  await t.step("keys for the profile in the credentials file: the file and the line", async () => {
    await Deno.writeTextFile(
      box.credentialsPath,
      "[other]\nregion = x\n\n[dev]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = s\n",
    );
    const result = await doctor(["--profile", "dev", "--json"]);
    await Deno.remove(box.credentialsPath);
    const check = checksOf(result).get("precedence.profile")!;
    assertEquals(check.status, "warn");
    assertEquals(
      check.message,
      "aws_access_key_id in ~/.aws/credentials line 5: the AWS CLI and SDKs use these access keys for profile dev instead of its login session",
    );
    assertEquals(result.stdout.includes("AKIDEXAMPLE"), false);
  });

  await t.step("a profile with keys and no login_session: one report of the keys", async () => {
    await Deno.writeTextFile(
      box.credentialsPath,
      "[keys]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = s\n",
    );
    const result = await doctor(["--profile", "keys", "--json"]);
    await Deno.remove(box.credentialsPath);
    assertEquals(result.code, 1, result.stdout);
    const checks = checksOf(result);
    assertEquals(checks.get("session")!.status, "fail");
    assertMatch(checks.get("session")!.message, /aws_access_key_id in ~\/\.aws\/credentials/);
    // Not a second time as a precedence warning.
    assertEquals(checks.has("precedence.profile"), false);
    assertEquals(
      [...checks.values()].filter((c) => c.message.includes("aws_access_key_id")).length,
      1,
    );
  });

  await t.step("a profile whose session has no cache file: fail, exit 1", async () => {
    const config = await Deno.readTextFile(box.configPath);
    await Deno.writeTextFile(
      box.configPath,
      `${config}\n[profile gone]\nlogin_session = arn:aws:iam::444444444444:user/dave\nregion = eu-west-1\n`,
    );
    const result = await doctor(["--profile", "gone"]);
    await Deno.writeTextFile(box.configPath, config);
    assertEquals(result.code, 1, result.stdout);
    assertMatch(
      result.stdout,
      /\nfail {2}No cached session: "[^"]+" is missing\n {6}fix: aws-login login --profile gone\n/,
    );
  });

  await t.step(
    "a role profile: the chain, then the checks of the login profile at its end",
    async () => {
      const config = await Deno.readTextFile(box.configPath);
      await Deno.writeTextFile(
        box.configPath,
        `${config}\n[profile deploy]\nrole_arn = arn:aws:iam::210987654321:role/Deploy\nsource_profile = dev\n` +
          "[profile audit]\nrole_arn = arn:aws:iam::210987654321:role/Audit\nsource_profile = deploy\n" +
          "[profile broken]\nrole_arn = arn:aws:iam::210987654321:role/X\nsource_profile = nowhere\n",
      );
      const before = await snapshotTree(box.home);
      const audit = await doctor(["--profile", "audit", "--json"]);
      const broken = await doctor(["--profile", "broken", "--json"]);
      assertEquals(await snapshotTree(box.home), before);
      await Deno.writeTextFile(box.configPath, config);
      assertEquals(audit.code, 0, audit.stdout);
      const checks = checksOf(audit);
      assertEquals([...checks.keys()].slice(0, 3), ["config", "role", "session"]);
      assertEquals(
        checks.get("role")!.message,
        "Profile audit assumes role arn:aws:iam::210987654321:role/Audit through 1 other role (deploy) with the login session of profile dev",
      );
      assertEquals(
        checks.get("session")!.message,
        `Profile dev uses the login session ${DEFAULT_SESSION_ARN}`,
      );
      for (const id of ["session.cache", "session.credentials", "precedence.profile", "clock"]) {
        assertEquals(checks.get(id)?.status, "ok", `${id}: ${checks.get(id)?.message}`);
      }
      // The role's own role_arn is not reported as something that shadows the login session.
      assertEquals(
        checks.get("precedence.profile")!.message,
        "Profile dev holds no other kind of credentials",
      );
      // doctor assumes no role: STS is not called.
      assertEquals(emulator.counts.assumeRole, 0);

      assertEquals(broken.code, 1, broken.stdout);
      const role = checksOf(broken).get("role")!;
      assertEquals([role.status, role.message], [
        "fail",
        'Profile broken is a role profile that cannot work: the source_profile "nowhere" of profile "broken" does not exist',
      ]);
      assertEquals(checksOf(broken).has("session"), false);
    },
  );

  await t.step("AWS Sign-In out of reach: the clock check fails and says why", async () => {
    const closed = await startEmulator({ regions: ["eu-west-1"] });
    const url = closed.url;
    await closed.close();
    const result = await doctor(["--profile", "dev", "--json"], { AWS_ENDPOINT_URL_SIGNIN: url });
    assertEquals(result.code, 1, result.stdout);
    const clock = checksOf(result).get("clock")!;
    assertEquals(clock.status, "fail");
    assertTrue(
      clock.message.startsWith(`Cannot reach ${url}: the connection was refused`),
      clock.message,
    );
  });
});
