/**
 * The in-memory credentials of `exec` and `serve`: the decision as a table, then the cache around a
 * counting resolver with the fake clock, so that nothing here waits for real time.
 */

import { assertEquals, assertRejects, assertTrue } from "../support/assert.ts";
import {
  type CacheState,
  FAILURE_HOLD_MS,
  nextStep,
  openCredentialCache,
  REFRESH_WINDOW_MS,
  STALE_RETRY_MS,
} from "../../lib/aws/credential_cache.ts";
import type { ProfileCredentials } from "../../lib/aws/profile_credentials.ts";
import { LoginRequiredError, NetworkError } from "../../lib/errors.ts";
import { fakeDeps } from "../support/fake_deps.ts";

const NOW = Date.parse("2026-12-01T10:00:00Z");
const MINUTE = 60_000;

function credentials(minutesLeft: number | undefined, key = "ASIA1"): ProfileCredentials {
  return {
    accessKeyId: key,
    secretAccessKey: "secret",
    sessionToken: "token",
    expiration: minutesLeft === undefined ? undefined : new Date(NOW + minutesLeft * MINUTE),
    accountId: "123456789012",
    source: minutesLeft === undefined ? "static-keys" : "login-session",
  };
}

Deno.test("nextStep() serves memory far from expiry and resolves otherwise", () => {
  const at = (minutesLeft: number | undefined, resolvedAgoMs = 0): CacheState => ({
    current: { credentials: credentials(minutesLeft), resolvedAt: NOW - resolvedAgoMs },
  });
  const failed = (agoMs: number, state: CacheState = {}): CacheState => ({
    ...state,
    failure: { error: new NetworkError("down"), at: NOW - agoMs },
  });
  const cases: [string, CacheState, boolean, string][] = [
    ["nothing yet", {}, false, "resolve"],
    ["14 minutes left", at(14), false, "serve"],
    ["just over the refresh window", at(5.1), false, "serve"],
    ["inside the refresh window, resolved long ago", at(4, 10 * MINUTE), false, "resolve"],
    ["inside the window, just resolved (refresh failed, still valid)", at(4, 1000), false, "serve"],
    ["inside the window, resolved 30 s ago", at(4, STALE_RETRY_MS), false, "resolve"],
    ["expired, just resolved", at(-1, 1000), false, "resolve"],
    ["long-term keys", at(undefined, 10 * 60 * MINUTE), false, "serve"],
    ["the cache file changed", at(14), true, "resolve"],
    ["a fresh failure", failed(1000, at(14)), false, "fail"],
    ["a fresh failure, but the file changed", failed(1000, at(14)), true, "resolve"],
    ["an old failure", failed(FAILURE_HOLD_MS, at(14)), false, "resolve"],
    ["a failure before anything was resolved", failed(1000), false, "fail"],
  ];
  for (const [what, state, fileChanged, expected] of cases) {
    assertEquals(nextStep(state, { now: NOW, fileChanged }), expected, what);
  }
  assertEquals(REFRESH_WINDOW_MS, 5 * MINUTE);
});

/** A resolver that counts its calls and answers what the test queued, slowly when asked. */
function resolver(answers: (ProfileCredentials | Error)[]) {
  let calls = 0;
  let release: () => void = () => {};
  let gate: Promise<void> | undefined;
  return {
    get calls() {
      return calls;
    },
    /** The next resolutions wait until `open()`. */
    hold() {
      gate = new Promise((resolve) => release = resolve);
    },
    open() {
      release();
      gate = undefined;
    },
    resolve: async () => {
      calls++;
      await gate;
      const answer = answers.length > 1 ? answers.shift()! : answers[0]!;
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

Deno.test("the cache: memory far from expiry, one resolution for 32 requests at once", async () => {
  const deps = fakeDeps({ now: new Date(NOW) });
  const source = resolver([credentials(15, "ASIA1"), credentials(15 + 11, "ASIA2")]);
  const cache = await openCredentialCache(deps, { resolve: source.resolve });
  assertEquals(source.calls, 1);

  for (let i = 0; i < 5; i++) assertEquals((await cache.get()).accessKeyId, "ASIA1");
  deps.advance(9 * MINUTE);
  assertEquals((await cache.get()).accessKeyId, "ASIA1");
  assertEquals(source.calls, 1);

  // 11 minutes in, 4 left: a refresh is due; 32 requests arrive while it runs.
  deps.advance(2 * MINUTE);
  source.hold();
  const all = Promise.all(Array.from({ length: 32 }, () => cache.get()));
  assertEquals(source.calls, 2); // the first request started it; the other 31 wait for it
  source.open();
  const results = await all;
  assertEquals(source.calls, 2);
  assertEquals(new Set(results.map((c) => c.accessKeyId)), new Set(["ASIA2"]));
  assertTrue(results.every((c) => c === results[0]));
  assertEquals((await cache.get()).accessKeyId, "ASIA2");
  assertEquals(source.calls, 2);
});

Deno.test("the cache: a failure is reported once, repeated for a while, then retried", async () => {
  const deps = fakeDeps({ now: new Date(NOW) });
  const expired = new LoginRequiredError("Your session has expired", {
    hint: 'Run "aws-login login --profile dev" to sign in again',
  });
  const source = resolver([credentials(6), expired, expired, expired, credentials(15, "ASIA9")]);
  const failures: unknown[] = [];
  let recoveries = 0;
  const cache = await openCredentialCache(deps, {
    resolve: source.resolve,
    onFailure: (error) => failures.push(error),
    onRecovery: () => recoveries++,
  });
  deps.advance(2 * MINUTE); // 4 minutes left: resolve, which fails
  await assertRejects(() => cache.get(), LoginRequiredError, "expired");
  await assertRejects(() => cache.get(), LoginRequiredError, "expired");
  assertEquals(source.calls, 2);
  deps.advance(FAILURE_HOLD_MS);
  await assertRejects(() => cache.get(), LoginRequiredError, "expired");
  assertEquals(source.calls, 3);
  deps.advance(FAILURE_HOLD_MS);
  await assertRejects(() => cache.get(), LoginRequiredError, "expired");
  assertEquals(failures, [expired]);
  deps.advance(FAILURE_HOLD_MS);
  assertEquals((await cache.get()).accessKeyId, "ASIA9");
  assertEquals(recoveries, 1);
});

Deno.test("the cache: the first resolution's failure is the caller's, not reported", async () => {
  const failures: unknown[] = [];
  await assertRejects(
    () =>
      openCredentialCache(fakeDeps(), {
        resolve: () => Promise.reject(new LoginRequiredError("Profile dev has no login session")),
        onFailure: (error) => failures.push(error),
      }),
    LoginRequiredError,
  );
  assertEquals(failures, []);
});

Deno.test("the cache: a change of the login cache file is read at the next request", async () => {
  const deps = fakeDeps({ now: new Date(NOW) });
  const directory = await Deno.makeTempDir({ prefix: "aws-login-cache-test-" });
  try {
    const cacheFile = `${directory}/session.json`;
    await Deno.writeTextFile(cacheFile, "{}");
    await Deno.utime(cacheFile, new Date(NOW - MINUTE), new Date(NOW - MINUTE));
    const source = resolver([
      { ...credentials(15, "ASIA1"), cacheFile },
      { ...credentials(15, "ASIA2"), cacheFile },
    ]);
    const cache = await openCredentialCache(deps, { resolve: source.resolve });
    assertEquals((await cache.get()).accessKeyId, "ASIA1");
    assertEquals(source.calls, 1);
    // Another process refreshed (or signed in again): the file is newer.
    await Deno.utime(cacheFile, new Date(NOW), new Date(NOW));
    assertEquals((await cache.get()).accessKeyId, "ASIA2");
    assertEquals((await cache.get()).accessKeyId, "ASIA2");
    assertEquals(source.calls, 2);
    // Logged out: the file is gone, which is a change too.
    await Deno.remove(cacheFile);
    await cache.get();
    assertEquals(source.calls, 3);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});
