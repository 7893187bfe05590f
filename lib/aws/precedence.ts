/**
 * What would make the AWS SDKs and CLIs use other credentials than a profile's login session
 * (spec §9.4), as a pure function of the facts, so that `login` can warn and `doctor` can report:
 *
 * - Environment keys: botocore (boto3, the AWS CLI) reads `AWS_ACCESS_KEY_ID` before any profile
 *   unless the profile is given explicitly (`--profile`, `boto3.Session(profile_name=...)`); with
 *   the key id alone it fails outright. The JS SDK skips them when `AWS_PROFILE` is set.
 * - Web identity from the environment (`AWS_WEB_IDENTITY_TOKEN_FILE` with `AWS_ROLE_ARN`):
 *   botocore uses it before the profile's own credentials, again unless the profile is explicit.
 * - `AWS_PROFILE` (and `AWS_DEFAULT_PROFILE`, which botocore reads first) naming another profile:
 *   tools without `--profile` use that one.
 * - Another credential style in the profile itself: botocore's chain is assume-role, web
 *   identity, SSO, the credentials file, then `login_session`, then `credential_process` and keys
 *   in the config file; the JS SDK checks `login_session` last of all. Each key is named with its
 *   file and line.
 *
 * Only the presence of the variables matters: their values are never read for a message, and
 * `AWS_SECRET_ACCESS_KEY` is not read at all (it stays outside `--allow-env`).
 *
 * @module
 */

import type { Deps, OsName } from "../runtime/deps.ts";
import type { SharedConfig } from "./shared_config.ts";
import { tildePath } from "./shared_config.ts";
import { environmentAdvice } from "./advice.ts";
import { loginCommand } from "../errors.ts";

/** A profile key that holds other credentials, where it is. */
export interface ProfileKey {
  readonly key: string;
  readonly file: "config" | "credentials";
  /** The file's path as people write it (`~/.aws/config`). */
  readonly path: string;
  readonly line: number | undefined;
}

/** What {@link shadowingSources} decides on. */
export interface PrecedenceFacts {
  /** The profile whose login session is meant to be used. */
  readonly profile: string;
  /** Which of the credential variables are set (to a non-empty value). */
  readonly variables: {
    readonly AWS_ACCESS_KEY_ID: boolean;
    readonly AWS_WEB_IDENTITY_TOKEN_FILE: boolean;
    readonly AWS_ROLE_ARN: boolean;
  };
  /** `AWS_PROFILE` and `AWS_DEFAULT_PROFILE`, when set. */
  readonly profileVariables: {
    readonly AWS_PROFILE?: string | undefined;
    readonly AWS_DEFAULT_PROFILE?: string | undefined;
  };
  /** The profile's keys of other credential styles. */
  readonly profileKeys: readonly ProfileKey[];
  readonly os: OsName;
}

/** A source that would be used instead of the login session. */
export interface Shadow {
  /** What kind of source it is. */
  readonly kind: "environment" | "profile-variable" | "profile";
  /** One sentence: what it is, where, and who uses it instead of the login session. */
  readonly message: string;
  /** What to do about it. */
  readonly fix: string;
}

/** Keys of other credential styles, in botocore's order, with who prefers them to the login. */
const PROFILE_KEYS: readonly (
  & { key: string; file?: "config" | "credentials" }
  & ({ who: "all"; what: string } | { who: "js" })
)[] = [
  { key: "role_arn", what: "assume that role", who: "all" },
  { key: "web_identity_token_file", what: "use web identity credentials", who: "all" },
  { key: "sso_role_name", what: "use IAM Identity Center (SSO) credentials", who: "all" },
  { key: "sso_account_id", what: "use IAM Identity Center (SSO) credentials", who: "all" },
  { key: "aws_access_key_id", file: "credentials", what: "use these access keys", who: "all" },
  { key: "aws_access_key_id", file: "config", who: "js" },
  { key: "credential_process", who: "js" },
];

/**
 * The sources that would be used instead of the profile's login session, the most important
 * first (pure).
 *
 * @example
 * ```ts
 * shadowingSources({
 *   profile: "dev",
 *   variables: { AWS_ACCESS_KEY_ID: true, AWS_WEB_IDENTITY_TOKEN_FILE: false, AWS_ROLE_ARN: false },
 *   profileVariables: {},
 *   profileKeys: [],
 *   os: "linux",
 * })[0]?.message;
 * // "AWS_ACCESS_KEY_ID is set in this shell: the AWS CLI and SDKs use those keys instead of this login unless given --profile dev"
 * ```
 */
export function shadowingSources(facts: PrecedenceFacts): Shadow[] {
  const { profile } = facts;
  const shadows: Shadow[] = [];
  if (facts.variables.AWS_ACCESS_KEY_ID) {
    shadows.push({
      kind: "environment",
      message:
        `AWS_ACCESS_KEY_ID is set in this shell: the AWS CLI and SDKs use those keys instead of this login unless given --profile ${profile}`,
      fix: environmentAdvice(
        ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"],
        profile,
        facts.os,
      ),
    });
  }
  if (facts.variables.AWS_WEB_IDENTITY_TOKEN_FILE && facts.variables.AWS_ROLE_ARN) {
    shadows.push({
      kind: "environment",
      message:
        `AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are set in this shell: the AWS CLI and boto3 use web identity credentials instead of this login unless given --profile ${profile}`,
      fix: environmentAdvice(["AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN"], profile, facts.os),
    });
  }
  for (const variable of ["AWS_DEFAULT_PROFILE", "AWS_PROFILE"] as const) {
    const value = facts.profileVariables[variable]?.trim();
    if (!value || value === profile) continue;
    const readers = variable === "AWS_PROFILE" ? "tools" : "the AWS CLI and boto3";
    shadows.push({
      kind: "profile-variable",
      message:
        `${variable} is "${value}" in this shell: ${readers} without --profile use profile ${value}, not ${profile}`,
      fix: facts.os === "windows"
        ? `set it to ${profile} ($Env:${variable} = "${profile}") or give tools --profile ${profile}`
        : `set it to ${profile} (export ${variable}=${profile}) or give tools --profile ${profile}`,
    });
  }
  for (const rule of PROFILE_KEYS) {
    const found = facts.profileKeys.find((k) =>
      k.key === rule.key && (rule.file === undefined || k.file === rule.file)
    );
    if (found === undefined) continue;
    const where = `${found.key} in ${found.path}${
      found.line === undefined ? "" : ` line ${found.line}`
    }`;
    const message = rule.who === "all"
      ? `${where}: the AWS CLI and SDKs ${rule.what} for profile ${profile} instead of its login session`
      : `${where}: the AWS SDK for JavaScript prefers it to the login session of profile ${profile} (the AWS CLI and boto3 use the login session first)`;
    const section = found.file === "config"
      ? profile === "default" ? "[default]" : `[profile ${profile}]`
      : `[${profile}]`;
    shadows.push({
      kind: "profile",
      message,
      fix:
        `remove ${found.key} from ${section} in ${found.path}, or sign in to a profile of its own (${
          loginCommand(`${profile}-login`)
        })`,
    });
  }
  return shadows;
}

/**
 * Reads the facts of {@link shadowingSources} for a profile: which variables are set (the values
 * are not kept) and the profile's other credential keys with their files and lines.
 *
 * @example
 * ```ts ignore
 * const shadows = shadowingSources(precedenceFacts(deps, shared, "dev"));
 * ```
 */
export function precedenceFacts(
  deps: Pick<Deps, "env" | "homeDir" | "os">,
  shared: SharedConfig,
  profile: string,
): PrecedenceFacts {
  const set = (value: string | undefined) => value !== undefined && value.trim() !== "";
  const home = deps.homeDir();
  const profileKeys: ProfileKey[] = [];
  const config = shared.profiles.configProfile(profile) ?? {};
  const credentials = shared.profiles.credentialsProfile(profile) ?? {};
  for (const key of new Set(PROFILE_KEYS.map((rule) => rule.key))) {
    // The credentials file wins over the config file for the same key, as botocore merges them.
    if (Object.hasOwn(credentials, key)) {
      profileKeys.push({
        key,
        file: "credentials",
        path: tildePath(shared.credentialsPath, home),
        line: shared.profiles.keyLine("credentials", profile, key),
      });
    } else if (Object.hasOwn(config, key)) {
      profileKeys.push({
        key,
        file: "config",
        path: tildePath(shared.configPath, home),
        line: shared.profiles.keyLine("config", profile, key),
      });
    }
  }
  return {
    profile,
    variables: {
      AWS_ACCESS_KEY_ID: set(deps.env("AWS_ACCESS_KEY_ID")),
      AWS_WEB_IDENTITY_TOKEN_FILE: set(deps.env("AWS_WEB_IDENTITY_TOKEN_FILE")),
      AWS_ROLE_ARN: set(deps.env("AWS_ROLE_ARN")),
    },
    profileVariables: {
      AWS_PROFILE: deps.env("AWS_PROFILE"),
      AWS_DEFAULT_PROFILE: deps.env("AWS_DEFAULT_PROFILE"),
    },
    profileKeys,
    os: deps.os,
  };
}
