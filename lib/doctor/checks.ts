/**
 * The checks of `aws-login doctor` as pure decisions: each takes the facts that `detect.ts`
 * gathered and returns {@link Check}s (`ok`, `warn` or `fail`, a message, and for a warning or a
 * failure the fix). Nothing here does I/O, so each is tested as a table. The tools on the machine
 * are decided in `tools.ts`.
 *
 * @module
 */

import type { OsName } from "../runtime/deps.ts";
import type { OtherCredentials } from "../aws/shared_config.ts";
import type { Shadow } from "../aws/precedence.ts";
import { isWsl, type PlatformFacts, type Reachability } from "../platform/browser.ts";
import { loginCommand } from "../errors.ts";

/** The outcome of one check. */
export interface Check {
  /** A stable name, e.g. `session.cache`. */
  readonly id: string;
  readonly status: "ok" | "warn" | "fail";
  readonly message: string;
  /** What to run or change; `null` for `ok`. */
  readonly fix: string | null;
}

/** Above this distance between the local clock and AWS's, signatures and DPoP proofs fail. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** An `ok` check. */
export function ok(id: string, message: string): Check {
  return { id, status: "ok", message, fix: null };
}

/** A `warn` check, with its fix. */
export function warn(id: string, message: string, fix: string): Check {
  return { id, status: "warn", message, fix };
}

/** A `fail` check, with its fix. */
export function fail(id: string, message: string, fix: string): Check {
  return { id, status: "fail", message, fix };
}

/** A cache file as detected. */
export type CacheFacts =
  | { readonly state: "missing" }
  | { readonly state: "invalid"; readonly problem: string }
  | {
    readonly state: "ok";
    readonly expiresAt: Date;
    /** Sign-in time + 12 hours, when the id_token tells the sign-in time. */
    readonly endsAtLatest: Date | undefined;
  };

/** What the session checks decide on. */
export interface SessionFacts {
  readonly profile: string;
  /** The profile's `login_session`, when it has one. */
  readonly loginSession: string | undefined;
  /** The other credentials the profile holds, when it has no `login_session`. */
  readonly other: OtherCredentials | undefined;
  readonly cachePath: string;
  readonly cacheDirectory: string;
  readonly cache: CacheFacts;
  /** POSIX permission bits; `null` where there are none (Windows). */
  readonly fileMode: number | null;
  readonly directoryMode: number | null;
  readonly now: Date;
}

/**
 * A duration for people: `12 minutes`, `3 hours`.
 *
 * @example
 * ```ts
 * duration(90 * 60_000); // "90 minutes"
 * duration(3 * 3600_000); // "3 hours"
 * ```
 */
export function duration(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / 60000);
  if (minutes >= 120) return `${Math.round(minutes / 60)} hours`;
  if (minutes >= 1) return `${minutes} minute${minutes === 1 ? "" : "s"}`;
  const seconds = Math.round(Math.abs(ms) / 1000);
  return `${seconds} second${seconds === 1 ? "" : "s"}`;
}

function stamp(date: Date): string {
  return date.toISOString().slice(0, 16).replace("T", " ") + " UTC";
}

/**
 * The session checks: the profile has a `login_session`; its cache file exists and parses; it is
 * 0600 in a 0700 directory; its credentials are valid or a refresh token can renew them; when the
 * session ends at the latest.
 *
 * @example
 * ```ts ignore
 * sessionChecks({ profile: "dev", loginSession: undefined, other: undefined, ... })[0]?.status;
 * // "fail"
 * ```
 */
export function sessionChecks(facts: SessionFacts): Check[] {
  const { profile } = facts;
  const signIn = loginCommand(profile);
  if (facts.loginSession === undefined) {
    if (facts.other !== undefined) {
      return [fail(
        "session",
        `Profile ${profile} has no login_session: it holds ${facts.other.style} credentials (${facts.other.key} in ${facts.other.file}), so aws-login cannot sign it in`,
        `sign in to a profile of its own: ${loginCommand(`${profile}-login`)}`,
      )];
    }
    return [fail("session", `Profile ${profile} has no login_session`, signIn)];
  }
  const checks = [ok("session", `Profile ${profile} uses the login session ${facts.loginSession}`)];
  const cache = facts.cache;
  if (cache.state === "missing") {
    checks.push(
      fail("session.cache", `No cached session: "${facts.cachePath}" is missing`, signIn),
    );
    return checks;
  }
  if (cache.state === "invalid") {
    checks.push(fail("session.cache", cache.problem, signIn));
    return checks;
  }
  checks.push(ok("session.cache", `The cache file "${facts.cachePath}" holds the session`));
  checks.push(permissionsCheck(facts));
  const now = facts.now.getTime();
  const left = cache.expiresAt.getTime() - now;
  const ends = cache.endsAtLatest;
  if (ends !== undefined && ends.getTime() <= now && left > 0) {
    // As in status: the last credentials still work for their few minutes, with no refresh after.
    checks.push(warn(
      "session.credentials",
      `The credentials are valid for ${duration(left)} (until ${
        stamp(cache.expiresAt)
      }), but the session ended ${duration(now - ends.getTime())} ago (${
        stamp(ends)
      }): they cannot be refreshed`,
      signIn,
    ));
    return checks;
  }
  if (ends !== undefined && ends.getTime() <= now) {
    checks.push(fail(
      "session.credentials",
      `The session ended ${duration(now - ends.getTime())} ago (${stamp(ends)})`,
      signIn,
    ));
    return checks;
  }
  checks.push(
    left > 0
      ? ok(
        "session.credentials",
        `The credentials are valid for ${duration(left)} (until ${stamp(cache.expiresAt)})`,
      )
      : ok(
        "session.credentials",
        `The credentials expired ${
          duration(left)
        } ago; a refresh token is on disk, so the next use refreshes them (not tried here: "aws-login status --check" tries it)`,
      ),
  );
  checks.push(
    ends === undefined
      ? ok("session.end", "When the session ends is not known (the cache file has no id_token)")
      : ok(
        "session.end",
        `The session ends at the latest ${stamp(ends)}, in ${duration(ends.getTime() - now)}`,
      ),
  );
  return checks;
}

function permissionsCheck(facts: SessionFacts): Check {
  const id = "session.permissions";
  if (facts.fileMode === null || facts.directoryMode === null) {
    return ok(id, "File modes do not apply here: the files inherit your profile's ACL");
  }
  const mode = (bits: number) => (bits & 0o777).toString(8).padStart(3, "0");
  const problems: string[] = [];
  const fixes: string[] = [];
  if ((facts.fileMode & 0o077) !== 0) {
    problems.push(`the cache file can be read by other users (mode ${mode(facts.fileMode)})`);
    fixes.push(`chmod 600 "${facts.cachePath}"`);
  }
  if ((facts.directoryMode & 0o077) !== 0) {
    problems.push(
      `its directory can be read by other users (mode ${mode(facts.directoryMode)})`,
    );
    fixes.push(`chmod 700 "${facts.cacheDirectory}"`);
  }
  if (problems.length === 0) return ok(id, "The cache file is 0600 in a 0700 directory");
  const text = problems.join(", and ");
  return warn(id, text.charAt(0).toUpperCase() + text.slice(1), fixes.join("; "));
}

/** What the doctor found about a role profile (`role_arn` + `source_profile`). */
export type RoleFacts =
  | {
    readonly kind: "chain";
    readonly profile: string;
    /** The roles in the order they are assumed; the last is the profile's own. */
    readonly roles: readonly {
      readonly profile: string;
      readonly roleArn: string;
      readonly mfaSerial: string | undefined;
    }[];
    /** The profile at the end of the chain and what it holds. */
    readonly base: {
      readonly profile: string;
      readonly kind: "login-session" | "static-keys" | "credential-process";
    };
  }
  | {
    readonly kind: "broken";
    readonly profile: string;
    readonly problem: string;
    readonly hint: string | undefined;
  };

const BASE_WORDS = {
  "login-session": "the login session",
  "static-keys": "the static keys",
  "credential-process": "the credential_process",
} as const;

/**
 * The `role` check of a role profile: which role it assumes with which profile's credentials, or
 * why its chain cannot work.
 *
 * @example
 * ```ts
 * roleCheck({
 *   kind: "chain",
 *   profile: "deploy",
 *   roles: [{ profile: "deploy", roleArn: "arn:aws:iam::210987654321:role/Deploy", mfaSerial: undefined }],
 *   base: { profile: "dev", kind: "login-session" },
 * }).message;
 * // "Profile deploy assumes role arn:aws:iam::210987654321:role/Deploy with the login session of profile dev"
 * ```
 */
export function roleCheck(facts: RoleFacts): Check {
  const { profile } = facts;
  if (facts.kind === "broken") {
    const problem = facts.problem.charAt(0).toLowerCase() + facts.problem.slice(1);
    return fail(
      "role",
      `Profile ${profile} is a role profile that cannot work: ${problem}`,
      facts.hint ??
        `fix the role settings of profile ${profile}, or of the profiles its source_profile names`,
    );
  }
  const role = facts.roles.at(-1)!;
  const through = facts.roles.length > 1
    ? ` through ${facts.roles.length - 1} other role${facts.roles.length > 2 ? "s" : ""} (${
      facts.roles.slice(0, -1).map((hop) => hop.profile).join(", ")
    })`
    : "";
  const mfa = facts.roles.filter((hop) => hop.mfaSerial !== undefined).map((hop) => hop.profile);
  const asks = mfa.length === 0
    ? ""
    : `; an MFA code is asked for on a terminal (mfa_serial in ${
      mfa.join(", ")
    }), so run "aws-login export-credentials --profile ${profile}" once in a terminal before tools without one use it`;
  const base = `${BASE_WORDS[facts.base.kind]} of profile ${facts.base.profile}`;
  const message = `Profile ${profile} assumes role ${role.roleArn}${through} with ${base}${asks}`;
  return ok("role", message);
}

/**
 * The precedence checks: one per kind of source (the environment, `AWS_PROFILE`, the profile's
 * own keys), `ok` when nothing of that kind would be used instead of the login session.
 * `sessionProfile` is the profile that holds the login session: for a role profile, the one at
 * the end of its chain.
 *
 * @example
 * ```ts
 * precedenceChecks([], "dev").map((check) => check.status); // ["ok", "ok", "ok"]
 * ```
 */
export function precedenceChecks(
  shadows: readonly Shadow[],
  profile: string,
  sessionProfile: string = profile,
): Check[] {
  const kinds: [Shadow["kind"], string, string][] = [
    ["environment", "precedence.environment", "No credential variables are set in this shell"],
    [
      "profile-variable",
      "precedence.aws-profile",
      `AWS_PROFILE and AWS_DEFAULT_PROFILE name no other profile than ${profile}`,
    ],
    [
      "profile",
      "precedence.profile",
      `Profile ${sessionProfile} holds no other kind of credentials`,
    ],
  ];
  return kinds.map(([kind, id, fine]) => {
    const found = shadows.filter((shadow) => shadow.kind === kind);
    if (found.length === 0) return ok(id, fine);
    return warn(
      id,
      found.map((shadow) => shadow.message).join("; "),
      found.map((shadow) => shadow.fix).join("; "),
    );
  });
}

/** How the clock request went. */
export type ClockOutcome =
  | { readonly kind: "answered"; readonly serverDate: Date; readonly localDate: Date }
  | { readonly kind: "no-date"; readonly status: number }
  | { readonly kind: "failed"; readonly error: string; readonly timedOut: boolean }
  | { readonly kind: "no-region" };

/** What the clock check decides on. */
export interface ClockFacts {
  /** The Sign-In endpoint asked, `scheme://host[:port]`. */
  readonly endpoint: string | undefined;
  readonly outcome: ClockOutcome;
  /** The proxy the request went through (`HTTPS_PROXY`), without its credentials. */
  readonly proxy: string | undefined;
  /** Whether the host is outside the program's `--allow-net` (a compiled binary). */
  readonly notAllowed: boolean;
  readonly os: OsName;
  readonly wsl: boolean;
}

/**
 * The clock check: the local clock against the `Date` header of the profile's Sign-In endpoint;
 * a warning above {@link MAX_CLOCK_SKEW_MS}; a failure when the endpoint cannot be reached, with
 * what went wrong (DNS, TLS, a refused connection, a timeout, the proxy).
 *
 * @example
 * ```ts ignore
 * clockCheck({ endpoint, outcome: { kind: "answered", serverDate, localDate }, ... }).status;
 * ```
 */
export function clockCheck(facts: ClockFacts): Check {
  const id = "clock";
  const { outcome } = facts;
  const where = facts.endpoint ?? "AWS Sign-In";
  switch (outcome.kind) {
    case "no-region":
      return warn(
        id,
        "The clock was not compared: no region is known for this profile, so no Sign-In endpoint either",
        "set region in the profile, or sign in first",
      );
    case "no-date":
      return warn(
        id,
        `${where} answered HTTP ${outcome.status} without a Date header: the clock was not compared`,
        "check that nothing between here and AWS (a proxy) rewrites the answers",
      );
    case "failed":
      return fail(
        id,
        `Cannot reach ${where}: ${unreachableReason(facts, outcome)}`,
        reachFix(facts, outcome),
      );
    case "answered": {
      const skew = outcome.serverDate.getTime() - outcome.localDate.getTime();
      const side = skew > 0 ? "behind" : "ahead of";
      const text = `${duration(skew)} ${side} AWS Sign-In (the Date header of ${where})`;
      if (Math.abs(skew) > MAX_CLOCK_SKEW_MS) {
        return warn(
          id,
          `This computer's clock is ${text}: DPoP proofs and SigV4 signatures fail with more than 5 minutes of skew`,
          clockFix(facts),
        );
      }
      return ok(
        id,
        `This computer's clock is within ${
          duration(Math.max(Math.abs(skew), 1000))
        } of AWS Sign-In (the Date header of ${where})`,
      );
    }
  }
}

function unreachableReason(
  facts: ClockFacts,
  outcome: { error: string; timedOut: boolean },
): string {
  const through = facts.proxy === undefined
    ? ""
    : ` (through the proxy ${facts.proxy} of HTTPS_PROXY)`;
  if (facts.notAllowed) return `the program's --allow-net does not include this host`;
  if (outcome.timedOut) return `no answer within 5 seconds${through}`;
  const error = outcome.error;
  if (
    /dns error|failed to lookup address|name or service not known|nodename nor servname|no such host/i
      .test(error)
  ) {
    return `the host name does not resolve (DNS)${through}: ${error}`;
  }
  if (/certificate|tls|ssl|handshake/i.test(error)) {
    return `the TLS connection failed${through}: ${error}`;
  }
  if (/connection refused|os error 111|econnrefused/i.test(error)) {
    return `the connection was refused${through}: ${error}`;
  }
  return `${error}${through}`;
}

function reachFix(facts: ClockFacts, outcome: { error: string; timedOut: boolean }): string {
  if (facts.notAllowed) {
    return "run aws-login from source with a wider --allow-net for this endpoint";
  }
  if (facts.proxy !== undefined) {
    return `check the proxy in HTTPS_PROXY (${facts.proxy}), or set NO_PROXY for this host`;
  }
  if (/certificate|tls|ssl|handshake/i.test(outcome.error)) {
    return "a proxy or firewall may intercept TLS here: set HTTPS_PROXY, or ask your network administrator";
  }
  return "check the network connection, the region and the endpoint settings (AWS_ENDPOINT_URL_SIGNIN, endpoint_url)";
}

function clockFix(facts: ClockFacts): string {
  if (facts.wsl) return "sync the clock: sudo hwclock -s (WSL), or restart WSL (wsl --shutdown)";
  switch (facts.os) {
    case "darwin":
      return "sync the clock: sudo sntp -sS time.apple.com";
    case "windows":
      return "sync the clock: w32tm /resync";
    default:
      return "sync the clock: sudo timedatectl set-ntp true (or start chronyd/ntpd)";
  }
}

/** What the browser check decides on. */
export interface BrowserFacts {
  readonly platform: PlatformFacts;
  readonly reachability: Reachability;
  /** The first command `login` would run to open a URL, when there is one. */
  readonly launcher: readonly string[] | undefined;
  /** On WSL with `cmd.exe` found: whether it ran (interop works); `undefined` when not tried. */
  readonly cmdRuns: boolean | undefined;
}

/**
 * The browser check: what `login` would do here and why (`lib/platform` decides), with the
 * launcher, and on WSL whether `wslview` or `cmd.exe` is reachable.
 *
 * @example
 * ```ts ignore
 * browserCheck({ platform, reachability: { reachable: true }, launcher: ["/usr/bin/xdg-open"], cmdRuns: undefined });
 * ```
 */
export function browserCheck(facts: BrowserFacts): Check {
  const id = "browser";
  const { platform } = facts;
  const wsl = isWsl(platform);
  const wslNote = wsl ? ` ${wslDescription(facts)}` : "";
  if (!facts.reachability.reachable) {
    const windowsLaunchers = (["wslview", "cmd.exe", "powershell.exe"] as const).filter((name) =>
      platform.launchers[name] !== undefined
    );
    if (wsl && windowsLaunchers.length === 0) {
      return warn(
        id,
        `login signs in with --remote here: ${facts.reachability.reason}.${wslNote}`,
        "install wslu (for wslview), or check that WSL interop is on (/proc/sys/fs/binfmt_misc/WSLInterop)",
      );
    }
    return ok(
      id,
      `login signs in with --remote here (${facts.reachability.reason}): open the URL it prints on any device`,
    );
  }
  const launcher = facts.launcher === undefined ? "the system's default" : facts.launcher[0];
  const chosen = platform.env.BROWSER === undefined ? "" : " (from BROWSER)";
  if (wsl && facts.cmdRuns === false && facts.launcher?.[0]?.toLowerCase().endsWith("cmd.exe")) {
    return warn(
      id,
      `login would open the browser with ${launcher}, but it does not run.${wslNote}`,
      "check that WSL interop is on, or install wslu (for wslview)",
    );
  }
  return ok(id, `login opens the browser with ${launcher}${chosen}${wsl ? `.${wslNote}` : ""}`);
}

function wslDescription(facts: BrowserFacts): string {
  const { launchers } = facts.platform;
  const wslview = launchers.wslview === undefined
    ? "wslview is not installed"
    : `wslview is ${launchers.wslview}`;
  const cmd = launchers["cmd.exe"] === undefined
    ? "cmd.exe is not reachable"
    : facts.cmdRuns === false
    ? `cmd.exe (${launchers["cmd.exe"]}) does not run`
    : `cmd.exe is ${launchers["cmd.exe"]}`;
  return `WSL: ${wslview}; ${cmd}`;
}
