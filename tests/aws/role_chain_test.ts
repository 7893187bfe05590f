/**
 * Role profiles as pure decisions on the parsed files: the chain `credentialSource` reads (which
 * profile ends it, as botocore decides), its errors, the checks of each setting, the one-hour rule
 * of role chaining, and the cache key's material.
 */

import { assertEquals, assertThrows, assertTrue } from "../support/assert.ts";
import { type SharedConfig, sharedConfigOf } from "../../lib/aws/shared_config.ts";
import { credentialSource } from "../../lib/aws/profile_credentials.ts";
import {
  type BaseIdentity,
  checkRoleDurations,
  roleCacheKeyMaterial,
  type RoleHop,
  roleHop,
} from "../../lib/aws/role_chain.ts";
import { ConfigError, LoginRequiredError } from "../../lib/errors.ts";

const USER = "arn:aws:iam::123456789012:user/alice";
const ROLE_SESSION = "arn:aws:sts::123456789012:assumed-role/Admin/alice";
const A = "arn:aws:iam::111111111111:role/A";
const B = "arn:aws:iam::222222222222:role/B";

function shared(config: string, credentials = ""): SharedConfig {
  return sharedConfigOf({
    configPath: "/home/me/.aws/config",
    configText: config,
    credentialsPath: "/home/me/.aws/credentials",
    credentialsText: credentials,
  });
}

/** The chain credentialSource reads, in short: the role profiles in order, and the base. */
function chainOf(files: SharedConfig, profile: string): { roles: string[]; base: string } {
  const source = credentialSource(files, profile);
  if (source.kind !== "assume-role") return { roles: [], base: `${source.kind}:${profile}` };
  return {
    roles: source.roles.map((role) => role.profile),
    base: `${source.base.kind}:${source.base.profile}`,
  };
}

Deno.test("credentialSource() follows source_profile down to the profile with credentials", () => {
  const cases: [string, string, string, string, { roles: string[]; base: string }][] = [
    [
      "a role on a login session",
      `[profile dev]\nlogin_session = ${USER}\n[profile a]\nrole_arn = ${A}\nsource_profile = dev\n`,
      "",
      "a",
      { roles: ["a"], base: "login-session:dev" },
    ],
    [
      "a role on a role on a login session, assumed from the bottom up",
      `[profile dev]\nlogin_session = ${USER}\n[profile a]\nrole_arn = ${A}\nsource_profile = dev\n` +
      `[profile b]\nrole_arn = ${B}\nsource_profile = a\n`,
      "",
      "b",
      { roles: ["a", "b"], base: "login-session:dev" },
    ],
    [
      "static keys in the credentials file",
      `[profile a]\nrole_arn = ${A}\nsource_profile = keys\n`,
      "[keys]\naws_access_key_id = AKID\naws_secret_access_key = s\n",
      "a",
      { roles: ["a"], base: "static-keys:keys" },
    ],
    [
      "a source with static keys and role_arn: the keys, as botocore does",
      `[profile a]\nrole_arn = ${A}\nsource_profile = both\n[profile both]\nrole_arn = ${B}\nsource_profile = dev\n`,
      "[both]\naws_access_key_id = AKID\naws_secret_access_key = s\n",
      "a",
      { roles: ["a"], base: "static-keys:both" },
    ],
    [
      "a profile that is its own source, with keys",
      `[profile self]\nrole_arn = ${A}\nsource_profile = self\n`,
      "[self]\naws_access_key_id = AKID\naws_secret_access_key = s\n",
      "self",
      { roles: ["self"], base: "static-keys:self" },
    ],
    [
      "a credential_process source (the bridge profile)",
      `[profile bridge]\ncredential_process = aws-login export-credentials --profile dev\n` +
      `[profile a]\nrole_arn = ${A}\nsource_profile = bridge\n`,
      "",
      "a",
      { roles: ["a"], base: "credential-process:bridge" },
    ],
    [
      "role_arn wins over the profile's own keys at the top, as botocore's provider order says",
      `[profile a]\nrole_arn = ${A}\nsource_profile = dev\n[profile dev]\nlogin_session = ${USER}\n`,
      "[a]\naws_access_key_id = AKID\naws_secret_access_key = s\n",
      "a",
      { roles: ["a"], base: "login-session:dev" },
    ],
    [
      "web_identity_token_file makes it no role profile of ours",
      `[profile w]\nrole_arn = ${A}\nweb_identity_token_file = /t\nlogin_session = ${USER}\n`,
      "",
      "w",
      { roles: [], base: "login-session:w" },
    ],
    [
      "four roles in a row are allowed",
      `[profile dev]\nlogin_session = ${USER}\n` +
      [1, 2, 3, 4].map((n) =>
        `[profile r${n}]\nrole_arn = ${A}\nsource_profile = ${n === 4 ? "dev" : `r${n + 1}`}\n`
      ).join(""),
      "",
      "r1",
      { roles: ["r4", "r3", "r2", "r1"], base: "login-session:dev" },
    ],
  ];
  for (const [what, config, credentials, profile, expected] of cases) {
    assertEquals(chainOf(shared(config, credentials), profile), expected, what);
  }
});

Deno.test("credentialSource() refuses the chains botocore refuses, naming the profile", () => {
  const cases: [string, string, string, string][] = [
    [
      "no source",
      `[profile a]\nrole_arn = ${A}\n`,
      "ROLE_NO_SOURCE",
      'Profile "a" has role_arn but no source_profile',
    ],
    [
      "a missing source",
      `[profile a]\nrole_arn = ${A}\nsource_profile = gone\n`,
      "ROLE_SOURCE_MISSING",
      'The source_profile "gone" of profile "a" does not exist',
    ],
    [
      "both sources",
      `[profile a]\nrole_arn = ${A}\nsource_profile = a\ncredential_source = Environment\n`,
      "ROLE_BOTH_SOURCES",
      'The profile "a" contains both source_profile and credential_source',
    ],
    [
      "credential_source",
      `[profile a]\nrole_arn = ${A}\ncredential_source = EcsContainer\n`,
      "ROLE_CREDENTIAL_SOURCE",
      'credential_source "EcsContainer"',
    ],
    [
      "a cycle",
      `[profile a]\nrole_arn = ${A}\nsource_profile = b\n[profile b]\nrole_arn = ${B}\nsource_profile = a\n`,
      "ROLE_CYCLE",
      "a -> b -> a",
    ],
    [
      "its own source without keys",
      `[profile a]\nrole_arn = ${A}\nsource_profile = a\n`,
      "ROLE_CYCLE",
      "a -> a",
    ],
    [
      "five roles in a row",
      `[profile dev]\nlogin_session = ${USER}\n` +
      [1, 2, 3, 4, 5].map((n) =>
        `[profile r${n}]\nrole_arn = ${A}\nsource_profile = ${n === 5 ? "dev" : `r${n + 1}`}\n`
      ).join(""),
      "ROLE_CHAIN_TOO_LONG",
      'Profile "r1" chains more than 4 roles',
    ],
    [
      "a deep role chained for 2 hours on a role",
      `[profile dev]\nlogin_session = ${USER}\n[profile a]\nrole_arn = ${A}\nsource_profile = dev\n` +
      `[profile b]\nrole_arn = ${B}\nsource_profile = a\nduration_seconds = 7200\n`,
      "ROLE_CHAINING_DURATION",
      'Profile "b" asks for duration_seconds 7200, but its role is assumed with the credentials of role profile "a"',
    ],
  ];
  for (const [what, config, code, message] of cases) {
    const profile = what === "five roles in a row" ? "r1" : what.startsWith("a deep") ? "b" : "a";
    const error = assertThrows(
      () => credentialSource(shared(config), profile),
      ConfigError,
      message,
    );
    assertEquals(error.code, code, what);
    assertEquals(error.exitCode, 3);
  }
  // A source profile that exists but holds nothing: the usual sign-in advice, for that profile.
  const empty = assertThrows(
    () =>
      credentialSource(
        shared(`[profile a]\nrole_arn = ${A}\nsource_profile = dev\n[profile dev]\n`),
        "a",
      ),
    LoginRequiredError,
    "Profile dev has no login session",
  );
  assertEquals(empty.hint, 'Run "aws-login login --profile dev" to sign in');
});

Deno.test("roleHop() checks each setting against the STS model before any call", () => {
  const ok = roleHop("p", {
    role_arn: ` ${A} `,
    role_session_name: "me@example.com",
    duration_seconds: "900",
    external_id: "partner:42/x",
    mfa_serial: "arn:aws:iam::123456789012:mfa/alice",
  });
  assertEquals(ok, {
    profile: "p",
    roleArn: A,
    roleSessionName: "me@example.com",
    durationSeconds: 900,
    externalId: "partner:42/x",
    mfaSerial: "arn:aws:iam::123456789012:mfa/alice",
  });
  assertEquals(roleHop("p", { role_arn: A, duration_seconds: "" }).durationSeconds, undefined);
  const bad: [Record<string, string>, string][] = [
    [{ role_arn: "Deploy" }, "INVALID_ROLE_ARN"],
    [{ role_arn: "arn:aws:iam::123456789012:user/alice" }, "INVALID_ROLE_ARN"],
    [{ role_arn: A, role_session_name: "my session" }, "INVALID_ROLE_SESSION_NAME"],
    [{ role_arn: A, role_session_name: "x" }, "INVALID_ROLE_SESSION_NAME"],
    [{ role_arn: A, duration_seconds: "1h" }, "INVALID_DURATION"],
    [{ role_arn: A, duration_seconds: "899" }, "INVALID_DURATION"],
    [{ role_arn: A, duration_seconds: "43201" }, "INVALID_DURATION"],
    [{ role_arn: A, external_id: "a b" }, "INVALID_EXTERNAL_ID"],
    [{ role_arn: A, mfa_serial: "short" }, "INVALID_MFA_SERIAL"],
  ];
  for (const [values, code] of bad) {
    const error = assertThrows(() => roleHop("p", values), ConfigError, 'profile "p"');
    assertEquals(error.code, code, JSON.stringify(values));
  }
});

function hop(profile: string, durationSeconds?: number): RoleHop {
  return {
    profile,
    roleArn: A,
    roleSessionName: undefined,
    durationSeconds,
    externalId: undefined,
    mfaSerial: undefined,
  };
}

Deno.test("checkRoleDurations(): more than an hour only where the caller is no role session", () => {
  const cases: [string, RoleHop[], string | undefined, string | undefined][] = [
    ["12 hours on a user's login", [hop("a", 43200)], undefined, undefined],
    ["the default on a role session's login", [hop("a")], ROLE_SESSION, undefined],
    ["one hour on a role session's login", [hop("a", 3600)], ROLE_SESSION, undefined],
    ["two hours on a role session's login", [hop("a", 7200)], ROLE_SESSION, '"a"'],
    ["two hours for the first role of a user", [hop("a", 7200), hop("b")], undefined, undefined],
    ["two hours for a role on a role", [hop("a"), hop("b", 7200)], undefined, '"b"'],
    ["15 minutes on a role", [hop("a"), hop("b", 900)], ROLE_SESSION, undefined],
  ];
  for (const [what, roles, firstCaller, refused] of cases) {
    if (refused === undefined) {
      checkRoleDurations(roles, { firstCaller });
      continue;
    }
    const error = assertThrows(
      () => checkRoleDurations(roles, { firstCaller }),
      ConfigError,
      `Profile ${refused} asks for duration_seconds 7200`,
    );
    assertEquals(error.code, "ROLE_CHAINING_DURATION", what);
  }
});

Deno.test("roleCacheKeyMaterial(): the chain and its parameters, not the profile names", () => {
  const sts = { url: "https://sts.eu-west-1.amazonaws.com/", signingRegion: "eu-west-1" };
  const login: BaseIdentity = { kind: "login-session", loginSession: USER };
  const key = (roles: RoleHop[], options: { base?: BaseIdentity; url?: string } = {}) =>
    roleCacheKeyMaterial({
      base: options.base ?? login,
      roles,
      sts: options.url === undefined ? sts : { ...sts, url: options.url },
    });
  const reference = key([hop("a")]);
  assertEquals(
    reference,
    `{"base":{"kind":"login-session","loginSession":"${USER}"},"roles":[{"roleArn":"${A}"}],` +
      `"sts":{"signingRegion":"eu-west-1","url":"https://sts.eu-west-1.amazonaws.com/"},"version":1}`,
  );
  // Same chain under another profile name: the same key.
  assertEquals(key([hop("other")]), reference);
  const different: [string, string][] = [
    [
      "another login session",
      key([hop("a")], { base: { kind: "login-session", loginSession: ROLE_SESSION } }),
    ],
    ["static keys", key([hop("a")], { base: { kind: "static-keys", accessKeyId: "AKID" } })],
    ["another endpoint", key([hop("a")], { url: "https://sts.amazonaws.com/" })],
    ["a duration", key([hop("a", 900)])],
    ["an external id", key([{ ...hop("a"), externalId: "x1" }])],
    ["an explicit session name", key([{ ...hop("a"), roleSessionName: "me" }])],
    ["an MFA device", key([{ ...hop("a"), mfaSerial: "arn:aws:iam::1:mfa/x" }])],
    ["a role below", key([hop("z"), hop("a")])],
  ];
  const seen = new Set([reference]);
  for (const [what, material] of different) {
    assertTrue(!seen.has(material), what);
    seen.add(material);
  }
});

Deno.test("credentialSource() hands a role profile's own settings and its services sts block on", () => {
  const files = shared(
    `[profile dev]\nlogin_session = ${USER}\n` +
      `[profile a]\nrole_arn = ${A}\nsource_profile = dev\nregion = eu-west-1\nservices = local\n` +
      `[services local]\nsts =\n  endpoint_url = http://127.0.0.1:4566\n`,
  );
  const source = credentialSource(files, "a");
  assertEquals(source.kind, "assume-role");
  if (source.kind !== "assume-role") return;
  assertEquals(source.profileValues.region, "eu-west-1");
  assertEquals(source.servicesSts, { endpoint_url: "http://127.0.0.1:4566" });
});
