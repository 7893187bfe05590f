/**
 * Role profiles (`role_arn` + `source_profile`), read as botocore's `AssumeRoleProvider` reads
 * them (botocore 1.43.11), as pure functions of the parsed shared files:
 *
 * - {@link roleChain} follows `source_profile` from the asked profile down to the profile that
 *   holds credentials of its own: a login session, static keys or a `credential_process`. A
 *   source profile with static keys (`aws_access_key_id` or `aws_secret_access_key`) or without
 *   `role_arn` ends the chain, as in botocore; one with `role_arn` is one more role. A profile may
 *   name itself as its source when it has static keys (botocore's way to keep the keys and the
 *   role in one section).
 * - What botocore refuses, aws-login refuses with the profile's name: a missing source profile,
 *   `source_profile` and `credential_source` together, neither of them, a cycle. `credential_source`
 *   (EC2, ECS or environment credentials) is not aws-login's business: it is refused, saying so.
 *   botocore sets no limit on the length of a chain; aws-login assumes at most
 *   {@link MAX_ROLE_CHAIN} roles in a row, the limit aws-cli puts on nested credential processes.
 * - The settings are checked before anything is called: `role_arn` must be an IAM role ARN,
 *   `role_session_name`, `external_id` and `mfa_serial` must fit the STS model, and
 *   `duration_seconds` must be 900-43200 (botocore silently drops a value that is not a number).
 * - {@link checkRoleDurations}: AWS limits a role assumed with the credentials of another role
 *   session to one hour ("role chaining"), so a longer `duration_seconds` there is an error before
 *   any call, naming the profile, instead of STS's `ValidationError`.
 * - {@link roleCacheKeyMaterial}: what the cache key of an assumed role is a hash of.
 *
 * @module
 */

import { ConfigError } from "../errors.ts";
import type { SharedConfig } from "./shared_config.ts";

/** How many roles aws-login assumes in a row at most (aws-cli's limit of nested processes). */
export const MAX_ROLE_CHAIN = 4;

/** `DurationSeconds` when a profile sets none, as STS defaults it. */
export const DEFAULT_DURATION_SECONDS = 3600;

/** The longest session of a role assumed with another role session's credentials. */
export const ROLE_CHAINING_MAX_SECONDS = 3600;

/** The range STS accepts for `DurationSeconds`. */
export const DURATION_RANGE = { min: 900, max: 43200 } as const;

/** One role to assume: a profile with `role_arn` and its settings. */
export interface RoleHop {
  /** The profile that names the role. */
  readonly profile: string;
  readonly roleArn: string;
  /** `role_session_name`; `undefined`: the default (`botocore-session-<unix time>`). */
  readonly roleSessionName: string | undefined;
  /** `duration_seconds`; `undefined`: the STS default, 3600. */
  readonly durationSeconds: number | undefined;
  readonly externalId: string | undefined;
  readonly mfaSerial: string | undefined;
}

/** A chain of roles on top of a profile with credentials of its own. */
export interface RoleChain<Base> {
  /** The roles in the order they are assumed: the first with the base's credentials. */
  readonly roles: readonly RoleHop[];
  /** Where the first role's caller gets its credentials. */
  readonly base: Base;
}

/**
 * Whether a profile's values make it a role profile, as botocore decides: `role_arn` without
 * `web_identity_token_file` (that is a web identity profile).
 *
 * @example
 * ```ts
 * isRoleProfile({ role_arn: "arn:aws:iam::123456789012:role/Deploy", source_profile: "dev" }); // true
 * isRoleProfile({ login_session: "arn:aws:iam::123456789012:user/alice" }); // false
 * ```
 */
export function isRoleProfile(values: Readonly<Record<string, string>>): boolean {
  return Object.hasOwn(values, "role_arn") && !Object.hasOwn(values, "web_identity_token_file");
}

function hasStaticKeys(values: Readonly<Record<string, string>>): boolean {
  return Object.hasOwn(values, "aws_access_key_id") ||
    Object.hasOwn(values, "aws_secret_access_key");
}

function invalid(message: string, code: string, hint?: string): ConfigError {
  return new ConfigError(message, { code, ...(hint === undefined ? {} : { hint }) });
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\x21-\x7e]{1,512}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const MFA_SERIAL = /^[\w+=/:,.@-]{9,256}$/;

/**
 * The role settings of one profile, checked (pure).
 *
 * @example
 * ```ts
 * roleHop("deploy", { role_arn: "arn:aws:iam::123456789012:role/Deploy", duration_seconds: "1800" })
 *   .durationSeconds; // 1800
 * ```
 */
export function roleHop(profile: string, values: Readonly<Record<string, string>>): RoleHop {
  const setting = (key: string) => {
    const value = values[key]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  const roleArn = setting("role_arn") ?? "";
  if (!ROLE_ARN.test(roleArn)) {
    throw invalid(
      `The role_arn "${roleArn}" of profile "${profile}" is not an IAM role ARN such as "arn:aws:iam::123456789012:role/Name"`,
      "INVALID_ROLE_ARN",
    );
  }
  const roleSessionName = setting("role_session_name");
  if (roleSessionName !== undefined && !SESSION_NAME.test(roleSessionName)) {
    throw invalid(
      `The role_session_name "${roleSessionName}" of profile "${profile}" is not 2-64 letters, digits and +=,.@_-`,
      "INVALID_ROLE_SESSION_NAME",
    );
  }
  const externalId = setting("external_id");
  if (externalId !== undefined && !EXTERNAL_ID.test(externalId)) {
    throw invalid(
      `The external_id of profile "${profile}" is not 2-1224 letters, digits and +=,.@:/_-`,
      "INVALID_EXTERNAL_ID",
    );
  }
  const mfaSerial = setting("mfa_serial");
  if (mfaSerial !== undefined && !MFA_SERIAL.test(mfaSerial)) {
    throw invalid(
      `The mfa_serial "${mfaSerial}" of profile "${profile}" is not an MFA device ARN or serial number (9-256 characters)`,
      "INVALID_MFA_SERIAL",
    );
  }
  const duration = setting("duration_seconds");
  let durationSeconds: number | undefined;
  if (duration !== undefined) {
    durationSeconds = /^\d{1,6}$/.test(duration) ? Number(duration) : Number.NaN;
    if (
      !(durationSeconds >= DURATION_RANGE.min && durationSeconds <= DURATION_RANGE.max)
    ) {
      throw invalid(
        `The duration_seconds "${duration}" of profile "${profile}" is not a number of seconds from ${DURATION_RANGE.min} to ${DURATION_RANGE.max}`,
        "INVALID_DURATION",
      );
    }
  }
  return { profile, roleArn, roleSessionName, durationSeconds, externalId, mfaSerial };
}

/**
 * Follows the `source_profile`s of a role profile down to the profile with credentials of its
 * own, which `baseOf` reads (pure). Throws a {@link ConfigError} naming the profile for every
 * configuration botocore refuses, for `credential_source`, and for more than
 * {@link MAX_ROLE_CHAIN} roles.
 *
 * @example
 * ```ts ignore
 * roleChain(shared, "prod", (profile) => ({ profile }));
 * // { roles: [{ profile: "admin", ... }, { profile: "prod", ... }], base: { profile: "dev" } }
 * ```
 */
export function roleChain<Base>(
  shared: SharedConfig,
  profile: string,
  baseOf: (profile: string) => Base,
): RoleChain<Base> {
  const valuesOf = (name: string) => shared.profiles.mergedProfile(name);
  const visited = [profile];
  const roles: RoleHop[] = [];
  let current = profile;
  while (true) {
    const values = valuesOf(current) ?? {};
    roles.unshift(roleHop(current, values));
    if (roles.length > MAX_ROLE_CHAIN) {
      throw invalid(
        `Profile "${profile}" chains more than ${MAX_ROLE_CHAIN} roles (${
          visited.join(" -> ")
        } -> ...): aws-login assumes at most ${MAX_ROLE_CHAIN} in a row`,
        "ROLE_CHAIN_TOO_LONG",
        `Let a profile nearer the end of the chain get its credentials from a login session`,
      );
    }
    const sourceProfile = values.source_profile?.trim() || undefined;
    const credentialSource = values.credential_source?.trim() || undefined;
    if (sourceProfile !== undefined && credentialSource !== undefined) {
      throw invalid(
        `The profile "${current}" contains both source_profile and credential_source`,
        "ROLE_BOTH_SOURCES",
        "Keep one of them",
      );
    }
    if (credentialSource !== undefined) {
      throw invalid(
        `Profile "${current}" gets its role's credentials from credential_source "${credentialSource}" (EC2, ECS or environment credentials), which aws-login does not provide`,
        "ROLE_CREDENTIAL_SOURCE",
        `Use source_profile with a profile that has a login session, or let the AWS SDK read profile "${current}" itself`,
      );
    }
    if (sourceProfile === undefined) {
      throw invalid(
        `Profile "${current}" has role_arn but no source_profile to get credentials from`,
        "ROLE_NO_SOURCE",
        `Add "source_profile = NAME" to profile "${current}", naming a profile with a login session`,
      );
    }
    const source = valuesOf(sourceProfile);
    if (source === undefined) {
      throw invalid(
        `The source_profile "${sourceProfile}" of profile "${current}" does not exist`,
        "ROLE_SOURCE_MISSING",
        `Sign it in with "aws-login login --profile ${sourceProfile}", or fix the name`,
      );
    }
    if (visited.includes(sourceProfile)) {
      // A profile may be its own source when it holds the keys (botocore allows it).
      if (sourceProfile === current && hasStaticKeys(source)) {
        return { roles, base: baseOf(sourceProfile) };
      }
      throw invalid(
        `The source_profile of profile "${profile}" goes round in a cycle: ${
          [...visited, sourceProfile].join(" -> ")
        }`,
        "ROLE_CYCLE",
      );
    }
    visited.push(sourceProfile);
    if (hasStaticKeys(source) || !isRoleProfile(source)) {
      return { roles, base: baseOf(sourceProfile) };
    }
    current = sourceProfile;
  }
}

/**
 * Whether an ARN is a role session (`arn:<partition>:sts::<account>:assumed-role/...`), whose
 * credentials make a further `AssumeRole` role chaining. A console login session through a role
 * (federation, IAM Identity Center) is one.
 *
 * @example
 * ```ts
 * isRoleSessionArn("arn:aws:sts::123456789012:assumed-role/Admin/alice"); // true
 * isRoleSessionArn("arn:aws:iam::123456789012:user/alice"); // false
 * ```
 */
export function isRoleSessionArn(arn: string): boolean {
  return /^arn:aws[a-z-]*:sts::\d{12}:assumed-role\//.test(arn.trim());
}

/**
 * Refuses a `duration_seconds` over one hour for a role assumed with the credentials of another
 * role session (pure): the roles after the first always are; the first when `firstCaller` names a
 * role session (a login session that is one). AWS would answer `ValidationError`.
 *
 * @example
 * ```ts ignore
 * checkRoleDurations(chain.roles, { firstCaller: undefined }); // ok: the first role's caller is a user
 * ```
 */
export function checkRoleDurations(
  roles: readonly RoleHop[],
  options: { readonly firstCaller: string | undefined },
): void {
  roles.forEach((role, index) => {
    const duration = role.durationSeconds ?? DEFAULT_DURATION_SECONDS;
    if (duration <= ROLE_CHAINING_MAX_SECONDS) return;
    const caller = index > 0
      ? `the credentials of role profile "${roles[index - 1]!.profile}"`
      : options.firstCaller === undefined
      ? undefined
      : `the login session "${options.firstCaller}", itself a role session`;
    if (caller === undefined) return;
    throw invalid(
      `Profile "${role.profile}" asks for duration_seconds ${duration}, but its role is assumed with ${caller}, and AWS limits such a session (role chaining) to 1 hour`,
      "ROLE_CHAINING_DURATION",
      `Set duration_seconds to ${ROLE_CHAINING_MAX_SECONDS} or less in profile "${role.profile}", or remove it (the default is ${DEFAULT_DURATION_SECONDS})`,
    );
  });
}

/** Who the first role's caller is, for the cache key (never a secret). */
export type BaseIdentity =
  | { readonly kind: "login-session"; readonly loginSession: string }
  | { readonly kind: "static-keys"; readonly accessKeyId: string }
  | { readonly kind: "credential-process"; readonly commandLine: string };

/** Where the `AssumeRole` calls go, for the cache key. */
export interface StsTarget {
  readonly url: string;
  readonly signingRegion: string;
}

function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${sortedJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * What the cache key of the `count`-th role of a chain is the SHA-256 of (pure): the base's
 * identity, every role up to it with the parameters sent to STS (the default session name left
 * out, as botocore leaves it out: it changes every time), and the STS endpoint. Profile names are
 * not part of it: two profiles with the same chain share their credentials.
 *
 * @example
 * ```ts ignore
 * roleCacheKeyMaterial({ base, roles: chain.roles.slice(0, 1), sts: { url, signingRegion } });
 * // '{"base":{"kind":"login-session",...},"roles":[{"roleArn":"arn:aws:iam::..."}],"sts":{...},"version":1}'
 * ```
 */
export function roleCacheKeyMaterial(input: {
  readonly base: BaseIdentity;
  readonly roles: readonly RoleHop[];
  readonly sts: StsTarget;
}): string {
  return sortedJson({
    version: 1,
    base: input.base,
    roles: input.roles.map((role) => ({
      roleArn: role.roleArn,
      roleSessionName: role.roleSessionName,
      durationSeconds: role.durationSeconds,
      externalId: role.externalId,
      mfaSerial: role.mfaSerial,
    })),
    sts: { url: input.sts.url, signingRegion: input.sts.signingRegion },
  });
}
