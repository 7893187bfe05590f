/**
 * The real boto3 (`python3`, as the interop tests use it) calls `sts.assume_role` against the
 * emulator with credentials from a login, then `get_caller_identity` with the role's
 * credentials: the emulator's XML parses in botocore and botocore's signatures verify.
 */

import { startEmulator } from "../../scripts/emulator/mod.ts";
import { runProgram } from "../support/cli.ts";
import { localPath } from "../support/paths.ts";
import { assertEquals, assertMatch } from "../support/assert.ts";
import { type Credentials, login } from "./helpers.ts";

const SCRIPT = localPath(new URL("./boto3_assume_role.py", import.meta.url));
/** Generous: python3 and boto3 start slowly on a small, shared machine. */
const TIMEOUT_MS = 120_000;

interface Boto3Answer {
  assumed?: { Arn: string; AssumedRoleId: string; AccessKeyId: string; Expiration: string };
  identity?: { Arn: string; UserId: string; Account: string };
  error?: string;
  message?: string;
  status?: number;
}

async function boto3AssumeRole(
  endpoint: string,
  credentials: Credentials,
  parameters: Record<string, unknown>,
): Promise<Boto3Answer & { code: number; stderr: string }> {
  const home = await Deno.makeTempDir({ prefix: "emulator-boto3-" });
  try {
    const result = await runProgram(
      ["python3", SCRIPT, endpoint, "us-east-1", JSON.stringify(parameters)],
      {
        env: {
          PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
          HOME: home,
          AWS_CONFIG_FILE: `${home}/config`,
          AWS_SHARED_CREDENTIALS_FILE: `${home}/credentials`,
          AWS_EC2_METADATA_DISABLED: "true",
          AWS_ACCESS_KEY_ID: credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
          AWS_SESSION_TOKEN: credentials.sessionToken,
        },
        timeoutMs: TIMEOUT_MS,
      },
    );
    try {
      return { ...JSON.parse(result.stdout), code: result.code, stderr: result.stderr };
    } catch {
      throw new Error(
        `boto3_assume_role.py printed no JSON (exit ${result.code}); this test needs python3 with boto3 (see the README):\n${result.stderr}`,
      );
    }
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

Deno.test("AssumeRole with the real boto3: assume_role, then get_caller_identity as the role", async (t) => {
  await using emulator = await startEmulator({
    sessionArn: "arn:aws:iam::123456789012:user/alice",
    roles: [{
      arn: "arn:aws:iam::210987654321:role/Deploy",
      maxSessionDurationSeconds: 7200,
      externalId: "ext-7f3a",
    }],
  });
  const { credentials } = await login(emulator.url);

  await t.step("boto3 parses the answer and signs with the role's credentials", async () => {
    const before = Date.now();
    const answer = await boto3AssumeRole(emulator.url, credentials, {
      RoleArn: "arn:aws:iam::210987654321:role/Deploy",
      RoleSessionName: "boto3-session",
      DurationSeconds: 7200,
      ExternalId: "ext-7f3a",
    });
    assertEquals(answer.code, 0, `${JSON.stringify(answer)}\n${answer.stderr}`);
    const arn = "arn:aws:sts::210987654321:assumed-role/Deploy/boto3-session";
    assertEquals(answer.assumed?.Arn, arn);
    assertMatch(answer.assumed?.AssumedRoleId ?? "", /^AROA[A-Z2-7]{17}:boto3-session$/);
    assertMatch(answer.assumed?.AccessKeyId ?? "", /^ASIA[A-Z2-7]{16}$/);
    // Two hours from the call, to the second (botocore shows a UTC offset).
    assertMatch(answer.assumed?.Expiration ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    const expiresAt = Date.parse(answer.assumed?.Expiration ?? "");
    const lifetime = expiresAt - before;
    assertEquals(lifetime > 7200_000 - 1_000 && lifetime <= 7200_000 + TIMEOUT_MS, true);
    assertEquals(answer.identity, {
      Arn: arn,
      UserId: answer.assumed?.AssumedRoleId,
      Account: "210987654321",
    });
    assertEquals(emulator.counts.assumeRoleByArn, { "arn:aws:iam::210987654321:role/Deploy": 1 });
    assertEquals(emulator.counts.stsRejected, 0);
  });

  await t.step("boto3 raises the emulator's errors with their codes", async () => {
    const denied = await boto3AssumeRole(emulator.url, credentials, {
      RoleArn: "arn:aws:iam::210987654321:role/Deploy",
      RoleSessionName: "boto3-session",
    });
    assertEquals(denied.code, 1, denied.stderr);
    assertEquals({ error: denied.error, status: denied.status }, {
      error: "AccessDenied",
      status: 403,
    });
    assertEquals(
      denied.message,
      "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::210987654321:role/Deploy",
    );
    const invalid = await boto3AssumeRole(emulator.url, credentials, {
      RoleArn: "arn:aws:iam::210987654321:role/Deploy",
      RoleSessionName: "has space",
      ExternalId: "ext-7f3a",
    });
    assertEquals({ error: invalid.error, status: invalid.status }, {
      error: "ValidationError",
      status: 400,
    });
    assertEquals(
      invalid.message,
      "1 validation error detected: Value 'has space' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    );
  });
});
