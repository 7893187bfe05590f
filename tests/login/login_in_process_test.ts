/**
 * `login` run in-process with a fake terminal: the questions it asks, and the rollback when the
 * config cannot be written after the cache was.
 */

import { assertEquals, assertStringIncludes, assertTrue } from "../support/assert.ts";
import { type FakeDeps, fakeDeps, pushInput, scriptedInput } from "../support/fake_deps.ts";
import { fakeBrowserCommand, sha256Hex, snapshotTree } from "../support/e2e.ts";
import { realDeps } from "../../lib/runtime/real.ts";
import { watchingLock } from "../support/endpoints.ts";
import { cacheDir, sandbox } from "../support/cli.ts";
import { run } from "../../lib/run.ts";
import { startEmulator } from "../../scripts/emulator/mod.ts";

const SESSION = "arn:aws:sts::123456789012:assumed-role/Admin/alice";

/** The environment of a sign-in at the emulator with the fake browser. */
async function loginEnv(home: string, endpoint: string): Promise<Record<string, string>> {
  return {
    HOME: home,
    PATH: Deno.env.get("PATH") ?? "",
    DENO_DIR: await cacheDir(),
    AWS_ENDPOINT_URL_SIGNIN: endpoint,
    BROWSER: fakeBrowserCommand(),
  };
}

async function terminalDeps(home: string, endpoint: string, answers: string[]): Promise<FakeDeps> {
  return fakeDeps({
    env: await loginEnv(home, endpoint),
    stdin: scriptedInput(answers, true),
    stderrIsTerminal: true,
  });
}

Deno.test("login asks for the region on a terminal and saves the answer", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const deps = await terminalDeps(box.home, emulator.url, ["not a region!", ""]);
  assertEquals(await run(["login", "--profile", "dev"], deps), 0, deps.stderr.text);
  assertStringIncludes(deps.stderr.text, "No AWS region has been configured.");
  assertStringIncludes(deps.stderr.text, "AWS Region [us-east-1]: ");
  assertStringIncludes(deps.stderr.text, 'Invalid region "not a region!"');
  assertStringIncludes(deps.stderr.text, "Saved region us-east-1 to profile dev.");
  assertEquals(
    await Deno.readTextFile(box.configPath),
    `[profile dev]\nlogin_session = ${SESSION}\nregion = us-east-1\n`,
  );
});

Deno.test("login asks before replacing another session; 'n' keeps everything", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  await Deno.mkdir(`${box.home}/.aws`);
  const original =
    "[default]\nregion = us-east-2\nlogin_session = arn:aws:iam::111111111111:user/old\n";
  await Deno.writeTextFile(box.configPath, original);
  const before = await snapshotTree(box.home);

  const no = await terminalDeps(box.home, emulator.url, ["maybe", "N"]);
  assertEquals(await run(["login"], no), 3, no.stderr.text);
  assertStringIncludes(
    no.stderr.text,
    `Profile default is already configured to use session arn:aws:iam::111111111111:user/old. Do you want to overwrite it to use ${SESSION} instead? (y/n): `,
  );
  assertStringIncludes(no.stderr.text, 'Invalid response. Please enter "y" or "n"');
  assertEquals(await snapshotTree(box.home), before);

  const yes = await terminalDeps(box.home, emulator.url, ["yes"]);
  assertEquals(await run(["login"], yes), 0, yes.stderr.text);
  assertEquals(
    await Deno.readTextFile(box.configPath),
    original.replace("arn:aws:iam::111111111111:user/old", SESSION),
  );
});

Deno.test("login puts the cache back as it was when the config cannot be written", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  await Deno.mkdir(box.cacheDir, { recursive: true });
  await Deno.writeTextFile(box.configPath, "[default]\nregion = us-east-1\n");
  const deps = await terminalDeps(box.home, emulator.url, []);
  const before = await snapshotTree(box.home);
  const failing = {
    ...deps,
    fs: {
      ...deps.fs,
      writeFileAtomic(path: string, data: string | Uint8Array, options?: { mode?: number }) {
        if (path === box.configPath) return Promise.reject(new Error("disk full"));
        return deps.fs.writeFileAtomic(path, data, options);
      },
    },
  };
  assertEquals(await run(["login"], failing), 8, deps.stderr.text);
  assertStringIncludes(deps.stderr.text, "disk full");
  assertEquals(await snapshotTree(box.home), before);
  assertEquals(emulator.counts.tokenByGrant.authorization_code, 1);
});

Deno.test("--remote on a terminal: a bad paste gets a clear message and another chance", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const stdin = pushInput(true);
  const deps = fakeDeps({
    env: { HOME: box.home, AWS_ENDPOINT_URL_SIGNIN: emulator.url },
    stdin,
    stderrIsTerminal: true,
  });
  const login = run(["login", "--remote", "--region", "us-east-1"], deps);
  const url = await until(() =>
    deps.stderr.text.match(/^(http:\/\/127\.0\.0\.1:\d+\/v1\/authorize\?\S+)$/m)?.[1]
  );
  await until(() =>
    deps.stderr.text.includes("Enter the authorization code displayed in your browser: ")
  );
  // "Another device" opens the URL and shows the code.
  const confirmation = await fetch(url, { redirect: "manual" });
  await confirmation.body?.cancel();
  const page = await (await fetch(new URL(confirmation.headers.get("location")!, url))).text();
  const code = page.match(/id="verification-code"[^>]*>\s*([^<\s]+)\s*</)![1]!;

  stdin.push("");
  stdin.push(code.slice(0, -6)); // the end of the code was not selected
  stdin.push(code);
  assertEquals(await login, 0, deps.stderr.text);
  assertStringIncludes(
    deps.stderr.text,
    "Nothing was pasted: paste the code shown in your browser. Try again (2 tries and 10:00 left).",
  );
  assertStringIncludes(
    deps.stderr.text,
    "That code looks incomplete: copy the whole code. Try again (1 try and 10:00 left).",
  );
  assertStringIncludes(deps.stderr.text, `Updated profile default to use ${SESSION} credentials.`);
});

Deno.test("--remote on a terminal gives up after three bad pastes, changing nothing", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const deps = fakeDeps({
    env: { HOME: box.home, AWS_ENDPOINT_URL_SIGNIN: emulator.url },
    stdin: scriptedInput(["x", btoa("state=wrong&code=c"), "y"], true),
    stderrIsTerminal: true,
  });
  assertEquals(await run(["login", "--remote", "--region", "us-east-1"], deps), 4);
  assertStringIncludes(deps.stderr.text, "State parameter wrong does not match expected value");
  assertEquals(deps.stderr.text.includes("    at "), false);
  assertEquals(await snapshotTree(box.home), {});
  assertEquals(emulator.counts.token, 0);
});

/** Polls until `probe` returns a value (the CLI runs in this process, concurrently). */
async function until<T>(probe: () => T | undefined | false): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const value = probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("timed out waiting");
}

Deno.test("a login that finishes while another process refreshes the session is not overwritten", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const first = await terminalDeps(box.home, emulator.url, []);
  assertEquals(await run(["login", "--region", "us-east-1"], first), 0, first.stderr.text);
  const path = `${box.cacheDir}/${await sha256Hex(SESSION)}.json`;
  const original = JSON.parse(await Deno.readTextFile(path));

  // The test is the refresher: it holds the session's lock while the login finishes.
  const refresher = await realDeps().fs.lock(`${path}.lock`);
  const deps = await terminalDeps(box.home, emulator.url, []);
  const { deps: watched, reached: reachedLock } = watchingLock(deps, `${path}.lock`);
  const login = run(["login", "--region", "us-east-1"], watched);
  // A login that wrote without the lock would end first.
  assertEquals(await Promise.race([reachedLock, login.then(() => "ended")]), "locking");
  // The refresher saves its refreshed entry (same key, a new token), then lets go.
  await Deno.writeTextFile(
    path,
    JSON.stringify({ ...original, refreshToken: "ASORrefreshedbyanother" }),
  );
  await refresher.release();
  assertEquals(await login, 0, deps.stderr.text);
  const saved = JSON.parse(await Deno.readTextFile(path));
  // The new sign-in, with its own key, is what stays.
  assertTrue(saved.dpopKey !== original.dpopKey);
  assertTrue(saved.refreshToken !== "ASORrefreshedbyanother");
});

/** Deps without a terminal, signing in at the emulator with the fake browser. */
async function scriptDeps(
  home: string,
  endpoint: string,
  env: Record<string, string> = {},
): Promise<FakeDeps> {
  return fakeDeps({ env: { ...await loginEnv(home, endpoint), ...env } });
}

Deno.test("login --yes replaces another session without a terminal; without it, nothing is saved", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  await Deno.mkdir(`${box.home}/.aws`);
  const original =
    "[default]\nregion = us-east-1\nlogin_session = arn:aws:iam::111111111111:user/old\n";
  await Deno.writeTextFile(box.configPath, original);
  const before = await snapshotTree(box.home);

  const refused = await scriptDeps(box.home, emulator.url);
  assertEquals(await run(["login"], refused), 3, refused.stderr.text);
  assertStringIncludes(refused.stderr.text, "nothing was saved");
  assertStringIncludes(refused.stderr.text, "add --yes to replace it");
  assertEquals(await snapshotTree(box.home), before);

  const yes = await scriptDeps(box.home, emulator.url);
  assertEquals(await run(["login", "--yes"], yes), 0, yes.stderr.text);
  assertStringIncludes(
    yes.stderr.text,
    "Profile default used session arn:aws:iam::111111111111:user/old; replacing it (--yes).\n",
  );
  assertEquals(yes.stderr.text.includes("(y/n)"), false);
  assertEquals(
    await Deno.readTextFile(box.configPath),
    original.replace("arn:aws:iam::111111111111:user/old", SESSION),
  );
});

Deno.test("login warns in one line when something would be used instead of the new session", async (t) => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const login = async (env: Record<string, string>) => {
    const deps = await scriptDeps(box.home, emulator.url, env);
    assertEquals(
      await run(["login", "--profile", "dev", "--region", "us-east-1"], deps),
      0,
      deps.stderr.text,
    );
    return deps.stderr.text.split("\n").filter((line) => line.startsWith("warning:"));
  };

  await t.step("nothing: no warning", async () => {
    assertEquals(await login({}), []);
  });

  await t.step("AWS_ACCESS_KEY_ID in the environment", async () => {
    assertEquals(await login({ AWS_ACCESS_KEY_ID: "AKIDEXAMPLE" }), [
      'warning: AWS_ACCESS_KEY_ID is set in this shell: the AWS CLI and SDKs use those keys instead of this login unless given --profile dev; unset them ("unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN"), give tools the profile explicitly (--profile dev), or run them with "aws-login exec --profile dev -- ..."',
    ]);
  });

  await t.step(
    "AWS_PROFILE naming another profile, and keys too: the first, and how many more",
    async () => {
      assertEquals(await login({ AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_PROFILE: "prod" }), [
        'warning: AWS_ACCESS_KEY_ID is set in this shell: the AWS CLI and SDKs use those keys instead of this login unless given --profile dev; unset them ("unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN"), give tools the profile explicitly (--profile dev), or run them with "aws-login exec --profile dev -- ..." (1 more: run "aws-login doctor --profile dev")',
      ]);
      assertEquals(await login({ AWS_PROFILE: "prod" }), [
        'warning: AWS_PROFILE is "prod" in this shell: tools without --profile use profile prod, not dev; set it to dev (export AWS_PROFILE=dev) or give tools --profile dev',
      ]);
    },
  );
});
