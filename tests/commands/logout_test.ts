/**
 * `logout` in process (spec §10, §17): the local files, on cache files written by the test with
 * `--no-revoke`; the revocation at AWS Sign-In against the emulator, on sessions the real `login`
 * signed in.
 */

import { assertEquals, assertMatch, assertStringIncludes } from "../support/assert.ts";
import { type Sandbox, sandbox } from "../support/cli.ts";
import { sha256Hex, snapshotTree } from "../support/e2e.ts";
import { fakeDeps } from "../support/fake_deps.ts";
import { watchingLock } from "../support/endpoints.ts";
import { setSecondsLeft, signIn } from "../support/session.ts";
import { run } from "../../lib/run.ts";
import { realDeps } from "../../lib/runtime/real.ts";
import { DEFAULT_SESSION_ARN, startEmulator } from "../../scripts/emulator/mod.ts";

const ALICE = "arn:aws:sts::111111111111:assumed-role/Admin/alice";
const BOB = "arn:aws:iam::222222222222:user/bob";

const NOTE =
  "Tools that already loaded credentials may use them until they expire (at most 15 minutes).\n";
const NOT_REVOKED =
  "A session not revoked at AWS Sign-In can no longer be refreshed from this machine, but its refresh token stays valid at AWS until the session ends.\n";

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

Deno.test("logout --profile --no-revoke: removes that session's file, nothing else", async (t) => {
  await using box = await populated();
  const bob = (await fileOf(box, BOB)).slice(box.cacheDir.length + 1);
  const alice = (await fileOf(box, ALICE)).slice(box.cacheDir.length + 1);

  await t.step(
    "dev: the spec's message, the file gone, its lock file left for waiters",
    async () => {
      const result = await logout(box, ["--profile", "dev", "--no-revoke"]);
      assertEquals(result, {
        code: 0,
        stdout: "",
        stderr:
          `Signed out ${ALICE} (profiles dev, dev2) on this machine; not revoked at AWS Sign-In (--no-revoke)\n${NOTE}${NOT_REVOKED}`,
      });
      assertEquals(
        await cacheNames(box),
        [`${alice}.lock`, bob, `${bob}.lock`, "broken.json", "sso-token.json"].sort(),
      );
      assertEquals(await Deno.readTextFile(box.configPath), CONFIG);
    },
  );

  await t.step("dev2 shares the session, already gone: nothing to remove, exit 0", async () => {
    const before = await snapshotTree(box.home);
    const result = await logout(box, ["--profile", "dev2"]);
    assertEquals(result, {
      code: 0,
      stdout: "",
      stderr: `No cached login session for profile dev2 (${ALICE}): nothing to remove\n`,
    });
    assertEquals(await snapshotTree(box.home), before);
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
    const result = await logout(box, ["--no-revoke"], { AWS_PROFILE: "ops" });
    assertEquals(
      result.stderr,
      `Signed out ${BOB} (profile ops) on this machine; not revoked at AWS Sign-In (--no-revoke)\n${NOTE}${NOT_REVOKED}`,
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

Deno.test("logout --all --no-revoke: counts the sessions and profiles it signed out", async (t) => {
  const line = (session: string, profiles: string) =>
    `Signed out ${session} (${profiles}) on this machine; not revoked at AWS Sign-In (--no-revoke)\n`;
  const sorted = async (box: Sandbox, lines: [string, string][]) => {
    const named = await Promise.all(lines.map(async ([s, p]) => [await fileOf(box, s), s, p]));
    return named.sort(([a], [b]) => a!.localeCompare(b!)).map(([, s, p]) => line(s!, p!)).join("");
  };

  await t.step("two sessions: plural, other files kept", async () => {
    await using box = await populated();
    const result = await logout(box, ["--all", "--no-revoke"]);
    assertEquals(result, {
      code: 0,
      stdout: "",
      stderr: (await sorted(box, [[ALICE, "profiles dev, dev2"], [BOB, "profile ops"]])) +
        `Signed out 2 login sessions used by 3 profiles; 0 revoked at AWS Sign-In.\n${NOTE}${NOT_REVOKED}`,
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
    const result = await logout(box, ["--all", "--no-revoke"]);
    assertEquals(
      result.stderr,
      line(ALICE, "profiles dev, dev2") +
        `Signed out 1 login session used by 2 profiles; 0 revoked at AWS Sign-In.\n${NOTE}${NOT_REVOKED}`,
    );
  });

  await t.step("a corrupt file that a profile names goes too, as with --profile", async () => {
    for (const revoke of [["--no-revoke"], []]) {
      await using box = await populated();
      await Deno.writeTextFile(await fileOf(box, BOB), "{ not json");
      const result = await logout(box, ["--all", ...revoke]);
      assertEquals(result.code, 0, result.stderr);
      assertStringIncludes(result.stderr, `Signed out ${BOB} (profile ops) on this machine`);
      assertStringIncludes(result.stderr, "Signed out 2 login sessions used by 3 profiles");
      // Files that no profile names and that are no sessions stay.
      assertEquals(
        (await cacheNames(box)).filter((name) => !name.endsWith(".lock")),
        ["broken.json", "sso-token.json"],
      );
      assertEquals(await Deno.readTextFile(box.configPath), CONFIG);
    }
  });

  await t.step("none: says so, exit 0", async () => {
    await using box = await populated();
    await logout(box, ["--all", "--no-revoke"]);
    const before = await snapshotTree(box.home);
    const result = await logout(box, ["--all"]);
    assertEquals(result, {
      code: 0,
      stdout: "",
      stderr: "No cached login sessions: nothing to remove.\n",
    });
    assertEquals(await snapshotTree(box.home), before);
  });

  await t.step("no cache directory: the same", async () => {
    await using box = await sandbox();
    const result = await logout(box, ["--all"]);
    assertEquals(result, {
      code: 0,
      stdout: "",
      stderr: "No cached login sessions: nothing to remove.\n",
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
  const pending = run(["logout", "--profile", "dev", "--no-revoke"], watched);
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
  const result = await logout(box, ["--all", "--no-revoke"]);
  assertStringIncludes(
    result.stderr,
    "Signed out 3 login sessions used by 3 profiles; 0 revoked at AWS Sign-In.\n",
  );
  assertStringIncludes(result.stderr, "Signed out an unknown session (no profile) on this machine");
  assertEquals(await Deno.readTextFile(target), session("333333333333"));
});

// ---- Revocation at AWS Sign-In, against the emulator ----

/** A sandbox signed in at the emulator as profile dev, with profile default on the same session. */
async function signedIn(emulator: Awaited<ReturnType<typeof startEmulator>>) {
  const box = await sandbox();
  const session = await signIn(emulator, box, { profile: "dev", region: "eu-west-1" });
  const config = await Deno.readTextFile(box.configPath);
  await Deno.writeTextFile(
    box.configPath,
    `${config}\n[default]\nlogin_session = ${DEFAULT_SESSION_ARN}\n`,
  );
  return { box, session };
}

/** Time moves with every sleep: a refused refresh looks again for another writer's token. */
function revokingDeps(box: Sandbox, endpoint: string, env: Record<string, string> = {}) {
  return fakeDeps({
    env: { HOME: box.home, AWS_ENDPOINT_URL_SIGNIN: endpoint, ...env },
    clock: "auto",
  });
}

Deno.test("logout: revokes the refresh token at AWS Sign-In, then removes the files", async (t) => {
  await using emulator = await startEmulator({ regions: ["eu-west-1"] });
  const { box, session } = await signedIn(emulator);
  await using _box = box;
  const copy = await Deno.readTextFile(session.path);
  const config = await Deno.readTextFile(box.configPath);

  await t.step("the session ARN, every profile that used it, and what AWS did", async () => {
    const deps = revokingDeps(box, emulator.url);
    assertEquals(await run(["logout", "--profile", "dev"], deps), 0, deps.stderr.text);
    assertEquals(
      deps.stderr.text,
      `Signed out ${DEFAULT_SESSION_ARN} (profiles dev, default); revoked at AWS Sign-In\n${NOTE}`,
    );
    assertEquals(
      [emulator.counts.revoke, emulator.counts.revokeRejected, emulator.counts.revokedSessions],
      [1, 0, 1],
    );
    // Valid credentials sign the request: no refresh was needed.
    assertEquals(emulator.counts.tokenByGrant.refresh_token, 0);
    assertEquals(await Deno.stat(session.path).then(() => "present", () => "gone"), "gone");
    assertEquals(await Deno.readTextFile(box.configPath), config);
  });

  await t.step("a second logout says there is nothing to remove, and calls nobody", async () => {
    const deps = revokingDeps(box, emulator.url);
    assertEquals(await run(["logout", "--profile", "default"], deps), 0);
    assertEquals(
      deps.stderr.text,
      `No cached login session for profile default (${DEFAULT_SESSION_ARN}): nothing to remove\n`,
    );
    assertEquals(emulator.counts.revoke, 1);
  });

  await t.step(
    "a copy of the refresh token no longer refreshes: the chain is revoked",
    async () => {
      await Deno.writeTextFile(session.path, copy);
      await setSecondsLeft(session.path, -60);
      const deps = revokingDeps(box, emulator.url);
      const errors = emulator.counts.tokenErrors;
      assertEquals(await run(["export-credentials", "--profile", "dev"], deps), 6);
      assertStringIncludes(deps.stderr.text, "AWS Sign-In refused to refresh the session");
      assertEquals(emulator.counts.tokenErrors > errors, true);
      assertEquals(emulator.counts.tokenByGrant.refresh_token, 0);
    },
  );
});

Deno.test("logout: expired credentials are refreshed first, so that the revocation is signed", async () => {
  await using emulator = await startEmulator({ regions: ["eu-west-1"] });
  const { box, session } = await signedIn(emulator);
  await using _box = box;
  await setSecondsLeft(session.path, -30);
  const deps = revokingDeps(box, emulator.url);
  assertEquals(await run(["logout"], deps), 0, deps.stderr.text);
  assertEquals(
    deps.stderr.text,
    `Signed out ${DEFAULT_SESSION_ARN} (profiles dev, default); revoked at AWS Sign-In\n${NOTE}`,
  );
  assertEquals(
    [emulator.counts.tokenByGrant.refresh_token, emulator.counts.revoke],
    [1, 1],
  );
  assertEquals(emulator.counts.revokedSessions, 1);
  assertEquals(await Deno.stat(session.path).then(() => "present", () => "gone"), "gone");
});

Deno.test("logout: a revocation that fails never keeps the local files", async (t) => {
  await t.step("access denied: the missing IAM permission is named", async () => {
    await using emulator = await startEmulator({ regions: ["eu-west-1"], revokeAllowed: false });
    const { box, session } = await signedIn(emulator);
    await using _box = box;
    const deps = revokingDeps(box, emulator.url);
    assertEquals(await run(["logout", "--profile", "dev"], deps), 0, deps.stderr.text);
    assertMatch(
      deps.stderr.text,
      new RegExp(
        `^Signed out ${
          DEFAULT_SESSION_ARN.replaceAll("/", "\\/")
        } \\(profiles dev, default\\) on this machine, but not revoked at AWS Sign-In: the IAM permission signin:RevokeOAuth2TokenWithIAM is missing \\(AccessDeniedException: User: [^\\n]+ is not authorized to perform: signin:RevokeOAuth2TokenWithIAM[^\\n]*\\)\\n${
          RegExp.escape(NOTE + NOT_REVOKED)
        }$`,
      ),
    );
    assertEquals([emulator.counts.revoke, emulator.counts.revokedSessions], [1, 0]);
    assertEquals(await Deno.stat(session.path).then(() => "present", () => "gone"), "gone");
  });

  await t.step("AWS Sign-In out of reach", async () => {
    const emulator = await startEmulator({ regions: ["eu-west-1"] });
    const { box, session } = await signedIn(emulator);
    await using _box = box;
    const url = emulator.url;
    await emulator.close();
    const deps = revokingDeps(box, url);
    assertEquals(await run(["logout", "--profile", "dev"], deps), 0, deps.stderr.text);
    assertStringIncludes(
      deps.stderr.text,
      `Signed out ${DEFAULT_SESSION_ARN} (profiles dev, default) on this machine, but not revoked at AWS Sign-In: Unable to reach AWS Sign-In at ${url}: `,
    );
    assertEquals(await Deno.stat(session.path).then(() => "present", () => "gone"), "gone");
  });

  await t.step("FIPS endpoints, and a partition without an OAuth endpoint", async () => {
    await using box = await populated();
    const valid = (region: string) =>
      JSON.stringify({
        ...JSON.parse(session("111111111111")),
        accessToken: {
          ...JSON.parse(session("111111111111")).accessToken,
          expiresAt: new Date(Date.now() + 600_000).toISOString(),
        },
        signInRegion: region,
      });
    await Deno.writeTextFile(await fileOf(box, ALICE), valid("us-east-1"));
    await Deno.writeTextFile(await fileOf(box, BOB), valid("cn-north-1"));
    const fips = await logout(box, ["--profile", "dev"], { AWS_USE_FIPS_ENDPOINT: "true" });
    assertEquals(fips.code, 0);
    assertStringIncludes(
      fips.stderr,
      `Signed out ${ALICE} (profiles dev, dev2) on this machine, but not revoked at AWS Sign-In: FIPS endpoints are not supported for OAuth operations`,
    );
    const china = await logout(box, ["--profile", "ops"]);
    assertStringIncludes(
      china.stderr,
      `Signed out ${BOB} (profile ops) on this machine, but not revoked at AWS Sign-In: AWS Sign-In has no known OAuth endpoint in the partition "aws-cn" of region "cn-north-1"`,
    );
    assertEquals(await cacheNames(box).then((names) => names.filter((n) => n.endsWith(".json"))), [
      "broken.json",
      "sso-token.json",
    ]);
  });
});

Deno.test("logout --no-revoke: no call to AWS Sign-In", async () => {
  await using emulator = await startEmulator({ regions: ["eu-west-1"] });
  const { box, session } = await signedIn(emulator);
  await using _box = box;
  const deps = revokingDeps(box, emulator.url);
  assertEquals(await run(["logout", "--no-revoke"], deps), 0, deps.stderr.text);
  assertEquals(
    deps.stderr.text,
    `Signed out ${DEFAULT_SESSION_ARN} (profiles dev, default) on this machine; not revoked at AWS Sign-In (--no-revoke)\n${NOTE}${NOT_REVOKED}`,
  );
  assertEquals([emulator.counts.revoke, emulator.counts.token], [0, 1]);
  assertEquals(await Deno.stat(session.path).then(() => "present", () => "gone"), "gone");
});

Deno.test("logout --all: revokes every session, each at its own endpoint, and counts them", async () => {
  await using alice = await startEmulator({ regions: ["eu-west-1"] });
  await using bob = await startEmulator({ regions: ["us-east-2"], sessionArn: BOB });
  await using box = await sandbox();
  await signIn(alice, box, { profile: "dev", region: "eu-west-1" });
  await signIn(bob, box, { profile: "ops", region: "us-east-2", endpoint: bob.url });
  // Each profile names its own Sign-In endpoint, as a profile may.
  const config = (await Deno.readTextFile(box.configPath))
    .replace("[profile dev]\n", `[profile dev]\nendpoint_url = ${alice.url}\n`)
    .replace("[profile ops]\n", `[profile ops]\nendpoint_url = ${bob.url}\n`);
  await Deno.writeTextFile(box.configPath, config);
  const deps = fakeDeps({ env: { HOME: box.home } });
  assertEquals(await run(["logout", "--all"], deps), 0, deps.stderr.text);
  const lines = deps.stderr.text.split("\n");
  assertEquals(
    lines.slice(0, 2).sort(),
    [
      `Signed out ${BOB} (profile ops); revoked at AWS Sign-In`,
      `Signed out ${DEFAULT_SESSION_ARN} (profile dev); revoked at AWS Sign-In`,
    ].sort(),
  );
  assertEquals(
    lines.slice(2).join("\n"),
    `Signed out 2 login sessions used by 2 profiles; 2 revoked at AWS Sign-In.\n${NOTE}`,
  );
  assertEquals([alice.counts.revokedSessions, bob.counts.revokedSessions], [1, 1]);
  const left = (await Array.fromAsync(Deno.readDir(box.cacheDir))).filter((e) =>
    e.name.endsWith(".json")
  );
  assertEquals(left, []);
});
