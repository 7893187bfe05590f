/**
 * What `exec` gives its child: the environment (a table), and the private config (cases, then
 * read back by real botocore: the child's SDK sees the profile's settings, and no credentials
 * before the endpoint).
 */

import { assertEquals, assertTrue } from "../support/assert.ts";
import { pythonModuleMissing } from "../support/tools.ts";
import { type SharedConfig, sharedConfigOf } from "../../lib/aws/shared_config.ts";
import {
  childConfigText,
  childEnvironment,
  EXEC_MARKER_VARIABLE,
  isCredentialKey,
  REMOVED_VARIABLES,
} from "../../lib/aws/child_environment.ts";

const SESSION = "arn:aws:sts::123456789012:assumed-role/Admin/alice";

function shared(config: string, credentials = ""): SharedConfig {
  return sharedConfigOf({
    configPath: "/home/me/.aws/config",
    configText: config,
    credentialsPath: "/home/me/.aws/credentials",
    credentialsText: credentials,
  });
}

const FILES = { configFile: "/tmp/x/config", credentialsFile: "/tmp/x/credentials" };
const ENDPOINT = {
  kind: "endpoint",
  uri: "http://127.0.0.1:9911/credentials",
  token: "t0k",
} as const;

Deno.test("childEnvironment(): this profile, its files, the endpoint, the region when unset", () => {
  const base = {
    AWS_CONFIG_FILE: FILES.configFile,
    AWS_SHARED_CREDENTIALS_FILE: FILES.credentialsFile,
    AWS_PROFILE: "dev",
    AWS_DEFAULT_PROFILE: "dev",
    [EXEC_MARKER_VARIABLE]: "dev",
  };
  const cases: [string, Parameters<typeof childEnvironment>[0], Record<string, string>][] = [
    [
      "the endpoint, and the profile's region for a caller without one",
      {
        profile: "dev",
        ...FILES,
        region: "eu-west-1",
        callerHasRegion: false,
        credentials: ENDPOINT,
      },
      {
        ...base,
        AWS_REGION: "eu-west-1",
        AWS_DEFAULT_REGION: "eu-west-1",
        AWS_CONTAINER_CREDENTIALS_FULL_URI: ENDPOINT.uri,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: ENDPOINT.token,
      },
    ],
    [
      "the caller's region stays",
      {
        profile: "dev",
        ...FILES,
        region: "eu-west-1",
        callerHasRegion: true,
        credentials: ENDPOINT,
      },
      {
        ...base,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: ENDPOINT.uri,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: ENDPOINT.token,
      },
    ],
    [
      "--no-server: the keys in the environment",
      {
        profile: "dev",
        ...FILES,
        region: undefined,
        callerHasRegion: false,
        credentials: {
          kind: "environment",
          accessKeyId: "ASIA",
          secretAccessKey: "s",
          sessionToken: "t",
          expiration: new Date("2026-12-01T10:15:00Z"),
        },
      },
      {
        ...base,
        AWS_ACCESS_KEY_ID: "ASIA",
        AWS_SECRET_ACCESS_KEY: "s",
        AWS_SESSION_TOKEN: "t",
        AWS_CREDENTIAL_EXPIRATION: "2026-12-01T10:15:00+00:00",
      },
    ],
  ];
  for (const [what, input, env] of cases) {
    const result = childEnvironment(input);
    assertEquals(result.env, env, what);
    // Every credential variable the child inherits is removed, except those set just above.
    assertEquals(
      [...result.unset].sort(),
      REMOVED_VARIABLES.filter((name) => !(name in env)).sort(),
      what,
    );
  }
  for (
    const name of [
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN",
      "AWS_SECURITY_TOKEN",
      "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
      "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
      "AWS_WEB_IDENTITY_TOKEN_FILE",
      "AWS_ROLE_ARN",
    ]
  ) {
    assertTrue(REMOVED_VARIABLES.includes(name), name);
  }
});

Deno.test("isCredentialKey() separates where credentials come from and everything else", () => {
  for (
    const key of [
      "aws_access_key_id",
      "aws_secret_access_key",
      "aws_session_token",
      "login_session",
      "credential_process",
      "role_arn",
      "source_profile",
      "credential_source",
      "web_identity_token_file",
      "sso_session",
      "sso_start_url",
      "sso_account_id",
      "mfa_serial",
    ]
  ) {
    assertTrue(isCredentialKey(key), key);
  }
  for (
    const key of ["region", "output", "endpoint_url", "s3", "services", "retry_mode", "ca_bundle"]
  ) {
    assertTrue(!isCredentialKey(key), key);
  }
});

const HEADER = `# Written by aws-login exec: the settings of profile "dev" without its
# credentials, which come from AWS_CONTAINER_CREDENTIALS_FULL_URI.
# Removed when the command ends; changes made here are lost.
`;

Deno.test("childConfigText() keeps the settings, drops the credentials and the other profiles", () => {
  const config = `[default]
aws_access_key_id = AKIDDEFAULT
aws_secret_access_key = default-secret
region = us-west-2

[DEFAULT]
cli_pager =

[profile dev]
login_session = ${SESSION}
region = eu-west-1
output = json
services = local
s3 =
  addressing_style = path
  max_concurrent_requests = 4
ca_bundle = /etc/ssl/corp.pem

[services local]
s3 =
  endpoint_url = http://127.0.0.1:9000

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
`;
  const credentials = "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = dev-secret\n";
  assertEquals(
    childConfigText(shared(config, credentials), "dev", "endpoint"),
    `${HEADER}[profile dev]
cli_pager = 
region = eu-west-1
output = json
services = local
ca_bundle = /etc/ssl/corp.pem
s3 =
  addressing_style = path
  max_concurrent_requests = 4

[services local]
cli_pager = 
s3 =
  endpoint_url = http://127.0.0.1:9000
`,
  );
  // The default profile under its own header, without its keys.
  const ofDefault = childConfigText(shared(config), "default", "endpoint");
  assertEquals(
    ofDefault,
    `${HEADER.replace('"dev"', '"default"')}[default]\ncli_pager = \nregion = us-west-2\n`,
  );
  // A name botocore must read back as one word.
  assertTrue(
    childConfigText(shared('[profile "my dev"]\nregion = eu-west-1\n'), "my dev", "environment")
      .endsWith('\n[profile "my dev"]\nregion = eu-west-1\n'),
  );
  // A profile only in the credentials file still gets its header.
  assertTrue(
    childConfigText(shared("", "[ci]\naws_access_key_id = A\n"), "ci", "endpoint")
      .endsWith("\n[profile ci]\n"),
  );
  // A value of several lines stays one value.
  assertTrue(
    childConfigText(shared("[profile dev]\nnote = a\n  b\n"), "dev", "endpoint")
      .endsWith("\n[profile dev]\nnote = a\n  b\n"),
  );
});

/** botocore's view of the child's files: the profile's settings, and the credentials it finds. */
const PROBE = `
import json, os, sys
import botocore.session
session = botocore.session.Session()
config = session.get_scoped_config()
credentials = session.get_credentials()
json.dump({
    "profile": session.profile,
    "config": config,
    "credentials": None if credentials is None else credentials.method,
}, sys.stdout)
`;

Deno.test({
  name:
    "botocore reads the child's files: the settings of the profile, no credentials to shadow the endpoint",
  ignore: (await pythonModuleMissing("botocore")) !== undefined,
  fn: async () => {
    const directory = await Deno.makeTempDir({ prefix: "aws-login-child-test-" });
    try {
      const config = `[default]
aws_access_key_id = AKIDDEFAULT
aws_secret_access_key = default-secret
[profile dev]
login_session = ${SESSION}
region = eu-west-1
s3 =
  addressing_style = path
`;
      const configFile = `${directory}/config`;
      const credentialsFile = `${directory}/credentials`;
      await Deno.writeTextFile(configFile, childConfigText(shared(config), "dev", "endpoint"));
      await Deno.writeTextFile(credentialsFile, "");
      const { env } = childEnvironment({
        profile: "dev",
        configFile,
        credentialsFile,
        region: "eu-west-1",
        callerHasRegion: false,
        // No endpoint in this probe: whatever botocore finds would come before it.
        credentials: { ...ENDPOINT, uri: "" },
      });
      const childEnv: Record<string, string> = { ...env, AWS_EC2_METADATA_DISABLED: "true" };
      delete childEnv.AWS_CONTAINER_CREDENTIALS_FULL_URI;
      delete childEnv.AWS_CONTAINER_AUTHORIZATION_TOKEN;
      const output = await new Deno.Command("python3", {
        args: ["-c", PROBE],
        env: { ...childEnv, PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: directory },
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertEquals(output.code, 0, new TextDecoder().decode(output.stderr));
      assertEquals(JSON.parse(new TextDecoder().decode(output.stdout)), {
        profile: "dev",
        config: { region: "eu-west-1", s3: { addressing_style: "path" } },
        credentials: null,
      });
    } finally {
      await Deno.remove(directory, { recursive: true });
    }
  },
});
