/**
 * A profile's credentials, whatever holds them: the one resolver behind `export-credentials`,
 * `exec` and `serve`.
 *
 * It is two steps, as everywhere in aws-login: {@link credentialSource} reads the shared files and
 * decides where the credentials come from (pure), and {@link resolveProfileCredentials} fetches
 * them from there (I/O). The kinds, in the order they are looked for:
 *
 * - `login-session`: the profile's own `login_session`, served and refreshed by
 *   {@link sessionCredentials};
 * - `static-keys`: `aws_access_key_id` and `aws_secret_access_key` (config or credentials file);
 * - `credential-process`: a `credential_process`, run with the recursion guard of
 *   `profile_chain.ts` (the profile `configure credential-process` writes is one);
 * - `assume-role`: a role profile (`role_arn` + `source_profile`), checked first, as botocore's
 *   assume-role provider comes before the others: its chain of roles (`role_chain.ts`) down to a
 *   profile of one of the kinds above, whose credentials assume the first role; each role's
 *   credentials are cached (`role_credentials.ts`). The STS endpoint and region of every
 *   `AssumeRole` are those of the asked profile (and the environment), as in botocore.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import { AwsLoginError, ConfigError, LoginRequiredError } from "../errors.ts";
import {
  loadSharedConfig,
  mergedProfileValues,
  profileValues,
  type SharedConfig,
} from "./shared_config.ts";
import { sessionCredentials } from "./session.ts";
import { parseExpiresAt } from "./login_cache.ts";
import { PROFILE_CHAIN_VARIABLE, profileChain } from "./profile_chain.ts";
import {
  type BaseIdentity,
  checkRoleDurations,
  isRoleProfile,
  isRoleSessionArn,
  roleChain,
  type RoleHop,
} from "./role_chain.ts";
import { configuredRegion } from "./region.ts";
import { sectionSettings } from "./profiles.ts";
import { sanitizeOutsideText } from "../runtime/sanitize.ts";

/** A profile whose credentials are its own (not a role's): the base of a role chain. */
export type DirectSource = Exclude<CredentialSource, { readonly kind: "assume-role" }>;

/** Where a profile's credentials come from, as {@link credentialSource} reads the files. */
export type CredentialSource =
  | {
    readonly kind: "assume-role";
    readonly profile: string;
    /** The roles in the order they are assumed; the last is the profile's own. */
    readonly roles: readonly RoleHop[];
    /** The profile at the end of the chain, whose credentials assume the first role. */
    readonly base: DirectSource;
    /** The asked profile's config values (region, STS endpoint settings). */
    readonly profileValues: Readonly<Record<string, string>>;
    /** The `sts` block of the `[services NAME]` section the profile names, if any. */
    readonly servicesSts: Readonly<Record<string, string>> | undefined;
  }
  | {
    readonly kind: "login-session";
    readonly profile: string;
    /** The profile's `login_session` (the session ARN). */
    readonly loginSession: string;
    /** The profile's own config values (region, endpoint settings). */
    readonly profileValues: Readonly<Record<string, string>>;
  }
  | {
    readonly kind: "static-keys";
    readonly profile: string;
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken: string | undefined;
    readonly accountId: string | undefined;
  }
  | {
    readonly kind: "credential-process";
    readonly profile: string;
    /** The `credential_process` value, a command line. */
    readonly commandLine: string;
  };

/** One of the kinds of {@link CredentialSource}. */
export type CredentialSourceKind = CredentialSource["kind"];

/** Credentials of a profile, with what is known about them. */
export interface ProfileCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string | undefined;
  /** When they stop working; `undefined` for long-term keys. */
  readonly expiration: Date | undefined;
  readonly accountId: string | undefined;
  /** Which kind of source served them. */
  readonly source: CredentialSourceKind;
  /**
   * The cache file that served them (the login session's, or the role's for `assume-role`), for
   * callers that watch it.
   */
  readonly cacheFile?: string | undefined;
  /** The role session (`assume-role` only): `arn:aws:sts::<account>:assumed-role/<role>/<name>`. */
  readonly assumedRoleArn?: string | undefined;
}

/** What {@link resolveProfileCredentials} needs. */
export interface ProfileCredentialsRequest {
  /** The profile, already resolved (flag, `AWS_PROFILE`, ... see `resolveProfileName`). */
  readonly profile: string;
  /** The shared files, when the caller has read them already; read afresh otherwise. */
  readonly shared?: SharedConfig;
  /**
   * Asks for the MFA code of a role with `mfa_serial`, on a terminal, without echoing it. Absent
   * when nobody can be asked (no terminal, or a command that already gave the terminal away): such
   * a role is then served from its cache until its credentials expire, and refused after.
   */
  readonly askMfaCode?: ((serial: string) => Promise<string>) | undefined;
}

const PROCESS_FAILED = "Error when retrieving credentials from custom process";

/**
 * Decides where the profile's credentials come from. Throws a {@link ConfigError} when the profile
 * does not exist and a {@link LoginRequiredError} naming `aws-login login` when it holds nothing
 * aws-login can use.
 *
 * @example
 * ```ts ignore
 * credentialSource(shared, "dev"); // { kind: "login-session", profile: "dev", loginSession: "arn:...", ... }
 * ```
 */
export function credentialSource(shared: SharedConfig, profile: string): CredentialSource {
  const exists = shared.profiles.profiles().includes(profile);
  if (!exists) {
    throw new ConfigError(`The config profile (${profile}) could not be found`, {
      code: "NO_PROFILE",
      hint: `Run "aws-login login --profile ${profile}" to create it`,
    });
  }
  if (!isRoleProfile(mergedProfileValues(shared, profile))) return directSource(shared, profile);
  const { roles, base } = roleChain(shared, profile, (name) => directSource(shared, name));
  checkRoleDurations(roles, {
    firstCaller: base.kind === "login-session" && isRoleSessionArn(base.loginSession)
      ? base.loginSession.trim()
      : undefined,
  });
  const own = profileValues(shared, profile);
  const services = own.services?.trim();
  return {
    kind: "assume-role",
    profile,
    roles,
    base,
    profileValues: own,
    servicesSts: services
      ? sectionSettings([...shared.config], `services ${services}`)?.nested.sts
      : undefined,
  };
}

/** The source of a role profile. */
export type AssumeRoleSource = Extract<CredentialSource, { readonly kind: "assume-role" }>;

/**
 * A role profile's chain as {@link credentialSource} reads it, or the error that says why it
 * cannot work (a missing `source_profile`, a loop, a bad ARN or duration); `undefined` for a
 * profile that is no role profile. For the commands that describe profiles (`status`, `doctor`,
 * `logout`) rather than use them.
 *
 * @example
 * ```ts ignore
 * roleChainOf(shared, "deploy"); // { source: { kind: "assume-role", base: { profile: "dev", ... }, ... } }
 * roleChainOf(shared, "dev"); // undefined
 * ```
 */
export function roleChainOf(
  shared: SharedConfig,
  profile: string,
):
  | { readonly source: AssumeRoleSource; readonly problem?: undefined }
  | { readonly source?: undefined; readonly problem: AwsLoginError }
  | undefined {
  if (!isRoleProfile(shared.profiles.mergedProfile(profile) ?? {})) return undefined;
  try {
    const source = credentialSource(shared, profile);
    return source.kind === "assume-role" ? { source } : undefined;
  } catch (error) {
    if (error instanceof AwsLoginError) return { problem: error };
    throw error;
  }
}

/**
 * The login-session profile at the end of a role chain read by {@link roleChainOf}; `undefined`
 * for no chain, a broken one, or one that ends in other credentials.
 *
 * @example
 * ```ts ignore
 * loginBase(roleChainOf(shared, "deploy"))?.profile; // "dev"
 * ```
 */
export function loginBase(
  chain: ReturnType<typeof roleChainOf>,
): Extract<DirectSource, { readonly kind: "login-session" }> | undefined {
  const base = chain?.source?.base;
  return base?.kind === "login-session" ? base : undefined;
}

/** The sources of a profile's own credentials: login session, static keys, process. */
function directSource(shared: SharedConfig, profile: string): DirectSource {
  const own = profileValues(shared, profile);
  const merged = mergedProfileValues(shared, profile);
  if (own.login_session) {
    return {
      kind: "login-session",
      profile,
      loginSession: own.login_session,
      profileValues: own,
    };
  }
  if (merged.aws_access_key_id && merged.aws_secret_access_key) {
    return {
      kind: "static-keys",
      profile,
      accessKeyId: merged.aws_access_key_id,
      secretAccessKey: merged.aws_secret_access_key,
      sessionToken: merged.aws_session_token || undefined,
      accountId: merged.aws_account_id || undefined,
    };
  }
  if (merged.credential_process) {
    return { kind: "credential-process", profile, commandLine: merged.credential_process };
  }
  throw new LoginRequiredError(`Profile ${profile} has no login session`, {
    code: "NO_LOGIN_SESSION",
    hint: `Run "aws-login login --profile ${profile}" to sign in`,
  });
}

/**
 * The profile's credentials: from its login session (refreshed when less than 5 minutes remain),
 * its static keys, or its `credential_process`. Never prompts. The `credential_process` recursion
 * guard is checked first, before any file is read.
 *
 * @example
 * ```ts ignore
 * const credentials = await resolveProfileCredentials(deps, { profile: "dev" });
 * credentials.source; // "login-session"
 * ```
 */
export async function resolveProfileCredentials(
  deps: Deps,
  request: ProfileCredentialsRequest,
): Promise<ProfileCredentials> {
  const chain = profileChain(deps, request.profile);
  const shared = request.shared ?? await loadSharedConfig(deps);
  const source = credentialSource(shared, request.profile);
  if (source.kind === "assume-role") {
    return await assumeRoleCredentials(deps, source, request.askMfaCode, chain);
  }
  return await directCredentials(deps, source, chain);
}

async function directCredentials(
  deps: Deps,
  source: DirectSource,
  chain: string[],
): Promise<ProfileCredentials> {
  switch (source.kind) {
    case "login-session": {
      const { credentials, path } = await sessionCredentials(deps, {
        profile: source.profile,
        loginSession: source.loginSession,
        profileValues: source.profileValues,
      });
      return { ...credentials, source: source.kind, cacheFile: path };
    }
    case "static-keys":
      return {
        accessKeyId: source.accessKeyId,
        secretAccessKey: source.secretAccessKey,
        sessionToken: source.sessionToken,
        expiration: undefined,
        accountId: source.accountId,
        source: source.kind,
      };
    case "credential-process":
      return {
        ...await runCredentialProcess(deps, source.profile, source.commandLine, chain),
        source: source.kind,
      };
  }
}

function baseIdentityOf(base: DirectSource): BaseIdentity {
  switch (base.kind) {
    case "login-session":
      return { kind: "login-session", loginSession: base.loginSession.trim() };
    case "static-keys":
      return { kind: "static-keys", accessKeyId: base.accessKeyId };
    case "credential-process":
      return { kind: "credential-process", commandLine: base.commandLine };
  }
}

async function assumeRoleCredentials(
  deps: Deps,
  source: Extract<CredentialSource, { kind: "assume-role" }>,
  askMfaCode: ((serial: string) => Promise<string>) | undefined,
  chain: string[],
): Promise<ProfileCredentials> {
  // Only a role profile needs the role code: serving a login session does not load it.
  const [{ roleCredentials }, { stsEndpointFor }] = await Promise.all([
    import("./role_credentials.ts"),
    import("./sts_endpoint_config.ts"),
  ]);
  const region = configuredRegion(deps, undefined, source.profileValues.region)?.region;
  const endpoint = stsEndpointFor(deps, region, {
    profile: source.profileValues,
    servicesSts: source.servicesSts,
  });
  const { entry, path } = await roleCredentials(deps, {
    profile: source.profile,
    roles: source.roles,
    baseIdentity: baseIdentityOf(source.base),
  }, {
    endpoint,
    resolveBase: () => directCredentials(deps, source.base, chain),
    askMfaCode,
  });
  return {
    accessKeyId: entry.accessKeyId,
    secretAccessKey: entry.secretAccessKey,
    sessionToken: entry.sessionToken,
    expiration: entry.expiration,
    accountId: entry.accountId,
    source: source.kind,
    cacheFile: path,
    assumedRoleArn: entry.assumedRoleArn,
  };
}

async function runCredentialProcess(
  deps: Deps,
  profile: string,
  commandLine: string,
  chain: string[],
): Promise<Omit<ProfileCredentials, "source">> {
  const { splitCommandLine } = await import("../platform/shell_words.ts");
  let argv: string[];
  try {
    argv = splitCommandLine(commandLine, deps.os === "windows" ? "windows" : "posix");
  } catch (error) {
    throw new ConfigError(
      `Cannot parse credential_process of profile ${profile}: ${(error as Error).message}`,
      { code: "BAD_CREDENTIAL_PROCESS" },
    );
  }
  if (argv.length === 0) {
    throw new ConfigError(`The credential_process of profile ${profile} is empty`, {
      code: "BAD_CREDENTIAL_PROCESS",
    });
  }
  let result;
  try {
    result = await deps.spawn(argv, { env: { [PROFILE_CHAIN_VARIABLE]: chain.join(",") } });
  } catch (error) {
    throw new ConfigError(
      `Cannot run credential_process of profile ${profile} ("${argv[0]}"): ${
        (error as Error).message
      }`,
      { code: "BAD_CREDENTIAL_PROCESS", cause: error },
    );
  }
  if (result.code !== 0) {
    // Another program's words: one line, no escape sequences, bounded.
    const detail = sanitizeOutsideText(
      result.stderr.trim().split("\n").pop()?.replace(/^aws-login: /, "") ?? "",
    );
    // A nested aws-login already said where it failed: do not repeat the prefix at every level.
    throw new ConfigError(
      detail.startsWith(PROCESS_FAILED)
        ? detail
        : `${PROCESS_FAILED}: ${detail || `exit code ${result.code}`}`,
      { code: "CREDENTIAL_PROCESS_FAILED" },
    );
  }
  return parseProcessOutput(profile, result.stdout);
}

/**
 * Reads `credential_process` output (Version 1 JSON).
 *
 * @example
 * ```ts
 * parseProcessOutput("p", '{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S"}').accessKeyId; // "A"
 * ```
 */
export function parseProcessOutput(
  profile: string,
  stdout: string,
): Omit<ProfileCredentials, "source"> {
  const invalid = (why: string) =>
    new ConfigError(`Invalid credential_process output for profile ${profile}: ${why}`, {
      code: "BAD_CREDENTIAL_PROCESS",
    });
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(stdout);
  } catch {
    throw invalid("it is not JSON");
  }
  if (value?.Version !== 1) throw invalid("Version is not 1");
  const { AccessKeyId, SecretAccessKey, SessionToken, Expiration, AccountId } = value;
  if (typeof AccessKeyId !== "string" || typeof SecretAccessKey !== "string") {
    throw invalid("AccessKeyId or SecretAccessKey is missing");
  }
  return {
    accessKeyId: AccessKeyId,
    secretAccessKey: SecretAccessKey,
    sessionToken: typeof SessionToken === "string" ? SessionToken : undefined,
    expiration: typeof Expiration === "string" ? parseExpiresAt(Expiration) : undefined,
    accountId: typeof AccountId === "string" && AccountId !== "" ? AccountId : undefined,
  };
}
