/**
 * `aws-login logout`: removes cached login sessions (spec §10) through the cache repository, and
 * the role credentials cached from them (`role_cache.ts`). The config file is left alone and no
 * service call is made: the refresh token simply stops being available.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import type { LogoutCommand } from "../cli/args.ts";
import { loadSharedConfig, profileValues, resolveProfileName } from "../aws/shared_config.ts";
import {
  listSessionFiles,
  readSessionText,
  removeSession,
  sessionLocation,
} from "../aws/login_cache.ts";
import { removeDerivedRoleCredentials } from "../aws/role_cache.ts";

const LOADED_NOTE_ONE =
  "Note, any local developer tools that have already loaded the access token may continue to use it until its expiration. Access tokens expire in 15 minutes.";
const LOADED_NOTE_ALL =
  "Note, any local developer tools that have already loaded access tokens may continue to use them until their expiration. Access tokens expire in 15 minutes.";

/**
 * Removes the session of a profile, or every login session with `--all`.
 *
 * @example
 * ```ts ignore
 * await logout(deps, { name: "logout", profile: "dev", all: false });
 * ```
 */
export async function logout(deps: Deps, command: LogoutCommand): Promise<void> {
  if (command.all) return await logoutAll(deps);
  const profile = resolveProfileName(deps, command.profile);
  const shared = await loadSharedConfig(deps);
  const loginSession = profileValues(shared, profile).login_session;
  if (!loginSession) {
    deps.stderr.write(`warning: no login session found for profile '${profile}'\n`);
    return;
  }
  await removeSession(deps, await sessionLocation(deps, loginSession));
  await removeDerivedRoleCredentials(deps, { loginSession });
  deps.stderr.write(
    `Removed cached login credentials for profile '${profile}'. ${LOADED_NOTE_ONE}\n`,
  );
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

async function logoutAll(deps: Deps): Promise<void> {
  await removeDerivedRoleCredentials(deps, { all: true });
  let count = 0;
  for (const location of await listSessionFiles(deps)) {
    const text = await readSessionText(deps, location).catch(() => "");
    if (!isLoginSessionFile(text ?? "")) continue;
    if (await removeSession(deps, location)) count++;
  }
  if (count === 0) {
    deps.stderr.write("No cached login session tokens found.\n");
    return;
  }
  deps.stderr.write(
    `Removed ${count} cached login credential${count === 1 ? "" : "s"}. ${LOADED_NOTE_ALL}\n`,
  );
}
