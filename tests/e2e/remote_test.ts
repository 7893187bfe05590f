/**
 * End to end: the cross-device (`--remote`) flow, `--no-browser`, and the automatic switch to
 * `--remote` where no browser can be reached. The test plays the user: it opens the printed URL
 * "on another device" (follows the emulator's redirects) and pastes what the browser shows.
 */

import { assertEquals, assertStringIncludes } from "../support/assert.ts";
import { runCli, sandbox, startCli } from "../support/cli.ts";
import { onlyCacheFile, snapshotTree } from "../support/e2e.ts";
import { startEmulator } from "../../scripts/emulator/mod.ts";

const SESSION = "arn:aws:sts::123456789012:assumed-role/Admin/alice";
const URL_PATTERN = /^(http:\/\/127\.0\.0\.1:\d+\/v1\/authorize\?\S+)$/m;

/** Follows redirects like a signed-in browser would, stopping before `stopAt`; returns the last URL. */
async function followUntil(url: string, stopAt: (url: URL) => boolean): Promise<string> {
  let next = url;
  for (let hop = 0; hop < 10; hop++) {
    if (stopAt(new URL(next))) return next;
    const response = await fetch(next, { redirect: "manual" });
    await response.body?.cancel();
    const location = response.headers.get("location");
    if (!location) throw new Error(`No redirect from ${next} (${response.status})`);
    next = new URL(location, next).href;
  }
  throw new Error("Too many redirects");
}

/** Opens the authorize URL and reads the code the confirmation page shows. */
async function confirmationCode(authorizeUrl: string): Promise<string> {
  const page = await followUntil(
    authorizeUrl,
    (url) => url.pathname === "/v1/sessions/confirmation",
  );
  const html = await (await fetch(page)).text();
  const match = html.match(/id="verification-code"[^>]*>\s*([^<\s]+)\s*</);
  if (!match) throw new Error(`No code on the confirmation page:\n${html}`);
  return match[1]!;
}

Deno.test("--remote: the code read from the confirmation page and piped in signs in", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  await using cli = startCli(["login", "--remote", "--profile", "far", "--region", "us-east-1"], {
    env: await box.env({ AWS_ENDPOINT_URL_SIGNIN: emulator.url }),
  });
  const [, url] = await cli.waitForStderr(URL_PATTERN);
  assertEquals(
    new URL(url!).searchParams.get("client_id"),
    "arn:aws:signin:::devtools/cross-device",
  );
  await cli.waitForStderr(/Enter the authorization code displayed in your browser: $/);
  await cli.writeLine(`  ${await confirmationCode(url!)}  `);
  const result = await cli.result();
  assertEquals(result.code, 0, result.stderr);
  assertStringIncludes(result.stderr, "Browser will not be automatically opened.");
  assertStringIncludes(result.stderr, `Updated profile far to use ${SESSION} credentials.`);
  const { entry } = await onlyCacheFile(box.cacheDir);
  assertEquals(entry.clientId, "arn:aws:signin:::devtools/cross-device");
  assertEquals(emulator.counts.confirmation, 1);
  assertEquals(emulator.counts.tokenByGrant.authorization_code, 1);
});

Deno.test("--remote: works with the whole code piped on stdin before it is asked for", async () => {
  // A script cannot know the state in advance, so a wrong code piped in must fail cleanly.
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const wrong = btoa("state=not-this-one&code=abc");
  const result = await runCli(["login", "--remote", "--region", "us-east-1"], {
    env: await box.env({ AWS_ENDPOINT_URL_SIGNIN: emulator.url }),
    stdin: wrong + "\n",
  });
  assertEquals(result.code, 4, result.stderr);
  assertStringIncludes(result.stderr, "State parameter not-this-one does not match expected value");
  assertEquals(result.stderr.includes("    at "), false, "no stack trace");
  assertEquals(await snapshotTree(box.home), {});
  assertEquals(emulator.counts.token, 0);
});

Deno.test("--remote: empty input and end of input end with a clear message", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  for (const stdin of ["", "\n", "%%% not base64 %%%\n"]) {
    const result = await runCli(["login", "--remote", "--region", "us-east-1"], {
      env: await box.env({ AWS_ENDPOINT_URL_SIGNIN: emulator.url }),
      stdin,
    });
    assertEquals(result.code, 4, result.stderr);
    assertEquals(result.stderr.includes("    at "), false, "no stack trace");
  }
  assertEquals(await snapshotTree(box.home), {});
});

Deno.test("--no-browser: the pasted address the browser ended on signs in", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  await using cli = startCli(["login", "--no-browser", "--region", "us-east-1"], {
    env: await box.env({ AWS_ENDPOINT_URL_SIGNIN: emulator.url }),
  });
  const [, url] = await cli.waitForStderr(URL_PATTERN);
  // The browser is on another machine: it ends on the loopback address, which it cannot load.
  const callback = await followUntil(url!, (u) => u.pathname === "/oauth/callback");
  await cli.writeLine("this is not it");
  await cli.writeLine(callback);
  const result = await cli.result();
  assertEquals(result.code, 0, result.stderr);
  assertStringIncludes(result.stderr, "That is not a sign-in address");
  assertStringIncludes(result.stderr, `Updated profile default to use ${SESSION} credentials.`);
  assertEquals(
    (await onlyCacheFile(box.cacheDir)).entry.clientId,
    "arn:aws:signin:::devtools/same-device",
  );
});

Deno.test("--no-browser: the callback arriving first wins, stdin is not needed", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  await using cli = startCli(["login", "--no-browser", "--region", "us-east-1"], {
    env: await box.env({ AWS_ENDPOINT_URL_SIGNIN: emulator.url }),
  });
  const [, url] = await cli.waitForStderr(URL_PATTERN);
  const callback = await followUntil(url!, (u) => u.pathname === "/oauth/callback");
  const page = await fetch(callback);
  assertEquals(page.status, 200);
  await page.body?.cancel();
  const result = await cli.result();
  assertEquals(result.code, 0, result.stderr);
  assertEquals(emulator.counts.tokenByGrant.authorization_code, 1);
});

Deno.test("login switches to --remote by itself where no browser can be reached, and says why", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  await using cli = startCli(["login", "--region", "us-east-1"], {
    env: await box.env({
      AWS_ENDPOINT_URL_SIGNIN: emulator.url,
      SSH_CONNECTION: "10.0.0.2 50000 10.0.0.1 22",
      CI: "",
    }),
  });
  await cli.waitForStderr(/No browser can be opened here \(no display in this SSH session\)/);
  const [, url] = await cli.waitForStderr(URL_PATTERN);
  await cli.waitForStderr(/Enter the authorization code/);
  await cli.writeLine(await confirmationCode(url!));
  const result = await cli.result();
  assertEquals(result.code, 0, result.stderr);
  assertEquals(
    (await onlyCacheFile(box.cacheDir)).entry.clientId,
    "arn:aws:signin:::devtools/cross-device",
  );
});

Deno.test("--no-remote overrides the headless detection", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const result = await runCli(["login", "--no-remote", "--region", "us-east-1", "--timeout", "3"], {
    env: await box.env({ AWS_ENDPOINT_URL_SIGNIN: emulator.url, CI: "true", PATH: "/nonexistent" }),
  });
  // No launcher exists at all: the URL is printed and the tool waits (here until the timeout).
  assertEquals(result.code, 4, result.stderr);
  assertStringIncludes(result.stderr, "Could not open a browser");
  assertStringIncludes(result.stderr, "Timed out after 3 seconds");
  assertEquals(result.stderr.includes("Browser will not be automatically opened"), false);
  assertEquals(await snapshotTree(box.home), {});
});
