/**
 * `aws-login status`: which login sessions are cached, for which profiles, and until when.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import type { StatusCommand } from "../cli/args.ts";
import { ExitCode } from "../errors.ts";
import {
  loadSharedConfig,
  otherCredentials,
  profileValues,
  resolveProfileName,
} from "../aws/shared_config.ts";
import {
  cacheFileName,
  type CacheLocation,
  listSessionFiles,
  loginCacheDirectory,
  parseCacheFile,
  parseExpiresAt,
  readSessionText,
} from "../aws/login_cache.ts";
import { decodeJwtPayload } from "../signin/aws_dialect.ts";
import { type CredentialSource, credentialSource } from "../aws/profile_credentials.ts";
import { isRoleProfile } from "../aws/role_chain.ts";
import type { SharedConfig } from "../aws/shared_config.ts";

/** The longest a login session lasts: refresh tokens live up to 12 hours. */
export const MAX_SESSION_MS = 12 * 3600 * 1000;

/** What `status` knows about one cached session. */
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
   * `valid`: credentials usable now; `refreshable`: expired, refreshed on next use;
   * `ended`: the session is over; `invalid`: the cache file cannot be used.
   */
  readonly state: "valid" | "refreshable" | "ended" | "invalid";
  readonly problem: string | null;
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
  };
  let entry;
  try {
    entry = parseCacheFile(text, path);
  } catch (error) {
    return { ...base, state: "invalid", problem: (error as Error).message };
  }
  let signedInAt: number | undefined;
  let loginSession = knownSession;
  if (typeof entry.idToken === "string") {
    try {
      const claims = decodeJwtPayload(entry.idToken);
      if (typeof claims.iat === "number") signedInAt = claims.iat * 1000;
      if (loginSession === undefined && typeof claims.sub === "string") loginSession = claims.sub;
    } catch {
      // an unreadable id_token only hides the session end
    }
  }
  const expires = parseExpiresAt(entry.accessToken.expiresAt)!;
  const ends = signedInAt === undefined ? undefined : new Date(signedInAt + MAX_SESSION_MS);
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

const STATE_TEXT: Readonly<Record<SessionStatus["state"], string>> = {
  valid: "signed in",
  refreshable: "credentials expired; refreshed on next use",
  ended: "session ended; sign in again",
  invalid: "unusable",
};

function render(sessions: SessionStatus[], directory: string, now: Date): string {
  if (sessions.length === 0) return `No login sessions in ${directory}\n`;
  const blocks = sessions.map((s) => {
    const lines = [`${s.loginSession ?? "(unknown session)"}: ${STATE_TEXT[s.state]}`];
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
    if (s.problem) row("problem", s.problem);
    row("cache file", s.cacheFile);
    return lines.join("\n");
  });
  return `Login sessions in ${directory}:\n\n${blocks.join("\n\n")}\n`;
}

/** The role source of a profile, or `undefined` when it is none (or its chain is broken). */
function roleSourceOf(
  shared: SharedConfig,
  profile: string,
): Extract<CredentialSource, { kind: "assume-role" }> | undefined {
  if (!isRoleProfile(shared.profiles.mergedProfile(profile) ?? {})) return undefined;
  try {
    const source = credentialSource(shared, profile);
    return source.kind === "assume-role" ? source : undefined;
  } catch {
    return undefined; // export-credentials says what is wrong with it
  }
}

/** The login session at the end of a role profile's chain, trimmed; `undefined` when none. */
function roleBaseSession(shared: SharedConfig, profile: string): string | undefined {
  const base = roleSourceOf(shared, profile)?.base;
  return base?.kind === "login-session" ? base.loginSession.trim() : undefined;
}

/**
 * Lists the sessions; returns the exit code (non-zero when the asked profile has no usable
 * session).
 *
 * @example
 * ```ts ignore
 * const code = await status(deps, { name: "status", profile: undefined, json: false });
 * ```
 */
export async function status(deps: Deps, command: StatusCommand): Promise<number> {
  const shared = await loadSharedConfig(deps);
  const directory = loginCacheDirectory(deps);
  const now = deps.now();

  // One pass over the profiles, one hash per distinct session.
  const profilesByFile = new Map<string, { session: string; profiles: string[] }>();
  const nameOfSession = new Map<string, string>();
  const rolesBySession = new Map<string, string[]>();
  for (const profile of shared.profiles.profiles()) {
    const session = shared.profiles.configProfile(profile)?.login_session?.trim();
    const roleBase = session ? undefined : roleBaseSession(shared, profile);
    if (roleBase !== undefined) {
      rolesBySession.set(roleBase, [...rolesBySession.get(roleBase) ?? [], profile]);
    }
    if (!session) continue;
    let name = nameOfSession.get(session);
    if (name === undefined) {
      name = await cacheFileName(session);
      nameOfSession.set(session, name);
    }
    const known = profilesByFile.get(name) ?? { session, profiles: [] };
    known.profiles.push(profile);
    profilesByFile.set(name, known);
  }

  let locations: CacheLocation[] = await listSessionFiles(deps);
  let wanted: string | undefined;
  if (command.profile !== undefined) {
    const profile = resolveProfileName(deps, command.profile);
    const role = roleSourceOf(shared, profile);
    const session = profileValues(shared, profile).login_session ||
      roleBaseSession(shared, profile);
    if (role !== undefined && session) {
      deps.stderr.write(
        `Profile ${profile} assumes role ${
          role.roles.at(-1)!.roleArn
        } with the login session of profile ${role.base.profile}:\n`,
      );
    }
    if (!session) {
      const other = otherCredentials(shared, profile, deps.homeDir());
      deps.stderr.write(
        other === undefined
          ? `Profile ${profile} has no login session: run "aws-login login --profile ${profile}"\n`
          : `Profile ${profile} has no login session: it holds ${other.style} credentials ` +
            `(${other.key} in ${other.file}), so aws-login cannot sign it in. Sign in to ` +
            `another profile instead, e.g. "aws-login login --profile ${profile}-login"\n`,
      );
      if (command.json) deps.stdout.write("[]\n");
      return ExitCode.LoginRequired;
    }
    wanted = await cacheFileName(session.trim());
    locations = locations.filter((location) => location.name === wanted);
  }

  const sessions: SessionStatus[] = [];
  for (const location of locations) {
    const known = profilesByFile.get(location.name);
    let text: string;
    try {
      text = await readSessionText(deps, location) ?? "";
    } catch (error) {
      // A FIFO or an unreadable file: listed as unusable, with why.
      sessions.push({
        ...describeSession(location.path, "", known?.profiles ?? [], known?.session, now),
        roleProfiles: rolesBySession.get(known?.session ?? "") ?? [],
        problem: (error as Error).message,
      });
      continue;
    }
    const described = describeSession(
      location.path,
      text,
      known?.profiles ?? [],
      known?.session,
      now,
      rolesBySession.get(known?.session ?? "") ?? [],
    );
    // Only files that look like login sessions are listed (the directory may hold others).
    if (described.state === "invalid" && known === undefined && !text.includes("accessToken")) {
      continue;
    }
    sessions.push(described);
  }

  if (command.json) deps.stdout.write(JSON.stringify(sessions, null, 2) + "\n");
  else deps.stderr.write(render(sessions, directory, now));

  if (wanted === undefined) return ExitCode.Ok;
  const usable = sessions.some((s) => s.state === "valid" || s.state === "refreshable");
  if (!usable && !command.json) {
    const profile = resolveProfileName(deps, command.profile);
    deps.stderr.write(
      `Profile ${profile} has no usable login session: run "aws-login login --profile ${profile}"\n`,
    );
  }
  return usable ? ExitCode.Ok : ExitCode.LoginRequired;
}
