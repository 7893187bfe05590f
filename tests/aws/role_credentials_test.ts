/**
 * The decision for one role of a chain (`nextRoleStep`), as a table, and the default session name.
 * Carrying the steps out is covered against the emulator in
 * `tests/commands/role_profiles_test.ts`.
 */

import { assertEquals } from "../support/assert.ts";
import { BUSY_LOCK_WAIT_MS } from "../../lib/aws/session.ts";
import {
  defaultSessionName,
  nextRoleStep,
  ROLE_LOCK_WAIT_MS,
  type RoleFacts,
  type RoleStep,
} from "../../lib/aws/role_credentials.ts";

const NOW = 1_000_000_000;
const MINUTE = 60_000;

const start: RoleFacts = {
  now: NOW,
  expiresAt: undefined,
  lock: "none",
  rereadUnderLock: false,
  recentFailure: false,
  mfa: "none",
  outcome: undefined,
};

const held = { lock: "held", rereadUnderLock: true } as const;

Deno.test("nextRoleStep() serves, locks, reads again, assumes, serves stale or fails", () => {
  const cases: [string, Partial<RoleFacts>, RoleStep][] = [
    ["fresh credentials: served, no lock", { expiresAt: NOW + 6 * MINUTE }, { step: "serve" }],
    ["none cached: the lock, with the long wait", {}, { step: "lock", waitMs: ROLE_LOCK_WAIT_MS }],
    [
      "4 minutes left: the lock, with the short wait",
      { expiresAt: NOW + 4 * MINUTE },
      { step: "lock", waitMs: BUSY_LOCK_WAIT_MS },
    ],
    [
      "valid, another process keeps the lock: serve them",
      { expiresAt: NOW + 4 * MINUTE, lock: "busy" },
      { step: "serve-stale", why: "busy" },
    ],
    ["expired, the lock stays busy: fail", { lock: "busy" }, { step: "fail", why: "busy" }],
    ["the lock held: read the file again", { lock: "held" }, { step: "reread" }],
    [
      "another process assumed it meanwhile: served",
      { ...held, expiresAt: NOW + 50 * MINUTE },
      { step: "serve" },
    ],
    ["still due: assume the role", { ...held }, { step: "assume" }],
    ["MFA with a terminal: assume (the code is asked)", { ...held, mfa: "ask" }, {
      step: "assume",
    }],
    [
      "MFA without a terminal, still valid: served for their lifetime",
      { ...held, mfa: "unavailable", expiresAt: NOW + MINUTE },
      { step: "serve-stale", why: "mfa" },
    ],
    ["MFA without a terminal, expired: refused", { ...held, mfa: "unavailable" }, {
      step: "fail",
      why: "mfa",
    }],
    [
      "a passing failure a moment ago, valid: served without trying",
      { ...held, recentFailure: true, expiresAt: NOW + MINUTE },
      { step: "serve-stale", why: "passing" },
    ],
    ["a passing failure a moment ago, none valid: that failure", {
      ...held,
      recentFailure: true,
    }, { step: "fail", why: "remembered" }],
    [
      "STS out of reach, still valid: served with a warning",
      { ...held, outcome: "passing", expiresAt: NOW + MINUTE },
      { step: "serve-stale", why: "passing" },
    ],
    ["STS out of reach, expired: fail", { ...held, outcome: "passing" }, {
      step: "fail",
      why: "passing",
    }],
    [
      "refused (denied, bad config, source expired): fail, even while valid",
      { ...held, outcome: "fatal", expiresAt: NOW + MINUTE },
      { step: "fail", why: "fatal" },
    ],
    [
      "expired exactly now counts as expired",
      { ...held, outcome: "passing", expiresAt: NOW },
      { step: "fail", why: "passing" },
    ],
  ];
  for (const [what, facts, expected] of cases) {
    assertEquals(nextRoleStep({ ...start, ...facts }), expected, what);
  }
});

Deno.test("defaultSessionName() is botocore's: botocore-session-<unix seconds>", () => {
  assertEquals(defaultSessionName(new Date(1_700_000_000_999)), "botocore-session-1700000000");
});
