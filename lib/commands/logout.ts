/**
 * `aws-login logout`: ends login sessions. Each session's refresh token is first revoked at AWS
 * Sign-In (`RevokeOAuth2TokenWithIAM`, `lib/signin/revoke.ts`), which ends the session's whole
 * chain of refresh tokens there, refreshing the session's credentials first when they expired so
 * that the request can be signed; then the local files are removed through the cache repository.
 * A revocation that fails (access denied, Sign-In out of reach, FIPS, a partition without an OAuth
 * endpoint) never keeps the local files: the line says the session was removed here but not
 * revoked at AWS, and why. `--no-revoke` only removes the files, as aws-cli does. The config file
 * is left alone.
 * The role credentials cached from a session (`lib/aws/role_cache.ts`) go with it.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import type { LogoutCommand } from "../cli/args.ts";
import {
  loadSharedConfig,
  loginSessionProfiles,
  profileValues,
  resolveProfileName,
  type SharedConfig,
} from "../aws/shared_config.ts";
import {
  cacheFileName,
  type CacheLocation,
  listSessionFiles,
  type LoginCacheEntry,
  type NamedSession,
  parseExpiresAt,
  readSession,
  readSessionText,
  removeSession,
  sessionFilesOfProfiles,
  sessionLocation,
} from "../aws/login_cache.ts";
import { sessionClaims } from "../aws/session_claims.ts";
import { sessionCredentials, sessionRegion } from "../aws/session.ts";
import { oauthEndpointFor } from "../aws/endpoint_config.ts";
import { TOKEN_EXPIRED } from "../signin/token_policy.ts";
import { LoginRequiredError } from "../errors.ts";
import { removeDerivedRoleCredentials } from "../aws/role_cache.ts";
import { loginBase, roleChainOf } from "../aws/profile_credentials.ts";

/** How a session's revocation at AWS Sign-In went. */
export type RevokeOutcome =
  | { readonly kind: "revoked" }
  | { readonly kind: "ended" }
  | { readonly kind: "skipped" }
  | { readonly kind: "failed"; readonly why: string };

/** One session logged out. */
export interface SignedOut {
  readonly loginSession: string | undefined;
  readonly profiles: readonly string[];
  readonly outcome: RevokeOutcome;
}

const CREDENTIALS_NOTE =
  "Tools that already loaded credentials may use them until they expire (at most 15 minutes).";
const NOT_REVOKED_NOTE =
  "A session not revoked at AWS Sign-In can no longer be refreshed from this machine, but its refresh token stays valid at AWS until the session ends.";

/**
 * The line that says what happened to one session (pure).
 *
 * @example
 * ```ts
 * signedOutLine({
 *   loginSession: "arn:aws:iam::123456789012:user/alice",
 *   profiles: ["dev", "default"],
 *   outcome: { kind: "revoked" },
 * });
 * // "Signed out arn:aws:iam::123456789012:user/alice (profiles dev, default); revoked at AWS Sign-In"
 * ```
 */
export function signedOutLine(signedOut: SignedOut): string {
  const who = signedOut.loginSession ?? "an unknown session";
  const { profiles } = signedOut;
  const used = profiles.length === 0
    ? "no profile"
    : `profile${profiles.length === 1 ? "" : "s"} ${profiles.join(", ")}`;
  const head = `Signed out ${who} (${used})`;
  switch (signedOut.outcome.kind) {
    case "revoked":
      return `${head}; revoked at AWS Sign-In`;
    case "ended":
      return `${head}; the session had already ended at AWS Sign-In`;
    case "skipped":
      return `${head} on this machine; not revoked at AWS Sign-In (--no-revoke)`;
    case "failed":
      return `${head} on this machine, but not revoked at AWS Sign-In: ${signedOut.outcome.why}`;
  }
}

/**
 * Ends the session of a profile, or every login session with `--all`.
 *
 * @example
 * ```ts ignore
 * await logout(deps, { name: "logout", profile: "dev", all: false, revoke: true });
 * ```
 */
export async function logout(deps: Deps, command: LogoutCommand): Promise<void> {
  const shared = await loadSharedConfig(deps);
  if (command.all) {
    const byFile = await sessionFilesOfProfiles(loginSessionProfiles(shared));
    return await logoutAll(deps, command, shared, byFile);
  }
  const profile = resolveProfileName(deps, command.profile);
  const loginSession = profileValues(shared, profile).login_session?.trim();
  if (!loginSession) {
    const base = loginBase(roleChainOf(shared, profile))?.profile;
    deps.stderr.write(
      base === undefined
        ? `warning: no login session found for profile '${profile}'\n`
        : `warning: profile '${profile}' assumes a role with the login session of profile '${base}': nothing was removed. Run "aws-login logout --profile ${base}" to sign out; the role credentials cached from that session go with it\n`,
    );
    return;
  }
  const location = await sessionLocation(deps, loginSession);
  // Every profile that uses this session, for the message.
  const sharing = loginSessionProfiles(shared).filter(([, value]) => value.trim() === loginSession);
  const known = (await sessionFilesOfProfiles(sharing)).get(location.name) ??
    { loginSession, profiles: [profile] };
  if (await readSessionText(deps, location).catch(() => "") === undefined) {
    await removeDerivedRoleCredentials(deps, { loginSession });
    deps.stderr.write(
      `No cached login session for profile ${profile} (${loginSession}): nothing to remove\n`,
    );
    return;
  }
  const done = await endSession(deps, shared, location, known, command.revoke, profile);
  deps.stderr.write(`${signedOutLine(done)}\n${notes([done])}`);
}

async function logoutAll(
  deps: Deps,
  command: LogoutCommand,
  shared: SharedConfig,
  byFile: ReadonlyMap<string, NamedSession>,
): Promise<void> {
  // Role credentials from any login session, whether or not a profile still names it.
  await removeDerivedRoleCredentials(deps, { all: true });
  const done: SignedOut[] = [];
  for (const location of await listSessionFiles(deps)) {
    const text = await readSessionText(deps, location).catch(() => "");
    // A file that no profile names must look like a session to be touched; one that a profile
    // names is that profile's session even when it is corrupt, as for "logout --profile" and as
    // "status" lists it.
    if (!byFile.has(location.name) && !isLoginSessionFile(text ?? "")) continue;
    const known = byFile.get(location.name) ??
      { loginSession: await sessionOfFile(location, text ?? ""), profiles: [] };
    const signedOut = await endSession(deps, shared, location, known, command.revoke, undefined);
    done.push(signedOut);
    deps.stderr.write(`${signedOutLine(signedOut)}\n`);
  }
  if (done.length === 0) {
    deps.stderr.write("No cached login sessions: nothing to remove.\n");
    return;
  }
  const profiles = new Set(done.flatMap((d) => d.profiles)).size;
  const revoked = done.filter((d) => d.outcome.kind === "revoked").length;
  deps.stderr.write(
    `Signed out ${plural(done.length, "login session")} used by ${
      plural(profiles, "profile")
    }; ${revoked} revoked at AWS Sign-In.\n${notes(done)}`,
  );
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function notes(done: readonly SignedOut[]): string {
  const failed = done.some((d) => d.outcome.kind === "failed" || d.outcome.kind === "skipped");
  return `${CREDENTIALS_NOTE}\n${failed ? `${NOT_REVOKED_NOTE}\n` : ""}`;
}

/** Whether a cache file holds a login session: JSON whose `accessToken` has an `accessKeyId`. */
function isLoginSessionFile(text: string): boolean {
  try {
    const value = JSON.parse(text);
    return typeof value?.accessToken === "object" && value.accessToken !== null &&
      "accessKeyId" in value.accessToken;
  } catch {
    return false;
  }
}

/** The session a file found in the directory holds: its id_token's `sub`, if that names the file. */
async function sessionOfFile(location: CacheLocation, text: string): Promise<string | undefined> {
  let sub: string | undefined;
  try {
    sub = sessionClaims(JSON.parse(text)).loginSession?.trim();
  } catch {
    // not JSON: the session stays unknown
  }
  return sub !== undefined && await cacheFileName(sub) === location.name ? sub : undefined;
}

/** Revokes one session (unless told not to), then removes its file. */
async function endSession(
  deps: Deps,
  shared: SharedConfig,
  location: CacheLocation,
  known: { loginSession: string | undefined; profiles: readonly string[] },
  revoke: boolean,
  asked: string | undefined,
): Promise<SignedOut> {
  const profile = asked ?? known.profiles[0];
  const outcome: RevokeOutcome = revoke
    ? await revokeSession(deps, shared, location, known.loginSession, profile)
    : { kind: "skipped" };
  await removeSession(deps, location);
  // The role credentials assumed with this session end with it.
  if (known.loginSession !== undefined) {
    await removeDerivedRoleCredentials(deps, { loginSession: known.loginSession });
  }
  return { loginSession: known.loginSession, profiles: known.profiles, outcome };
}

async function revokeSession(
  deps: Deps,
  shared: SharedConfig,
  location: CacheLocation,
  loginSession: string | undefined,
  profile: string | undefined,
): Promise<RevokeOutcome> {
  const values = profile === undefined ? {} : profileValues(shared, profile);
  let entry: LoginCacheEntry;
  try {
    const stored = await readSession(deps, location);
    if (stored === undefined) {
      return { kind: "failed", why: "the cache file was removed meanwhile" };
    }
    entry = stored.entry;
  } catch (error) {
    return { kind: "failed", why: (error as Error).message };
  }
  const region = sessionRegion(deps, entry, values);
  if (region === undefined) {
    return { kind: "failed", why: "the login region of the session is not known" };
  }
  let endpoint;
  try {
    endpoint = oauthEndpointFor(deps, region, { profile: values });
  } catch (error) {
    return { kind: "failed", why: (error as Error).message };
  }
  let credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  try {
    credentials = await signingCredentials(deps, location, entry, loginSession, profile, values);
    // A refresh rotated the refresh token: revoke the one now on disk.
    entry = (await readSession(deps, location))?.entry ?? entry;
  } catch (error) {
    if (error instanceof LoginRequiredError && error.code === TOKEN_EXPIRED) {
      return { kind: "ended" };
    }
    return {
      kind: "failed",
      why: `the credentials that sign the request could not be refreshed (${
        (error as Error).message
      })`,
    };
  }
  const { revokeRefreshToken, revokeFailureReason } = await import("../signin/revoke.ts");
  try {
    await revokeRefreshToken(deps, { endpoint, region, credentials }, entry.refreshToken);
    return { kind: "revoked" };
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    return { kind: "failed", why: revokeFailureReason(error) };
  }
}

/**
 * Credentials that can sign the revocation now: the session's, refreshed through the one locked
 * refresh when they have expired (or are about to). A session whose ARN is unknown (a file found in
 * the directory, named by no profile and without a readable id_token) cannot be refreshed, so its
 * cached credentials must still be valid.
 */
async function signingCredentials(
  deps: Deps,
  location: CacheLocation,
  entry: LoginCacheEntry,
  loginSession: string | undefined,
  profile: string | undefined,
  values: Readonly<Record<string, string>>,
) {
  if (loginSession !== undefined) {
    const { credentials } = await sessionCredentials(deps, {
      profile: profile ?? "default",
      loginSession,
      profileValues: values,
    });
    return credentials;
  }
  const expires = parseExpiresAt(entry.accessToken.expiresAt);
  if (expires === undefined || expires <= deps.now()) {
    throw new Error(
      `no profile names the session of "${location.path}" and its credentials expired`,
    );
  }
  return entry.accessToken;
}
