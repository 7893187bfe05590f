/**
 * What would be used instead of a profile's login session: `shadowingSources()` as a table, and
 * `precedenceFacts()` on real config and credentials text (keys found with their file and line).
 */

import { assertEquals } from "../support/assert.ts";
import {
  type PrecedenceFacts,
  precedenceFacts,
  shadowingSources,
} from "../../lib/aws/precedence.ts";
import type { SharedConfig } from "../../lib/aws/shared_config.ts";
import { parseIni } from "../../lib/aws/ini.ts";
import { ProfileIndex } from "../../lib/aws/profiles.ts";
import { fakeDeps } from "../support/fake_deps.ts";

const NONE: PrecedenceFacts = {
  profile: "dev",
  variables: { AWS_ACCESS_KEY_ID: false, AWS_WEB_IDENTITY_TOKEN_FILE: false, AWS_ROLE_ARN: false },
  profileVariables: {},
  profileKeys: [],
  os: "linux",
};

Deno.test("shadowingSources() names each source, in the order SDKs try them", () => {
  const table: [string, Partial<PrecedenceFacts>, string[]][] = [
    ["nothing", {}, []],
    ["the key id alone is enough for botocore (it fails without the secret)", {
      variables: { ...NONE.variables, AWS_ACCESS_KEY_ID: true },
    }, [
      "AWS_ACCESS_KEY_ID is set in this shell: the AWS CLI and SDKs use those keys instead of this login unless given --profile dev",
    ]],
    ["web identity needs both variables", {
      variables: { ...NONE.variables, AWS_WEB_IDENTITY_TOKEN_FILE: true },
    }, []],
    ["web identity from the environment", {
      variables: { ...NONE.variables, AWS_WEB_IDENTITY_TOKEN_FILE: true, AWS_ROLE_ARN: true },
    }, [
      "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are set in this shell: the AWS CLI and boto3 use web identity credentials instead of this login unless given --profile dev",
    ]],
    ["AWS_PROFILE naming this profile is fine", { profileVariables: { AWS_PROFILE: "dev" } }, []],
    ["AWS_PROFILE naming another", { profileVariables: { AWS_PROFILE: "prod" } }, [
      'AWS_PROFILE is "prod" in this shell: tools without --profile use profile prod, not dev',
    ]],
    ["AWS_DEFAULT_PROFILE, which botocore reads first", {
      profileVariables: { AWS_DEFAULT_PROFILE: "ci" },
    }, [
      'AWS_DEFAULT_PROFILE is "ci" in this shell: the AWS CLI and boto3 without --profile use profile ci, not dev',
    ]],
    ["keys in the credentials file", {
      profileKeys: [{
        key: "aws_access_key_id",
        file: "credentials",
        path: "~/.aws/credentials",
        line: 2,
      }],
    }, [
      "aws_access_key_id in ~/.aws/credentials line 2: the AWS CLI and SDKs use these access keys for profile dev instead of its login session",
    ]],
    ["keys in the config file: only the JS SDK prefers them", {
      profileKeys: [{ key: "aws_access_key_id", file: "config", path: "~/.aws/config", line: 4 }],
    }, [
      "aws_access_key_id in ~/.aws/config line 4: the AWS SDK for JavaScript prefers it to the login session of profile dev (the AWS CLI and boto3 use the login session first)",
    ]],
    ["role_arn and credential_process, in botocore's order", {
      profileKeys: [
        { key: "credential_process", file: "config", path: "~/.aws/config", line: 9 },
        { key: "role_arn", file: "config", path: "~/.aws/config", line: 7 },
      ],
    }, [
      "role_arn in ~/.aws/config line 7: the AWS CLI and SDKs assume that role for profile dev instead of its login session",
      "credential_process in ~/.aws/config line 9: the AWS SDK for JavaScript prefers it to the login session of profile dev (the AWS CLI and boto3 use the login session first)",
    ]],
  ];
  for (const [name, change, expected] of table) {
    assertEquals(shadowingSources({ ...NONE, ...change }).map((s) => s.message), expected, name);
  }
});

Deno.test("shadowingSources(): each fix says what to run, in the shell's syntax", () => {
  const keys = { ...NONE, variables: { ...NONE.variables, AWS_ACCESS_KEY_ID: true } };
  assertEquals(
    shadowingSources(keys)[0]?.fix,
    'unset them ("unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN"), give tools the profile explicitly (--profile dev), or run them with "aws-login exec --profile dev -- ..."',
  );
  assertEquals(
    shadowingSources({ ...keys, os: "windows" })[0]?.fix,
    'unset them ("Remove-Item Env:AWS_ACCESS_KEY_ID, Env:AWS_SECRET_ACCESS_KEY, Env:AWS_SESSION_TOKEN"), give tools the profile explicitly (--profile dev), or run them with "aws-login exec --profile dev -- ..."',
  );
  const role = {
    ...NONE,
    profileKeys: [{ key: "role_arn", file: "config" as const, path: "~/.aws/config", line: 3 }],
  };
  assertEquals(
    shadowingSources(role)[0]?.fix,
    "remove role_arn from [profile dev] in ~/.aws/config, or sign in to a profile of its own (aws-login login --profile dev-login)",
  );
});

function shared(config: string, credentials: string): SharedConfig {
  const c = parseIni(config).sections;
  const k = parseIni(credentials).sections;
  return {
    configPath: "/home/me/.aws/config",
    configText: config,
    configExists: true,
    config: c,
    credentialsPath: "/home/me/.aws/credentials",
    credentials: k,
    profiles: new ProfileIndex(c, k),
    problems: [],
  };
}

Deno.test("precedenceFacts() finds the keys with their file and line, the credentials file first", () => {
  const deps = fakeDeps({
    env: { HOME: "/home/me", AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_PROFILE: "dev" },
    os: "linux",
  });
  const files = shared(
    "[default]\nregion = eu-west-1\n\n[profile dev]\nlogin_session = arn:aws:iam::1:user/a\n" +
      "credential_process = /bin/true\n[profile dev]\nrole_arn = arn:aws:iam::1:role/r\n",
    "[DEFAULT]\naws_access_key_id = AKIDDEFAULT\n[dev]\nregion = x\n",
  );
  const facts = precedenceFacts(deps, files, "dev");
  assertEquals(facts.variables, {
    AWS_ACCESS_KEY_ID: true,
    AWS_WEB_IDENTITY_TOKEN_FILE: false,
    AWS_ROLE_ARN: false,
  });
  assertEquals(facts.profileKeys, [
    { key: "role_arn", file: "config", path: "~/.aws/config", line: 8 },
    // From [DEFAULT] of the credentials file, which applies to [dev] there.
    { key: "aws_access_key_id", file: "credentials", path: "~/.aws/credentials", line: 2 },
    { key: "credential_process", file: "config", path: "~/.aws/config", line: 6 },
  ]);
  assertEquals(precedenceFacts(deps, files, "default").profileKeys, []);
});
