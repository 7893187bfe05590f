/**
 * The refresh decision, {@link nextRefreshStep}, as a table; and the loop around it, in process
 * against the emulator, where the decision matters: callers waiting on one another.
 */

import { assertEquals, assertRejects, assertTrue } from "../support/assert.ts";
import { sandbox } from "../support/cli.ts";
import { fakeDeps } from "../support/fake_deps.ts";
import { setSecondsLeft, signIn } from "../support/session.ts";
import { startEmulator } from "../../scripts/emulator/mod.ts";
import {
  BUSY_LOCK_WAIT_MS,
  EXPIRED_LOCK_WAIT_MS,
  FOREIGN_WRITE_WAIT_MS,
  nextRefreshStep,
  type RefreshFacts,
  type RefreshStep,
  sessionCredentials,
} from "../../lib/aws/session.ts";
import { NetworkError } from "../../lib/errors.ts";
import { TOKEN_RETRY_BUDGET_MS } from "../../lib/signin/token_policy.ts";
import { silentEndpoint } from "../support/endpoints.ts";

const MINUTE = 60_000;

/** Facts of a caller that has just read the file, credentials with `left` ms to go. */
function facts(left: number, change: Partial<RefreshFacts> = {}): RefreshFacts {
  return {
    now: 0,
    expiresAt: left,
    lock: "none",
    rereadUnderLock: false,
    recentFailure: false,
    writable: undefined,
    outcome: undefined,
    foreignLooks: 0,
    foreignChanged: false,
    retriedAfterForeign: false,
    ...change,
  };
}

const HELD = { lock: "held", rereadUnderLock: true } as const;
const READY = { ...HELD, writable: true } as const;

Deno.test("nextRefreshStep(): every situation, one step", () => {
  const table: [string, RefreshFacts, RefreshStep][] = [
    ["fresh: served from the file", facts(6 * MINUTE), { step: "serve" }],
    ["in the window, valid: a short wait for the lock", facts(MINUTE), {
      step: "lock",
      waitMs: BUSY_LOCK_WAIT_MS,
    }],
    ["expired: a long wait for the lock", facts(-MINUTE), {
      step: "lock",
      waitMs: EXPIRED_LOCK_WAIT_MS,
    }],
    ["lock busy, valid: served as they are", facts(MINUTE, { lock: "busy" }), {
      step: "serve-stale",
      why: "busy",
    }],
    ["lock busy, expired: fail", facts(-MINUTE, { lock: "busy" }), { step: "fail", why: "busy" }],
    ["locked: read again first", facts(MINUTE, { lock: "held" }), { step: "reread" }],
    ["a sibling refreshed meanwhile: served", facts(10 * MINUTE, HELD), { step: "serve" }],
    [
      "a failure a moment ago, valid: served, no second cycle",
      facts(MINUTE, {
        ...HELD,
        recentFailure: true,
      }),
      { step: "serve-stale", why: "passing" },
    ],
    [
      "a failure a moment ago, expired: reported at once",
      facts(-MINUTE, {
        ...HELD,
        recentFailure: true,
      }),
      { step: "fail", why: "remembered" },
    ],
    ["before spending the token: can the file be saved?", facts(MINUTE, HELD), { step: "probe" }],
    ["it cannot, valid: served, the token kept", facts(MINUTE, { ...HELD, writable: false }), {
      step: "serve-stale",
      why: "unwritable",
    }],
    ["it cannot, expired: fail before spending", facts(-MINUTE, { ...HELD, writable: false }), {
      step: "fail",
      why: "unwritable",
    }],
    ["it can: refresh", facts(MINUTE, READY), { step: "refresh" }],
    ["refused: look at the file at once", facts(MINUTE, { ...READY, outcome: "refused" }), {
      step: "look-again",
      pauseMs: 0,
    }],
    [
      "refused, unchanged: look again after a pause",
      facts(MINUTE, {
        ...READY,
        outcome: "refused",
        foreignLooks: 1,
      }),
      { step: "look-again", pauseMs: FOREIGN_WRITE_WAIT_MS },
    ],
    [
      "refused, another writer's token found: refresh with it",
      facts(MINUTE, {
        ...READY,
        outcome: "refused",
        foreignLooks: 1,
        foreignChanged: true,
      }),
      { step: "refresh" },
    ],
    [
      "refused again with that token: fail",
      facts(MINUTE, {
        ...READY,
        outcome: "refused",
        foreignLooks: 1,
        foreignChanged: true,
        retriedAfterForeign: true,
      }),
      { step: "fail", why: "refused" },
    ],
    [
      "refused, still unchanged after the pause: fail",
      facts(MINUTE, {
        ...READY,
        outcome: "refused",
        foreignLooks: 2,
      }),
      { step: "fail", why: "refused" },
    ],
    [
      "out of reach, valid: served with a warning",
      facts(MINUTE, {
        ...READY,
        outcome: "passing",
      }),
      { step: "serve-stale", why: "passing" },
    ],
    ["out of reach, expired: fail", facts(-MINUTE, { ...READY, outcome: "passing" }), {
      step: "fail",
      why: "passing",
    }],
    ["anything else: fail", facts(MINUTE, { ...READY, outcome: "fatal" }), {
      step: "fail",
      why: "fatal",
    }],
  ];
  for (const [name, input, expected] of table) assertEquals(nextRefreshStep(input), expected, name);
});

Deno.test("three callers and a token endpoint that never answers: one retry cycle, not three", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const { path, loginSession } = await signIn(emulator, box, { profile: "dev" });
  await setSecondsLeft(path, -MINUTE / 1000);
  // Shared by the three callers: one virtual clock, as one machine has one clock.
  const silent = silentEndpoint(() => deps);
  const deps = fakeDeps({
    env: { HOME: box.home, AWS_ENDPOINT_URL_SIGNIN: emulator.url },
    clock: "auto",
    fetch: silent.fetch,
  });
  const caller = deps;
  const started = deps.now().getTime();
  const request = { profile: "dev", loginSession, profileValues: {} };
  const outcomes = await Promise.allSettled([
    sessionCredentials(caller, request),
    sessionCredentials(caller, request),
    sessionCredentials(caller, request),
  ]);
  for (const outcome of outcomes) {
    assertEquals(outcome.status, "rejected");
    assertTrue((outcome as PromiseRejectedResult).reason instanceof NetworkError);
  }
  // The first one ran the cycle (two attempts in its budget); the others learnt its outcome.
  assertEquals(silent.calls(), 2);
  const spent = deps.now().getTime() - started;
  assertTrue(spent <= TOKEN_RETRY_BUDGET_MS + 1000, `${spent} ms`);
  await assertRejects(() => sessionCredentials(caller, request), NetworkError, "a moment ago");
});

Deno.test("a lock note that cannot be cleared after a refresh does not lose the refreshed session", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const { path, loginSession } = await signIn(emulator, box, { profile: "dev" });
  await setSecondsLeft(path, -MINUTE / 1000);
  const before = JSON.parse(await Deno.readTextFile(path));
  const real = fakeDeps({ env: { HOME: box.home, AWS_ENDPOINT_URL_SIGNIN: emulator.url } });
  const deps = {
    ...real,
    fs: {
      ...real.fs,
      async lock(lockPath: string, options: { signal?: AbortSignal }) {
        const held = await real.fs.lock(lockPath, options);
        return { ...held, writeNote: () => Promise.reject(new Error("No space left on device")) };
      },
    },
  };
  const request = { profile: "dev", loginSession, profileValues: {} };
  const { credentials } = await sessionCredentials(deps, request);
  assertEquals(emulator.counts.tokenByGrant.refresh_token, 1);
  const after = JSON.parse(await Deno.readTextFile(path));
  // The new refresh token and credentials were saved: the next caller does not spend the old one.
  assertTrue(after.refreshToken !== before.refreshToken);
  assertEquals(after.accessToken.accessKeyId, credentials.accessKeyId);
});

Deno.test("nextRefreshStep() with force (status --check): the refresh is the answer", () => {
  // Fresh credentials, 10 minutes left: without force they would be served.
  const fresh = (change: Partial<RefreshFacts> = {}) =>
    facts(10 * MINUTE, { force: true, ...change });
  const table: [string, RefreshFacts, RefreshStep][] = [
    ["fresh credentials are refreshed anyway", fresh(), {
      step: "lock",
      waitMs: EXPIRED_LOCK_WAIT_MS,
    }],
    ["a sibling's fresh refresh does not count", fresh(READY), { step: "refresh" }],
    ["busy is a failure", fresh({ lock: "busy" }), { step: "fail", why: "busy" }],
    ["a passing failure is reported", fresh({ ...READY, outcome: "passing" }), {
      step: "fail",
      why: "passing",
    }],
    ["a recent failure is reported", fresh({ ...HELD, recentFailure: true }), {
      step: "fail",
      why: "remembered",
    }],
    ["an unwritable directory is reported", fresh({ ...HELD, writable: false }), {
      step: "fail",
      why: "unwritable",
    }],
  ];
  for (const [name, input, expected] of table) assertEquals(nextRefreshStep(input), expected, name);
});
