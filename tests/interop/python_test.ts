/**
 * Interop with boto3 and the AWS CLI through the `credential_process` bridge: without
 * `botocore[crt]` they cannot read `login_session`, so `aws-login configure credential-process`
 * writes a profile whose `credential_process` runs `aws-login export-credentials`.
 *
 * botocore runs that process with its own environment, which therefore carries `DENO_DIR` (the
 * process is `deno run main.ts`) and `AWS_ENDPOINT_URL_SIGNIN` (for refreshes) besides the AWS
 * variables. boto3 and the AWS CLI take the STS endpoint from `AWS_ENDPOINT_URL_STS` (no
 * `--endpoint-url` needed) and the region from the bridge profile: botocore reads
 * `AWS_DEFAULT_REGION`, not `AWS_REGION`.
 */

import {
  assertEquals,
  assertMatch,
  assertNotEquals,
  assertStringIncludes,
  assertTrue,
} from "../support/assert.ts";
import {
  type CliResult,
  MAIN_PATH,
  runCli,
  runProgram,
  type Sandbox,
  sandbox,
} from "../support/cli.ts";
import { setSecondsLeft, signIn } from "../support/session.ts";
import { type Emulator, startEmulator } from "../../scripts/emulator/mod.ts";
import { localPath } from "../support/paths.ts";
import { CLIENT_TIMEOUT_MS, requirePythonTools } from "./clients.ts";

const SESSION = "arn:aws:sts::123456789012:assumed-role/Admin/alice";
const REGION = "us-east-1";
const BOTO3_CLIENT = localPath(new URL("./boto3_client.py", import.meta.url));
const BOTO3_ONE_LINER = 'import boto3; print(boto3.client("sts").get_caller_identity()["Arn"])';
const AWS_CLI = [
  "aws",
  "sts",
  "get-caller-identity",
  "--profile",
  "process",
  "--output",
  "json",
];

/** The environment of a boto3 or AWS CLI process using the bridge profile. */
async function clientEnv(
  emulator: Emulator,
  box: Sandbox,
): Promise<Record<string, string>> {
  return await box.env({
    AWS_PROFILE: "process",
    AWS_CONFIG_FILE: box.configPath,
    AWS_SHARED_CREDENTIALS_FILE: box.credentialsPath,
    AWS_REGION: REGION,
    AWS_ENDPOINT_URL_STS: emulator.url,
    AWS_ENDPOINT_URL_SIGNIN: emulator.url,
  });
}

/** Signs in as profile `login` and writes the bridge profile `process`. */
async function signedInWithBridge(emulator: Emulator, box: Sandbox) {
  const session = await signIn(emulator, box, {
    profile: "login",
    region: REGION,
  });
  const args = ["configure", "credential-process", "--profile", "process"];
  const configure = await runCli([...args, "--source-profile", "login"], {
    env: await box.env(),
  });
  assertEquals(configure.code, 0, configure.stderr);
  return { ...session, configure };
}

/** What `boto3_client.py` prints. */
interface Boto3Output {
  Arn?: string;
  AccessKeyId?: string;
  method?: string;
  error?: string;
  message?: string;
}

async function runBoto3(
  emulator: Emulator,
  box: Sandbox,
): Promise<Boto3Output & CliResult> {
  const env = await clientEnv(emulator, box);
  const result = await runProgram(["python3", BOTO3_CLIENT], {
    env,
    timeoutMs: CLIENT_TIMEOUT_MS,
  });
  try {
    return { ...result, ...JSON.parse(result.stdout) };
  } catch {
    throw new Error(
      `boto3_client.py printed no JSON (exit ${result.code}):\n${result.stderr}`,
    );
  }
}

/** Splits a `credential_process` value into argv the way botocore does on POSIX: `shlex.split`. */
async function botocoreSplit(commandLine: string): Promise<string[]> {
  const script = "import json, shlex, sys; print(json.dumps(shlex.split(sys.argv[1])))";
  const env = { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" };
  const result = await runProgram(["python3", "-c", script, commandLine], {
    env,
    timeoutMs: CLIENT_TIMEOUT_MS,
  });
  assertEquals(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
}

Deno.test("boto3 and the AWS CLI get credentials through the credential_process profile", async (t) => {
  const awsVersion = await requirePythonTools();
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const { entry, configure } = await signedInWithBridge(emulator, box);
  const cached = entry.accessToken as Record<string, string>;

  await t.step(
    "configure credential-process writes a profile running export-credentials",
    async () => {
      const config = await Deno.readTextFile(box.configPath);
      const section = /\n\[profile process\]\ncredential_process = (.+)\nregion = (.+)\n$/;
      const match = config.match(section);
      assertTrue(
        match,
        `no [profile process] with credential_process and region at the end:\n${config}`,
      );
      assertEquals(match[2], REGION);
      // The permission flags between "run" and the module are aws-login's choice; the rest is not.
      const argv = await botocoreSplit(match[1]!);
      const main = argv.indexOf(MAIN_PATH);
      assertEquals(argv.slice(0, 2), [Deno.execPath(), "run"], match[1]);
      assertTrue(main > 1, `"${MAIN_PATH}" is not in ${JSON.stringify(argv)}`);
      assertTrue(
        argv.slice(2, main).every((flag) => flag.startsWith("--")),
        match[1],
      );
      const command = [
        "export-credentials",
        "--profile",
        "login",
        "--format",
        "process",
      ];
      assertEquals(argv.slice(main + 1), command);
      assertStringIncludes(configure.stderr, "Wrote profile process");
    },
  );

  await t.step("boto3 prints the session ARN", async () => {
    const env = await clientEnv(emulator, box);
    const result = await runProgram(["python3", "-c", BOTO3_ONE_LINER], {
      env,
      timeoutMs: CLIENT_TIMEOUT_MS,
    });
    assertEquals(result.code, 0, result.stderr);
    assertEquals(result.stdout, `${SESSION}\n`);
    assertEquals(emulator.counts.sts, 1);
    assertEquals(emulator.counts.stsRejected, 0);
  });

  await t.step(
    "boto3 got the cached credentials from credential_process",
    async () => {
      const result = await runBoto3(emulator, box);
      assertEquals(result.code, 0, `${result.stdout}\n${result.stderr}`);
      assertEquals(result.method, "custom-process");
      assertEquals(result.AccessKeyId, cached.accessKeyId);
      assertEquals(result.Arn, SESSION);
      assertEquals(emulator.counts.sts, 2);
      assertEquals(emulator.counts.tokenByGrant.refresh_token, 0);
    },
  );

  await t.step(
    `the AWS CLI (${awsVersion}) prints the caller identity`,
    async () => {
      const env = await clientEnv(emulator, box);
      const result = await runProgram(AWS_CLI, {
        env,
        timeoutMs: CLIENT_TIMEOUT_MS,
      });
      assertEquals(result.code, 0, result.stderr);
      const identity = JSON.parse(result.stdout);
      assertEquals(identity.Arn, SESSION);
      assertEquals(identity.Account, "123456789012");
      assertEquals(emulator.counts.sts, 3);
      assertEquals(emulator.counts.stsRejected, 0);
      assertEquals(emulator.counts.tokenByGrant.refresh_token, 0);
    },
  );
});

Deno.test("boto3 through credential_process refreshes an aged login session", async () => {
  await requirePythonTools();
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const { path, entry } = await signedInWithBridge(emulator, box);
  const before = entry.accessToken as Record<string, string>;
  await setSecondsLeft(path, 60);

  const result = await runBoto3(emulator, box);
  assertEquals(result.code, 0, `${result.stdout}\n${result.stderr}`);
  assertEquals(result.Arn, SESSION);
  assertEquals(result.method, "custom-process");
  assertEquals(emulator.counts.tokenByGrant.refresh_token, 1);
  assertEquals(emulator.counts.tokenErrors, 0);
  assertEquals(emulator.counts.stsRejected, 0);
  const after = JSON.parse(await Deno.readTextFile(path)).accessToken;
  assertMatch(after.accessKeyId, /^ASIA/);
  assertNotEquals(after.accessKeyId, before.accessKeyId);
  assertEquals(result.AccessKeyId, after.accessKeyId);
});

Deno.test("boto3 and the AWS CLI show aws-login's one-line reason after logout", async (t) => {
  await requirePythonTools();
  await using emulator = await startEmulator();
  await using box = await sandbox();
  await signedInWithBridge(emulator, box);
  const logout = await runCli(["logout", "--profile", "login"], {
    env: await box.env(),
  });
  assertEquals(logout.code, 0, logout.stderr);
  const reason = `aws-login: Unable to load an existing login session for session ${SESSION}. ` +
    'Run "aws-login login --profile login" to sign in again';

  await t.step(
    "boto3 raises CredentialRetrievalError with the reason",
    async () => {
      const result = await runBoto3(emulator, box);
      assertEquals(result.code, 1, result.stderr);
      assertEquals(result.error, "CredentialRetrievalError");
      const message = result.message ?? "";
      assertStringIncludes(
        message,
        `Error when retrieving credentials from custom-process: ${reason}`,
      );
      // botocore shows the whole stderr of the process, so that must be this one line.
      assertEquals(message.trim().split("\n").length, 1, message);
    },
  );

  await t.step("the AWS CLI exits 255 with the reason", async () => {
    const env = await clientEnv(emulator, box);
    const result = await runProgram(AWS_CLI, {
      env,
      timeoutMs: CLIENT_TIMEOUT_MS,
    });
    assertEquals(result.code, 255, result.stderr);
    assertEquals(result.stdout, "");
    assertStringIncludes(result.stderr, reason);
  });

  assertEquals(emulator.counts.sts, 0);
  assertEquals(emulator.counts.tokenByGrant.refresh_token, 0);
});

Deno.test("boto3 and the AWS CLI assume a role through the bridge of a role profile", async (t) => {
  const awsVersion = await requirePythonTools();
  const role = "arn:aws:iam::210987654321:role/Deploy";
  await using emulator = await startEmulator({
    roles: [{ arn: role, externalId: "ext-1" }],
  });
  await using box = await sandbox();
  await signIn(emulator, box, { profile: "login", region: REGION });
  await Deno.writeTextFile(
    box.configPath,
    `\n[profile deploy]\nrole_arn = ${role}\nsource_profile = login\nexternal_id = ext-1\n`,
    { append: true },
  );
  const configure = await runCli(
    [
      "configure",
      "credential-process",
      "--profile",
      "process",
      "--source-profile",
      "deploy",
    ],
    { env: await box.env() },
  );
  assertEquals(configure.code, 0, configure.stderr);
  assertTrue(!configure.stderr.includes("warning"), configure.stderr);
  const assumed = /^arn:aws:sts::210987654321:assumed-role\/Deploy\/botocore-session-\d+$/;

  await t.step(
    "boto3 (no awscrt) is the assumed role; one AssumeRole call",
    async () => {
      const result = await runBoto3(emulator, box);
      assertEquals(result.code, 0, `${result.stdout}\n${result.stderr}`);
      assertEquals(result.method, "custom-process");
      assertMatch(result.Arn ?? "", assumed);
      assertEquals(emulator.counts.assumeRoleByArn, { [role]: 1 });
      assertEquals(emulator.counts.stsRejected, 0);
    },
  );

  await t.step(
    `the AWS CLI (${awsVersion}) gets the cached role credentials`,
    async () => {
      const env = await clientEnv(emulator, box);
      const result = await runProgram(AWS_CLI, {
        env,
        timeoutMs: CLIENT_TIMEOUT_MS,
      });
      assertEquals(result.code, 0, result.stderr);
      const identity = JSON.parse(result.stdout);
      assertMatch(identity.Arn, assumed);
      assertEquals(identity.Account, "210987654321");
      assertEquals(emulator.counts.assumeRole, 1);
      assertEquals(emulator.counts.stsRejected, 0);
    },
  );
});
