/**
 * `logout` in process, on cache files written by the test (spec §10).
 */

import { assertEquals } from "../support/assert.ts";
import { type Sandbox, sandbox } from "../support/cli.ts";
import { sha256Hex, snapshotTree } from "../support/e2e.ts";
import { fakeDeps } from "../support/fake_deps.ts";
import { watchingLock } from "../support/endpoints.ts";
import { run } from "../../lib/cli/run.ts";
import { realDeps } from "../../lib/runtime/real.ts";

const ALICE = "arn:aws:sts::111111111111:assumed-role/Admin/alice";
const BOB = "arn:aws:iam::222222222222:user/bob";

const NOTE_ONE =
  "Note, any local developer tools that have already loaded the access token may continue to use it until its expiration. Access tokens expire in 15 minutes.";
const NOTE_ALL =
  "Note, any local developer tools that have already loaded access tokens may continue to use them until their expiration. Access tokens expire in 15 minutes.";

const CONFIG = `# mine
[profile dev]
login_session = ${ALICE}
region = us-east-2

[profile dev2]
login_session = ${ALICE}

[profile ops]
login_session = ${BOB}

[profile plain]
region = eu-west-1
`;

function session(accountId: string): string {
  return JSON.stringify({
    accessToken: {
      accessKeyId: "ASIAEXAMPLE",
      secretAccessKey: "secret",
      sessionToken: "token",
      accountId,
      expiresAt: "2026-11-26T10:12:00Z",
    },
    clientId: "arn:aws:signin:::devtools/same-device",
    refreshToken: "refresh",
    dpopKey: "key",
  });
}

async function fileOf(box: Sandbox, arn: string): Promise<string> {
  return `${box.cacheDir}/${await sha256Hex(arn)}.json`;
}

/** Config with four profiles; cache with alice's and bob's sessions (with lock files), and others. */
async function populated(): Promise<Sandbox> {
  const box = await sandbox();
  await Deno.mkdir(box.cacheDir, { recursive: true });
  await Deno.writeTextFile(box.configPath, CONFIG);
  await Deno.writeTextFile(await fileOf(box, ALICE), session("111111111111"));
  await Deno.writeTextFile(`${await fileOf(box, ALICE)}.lock`, "");
  await Deno.writeTextFile(await fileOf(box, BOB), session("222222222222"));
  await Deno.writeTextFile(`${await fileOf(box, BOB)}.lock`, "");
  // Not login sessions: left alone by --all.
  await Deno.writeTextFile(`${box.cacheDir}/sso-token.json`, '{"accessToken": "eyJ..."}');
  await Deno.writeTextFile(`${box.cacheDir}/broken.json`, "{");
  return box;
}

async function logout(box: Sandbox, args: string[], env: Record<string, string> = {}) {
  const deps = fakeDeps({ env: { HOME: box.home, ...env } });
  const code = await run(["logout", ...args], deps);
  return { code, stdout: deps.stdout.text, stderr: deps.stderr.text };
}

async function cacheNames(box: Sandbox): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(box.cacheDir))).map((entry) => entry.name).sort();
}

Deno.test("logout --profile: removes that session's file, nothing else", async (t) => {
  await using box = await populated();
  const bob = (await fileOf(box, BOB)).slice(box.cacheDir.length + 1);
  const alice = (await fileOf(box, ALICE)).slice(box.cacheDir.length + 1);

  await t.step(
    "dev: the spec's message, the file gone, its lock file left for waiters",
    async () => {
      const result = await logout(box, ["--profile", "dev"]);
      assertEquals(result, {
        code: 0,
        stdout: "",
        stderr: `Removed cached login credentials for profile 'dev'. ${NOTE_ONE}\n`,
      });
      assertEquals(
        await cacheNames(box),
        [`${alice}.lock`, bob, `${bob}.lock`, "broken.json", "sso-token.json"].sort(),
      );
      assertEquals(await Deno.readTextFile(box.configPath), CONFIG);
    },
  );

  await t.step("dev2 shares the session, already gone: the same message, exit 0", async () => {
    const result = await logout(box, ["--profile", "dev2"]);
    assertEquals(result.code, 0);
    assertEquals(
      result.stderr,
      `Removed cached login credentials for profile 'dev2'. ${NOTE_ONE}\n`,
    );
  });

  await t.step("a profile without login_session: a warning, exit 0", async () => {
    const result = await logout(box, ["--profile", "plain"]);
    assertEquals(result, {
      code: 0,
      stdout: "",
      stderr: "warning: no login session found for profile 'plain'\n",
    });
  });

  await t.step("the profile from AWS_PROFILE", async () => {
    const result = await logout(box, [], { AWS_PROFILE: "ops" });
    assertEquals(
      result.stderr,
      `Removed cached login credentials for profile 'ops'. ${NOTE_ONE}\n`,
    );
    assertEquals(
      await cacheNames(box),
      [`${alice}.lock`, `${bob}.lock`, "broken.json", "sso-token.json"].sort(),
    );
  });

  await t.step("the config file is exactly as it was", async () => {
    assertEquals(await Deno.readTextFile(box.configPath), CONFIG);
  });
});

Deno.test("logout --all: counts the sessions it removed", async (t) => {
  await t.step("two sessions: plural, other files kept", async () => {
    await using box = await populated();
    const result = await logout(box, ["--all"]);
    assertEquals(result, {
      code: 0,
      stdout: "",
      stderr: `Removed 2 cached login credentials. ${NOTE_ALL}\n`,
    });
    assertEquals(
      (await cacheNames(box)).filter((name) => !name.endsWith(".lock")),
      ["broken.json", "sso-token.json"],
    );
    assertEquals(await Deno.readTextFile(box.configPath), CONFIG);
  });

  await t.step("one session: singular", async () => {
    await using box = await populated();
    await Deno.remove(await fileOf(box, BOB));
    const result = await logout(box, ["--all"]);
    assertEquals(result.stderr, `Removed 1 cached login credential. ${NOTE_ALL}\n`);
  });

  await t.step("none: says so, exit 0", async () => {
    await using box = await populated();
    await logout(box, ["--all"]);
    const before = await snapshotTree(box.home);
    const result = await logout(box, ["--all"]);
    assertEquals(result, {
      code: 0,
      stdout: "",
      stderr: "No cached login session tokens found.\n",
    });
    assertEquals(await snapshotTree(box.home), before);
  });

  await t.step("no cache directory: the same", async () => {
    await using box = await sandbox();
    const result = await logout(box, ["--all"]);
    assertEquals(result, {
      code: 0,
      stdout: "",
      stderr: "No cached login session tokens found.\n",
    });
  });

  await t.step("--all with --profile is a usage error, nothing removed", async () => {
    await using box = await populated();
    const before = await snapshotTree(box.home);
    const result = await logout(box, ["--all", "--profile", "dev"]);
    assertEquals(result.code, 2);
    assertEquals(await snapshotTree(box.home), before);
  });
});

Deno.test("logout: waits for a refresh in flight instead of letting it write the session back", async () => {
  await using box = await populated();
  const path = await fileOf(box, ALICE);
  // A sibling export-credentials holds the lock while it refreshes.
  const sibling = await realDeps().fs.lock(`${path}.lock`);
  const base = fakeDeps({ env: { HOME: box.home } });
  const { deps: watched, reached } = watchingLock(base, `${path}.lock`);
  const pending = run(["logout", "--profile", "dev"], watched);
  await reached;
  // The sibling finishes its refresh: the new session replaces the file, then it lets go.
  await Deno.writeTextFile(path, session("111111111111"));
  await sibling.release();
  assertEquals(await pending, 0, base.stderr.text);
  assertEquals(await Deno.stat(path).then(() => "present", () => "gone"), "gone");
  // The lock file stays: another process may be waiting on it.
  assertEquals(await Deno.stat(`${path}.lock`).then(() => "present", () => "gone"), "present");
});

Deno.test("logout --all: sees a cache file that is a symbolic link, and removes only the link", async () => {
  await using box = await populated();
  const target = `${box.home}/elsewhere.json`;
  await Deno.writeTextFile(target, session("333333333333"));
  await Deno.symlink(
    target,
    `${box.cacheDir}/${await sha256Hex("arn:aws:iam::333333333333:user/c")}.json`,
  );
  const result = await logout(box, ["--all"]);
  assertEquals(result.stderr, `Removed 3 cached login credentials. ${NOTE_ALL}\n`);
  assertEquals(await Deno.readTextFile(target), session("333333333333"));
});
