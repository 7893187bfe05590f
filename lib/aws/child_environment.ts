/**
 * The environment `aws-login exec` gives its child, so that every SDK in it ends up with the
 * credentials of *this* profile, whatever the caller's environment and files say. Pure functions.
 *
 * SDK credential chains look, in order, at: environment keys, then the selected profile
 * (`AWS_PROFILE`, else `default`), including its keys in `~/.aws/credentials`, its `role_arn`,
 * `sso_*`, `credential_process` and `login_session` (which botocore without `awscrt` turns into an
 * error instead of moving on), and only then at the container endpoint. So:
 *
 * - the variables of {@link REMOVED_VARIABLES} are not inherited (keys, web identity, other
 *   container endpoints, which botocore prefers to a full URI when `..._RELATIVE_URI` is set);
 * - `AWS_CONFIG_FILE` names a private copy of the config ({@link childConfigText}) holding only
 *   this profile, with its settings (region, output, endpoints, `s3 =` blocks, `services`) and
 *   none of its credential keys, `AWS_SHARED_CREDENTIALS_FILE` an empty file, and `AWS_PROFILE`
 *   and `AWS_DEFAULT_PROFILE` (botocore reads the latter first) this profile: a `[default]` with
 *   keys, in either file, is not there to be found;
 * - the credentials come from the endpoint (`AWS_CONTAINER_CREDENTIALS_FULL_URI` and
 *   `AWS_CONTAINER_AUTHORIZATION_TOKEN`), or with `--no-server` from `AWS_ACCESS_KEY_ID` and its
 *   siblings;
 * - `AWS_REGION` and `AWS_DEFAULT_REGION` are set from the profile when the caller set neither;
 * - {@link EXEC_MARKER_VARIABLE} names the profile, so that an `exec` inside refuses clearly.
 *
 * @module
 */

import type { SharedConfig } from "./shared_config.ts";
import { configSectionName, type SectionSettings, sectionSettings } from "./profiles.ts";
import { pythonIsoFormat } from "./export_formats.ts";
import { EXEC_MARKER_VARIABLE, REMOVED_VARIABLES } from "./child_variables.ts";

export { EXEC_MARKER_VARIABLE, REMOVED_VARIABLES };

const CREDENTIAL_KEYS = new Set([
  "aws_access_key_id",
  "aws_secret_access_key",
  "aws_session_token",
  "aws_security_token",
  "aws_account_id",
  "aws_credential_expiration",
  "credential_process",
  "credential_source",
  "role_arn",
  "source_profile",
  "role_session_name",
  "external_id",
  "mfa_serial",
  "duration_seconds",
  "web_identity_token_file",
  "login_session",
]);

/**
 * Whether a profile key says where credentials come from (and so stays out of the child's copy).
 *
 * @example
 * ```ts
 * isCredentialKey("aws_access_key_id"); // true
 * isCredentialKey("sso_session"); // true
 * isCredentialKey("region"); // false
 * ```
 */
export function isCredentialKey(key: string): boolean {
  return CREDENTIAL_KEYS.has(key) || key.startsWith("sso_");
}

/** Where the child's credentials come from. */
export type ChildCredentials =
  | { readonly kind: "endpoint"; readonly uri: string; readonly token: string }
  | {
    readonly kind: "environment";
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken: string | undefined;
    readonly expiration: Date | undefined;
  };

function option(key: string, value: string): string {
  // A value of several lines continues on lines indented deeper, as configparser reads it.
  return `${key} = ${value.split("\n").join("\n  ")}\n`;
}

function block(key: string, values: Readonly<Record<string, string>>): string {
  return `${key} =\n${Object.entries(values).map(([k, v]) => `  ${k} = ${v}\n`).join("")}`;
}

/**
 * The child's config file: the profile's settings without its credential keys (values from
 * `[DEFAULT]` and the credentials file included, as botocore merges them), and the
 * `[services NAME]` section its `services` setting names.
 *
 * @example
 * ```ts ignore
 * childConfigText(shared, "dev", "endpoint");
 * // "# ...\n[profile dev]\nregion = eu-west-1\n"
 * ```
 */
export function childConfigText(
  shared: SharedConfig,
  profile: string,
  source: ChildCredentials["kind"],
): string {
  const settings = shared.profiles.mergedSettings(profile);
  const lines = [
    `# Written by aws-login exec: the settings of profile ${JSON.stringify(profile)} without its`,
    `# credentials, which come from ${
      source === "endpoint"
        ? "AWS_CONTAINER_CREDENTIALS_FULL_URI"
        : "AWS_ACCESS_KEY_ID and the like"
    }.`,
    "# Removed when the command ends; changes made here are lost.",
    "",
  ].join("\n");
  let text = `${lines}[${configSectionName(profile)}]\n`;
  if (settings !== undefined) text += settingsText(settings, (key) => !isCredentialKey(key));
  const services = settings?.values.services?.trim();
  if (services) {
    const header = `services ${services}`;
    const section = sectionSettings([...shared.config], header);
    if (section !== undefined) text += `\n[${header}]\n${settingsText(section, () => true)}`;
  }
  return text;
}

/** The options, then the nested blocks, of a section's settings that `keep` keeps. */
function settingsText(settings: SectionSettings, keep: (key: string) => boolean): string {
  let text = "";
  for (const [key, value] of Object.entries(settings.values)) {
    if (keep(key)) text += option(key, value);
  }
  for (const [key, values] of Object.entries(settings.nested)) {
    if (keep(key)) text += block(key, values);
  }
  return text;
}

/** What {@link childEnvironment} needs. */
export interface ChildEnvironmentInput {
  readonly profile: string;
  /** The child's config file ({@link childConfigText}). */
  readonly configFile: string;
  /** The child's (empty) credentials file. */
  readonly credentialsFile: string;
  /** The profile's region, if it has one. */
  readonly region: string | undefined;
  /** Whether the caller set `AWS_REGION` or `AWS_DEFAULT_REGION`. */
  readonly callerHasRegion: boolean;
  readonly credentials: ChildCredentials;
}

/** The variables to set for the child, and the inherited ones to leave out. */
export interface ChildEnvironment {
  readonly env: Readonly<Record<string, string>>;
  readonly unset: readonly string[];
}

/**
 * The child's environment.
 *
 * @example
 * ```ts ignore
 * const { env, unset } = childEnvironment({ profile: "dev", configFile, credentialsFile, region: "eu-west-1", callerHasRegion: false, credentials: { kind: "endpoint", uri, token } });
 * env.AWS_PROFILE; // "dev"
 * ```
 */
export function childEnvironment(input: ChildEnvironmentInput): ChildEnvironment {
  const env: Record<string, string> = {
    AWS_CONFIG_FILE: input.configFile,
    AWS_SHARED_CREDENTIALS_FILE: input.credentialsFile,
    AWS_PROFILE: input.profile,
    AWS_DEFAULT_PROFILE: input.profile,
    [EXEC_MARKER_VARIABLE]: input.profile,
  };
  if (!input.callerHasRegion && input.region) {
    env.AWS_REGION = input.region;
    env.AWS_DEFAULT_REGION = input.region;
  }
  const credentials = input.credentials;
  if (credentials.kind === "endpoint") {
    env.AWS_CONTAINER_CREDENTIALS_FULL_URI = credentials.uri;
    env.AWS_CONTAINER_AUTHORIZATION_TOKEN = credentials.token;
  } else {
    env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
    if (credentials.sessionToken) env.AWS_SESSION_TOKEN = credentials.sessionToken;
    if (credentials.expiration) {
      env.AWS_CREDENTIAL_EXPIRATION = pythonIsoFormat(credentials.expiration);
    }
  }
  return { env, unset: REMOVED_VARIABLES.filter((name) => !(name in env)) };
}
