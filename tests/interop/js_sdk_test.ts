/**
 * Interop with the AWS SDK for JavaScript v3, run under Node by `js_sdk_client.mjs`: its
 * `fromLoginCredentials()` and its default credential chain read and refresh the cache that
 * `aws-login login` wrote, their credentials pass STS at the emulator, and `aws-login
 * export-credentials` reads and refreshes the file the SDK rewrote. Needs
 * `npm ci --prefix tests/interop`.
 */

import {
  assertEquals,
  assertMatch,
  assertNotEquals,
  assertStringIncludes,
  assertTrue,
} from "../support/assert.ts";
import { runCli, runProgram, type Sandbox, sandbox } from "../support/cli.ts";
import { setSecondsLeft, signIn } from "../support/session.ts";
import { type Emulator, startEmulator } from "../../scripts/emulator/mod.ts";
import { localPath } from "../support/paths.ts";
import { CLIENT_TIMEOUT_MS, requireNodeModules } from "./clients.ts";

const SESSION = "arn:aws:sts::123456789012:assumed-role/Admin/alice";
const REGION = "us-east-1";
const CLIENT = localPath(new URL("./js_sdk_client.mjs", import.meta.url));

/** What `js_sdk_client.mjs` prints. */
interface SdkOutput {
  credentials: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken: string;
    accountId?: string;
    expiration?: string;
  };
  identity: { Arn: string; Account: string; UserId: string };
}

/**
 * Resolves the profile's credentials with the JS SDK (`fromLoginCredentials()` by default, or the
 * STS client's default chain) and calls STS with them.
 */
async function runSdk(
  emulator: Emulator,
  box: Sandbox,
  profile: string,
  options: { provider?: "login" | "default" } = {},
): Promise<SdkOutput> {
  const args = [
    "--profile",
    profile,
    "--region",
    REGION,
    "--sts-endpoint",
    emulator.url,
  ];
  if (options.provider) args.push("--provider", options.provider);
  const env = await box.env({
    AWS_CONFIG_FILE: box.configPath,
    AWS_SHARED_CREDENTIALS_FILE: box.credentialsPath,
    AWS_ENDPOINT_URL_SIGNIN: emulator.url,
  });
  const result = await runProgram(["node", CLIENT, ...args], {
    env,
    timeoutMs: CLIENT_TIMEOUT_MS,
  });
  assertEquals(result.code, 0, `the JS SDK client failed:\n${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** Runs `aws-login export-credentials` for the profile and parses its `process` output. */
async function exportCredentials(
  emulator: Emulator,
  box: Sandbox,
  profile: string,
): Promise<Record<string, unknown>> {
  const result = await runCli(["export-credentials", "--profile", profile], {
    env: await box.env({ AWS_ENDPOINT_URL_SIGNIN: emulator.url }),
  });
  assertEquals(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
}

type AccessToken = Record<string, string>;

async function readCache(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(path));
}

Deno.test("fromLoginCredentials() refreshes the cache login wrote, and its credentials pass STS", async (t) => {
  await requireNodeModules();
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const { path, entry } = await signIn(emulator, box, {
    profile: "dev",
    region: REGION,
  });
  const before = entry.accessToken as AccessToken;
  await setSecondsLeft(path, 60);
  assertEquals(emulator.counts.tokenByGrant.refresh_token, 0);
  let sdk: SdkOutput | undefined;

  await t.step(
    "the SDK refreshes once, since only a minute is left",
    async () => {
      sdk = await runSdk(emulator, box, "dev");
      assertEquals(emulator.counts.tokenByGrant.refresh_token, 1);
      assertEquals(emulator.counts.tokenErrors, 0);
      const credentials = sdk.credentials;
      assertMatch(credentials.accessKeyId, /^ASIA/);
      assertNotEquals(credentials.accessKeyId, before.accessKeyId);
      assertNotEquals(credentials.secretAccessKey, before.secretAccessKey);
      assertNotEquals(credentials.sessionToken, before.sessionToken);
      assertEquals(credentials.accountId, "123456789012");
      const minutes = (Date.parse(credentials.expiration!) - Date.now()) /
        60000;
      assertTrue(
        minutes > 13 && minutes <= 15,
        `expires in ${minutes} minutes`,
      );
    },
  );

  await t.step(
    "the SDK wrote the new credentials and refresh token back",
    async () => {
      const after = await readCache(path);
      const token = after.accessToken as AccessToken;
      assertEquals(token.accessKeyId, sdk?.credentials.accessKeyId);
      assertEquals(token.accountId, "123456789012");
      assertNotEquals(after.refreshToken, entry.refreshToken);
      for (
        const field of [
          "clientId",
          "idToken",
          "dpopKey",
          "tokenType",
          "signInRegion",
        ]
      ) {
        assertEquals(
          after[field],
          entry[field],
          `field ${field} of the cache file`,
        );
      }
    },
  );

  await t.step("its credentials pass STS GetCallerIdentity", () => {
    assertEquals(sdk?.identity.Arn, SESSION);
    assertEquals(sdk?.identity.Account, "123456789012");
    assertEquals(emulator.counts.sts, 1);
    assertEquals(emulator.counts.stsRejected, 0);
  });

  await t.step(
    "export-credentials serves the file the SDK rewrote, without a refresh",
    async () => {
      const exported = await exportCredentials(emulator, box, "dev");
      assertEquals(exported.Version, 1);
      assertEquals(exported.AccessKeyId, sdk?.credentials.accessKeyId);
      assertEquals(exported.SecretAccessKey, sdk?.credentials.secretAccessKey);
      assertEquals(exported.SessionToken, sdk?.credentials.sessionToken);
      // The SDK writes milliseconds; export-credentials prints whole seconds.
      const seconds = (text: unknown) => Math.floor(Date.parse(String(text)) / 1000);
      assertEquals(
        seconds(exported.Expiration),
        seconds(sdk?.credentials.expiration),
      );
      assertEquals(emulator.counts.tokenByGrant.refresh_token, 1);
    },
  );

  await t.step(
    "export-credentials refreshes the file the SDK rewrote once it ages",
    async () => {
      // Ages the SDK's own text (2-space JSON, milliseconds) instead of re-serialising it.
      const text = await Deno.readTextFile(path);
      assertStringIncludes(text, '\n  "accessToken": {');
      const soon = new Date(Date.now() + 60_000).toISOString();
      const aged = text.replace(
        /"expiresAt": "[^"]*"/,
        `"expiresAt": "${soon}"`,
      );
      assertNotEquals(aged, text);
      await Deno.writeTextFile(path, aged);
      const exported = await exportCredentials(emulator, box, "dev");
      assertEquals(emulator.counts.tokenByGrant.refresh_token, 2);
      assertEquals(emulator.counts.tokenErrors, 0);
      assertMatch(String(exported.AccessKeyId), /^ASIA/);
      assertNotEquals(exported.AccessKeyId, sdk?.credentials.accessKeyId);
      const cached = (await readCache(path)).accessToken as AccessToken;
      assertEquals(cached.accessKeyId, exported.AccessKeyId);
    },
  );
});

Deno.test("fromLoginCredentials() still loads and refreshes the cache after export-credentials refreshed it", async (t) => {
  await requireNodeModules();
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const { path, entry } = await signIn(emulator, box, {
    profile: "dev",
    region: REGION,
  });
  const first = entry.accessToken as AccessToken;
  let ours: Record<string, unknown> | undefined;

  await t.step("export-credentials refreshes the aged session", async () => {
    await setSecondsLeft(path, 60);
    ours = await exportCredentials(emulator, box, "dev");
    assertEquals(ours.Version, 1);
    assertEquals(emulator.counts.tokenByGrant.refresh_token, 1);
    assertMatch(String(ours.AccessKeyId), /^ASIA/);
    assertNotEquals(ours.AccessKeyId, first.accessKeyId);
    const cached = (await readCache(path)).accessToken as AccessToken;
    assertEquals(cached.accessKeyId, ours.AccessKeyId);
  });

  await t.step(
    "the SDK refreshes the file we rewrote once it ages again",
    async () => {
      await setSecondsLeft(path, 60);
      const sdk = await runSdk(emulator, box, "dev");
      assertEquals(emulator.counts.tokenByGrant.refresh_token, 2);
      assertEquals(emulator.counts.tokenErrors, 0);
      assertMatch(sdk.credentials.accessKeyId, /^ASIA/);
      assertNotEquals(sdk.credentials.accessKeyId, ours?.AccessKeyId);
      assertNotEquals(sdk.credentials.accessKeyId, first.accessKeyId);
      assertEquals(sdk.identity.Arn, SESSION);
      assertEquals(emulator.counts.sts, 1);
      assertEquals(emulator.counts.stsRejected, 0);
    },
  );
});

Deno.test("the JS SDK's default credential chain uses the login_session profile login wrote", async () => {
  await requireNodeModules();
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const { entry } = await signIn(emulator, box, {
    profile: "dev",
    region: REGION,
  });
  const cached = entry.accessToken as AccessToken;

  // STSClient({ profile }) with no credentials: credential-provider-ini reaches login_session.
  const sdk = await runSdk(emulator, box, "dev", { provider: "default" });
  assertEquals(sdk.credentials.accessKeyId, cached.accessKeyId);
  assertEquals(sdk.identity.Arn, SESSION);
  assertEquals(emulator.counts.tokenByGrant.refresh_token, 0);
  assertEquals(emulator.counts.sts, 1);
  assertEquals(emulator.counts.stsRejected, 0);
});
