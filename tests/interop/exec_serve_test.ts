/**
 * Interop of `aws-login exec` and `aws-login serve` with real clients: boto3 (without `awscrt`),
 * the AWS CLI v1 and the AWS SDK for JavaScript v3's default chain, each calling the emulator's
 * SigV4-checking STS, so that a client that used any other credentials would be refused and
 * counted (`stsRejected`).
 *
 * The parent environment tries everything that could shadow the endpoint: `[default]` keys in
 * `~/.aws/credentials`, `AWS_PROFILE=default`, keys in the environment and another container
 * endpoint. botocore without `awscrt` fails on a `login_session` profile instead of moving on, so
 * the profile must not reach it either.
 *
 * A long-running boto3 program keeps working across the expiry of its first credentials, with
 * exactly one refresh behind the endpoint. The emulator's clock runs ahead of the real one for
 * that (its `now` option), and the cache file is aged the same way, as the clock aws-login reads.
 */

import { assertEquals, assertMatch, assertTrue } from "../support/assert.ts";
import {
  type CliResult,
  runCli,
  runProgram,
  type Sandbox,
  sandbox,
  startCli,
} from "../support/cli.ts";
import { setSecondsLeft, signIn } from "../support/session.ts";
import { type Emulator, startEmulator } from "../../scripts/emulator/mod.ts";
import { localPath } from "../support/paths.ts";
import { posixTest } from "../support/platform.ts";
import { CLIENT_TIMEOUT_MS, requireNodeModules, requirePythonTools } from "./clients.ts";

const SESSION = "arn:aws:sts::123456789012:assumed-role/Admin/alice";
const REGION = "us-east-1";
const BOTO3_CLIENT = localPath(new URL("./boto3_client.py", import.meta.url));
const BOTO3_LONG = localPath(
  new URL("./boto3_long_running.py", import.meta.url),
);
const JS_CLIENT = localPath(new URL("./js_sdk_client.mjs", import.meta.url));

/** Keys STS does not know: a client that used them would be refused. */
const SHADOWING_CREDENTIALS =
  "[default]\naws_access_key_id = AKIDDEFAULTSHADOW\naws_secret_access_key = default-secret\n";

const SHADOWING_ENV: Record<string, string> = {
  AWS_PROFILE: "default",
  AWS_DEFAULT_PROFILE: "default",
  AWS_ACCESS_KEY_ID: "AKIDPARENTSHADOW",
  AWS_SECRET_ACCESS_KEY: "parent-secret",
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/not-this-one",
};

/** The clients these tests run: boto3, the AWS CLI and the JS SDK's STS client. */
async function requireClients(): Promise<void> {
  await requirePythonTools();
  await requireNodeModules(["@aws-sdk/client-sts"]);
}

/** A session of profile `login`, with `[default]` keys beside it to shadow it. */
async function signedIn(
  emulatorOptions: Parameters<typeof startEmulator>[0] = {},
): Promise<
  { emulator: Emulator; box: Sandbox; path: string } & AsyncDisposable
> {
  const emulator = await startEmulator(emulatorOptions);
  const box = await sandbox();
  const { path } = await signIn(emulator, box, {
    profile: "login",
    region: REGION,
  });
  await Deno.writeTextFile(box.credentialsPath, SHADOWING_CREDENTIALS);
  return {
    emulator,
    box,
    path,
    async [Symbol.asyncDispose]() {
      await box[Symbol.asyncDispose]();
      await emulator.close();
    },
  };
}

/** The parent environment of `aws-login exec`: the shadows, and where STS and Sign-In are. */
async function parentEnv(s: { emulator: Emulator; box: Sandbox }) {
  return await s.box.env({
    ...SHADOWING_ENV,
    AWS_ENDPOINT_URL_STS: s.emulator.url,
    AWS_ENDPOINT_URL_SIGNIN: s.emulator.url,
  });
}

function clients(emulator: Emulator): Record<string, string[]> {
  return {
    "boto3": ["python3", BOTO3_CLIENT],
    "the AWS CLI v1": ["aws", "sts", "get-caller-identity", "--output", "json"],
    "the JS SDK's default chain": [
      "node",
      JS_CLIENT,
      "--provider",
      "default",
      "--region",
      REGION,
      "--sts-endpoint",
      emulator.url,
    ],
  };
}

/** The ARN and access key a client printed (each prints JSON of its own shape). */
function identityOf(
  result: CliResult,
): { arn: string; accessKeyId?: string; method?: string } {
  assertEquals(result.code, 0, `${result.stdout}\n${result.stderr}`);
  const value = JSON.parse(result.stdout);
  return {
    arn: value.Arn ?? value.identity?.Arn,
    accessKeyId: value.AccessKeyId ?? value.credentials?.accessKeyId,
    method: value.method,
  };
}

Deno.test("inside aws-login exec, boto3, the AWS CLI v1 and the JS SDK call STS as the login session", async (t) => {
  await requireClients();
  await using s = await signedIn();
  const cached = JSON.parse(await Deno.readTextFile(s.path)).accessToken;
  const env = await parentEnv(s);
  for (const [name, argv] of Object.entries(clients(s.emulator))) {
    await t.step(
      `${name}, with [default] keys, AWS_PROFILE=default and keys in the environment`,
      async () => {
        const sts = s.emulator.counts.sts;
        const result = await runCli([
          "exec",
          "--profile",
          "login",
          "--",
          ...argv,
        ], { env, timeoutMs: CLIENT_TIMEOUT_MS });
        const identity = identityOf(result);
        assertEquals(identity.arn, SESSION);
        if (identity.accessKeyId) {
          assertEquals(identity.accessKeyId, cached.accessKeyId);
        }
        if (identity.method) assertEquals(identity.method, "container-role");
        assertEquals(s.emulator.counts.sts, sts + 1);
        assertEquals(s.emulator.counts.stsRejected, 0);
      },
    );
  }
  assertEquals(s.emulator.counts.tokenByGrant.refresh_token, 0);
});

posixTest(
  "against aws-login serve, boto3, the AWS CLI v1 and the JS SDK call STS as the login session",
  async (t) => {
    await requireClients();
    await using s = await signedIn();
    await using serve = startCli(["serve", "--profile", "login"], {
      env: await s.box.env({ AWS_ENDPOINT_URL_SIGNIN: s.emulator.url }),
    });
    const [, uri, token] = await serve.waitForStdout(
      /^AWS_CONTAINER_CREDENTIALS_FULL_URI=(\S+)\nAWS_CONTAINER_AUTHORIZATION_TOKEN=(\S+)\n/,
    );
    // A client with no AWS files at all, as in a container, given the two variables.
    await using elsewhere = await sandbox();
    const env = await elsewhere.env({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: uri!,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: token!,
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_ENDPOINT_URL_STS: s.emulator.url,
    });
    for (const [name, argv] of Object.entries(clients(s.emulator))) {
      await t.step(name, async () => {
        const identity = identityOf(
          await runProgram(argv, { env, timeoutMs: CLIENT_TIMEOUT_MS }),
        );
        assertEquals(identity.arn, SESSION);
        if (identity.method) assertEquals(identity.method, "container-role");
        assertEquals(s.emulator.counts.stsRejected, 0);
      });
    }
    await t.step(
      "a client with a wrong token gets no credentials: botocore says why",
      async () => {
        const result = await runProgram(["python3", BOTO3_CLIENT], {
          env: { ...env, AWS_CONTAINER_AUTHORIZATION_TOKEN: "x".repeat(43) },
          timeoutMs: CLIENT_TIMEOUT_MS,
        });
        assertEquals(result.code, 1);
        const output = JSON.parse(result.stdout);
        assertEquals(output.error, "CredentialRetrievalError");
        assertMatch(output.message, /403.*InvalidToken/);
      },
    );
    serve.kill("SIGTERM");
    assertEquals((await serve.result()).code, 0);
  },
);

posixTest(
  "a long-running boto3 program in aws-login exec keeps working across an expiry, with one refresh",
  async () => {
    await requireClients();
    // Credentials of 10 minutes: fresh for aws-login for the first 5. The emulator's clock runs
    // ahead when the test says so, by less than the 15 minutes STS allows between a signature and
    // its clock; DPoP proofs carry the real time.
    let ahead = 0;
    await using s = await signedIn({
      accessTokenTtlSeconds: 600,
      now: () => Date.now() + ahead,
      dpopIatWindowSeconds: 3600,
    });
    const run = `${s.box.home}/run`;
    await Deno.mkdir(run);
    const child = runCli([
      "exec",
      "--profile",
      "login",
      "--",
      "python3",
      BOTO3_LONG,
    ], {
      env: { ...await parentEnv(s), RUN_DIR: run },
      timeoutMs: CLIENT_TIMEOUT_MS,
    });
    const deadline = Date.now() + CLIENT_TIMEOUT_MS;
    let first: Record<string, string> | undefined;
    while (first === undefined) {
      first = await Deno.readTextFile(`${run}/first.json`).then(JSON.parse)
        .catch(() => undefined);
      if (first === undefined) {
        if (Date.now() > deadline) {
          throw new Error(`no first call:\n${(await child).stderr}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    assertEquals(first.Arn, SESSION);
    assertEquals(first.method, "container-role");
    assertEquals(s.emulator.counts.tokenByGrant.refresh_token, 0);

    // 800 seconds later: the first credentials (600 s) are expired for STS, and the session
    // file says a minute is left, as it would by then for aws-login.
    ahead = 800_000;
    await setSecondsLeft(s.path, 60);
    await Deno.writeTextFile(`${run}/go`, "");
    const result = await child;
    assertEquals(result.code, 0, result.stderr);
    const second = JSON.parse(await Deno.readTextFile(`${run}/second.json`));
    assertEquals(second.Arn, SESSION);
    assertTrue(
      second.AccessKeyId !== first.AccessKeyId,
      "the same credentials after the expiry",
    );
    assertEquals(second.oldError, "ExpiredToken");
    assertEquals(s.emulator.counts.tokenByGrant.refresh_token, 1);
    assertEquals(s.emulator.counts.tokenErrors, 0);
    assertEquals(s.emulator.counts.stsRejected, 1); // the deliberate call with the expired ones
    assertEquals(result.stderr, "");
  },
);

Deno.test("inside aws-login exec --profile ROLE, boto3, the AWS CLI v1 and the JS SDK are the assumed role", async (t) => {
  await requireClients();
  const role = "arn:aws:iam::210987654321:role/Deploy";
  await using s = await signedIn();
  await Deno.writeTextFile(
    s.box.configPath,
    `\n[profile deploy]\nrole_arn = ${role}\nsource_profile = login\nrole_session_name = exec-test\nregion = ${REGION}\n`,
    { append: true },
  );
  const env = await parentEnv(s);
  const assumed = "arn:aws:sts::210987654321:assumed-role/Deploy/exec-test";
  for (const [name, argv] of Object.entries(clients(s.emulator))) {
    await t.step(name, async () => {
      const result = await runCli([
        "exec",
        "--profile",
        "deploy",
        "--",
        ...argv,
      ], { env, timeoutMs: CLIENT_TIMEOUT_MS });
      const identity = identityOf(result);
      assertEquals(identity.arn, assumed);
      if (identity.method) assertEquals(identity.method, "container-role");
      assertEquals(s.emulator.counts.stsRejected, 0);
    });
  }
  // The role was assumed once; every later exec served it from the role cache.
  assertEquals(s.emulator.counts.assumeRoleByArn, { [role]: 1 });
});
