/**
 * End to end: the real CLI process, the emulator, and a fake browser that follows the
 * authorization redirect into the real loopback listener.
 */

import { assertEquals, assertMatch, assertStringIncludes, assertTrue } from "../support/assert.ts";
import { runCli, sandbox } from "../support/cli.ts";
import { fakeBrowserEnv, onlyCacheFile, sha256Hex, snapshotTree } from "../support/e2e.ts";
import { startEmulator } from "../../scripts/emulator/mod.ts";
import { importDPoPKeyPem } from "../../lib/signin/dpop_key.ts";

const SESSION = "arn:aws:sts::123456789012:assumed-role/Admin/alice";

Deno.test("login: same-device flow writes a cache and config the SDKs read", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  await Deno.mkdir(`${box.home}/.aws`);
  const original =
    "# my settings\n[default]\nregion = us-west-2\n\n[profile other]\noutput = json\n";
  await Deno.writeTextFile(box.configPath, original);

  const result = await runCli(["login", "--profile", "dev", "--region", "eu-west-1"], {
    env: await box.env({ AWS_ENDPOINT_URL_SIGNIN: emulator.url, ...(await fakeBrowserEnv()) }),
  });
  assertEquals(result.code, 0, result.stderr);
  assertEquals(result.stdout, "");
  assertStringIncludes(result.stderr, "Attempting to open your default browser.");
  assertStringIncludes(result.stderr, `Updated profile dev to use ${SESSION} credentials.`);
  assertStringIncludes(result.stderr, 'Use "--profile dev"');

  assertEquals(
    await Deno.readTextFile(box.configPath),
    original + "\n[profile dev]\nlogin_session = " + SESSION + "\nregion = eu-west-1\n",
  );

  const { path, name, entry } = await onlyCacheFile(box.cacheDir);
  assertEquals(name, `${await sha256Hex(SESSION)}.json`);
  if (Deno.build.os !== "windows") {
    assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
    assertEquals((await Deno.stat(box.cacheDir)).mode! & 0o777, 0o700);
  }
  const token = entry.accessToken as Record<string, string>;
  assertMatch(token.accessKeyId!, /^ASIA/);
  assertTrue(token.secretAccessKey && token.sessionToken);
  assertEquals(token.accountId, "123456789012");
  assertMatch(token.expiresAt!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const minutes = (Date.parse(token.expiresAt!) - Date.now()) / 60000;
  assertTrue(minutes > 13 && minutes <= 15, `expires in ${minutes} minutes`);
  assertEquals(entry.tokenType, "aws_sigv4");
  assertEquals(entry.clientId, "arn:aws:signin:::devtools/same-device");
  assertMatch(String(entry.refreshToken), /^ASOR/);
  assertEquals(String(entry.idToken).split(".").length, 3);
  assertEquals(entry.signInRegion, "eu-west-1");
  assertMatch(String(entry.dpopKey), /^-----BEGIN EC PRIVATE KEY-----\n/);
  await importDPoPKeyPem(String(entry.dpopKey));
  assertEquals(Object.keys(entry), [
    "accessToken",
    "tokenType",
    "clientId",
    "refreshToken",
    "idToken",
    "dpopKey",
    "signInRegion",
  ]);

  assertEquals(emulator.counts.authorize, 1);
  assertEquals(emulator.counts.tokenByGrant.authorization_code, 1);
  assertEquals(emulator.counts.tokenErrors, 0);
});

Deno.test("login: the region already in the profile is used and not written again", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  await Deno.mkdir(`${box.home}/.aws`);
  await Deno.writeTextFile(box.configPath, "[default]\r\nregion = ap-south-1\r\n");
  const result = await runCli(["login"], {
    env: await box.env({ AWS_ENDPOINT_URL_SIGNIN: emulator.url, ...(await fakeBrowserEnv()) }),
  });
  assertEquals(result.code, 0, result.stderr);
  assertEquals(
    await Deno.readTextFile(box.configPath),
    `[default]\r\nregion = ap-south-1\r\nlogin_session = ${SESSION}\r\n`,
  );
  assertEquals((await onlyCacheFile(box.cacheDir)).entry.signInRegion, "ap-south-1");
  assertEquals(result.stderr.includes('Use "--profile'), false);
});

Deno.test("login: without a region and without a terminal, the error names --region", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const result = await runCli(["login", "--profile", "x"], {
    env: await box.env({ AWS_ENDPOINT_URL_SIGNIN: emulator.url, ...(await fakeBrowserEnv()) }),
  });
  assertEquals(result.code, 3);
  assertStringIncludes(result.stderr, "--region");
  assertEquals(emulator.counts.authorize, 0);
  assertEquals(await snapshotTree(box.home), {});
});

Deno.test("login: a profile holding other credentials is refused before any browser step", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  await Deno.mkdir(`${box.home}/.aws`);
  await Deno.writeTextFile(
    box.credentialsPath,
    "[dev]\naws_access_key_id = AKIA\naws_secret_access_key = x\n",
  );
  const log = `${box.home}/browser.log`;
  const before = await snapshotTree(box.home);
  const result = await runCli(["login", "--profile", "dev", "--region", "us-east-1"], {
    env: await box.env({
      AWS_ENDPOINT_URL_SIGNIN: emulator.url,
      ...(await fakeBrowserEnv({ log })),
    }),
  });
  assertEquals(result.code, 3);
  assertStringIncludes(
    result.stderr,
    "Profile 'dev' is already configured with Access Key credentials (aws_access_key_id in ~/.aws/credentials).",
  );
  assertEquals(await snapshotTree(box.home), before);
  assertEquals(emulator.counts.authorize, 0);
});
