/**
 * The refresh decision of `lib/aws/session.ts` as a table: what `nextRefreshStep()` does for each
 * combination of facts that matters.
 */

import { assertEquals } from "../support/assert.ts";
import {
  BUSY_LOCK_WAIT_MS,
  EXPIRED_LOCK_WAIT_MS,
  FOREIGN_WRITE_WAIT_MS,
  nextRefreshStep,
  type RefreshFacts,
  type RefreshStep,
} from "../../lib/aws/session.ts";

const MINUTE = 60_000;

const START: RefreshFacts = {
  now: 0,
  expiresAt: 10 * MINUTE,
  lock: "none",
  rereadUnderLock: false,
  recentFailure: false,
  writable: undefined,
  outcome: undefined,
  foreignLooks: 0,
  foreignChanged: false,
  retriedAfterForeign: false,
};

const HELD = { lock: "held", rereadUnderLock: true, writable: true } as const;

Deno.test("nextRefreshStep() decides from the facts alone", () => {
  const table: [string, Partial<RefreshFacts>, RefreshStep][] = [
    ["fresh credentials are served", {}, { step: "serve" }],
    ["5 minutes or less: lock, briefly", { expiresAt: 4 * MINUTE }, {
      step: "lock",
      waitMs: BUSY_LOCK_WAIT_MS,
    }],
    ["expired: lock, for a holder's whole budget", { expiresAt: -MINUTE }, {
      step: "lock",
      waitMs: EXPIRED_LOCK_WAIT_MS,
    }],
    ["busy but valid: serve what is in hand", { expiresAt: MINUTE, lock: "busy" }, {
      step: "serve-stale",
      why: "busy",
    }],
    ["busy and expired: fail", { expiresAt: -MINUTE, lock: "busy" }, {
      step: "fail",
      why: "busy",
    }],
    ["held: read the file again", { expiresAt: MINUTE, lock: "held" }, { step: "reread" }],
    ["re-read, then probe", { expiresAt: MINUTE, lock: "held", rereadUnderLock: true }, {
      step: "probe",
    }],
    ["writable: refresh", { expiresAt: MINUTE, ...HELD }, { step: "refresh" }],
    ["a sibling refreshed meanwhile: serve", { ...HELD }, { step: "serve" }],
    ["a passing failure, still valid: serve stale", {
      expiresAt: MINUTE,
      ...HELD,
      outcome: "passing",
    }, { step: "serve-stale", why: "passing" }],
    ["refused: look again at once", { expiresAt: MINUTE, ...HELD, outcome: "refused" }, {
      step: "look-again",
      pauseMs: 0,
    }],
    ["refused, unchanged: look again after a pause", {
      expiresAt: MINUTE,
      ...HELD,
      outcome: "refused",
      foreignLooks: 1,
    }, { step: "look-again", pauseMs: FOREIGN_WRITE_WAIT_MS }],
    // force (status --check): the refresh is the answer, never the credentials in hand.
    ["force: fresh credentials are refreshed anyway", { force: true }, {
      step: "lock",
      waitMs: EXPIRED_LOCK_WAIT_MS,
    }],
    ["force: a sibling's fresh refresh does not count", { force: true, ...HELD }, {
      step: "refresh",
    }],
    ["force: busy is a failure", { force: true, lock: "busy" }, { step: "fail", why: "busy" }],
    ["force: a passing failure is reported", { force: true, ...HELD, outcome: "passing" }, {
      step: "fail",
      why: "passing",
    }],
    ["force: a recent failure is reported", {
      force: true,
      lock: "held",
      rereadUnderLock: true,
      recentFailure: true,
    }, { step: "fail", why: "remembered" }],
    ["force: an unwritable directory is reported", { force: true, ...HELD, writable: false }, {
      step: "fail",
      why: "unwritable",
    }],
  ];
  for (const [name, change, expected] of table) {
    assertEquals(nextRefreshStep({ ...START, ...change }), expected, name);
  }
});
