/**
 * The profile → credentials resolver: where credentials come from (a pure decision on the parsed
 * files, as a table), and what a `credential_process` printed. Fetching them is covered by the
 * export-credentials, exec and serve tests.
 */

import { assertEquals, assertThrows } from "../support/assert.ts";
import { type SharedConfig, sharedConfigOf } from "../../lib/aws/shared_config.ts";
import { credentialSource, parseProcessOutput } from "../../lib/aws/profile_credentials.ts";
import { ConfigError, LoginRequiredError } from "../../lib/errors.ts";

const SESSION = "arn:aws:sts::123456789012:assumed-role/Admin/alice";

function shared(config: string, credentials = ""): SharedConfig {
  return sharedConfigOf({
    configPath: "/home/me/.aws/config",
    configText: config,
    credentialsPath: "/home/me/.aws/credentials",
    credentialsText: credentials,
  });
}

Deno.test("credentialSource() picks the login session, then static keys, then a process", () => {
  const cases: [string, string, string, unknown][] = [
    [
      "a login profile",
      `[profile dev]\nlogin_session = ${SESSION}\nregion = eu-west-1\n`,
      "",
      {
        kind: "login-session",
        profile: "dev",
        loginSession: SESSION,
        profileValues: { login_session: SESSION, region: "eu-west-1" },
      },
    ],
    [
      "login_session wins over keys in the credentials file, as in the CLI's refusal order",
      `[profile dev]\nlogin_session = ${SESSION}\n`,
      "[dev]\naws_access_key_id = AKID\naws_secret_access_key = s\n",
      {
        kind: "login-session",
        profile: "dev",
        loginSession: SESSION,
        profileValues: { login_session: SESSION },
      },
    ],
    [
      "static keys from the credentials file",
      "[profile dev]\nregion = eu-west-1\n",
      "[dev]\naws_access_key_id = AKID\naws_secret_access_key = s\naws_session_token = t\n",
      {
        kind: "static-keys",
        profile: "dev",
        accessKeyId: "AKID",
        secretAccessKey: "s",
        sessionToken: "t",
        accountId: undefined,
      },
    ],
    [
      "static keys only in the credentials file, with an account",
      "",
      "[ci]\naws_access_key_id = AKID\naws_secret_access_key = s\naws_account_id = 123456789012\n",
      {
        kind: "static-keys",
        profile: "ci",
        accessKeyId: "AKID",
        secretAccessKey: "s",
        sessionToken: undefined,
        accountId: "123456789012",
      },
    ],
    [
      "a credential_process",
      "[profile process]\ncredential_process = aws-login export-credentials --profile dev\n",
      "",
      {
        kind: "credential-process",
        profile: "process",
        commandLine: "aws-login export-credentials --profile dev",
      },
    ],
  ];
  for (const [what, config, credentials, expected] of cases) {
    const profile = (expected as { profile: string }).profile;
    assertEquals(credentialSource(shared(config, credentials), profile), expected, what);
  }
});

Deno.test("credentialSource() names the command to run when there is nothing to use", () => {
  const missing = assertThrows(
    () => credentialSource(shared("[profile dev]\n"), "prod"),
    ConfigError,
    "The config profile (prod) could not be found",
  );
  assertEquals(missing.hint, 'Run "aws-login login --profile prod" to create it');
  const empty = assertThrows(
    () => credentialSource(shared("[profile dev]\nregion = eu-west-1\n"), "dev"),
    LoginRequiredError,
    "Profile dev has no login session",
  );
  assertEquals(empty.hint, 'Run "aws-login login --profile dev" to sign in');
  // A key without its secret is no credentials at all.
  assertThrows(
    () => credentialSource(shared("[profile dev]\naws_access_key_id = AKID\n"), "dev"),
    LoginRequiredError,
  );
});

Deno.test("parseProcessOutput() reads Version 1 output, AccountId included", () => {
  assertEquals(
    parseProcessOutput(
      "p",
      JSON.stringify({
        Version: 1,
        AccessKeyId: "A",
        SecretAccessKey: "S",
        SessionToken: "T",
        Expiration: "2026-12-01T10:15:00+00:00",
        AccountId: "123456789012",
      }),
    ),
    {
      accessKeyId: "A",
      secretAccessKey: "S",
      sessionToken: "T",
      expiration: new Date("2026-12-01T10:15:00Z"),
      accountId: "123456789012",
    },
  );
  assertEquals(parseProcessOutput("p", '{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S"}'), {
    accessKeyId: "A",
    secretAccessKey: "S",
    sessionToken: undefined,
    expiration: undefined,
    accountId: undefined,
  });
  for (
    const [stdout, why] of [
      ["nope", "it is not JSON"],
      ['{"Version":2,"AccessKeyId":"A","SecretAccessKey":"S"}', "Version is not 1"],
      ['{"Version":1,"AccessKeyId":"A"}', "AccessKeyId or SecretAccessKey is missing"],
    ]
  ) {
    assertThrows(() => parseProcessOutput("p", stdout!), ConfigError, why);
  }
});
