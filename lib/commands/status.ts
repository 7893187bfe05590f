/**
 * `aws-login status`: which login sessions are cached, for which profiles, and until when; which
 * profiles name a session that is not cached; and, with `--check`, whether each session's refresh
 * token still works, tried for real through the one locked refresh (`sessionCredentials`).
 *
 * What is printed is what is known: "refreshable" only means that a refresh token is on disk,
 * which says nothing of whether AWS Sign-In still accepts it; the report says so and offers
 * `--check`. The report goes to stdout (it is what the user asked for), warnings to stderr.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import type { StatusCommand } from "../cli/args.ts";
import { AwsLoginError, ExitCode, loginCommand } from "../errors.ts";
import {
  loadSharedConfig,
  loginSessionProfiles,
  otherCredentials,
  profileValues,
  resolveProfileName,
  type SharedConfig,
} from "../aws/shared_config.ts";
import {
  cacheFileName,
  type CacheLocation,
  listSessionFiles,
  locationInDirectory,
  loginCacheDirectory,
  type NamedSession,
  parseCacheFile,
  parseExpiresAt,
  readSessionText,
  sessionFilesOfProfiles,
} from "../aws/login_cache.ts";
import { sessionClaims } from "../aws/session_claims.ts";
import { sessionCredentials } from "../aws/session.ts";
import { loginBase, roleChainOf } from "../aws/profile_credentials.ts";

/** The outcome of `--check` for one session. */
export interface SessionCheck {
  /** Whether the refresh succeeded just now. */
  readonly ok: boolean;
  /** What happened, in a sentence: the new expiry, or the error. */
  readonly message: string;
}

/** What `status` knows about one session. */
export interface SessionStatus {
  readonly cacheFile: string;
  readonly loginSession: string | null;
  readonly profiles: string[];
  /** Role profiles whose chain of source profiles ends in this session. */
  readonly roleProfiles: string[];
  readonly accountId: string | null;
  readonly signInRegion: string | null;
  readonly credentialsExpireAt: string | null;
  /** Upper bound: sign-in time (id_token `iat`) + 12 hours; `null` when unknown. */
  readonly sessionEndsAtLatest: string | null;
  /**
   * `valid`: the credentials have not expired; `refreshable`: they have, and a refresh token is on
   * disk (whether AWS still accepts it is only known after a refresh: `--check`); `ended`: the
   * session is over; `invalid`: the cache file cannot be used; `missing`: a profile names the
   * session but there is no cache file.
   */
  readonly state: "valid" | "refreshable" | "ended" | "invalid" | "missing";
  readonly problem: string | null;
  /** With `--check`, the refresh tried just now; `null` otherwise. */
  readonly check: SessionCheck | null;
}

/**
 * Describes one cache file (pure).
 *
 * @example
 * ```ts ignore
 * describeSession("/c/x.json", text, ["dev"], "arn:...", new Date());
 * ```
 */
export function describeSession(
  path: string,
  text: string,
  profiles: string[],
  knownSession: string | undefined,
  now: Date,
  roleProfiles: string[] = [],
): SessionStatus {
  const base = {
    cacheFile: path,
    loginSession: knownSession ?? null,
    profiles,
    roleProfiles,
    accountId: null,
    signInRegion: null,
    credentialsExpireAt: null,
    sessionEndsAtLatest: null,
    check: null,
  };
  let entry;
  try {
    entry = parseCacheFile(text, path);
  } catch (error) {
    return { ...base, state: "invalid", problem: (error as Error).message };
  }
  const claims = sessionClaims(entry);
  const loginSession = knownSession ?? claims.loginSession;
  const expires = parseExpiresAt(entry.accessToken.expiresAt)!;
  const ends = claims.endsAtLatest;
  const state = expires > now
    ? "valid"
    : ends !== undefined && ends <= now
    ? "ended"
    : "refreshable";
  return {
    ...base,
    loginSession: loginSession ?? null,
    accountId: entry.accessToken.accountId,
    signInRegion: typeof entry.signInRegion === "string" ? entry.signInRegion : null,
    credentialsExpireAt: expires.toISOString(),
    sessionEndsAtLatest: ends?.toISOString() ?? null,
    state,
    problem: null,
  };
}

/**
 * A profile's session that has no cache file (pure).
 *
 * @example
 * ```ts ignore
 * missingSession("/c/x.json", { loginSession: "arn:...", profiles: ["dev"] });
 * ```
 */
export function missingSession(
  path: string,
  named: NamedSession,
  roleProfiles: string[] = [],
): SessionStatus {
  return {
    cacheFile: path,
    loginSession: named.loginSession,
    profiles: [...named.profiles],
    roleProfiles,
    accountId: null,
    signInRegion: null,
    credentialsExpireAt: null,
    sessionEndsAtLatest: null,
    state: "missing",
    problem: `no cached session: run "${loginCommand(named.profiles[0] ?? "default")}"`,
    check: null,
  };
}

/**
 * A time for people: `2026-11-26 10:15 UTC (in 12 minutes)`.
 *
 * @example
 * ```ts
 * formatWhen(new Date("2026-11-26T10:15:00Z"), new Date("2026-11-26T10:03:00Z"));
 * // "2026-11-26 10:15 UTC (in 12 minutes)"
 * ```
 */
export function formatWhen(date: Date, now: Date): string {
  const stamp = date.toISOString().slice(0, 16).replace("T", " ") + " UTC";
  const minutes = Math.round((date.getTime() - now.getTime()) / 60000);
  const amount = Math.abs(minutes) >= 120
    ? `${Math.round(Math.abs(minutes) / 60)} hours`
    : `${Math.abs(minutes)} minute${Math.abs(minutes) === 1 ? "" : "s"}`;
  return `${stamp} (${minutes >= 0 ? `in ${amount}` : `${amount} ago`})`;
}

function stateText(s: SessionStatus, checked: boolean, now: Date): string {
  switch (s.state) {
    case "valid":
      // The last credentials of a session outlive its end by at most their 15 minutes: usable, and
      // the one thing to say is that no refresh follows them (doctor says the same).
      if (s.sessionEndsAtLatest !== null && new Date(s.sessionEndsAtLatest) <= now) {
        return s.profiles[0] === undefined
          ? "credentials valid, but the session ended: they cannot be refreshed"
          : `credentials valid, but the session ended: they cannot be refreshed; run "${
            loginCommand(s.profiles[0])
          }"`;
      }
      return "credentials valid";
    case "refreshable":
      return checked
        ? "credentials expired; a refresh token is on disk"
        : 'credentials expired; a refresh token is on disk, not tried ("aws-login status --check" tries it)';
    case "ended":
      return s.profiles[0] === undefined
        ? "session ended"
        : `session ended: run "${loginCommand(s.profiles[0])}"`;
    case "invalid":
      return "the cache file cannot be used";
    case "missing":
      return s.problem ?? "no cached session";
  }
}

/**
 * The report for people (pure).
 *
 * @example
 * ```ts ignore
 * renderStatus(sessions, "/home/me/.aws/login/cache", new Date(), { checked: false });
 * ```
 */
export function renderStatus(
  sessions: readonly SessionStatus[],
  directory: string,
  now: Date,
  options: { checked: boolean },
): string {
  if (sessions.length === 0) {
    return `No login sessions in ${directory}. Sign in with "aws-login login --profile NAME" ` +
      `(or "aws-login login" for the default profile).\n`;
  }
  const blocks = sessions.map((s) => {
    const lines = [
      `${s.loginSession ?? "(unknown session)"}: ${stateText(s, options.checked, now)}`,
    ];
    const row = (label: string, value: string) => lines.push(`  ${label.padEnd(13)}${value}`);
    row("profiles", s.profiles.length > 0 ? s.profiles.join(", ") : "(none in the config file)");
    if (s.roleProfiles.length > 0) row("roles", s.roleProfiles.join(", "));
    if (s.accountId) row("account", s.accountId);
    if (s.signInRegion) row("region", s.signInRegion);
    if (s.credentialsExpireAt) {
      row("credentials", `expire ${formatWhen(new Date(s.credentialsExpireAt), now)}`);
    }
    if (s.sessionEndsAtLatest) {
      row("session", `ends at the latest ${formatWhen(new Date(s.sessionEndsAtLatest), now)}`);
    }
    if (s.check) row("check", s.check.message);
    if (s.problem && s.state !== "missing") row("problem", s.problem);
    row("cache file", s.state === "missing" ? `${s.cacheFile} (missing)` : s.cacheFile);
    return lines.join("\n");
  });
  return `Login sessions in ${directory}:\n\n${blocks.join("\n\n")}\n`;
}

/**
 * Lists the sessions; returns the exit code: with `--profile`, non-zero when that profile has no
 * usable session; with `--check`, the exit code of the first refresh that failed.
 *
 * @example
 * ```ts ignore
 * const code = await status(deps, { name: "status", profile: undefined, json: false, check: false });
 * ```
 */
export async function status(deps: Deps, command: StatusCommand): Promise<number> {
  const shared = await loadSharedConfig(deps);
  const directory = loginCacheDirectory(deps);
  const byFile = await sessionFilesOfProfiles(loginSessionProfiles(shared));
  // Role profiles whose chain ends in a login session, by that session.
  const rolesBySession = new Map<string, string[]>();
  for (const name of shared.profiles.profiles()) {
    if (shared.profiles.configProfile(name)?.login_session?.trim()) continue;
    const base = loginBase(roleChainOf(shared, name))?.loginSession.trim();
    if (base !== undefined) rolesBySession.set(base, [...rolesBySession.get(base) ?? [], name]);
  }

  let locations: CacheLocation[] = await listSessionFiles(deps);
  let wanted: string | undefined;
  let profile: string | undefined;
  if (command.profile !== undefined) {
    profile = resolveProfileName(deps, command.profile);
    const chain = roleChainOf(shared, profile);
    const base = loginBase(chain);
    const session = profileValues(shared, profile).login_session || base?.loginSession.trim();
    if (chain?.source !== undefined && session) {
      (command.json ? deps.stderr : deps.stdout).write(
        `Profile ${profile} assumes role ${
          chain.source.roles.at(-1)!.roleArn
        } with the login session of profile ${chain.source.base.profile}:\n`,
      );
    }
    if (!session?.trim()) {
      const other = otherCredentials(shared, profile, deps.homeDir());
      const problem = chain?.problem?.message;
      const text = problem !== undefined
        ? `Profile ${profile} has no login session: ${problem[0]!.toLowerCase()}${
          problem.slice(1)
        }\n`
        : other === undefined
        ? `Profile ${profile} has no login session: run "aws-login login --profile ${profile}"\n`
        : `Profile ${profile} has no login session: it holds ${other.style} credentials ` +
          `(${other.key} in ${other.file}), so aws-login cannot sign it in. Sign in to ` +
          `another profile instead, e.g. "aws-login login --profile ${profile}-login"\n`;
      if (command.json) {
        deps.stderr.write(text);
        deps.stdout.write("[]\n");
      } else {
        deps.stdout.write(text);
      }
      return ExitCode.LoginRequired;
    }
    wanted = await cacheFileName(session.trim());
    locations = locations.filter((location) => location.name === wanted);
  }

  const checks = command.check
    ? await checkSessions(deps, shared, locations, byFile, profile)
    : new Map<string, { check: SessionCheck; exitCode: number }>();
  const sessions = await describeAll(deps, locations, byFile, rolesBySession);
  // Profiles whose session has no cache file.
  const cached = new Set(locations.map((location) => location.name));
  for (const [name, named] of byFile) {
    if (cached.has(name) || (wanted !== undefined && name !== wanted)) continue;
    sessions.push(
      missingSession(
        locationInDirectory(directory, name).path,
        named,
        rolesBySession.get(named.loginSession) ?? [],
      ),
    );
  }
  const reported = sessions.map((s) => {
    const checked = checks.get(s.cacheFile);
    return checked === undefined ? s : { ...s, check: checked.check };
  });

  if (command.json) deps.stdout.write(JSON.stringify(reported, null, 2) + "\n");
  else deps.stdout.write(renderStatus(reported, directory, deps.now(), { checked: command.check }));

  const failed = [...checks.values()].find((c) => !c.check.ok);
  if (failed !== undefined) return failed.exitCode;
  if (wanted === undefined) return ExitCode.Ok;
  const usable = reported.some((s) => s.state === "valid" || s.state === "refreshable");
  if (!usable && !command.json) {
    deps.stdout.write(
      `Profile ${profile} has no usable login session: run "aws-login login --profile ${profile}"\n`,
    );
  }
  return usable ? ExitCode.Ok : ExitCode.LoginRequired;
}

async function describeAll(
  deps: Deps,
  locations: readonly CacheLocation[],
  byFile: ReadonlyMap<string, NamedSession>,
  rolesBySession: ReadonlyMap<string, string[]>,
): Promise<SessionStatus[]> {
  const now = deps.now();
  const sessions: SessionStatus[] = [];
  for (const location of locations) {
    const known = byFile.get(location.name);
    const profiles = [...(known?.profiles ?? [])];
    const roles = rolesBySession.get(known?.loginSession ?? "") ?? [];
    let text: string;
    try {
      text = await readSessionText(deps, location) ?? "";
    } catch (error) {
      // A FIFO or an unreadable file: listed as unusable, with why.
      sessions.push({
        ...describeSession(location.path, "", profiles, known?.loginSession, now, roles),
        problem: (error as Error).message,
      });
      continue;
    }
    const described = describeSession(
      location.path,
      text,
      profiles,
      known?.loginSession,
      now,
      roles,
    );
    // Only files that look like login sessions are listed (the directory may hold others).
    if (described.state === "invalid" && known === undefined && !text.includes("accessToken")) {
      continue;
    }
    sessions.push(described);
  }
  return sessions;
}

/**
 * `--check`: a real refresh of each cached session that a profile names (the profile gives the
 * region and endpoint settings), through the same locked refresh every command uses, forced even
 * when the credentials are fresh. Keyed by cache file path.
 */
async function checkSessions(
  deps: Deps,
  shared: SharedConfig,
  locations: readonly CacheLocation[],
  byFile: ReadonlyMap<string, NamedSession>,
  asked: string | undefined,
): Promise<Map<string, { check: SessionCheck; exitCode: number }>> {
  const results = new Map<string, { check: SessionCheck; exitCode: number }>();
  for (const location of locations) {
    const known = byFile.get(location.name);
    const profile = asked ?? known?.profiles[0];
    if (known === undefined || profile === undefined) {
      results.set(location.path, {
        check: { ok: true, message: "not tried: no profile names this session" },
        exitCode: ExitCode.Ok,
      });
      continue;
    }
    try {
      const { credentials } = await sessionCredentials(deps, {
        profile,
        loginSession: known.loginSession,
        profileValues: profileValues(shared, profile),
        forceRefresh: true,
      });
      results.set(location.path, {
        check: {
          ok: true,
          message: `refreshed just now: the new credentials expire ${
            formatWhen(credentials.expiration, deps.now())
          }`,
        },
        exitCode: ExitCode.Ok,
      });
    } catch (error) {
      if (!(error instanceof AwsLoginError)) throw error;
      results.set(location.path, {
        check: { ok: false, message: `the refresh failed: ${error.message}` },
        exitCode: error.exitCode,
      });
    }
  }
  return results;
}
