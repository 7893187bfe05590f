/**
 * `aws-login doctor`: what stands between this machine and a working login session, one line per
 * check (`ok`, `warn`, `fail`), with the fix for each warning and failure. The checks are pure
 * decisions (`lib/doctor/checks.ts`, `lib/doctor/tools.ts`) of what `lib/doctor/detect.ts` found.
 * It never prompts, never opens a browser and never changes a file; its only network request is
 * the one that reads the time of the profile's Sign-In endpoint. The report goes to stdout; the
 * exit code is 0 when nothing failed, 1 otherwise.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import type { DoctorCommand } from "../cli/args.ts";
import {
  loadSharedConfig,
  profileValues,
  resolveProfileName,
  type SharedConfig,
} from "../aws/shared_config.ts";
import { precedenceFacts, type Shadow, shadowingSources } from "../aws/precedence.ts";
import { roleChainOf } from "../aws/profile_credentials.ts";
import {
  browserCheck,
  type Check,
  clockCheck,
  ok,
  precedenceChecks,
  roleCheck,
  type RoleFacts,
  sessionChecks,
  warn,
} from "../doctor/checks.ts";
import { awsCliCheck, jsSdkCheck, pythonCheck } from "../doctor/tools.ts";
import { isWsl } from "../platform/browser.ts";
import {
  detectAwsCli,
  detectBrowser,
  detectClock,
  detectJsSdk,
  detectPython,
  detectSession,
} from "../doctor/detect.ts";

/** Exit code of a doctor run with a failed check. */
export const DOCTOR_FAILED = 1;

const LABELS: Readonly<Record<Check["status"], string>> = {
  ok: "ok  ",
  warn: "warn",
  fail: "fail",
};

/**
 * The report for people (pure): one line per check, the fix under each warning and failure, and
 * a count at the end.
 *
 * @example
 * ```ts
 * renderDoctor("dev", [{ id: "clock", status: "ok", message: "Fine", fix: null }]);
 * // "aws-login doctor: profile dev\n\nok    Fine\n\nNothing to fix.\n"
 * ```
 */
export function renderDoctor(profile: string, checks: readonly Check[]): string {
  const lines = checks.map((check) =>
    `${LABELS[check.status]}  ${check.message}${
      check.fix === null ? "" : `\n      fix: ${check.fix}`
    }`
  );
  const failures = checks.filter((check) => check.status === "fail").length;
  const warnings = checks.filter((check) => check.status === "warn").length;
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const summary = failures + warnings === 0
    ? "Nothing to fix."
    : `${count(failures, "failure")}, ${count(warnings, "warning")}.`;
  return `aws-login doctor: profile ${profile}\n\n${lines.join("\n")}\n\n${summary}\n`;
}

/**
 * What tools would use instead of the profile's login session: the environment and `AWS_PROFILE`
 * as seen by the asked profile, and other credentials in the profile whose login session it is (a
 * role profile's own `role_arn` is the point, not a shadow).
 */
function shadows(
  deps: Deps,
  shared: SharedConfig,
  profile: string,
  role: RoleFacts | undefined,
): Shadow[] {
  const own = shadowingSources(precedenceFacts(deps, shared, profile));
  if (role === undefined) return own;
  const environment = own.filter((shadow) => shadow.kind !== "profile");
  if (role.kind === "broken") return environment;
  const base = shadowingSources(precedenceFacts(deps, shared, role.base.profile));
  return [...environment, ...base.filter((shadow) => shadow.kind === "profile")];
}

/** The chain of a role profile as the doctor reports it; `undefined` for any other profile. */
function roleFacts(shared: SharedConfig, profile: string): RoleFacts | undefined {
  const chain = roleChainOf(shared, profile);
  if (chain === undefined) return undefined;
  if (chain.problem !== undefined) {
    return { kind: "broken", profile, problem: chain.problem.message, hint: chain.problem.hint };
  }
  const { roles, base } = chain.source;
  return {
    kind: "chain",
    profile,
    roles: roles.map(({ profile, roleArn, mfaSerial }) => ({ profile, roleArn, mfaSerial })),
    base: { profile: base.profile, kind: base.kind },
  };
}

/**
 * Runs every check for a profile; returns the exit code. For a role profile, the session checks
 * are those of the login profile at the end of its chain.
 *
 * @example
 * ```ts ignore
 * const code = await doctor(deps, { name: "doctor", profile: "dev", json: false });
 * ```
 */
export async function doctor(deps: Deps, command: DoctorCommand): Promise<number> {
  const profile = resolveProfileName(deps, command.profile);
  const shared = await loadSharedConfig(deps);
  const role = roleFacts(shared, profile);
  // The profile whose login session the asked profile's credentials come from.
  const sessionProfile = role?.kind === "chain" ? role.base.profile : profile;
  const session = await detectSession(deps, shared, sessionProfile);
  const profileRegion = profileValues(shared, profile).region;
  const [clock, aws, python, js, browser] = await Promise.all([
    detectClock(deps, shared, sessionProfile, session.signInRegion),
    detectAwsCli(deps),
    detectPython(deps),
    detectJsSdk(deps, { profileRegion, signInRegion: session.signInRegion }),
    detectBrowser(deps),
  ]);
  const checks: Check[] = [
    shared.problems.length === 0
      ? ok("config", "The config and credentials files read as botocore reads them")
      : warn(
        "config",
        `botocore refuses these files as they are: ${shared.problems.join("; ")}`,
        "fix those lines: the AWS CLI and boto3 read no profile at all from such a file",
      ),
    ...(role === undefined ? [] : [roleCheck(role)]),
    ...(role?.kind === "broken" || (role?.kind === "chain" && role.base.kind !== "login-session")
      ? []
      : sessionChecks(session.facts)),
    ...precedenceChecks(shadows(deps, shared, profile, role), profile, sessionProfile).filter(
      // A profile without login_session whose keys the session check names has no session for
      // those keys to shadow: one report of them, not two.
      (check) => !(check.id === "precedence.profile" && session.facts.other !== undefined),
    ),
    clockCheck({ ...clock, wsl: isWsl(browser.platform) }),
    awsCliCheck(aws, python, profile),
    pythonCheck(python, profile),
    jsSdkCheck(js, profile),
    browserCheck(browser),
  ];
  if (command.json) deps.stdout.write(JSON.stringify({ checks }, null, 2) + "\n");
  else deps.stdout.write(renderDoctor(profile, checks));
  return checks.some((check) => check.status === "fail") ? DOCTOR_FAILED : 0;
}
