import { assertEquals, assertThrows } from "../support/assert.ts";
import { parseIni } from "../../lib/aws/ini.ts";
import {
  configProfile,
  configProfileHeader,
  configProfileName,
  configSectionName,
  credentialsProfile,
  listProfiles,
  mergedProfile,
  otherCredentialKey,
  otherCredentialStyle,
  ProfileIndex,
} from "../../lib/aws/profiles.ts";

function sections(text: string) {
  return parseIni(text).sections;
}

Deno.test("configSectionName() names the config file section of a profile", () => {
  for (
    const [profile, header] of [
      ["default", "default"],
      ["dev", "profile dev"],
      ["Default", "profile Default"],
      ["team/dev@corp.example+1", "profile team/dev@corp.example+1"],
      ["my dev", 'profile "my dev"'],
      ["tab\tname", 'profile "tab\tname"'],
      ["it's", `profile "it's"`],
      ['say "hi"', 'profile "say \\"hi\\""'],
      ["back\\slash", 'profile "back\\\\slash"'],
    ] as const
  ) {
    assertEquals(configSectionName(profile), header, profile);
    // Whatever is written reads back as the same profile.
    assertEquals(configProfileName(header), profile, header);
  }
});

Deno.test("configSectionName() rejects names that cannot be written in a header", () => {
  assertThrows(() => configSectionName(""), TypeError, "empty");
  assertThrows(() => configSectionName("a\nb"), TypeError, "line break");
  assertThrows(() => configSectionName("a\rb"), TypeError, "line break");
});

Deno.test("configProfileName() reads headers as botocore does", () => {
  for (
    const [header, profile] of [
      ["default", "default"],
      ["profile default", "default"],
      ["profile dev", "dev"],
      ["profile  dev ", "dev"],
      ["profile\tdev", "dev"],
      ['profile "my dev"', "my dev"],
      ["profile 'my dev'", "my dev"],
      ['profile "a\\"b"', 'a"b'],
      ['profile "a\\b"', "a\\b"],
      ["profile a\\ b", "a b"],
      ['profile ""', ""],
      // botocore only checks that the header starts with "profile".
      ["profiles dev", "dev"],
      ["profile-x dev", "dev"],
      // Not profiles.
      ["profile", undefined],
      ["profiledev", undefined],
      ["profile a b", undefined],
      ['profile "unclosed', undefined],
      ["profile dev\\", undefined],
      [" profile dev", undefined],
      ["default ", undefined],
      ["Default", undefined],
      ["DEFAULT", undefined],
      ["sso-session corp", undefined],
      ["services local", undefined],
      ["dev", undefined],
    ] as const
  ) {
    assertEquals(configProfileName(header), profile, header);
  }
});

Deno.test("configProfile() reads [default] and [profile NAME]", () => {
  const config = sections(
    "[default]\nregion = us-east-1\n[profile dev]\nregion = eu-west-1\n" +
      '[sso-session dev]\nsso_region = x\n[profile "my dev"]\noutput = json\n',
  );
  assertEquals(configProfile(config, "default"), { region: "us-east-1" });
  assertEquals(configProfile(config, "dev"), { region: "eu-west-1" });
  assertEquals(configProfile(config, "my dev"), { output: "json" });
  assertEquals(configProfile(config, "missing"), undefined);
  assertEquals(configProfile(config, "sso-session dev"), undefined);
});

Deno.test("configProfile() lets the last header that names the profile win, wholesale", () => {
  const defaults = "[default]\nregion = a\noutput = json\n[profile default]\nregion = b\n";
  assertEquals(configProfile(sections(defaults), "default"), { region: "b" });
  const reversed = "[profile default]\nregion = b\n[default]\nregion = a\noutput = json\n";
  assertEquals(configProfile(sections(reversed), "default"), { region: "a", output: "json" });
  const spellings = '[profile "dev"]\nx = 1\n[profile dev]\ny = 2\n[profile "dev"]\nz = 3\n';
  // configparser orders sections by their first header: `profile dev` came last.
  assertEquals(configProfileHeader(sections(spellings), "dev"), "profile dev");
  assertEquals(configProfile(sections(spellings), "dev"), { y: "2" });
});

Deno.test("configProfile() merges a repeated header key by key, later lines winning", () => {
  const text = "[profile dev]\nregion = a\noutput = json\n[profile x]\n[profile dev]\nregion = b\n";
  assertEquals(configProfile(sections(text), "dev"), { region: "b", output: "json" });
});

Deno.test("configProfile() puts [DEFAULT] values under every profile", () => {
  const text = "[profile dev]\nregion = eu-west-1\n[DEFAULT]\nregion = us-east-1\noutput = json\n" +
    "[default]\n";
  assertEquals(configProfile(sections(text), "dev"), { region: "eu-west-1", output: "json" });
  assertEquals(configProfile(sections(text), "default"), { region: "us-east-1", output: "json" });
  assertEquals(configProfile(sections(text), "DEFAULT"), undefined);
  assertEquals(configProfile(sections(text), "other"), undefined);
});

Deno.test("configProfile() leaves nested blocks out, even over a [DEFAULT] value", () => {
  const text = "[DEFAULT]\ns3 = flat\n[profile dev]\nregion = x\ns3 =\n  addressing_style = path\n";
  assertEquals(configProfile(sections(text), "dev"), { region: "x" });
});

Deno.test("credentialsProfile() reads [NAME] as is", () => {
  const credentials = sections(
    "[default]\naws_access_key_id = A\n[dev]\naws_access_key_id = B\n[profile ci]\nx = 1\n" +
      "[DEFAULT]\nregion = r\n",
  );
  assertEquals(credentialsProfile(credentials, "dev"), { aws_access_key_id: "B", region: "r" });
  assertEquals(credentialsProfile(credentials, "profile ci"), { x: "1", region: "r" });
  assertEquals(credentialsProfile(credentials, "ci"), undefined);
  assertEquals(credentialsProfile(credentials, "DEFAULT"), undefined);
  assertEquals(credentialsProfile(credentials, "missing"), undefined);
});

Deno.test("mergedProfile() lets credentials values override config values", () => {
  const config = sections("[profile dev]\nregion = eu-west-1\naws_access_key_id = FROM_CONFIG\n");
  const credentials = sections("[dev]\naws_access_key_id = FROM_CREDENTIALS\n[ci]\nx = 1\n");
  assertEquals(mergedProfile(config, credentials, "dev"), {
    region: "eu-west-1",
    aws_access_key_id: "FROM_CREDENTIALS",
  });
  assertEquals(mergedProfile(config, credentials, "ci"), { x: "1" });
  assertEquals(mergedProfile(config, [], "dev"), {
    region: "eu-west-1",
    aws_access_key_id: "FROM_CONFIG",
  });
  assertEquals(mergedProfile(config, credentials, "missing"), undefined);
  // The credentials file has no "profile " prefix: [profile dev] there is another profile.
  assertEquals(mergedProfile([], sections("[profile dev]\nx = 1\n"), "dev"), undefined);
});

Deno.test("listProfiles() lists each profile once, config file first, in file order", () => {
  const config = sections(
    "[profile b]\n[sso-session s]\n[default]\n[services x]\n[profile a b]\n[DEFAULT]\n" +
      '[profile "c d"]\n[profile b]\n[profile default]\n',
  );
  assertEquals(listProfiles(config), ["b", "default", "c d"]);
  const credentials = sections("[z]\n[b]\n[DEFAULT]\n[profile q]\n");
  assertEquals(listProfiles(config, credentials), ["b", "default", "c d", "z", "profile q"]);
  assertEquals(listProfiles([]), []);
});

Deno.test("otherCredentialStyle() answers in the AWS CLI's order and words", () => {
  const all = {
    web_identity_token_file: "/t",
    sso_role_name: "r",
    sso_account_id: "1",
    aws_access_key_id: "A",
    role_arn: "arn",
    credential_process: "p",
  };
  const order = [
    ["web_identity_token_file", "Web Identity"],
    ["sso_role_name", "SSO"],
    ["sso_account_id", "SSO"],
    ["aws_access_key_id", "Access Key"],
    ["role_arn", "Assume Role"],
    ["credential_process", "Credential Process"],
  ] as const;
  let remaining: Record<string, string> = { ...all, region: "x" };
  for (const [key, style] of order) {
    assertEquals(otherCredentialStyle(remaining), style, key);
    // The key alone is enough.
    assertEquals(otherCredentialStyle({ [key]: "" }), style, `${key} alone`);
    const { [key]: _removed, ...rest } = remaining;
    remaining = rest;
  }
  assertEquals(otherCredentialStyle(remaining), undefined);
});

Deno.test("otherCredentialStyle() lets login-compatible profiles through", () => {
  for (
    const merged of [
      {},
      { region: "eu-west-1", output: "json" },
      { login_session: "arn:aws:iam::123456789012:user/dev" },
      { sso_session: "corp", region: "eu-west-1" },
      { source_profile: "base", aws_secret_access_key: "only the secret" },
      // Inherited names are not keys of the profile.
      JSON.parse('{"__proto__": {"role_arn": "x"}}') as Record<string, string>,
    ]
  ) {
    assertEquals(otherCredentialStyle(merged), undefined, JSON.stringify(merged));
  }
});

Deno.test("otherCredentialStyle() sees credentials-file keys through mergedProfile()", () => {
  const config = sections("[profile dev]\nregion = eu-west-1\n");
  const credentials = sections("[dev]\naws_access_key_id = AKID\naws_secret_access_key = S\n");
  assertEquals(
    otherCredentialStyle(mergedProfile(config, credentials, "dev") ?? {}),
    "Access Key",
  );
});

Deno.test("otherCredentialKey() names the key that decided, in the AWS CLI's order", () => {
  assertEquals(otherCredentialKey({}), undefined);
  assertEquals(otherCredentialKey({ aws_access_key_id: "A", role_arn: "r" }), {
    style: "Access Key",
    key: "aws_access_key_id",
  });
  assertEquals(otherCredentialKey({ sso_account_id: "1" }), {
    style: "SSO",
    key: "sso_account_id",
  });
  assertEquals(otherCredentialKey({ credential_process: "" }), {
    style: "Credential Process",
    key: "credential_process",
  });
});

Deno.test("otherCredentials() says which file holds the key; tildePath() writes home as ~", async () => {
  const { otherCredentials, sharedConfigOf, tildePath } = await import(
    "../../lib/aws/shared_config.ts"
  );
  const shared = sharedConfigOf({
    configPath: "/home/me/.aws/config",
    configText: "[profile a]\nrole_arn = r\n[profile b]\nregion = x\n",
    credentialsPath: "/home/me/.aws/credentials",
    credentialsText: "[b]\naws_access_key_id = AKID\n",
  });
  assertEquals(otherCredentials(shared, "a", "/home/me"), {
    style: "Assume Role",
    key: "role_arn",
    file: "~/.aws/config",
  });
  assertEquals(otherCredentials(shared, "b", "/home/me")?.file, "~/.aws/credentials");
  assertEquals(otherCredentials(shared, "c", "/home/me"), undefined);
  assertEquals(tildePath("/home/me/.aws/config", "/home/me/"), "~/.aws/config");
  assertEquals(tildePath("/home/mex/.aws/config", "/home/me"), "/home/mex/.aws/config");
  assertEquals(tildePath("C:\\Users\\me\\.aws\\config", "C:\\Users\\me"), "~\\.aws\\config");
  assertEquals(tildePath("/x", undefined), "/x");
});

Deno.test("ProfileIndex resolves every profile in one pass: work grows linearly with the file", () => {
  /** Property reads of the sections while every profile of an n-profile file is resolved. */
  function readsFor(n: number): number {
    let reads = 0;
    const text = Array.from(
      { length: n },
      (_, i) => `[profile p${i}]\nregion = eu-west-1\nlogin_session = arn:aws:iam::1:user/u${i}\n`,
    ).join("");
    const counted = parseIni(text).sections.map((section) =>
      new Proxy(section, {
        get(target, key, receiver) {
          reads++;
          return Reflect.get(target, key, receiver);
        },
      })
    );
    const index = new ProfileIndex(counted);
    for (const profile of index.profiles()) index.configProfile(profile);
    return reads;
  }
  const small = readsFor(500);
  const large = readsFor(4000);
  // Eight times the profiles: eight times the reads (a quadratic lookup would make it 64).
  assertEquals(large / small, 8);
});
