/**
 * Cross-checks the reader and the editor against real botocore (the Python package), which is the
 * reference for how `~/.aws/config` is read. Skipped, with the reason in the test name, when
 * `python3` or its `botocore` package is missing.
 */

import { assertEquals, assertTrue } from "../support/assert.ts";
import { pythonModuleMissing } from "../support/tools.ts";
import { type IniSection, parseIni } from "../../lib/aws/ini.ts";
import { listProfiles, mergedProfile } from "../../lib/aws/profiles.ts";
import { type ConfigEdit, editConfig } from "../../lib/aws/config_editor.ts";
import { ConfigError } from "../../lib/errors.ts";
import { seededRandom } from "../support/random.ts";

/** Reads each case's files with botocore: `raw_config_parse` and `Session.full_config`. */
const PROBE = `
import json, os, sys, tempfile
from botocore import configloader
import botocore.session

cases = json.load(sys.stdin)
results = []
directory = tempfile.mkdtemp()
config = os.path.join(directory, "config")
credentials = os.path.join(directory, "credentials")
for case in cases:
    with open(config, "w", encoding="utf-8", newline="") as f:
        f.write(case["config"])
    with open(credentials, "w", encoding="utf-8", newline="") as f:
        f.write(case.get("credentials", ""))
    result = {}
    try:
        result["raw"] = configloader.raw_config_parse(config)
        session = botocore.session.Session()
        session.set_config_variable("config_file", config)
        session.set_config_variable("credentials_file", credentials)
        result["profiles"] = session.full_config["profiles"]
    except Exception as error:
        result["error"] = type(error).__name__
    results.append(result)
json.dump(results, sys.stdout)
`;

type Raw = Record<string, Record<string, string | Record<string, string>>>;

interface ProbeCase {
  config: string;
  credentials?: string;
}

interface ProbeResult {
  raw?: Raw;
  profiles?: Raw;
  error?: string;
}

async function probe(cases: readonly ProbeCase[]): Promise<ProbeResult[]> {
  const child = new Deno.Command("python3", {
    args: ["-c", PROBE],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    // Read files as UTF-8 whatever the locale, as on a usual machine.
    env: { PYTHONUTF8: "1" },
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(cases)));
  await writer.close();
  const { success, stdout, stderr } = await child.output();
  assertTrue(success, new TextDecoder().decode(stderr));
  return JSON.parse(new TextDecoder().decode(stdout));
}

function defaultsOf(
  sections: readonly IniSection[],
): Record<string, string | Record<string, string>> {
  const defaults: Record<string, string | Record<string, string>> = {};
  for (const section of sections.filter((section) => section.name === "DEFAULT")) {
    Object.assign(defaults, section.values, section.nested);
  }
  return defaults;
}

/** Our view in botocore's `raw_config_parse` shape: one entry per header, `[DEFAULT]` applied. */
function rawView(sections: readonly IniSection[]): Raw {
  const defaults = defaultsOf(sections);
  const raw: Raw = {};
  for (const section of sections) {
    if (section.name === "DEFAULT") continue;
    raw[section.name] ??= { ...defaults };
    Object.assign(raw[section.name]!, section.values, section.nested);
  }
  return raw;
}

function flat(values: Record<string, string | Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).filter((entry): entry is [string, string] =>
      typeof entry[1] === "string"
    ),
  );
}

/** Checks our reading of one case against botocore's. */
function compare(input: ProbeCase, result: ProbeResult, label: string): void {
  const config = parseIni(input.config);
  const credentials = parseIni(input.credentials ?? "");
  const context = `${label}: ${JSON.stringify(input)}`;
  const problems = [...config.problems, ...credentials.problems];
  if (result.error !== undefined) {
    assertTrue(
      problems.length > 0,
      `botocore refused it (${result.error}), we saw no problem in ${context}`,
    );
    return;
  }
  assertEquals(problems, [], `botocore read it, we saw problems in ${context}`);
  assertEquals(rawView(config.sections), result.raw, context);
  const profiles = result.profiles ?? {};
  assertEquals(listProfiles(config.sections, credentials.sections), Object.keys(profiles), context);
  for (const [name, values] of Object.entries(profiles)) {
    assertEquals(
      mergedProfile(config.sections, credentials.sections, name),
      flat(values),
      `profile "${name}" in ${context}`,
    );
  }
}

const PARSER_CASES: ProbeCase[] = [
  { config: "" },
  { config: "# only a comment\n\n" },
  { config: "[default]\nregion = us-east-1\n[profile dev]\nregion=eu-west-1\noutput: json\n" },
  { config: "[a]\nk:x = y\nlogin_session = arn:aws:iam::1:user/x\nAWS_Access_Key_ID = AKID\n" },
  { config: "[a]\nregion = us-east-1 # home\noutput = json ; mine\n  # indented comment\n" },
  { config: "[profile a] ; note\n[b]c]\n[ profile d ]\nx = 1\n[profile  e ]\ny = 2\n" },
  { config: '[profiles f]\n[profile \'g\']\n[profile "h i"]\n[profile j k]\n[profile "l]\n' },
  { config: '[profile "a\\"b"]\n[profile a\\ c]\n[profile ""]\n[profile d\\]\n[profile-x e]\n' },
  { config: "[a]\nk = v\n  [b]\n\n  more\nz = 1\n" },
  { config: "[a]\n  [b]\n  k = v\n" },
  { config: "[a]\ns3 =\n  x = 1\n\n  # c\n  Y = 2=3\nregion = r\n" },
  { config: "[a]\ns3 =\n\n\n[b]\n" },
  { config: "[a]\r\nk = v\r\n[b]\rz = 1\r" },
  { config: "[DEFAULT]\nregion = x\n[DEFAULT]\noutput = json\n[profile a]\nregion = y\n" },
  { config: "[a]\n\u00a0k\u00a0=\u00a0v\u00a0\x1c\n[b]\nk = v\u2028w\n" },
  { config: "[default]\nx = 1\n[profile default]\ny = 2\n" },
  { config: "[profile default]\nx = 1\n[default]\ny = 2\n" },
  { config: '[profile "dev"]\nx = 1\n[profile dev]\ny = 2\n' },
  { config: "[a]\n[profile b = c\n" },
  // botocore refuses these files; we read on and report problems.
  { config: "\ufeff[default]\nregion = x\n" },
  { config: "region = x\n[a]\n" },
  { config: "[a]\ngarbage\n" },
  { config: "[a]\n= v\n" },
  { config: "[a]\ns3 =\n  addressing_style: path\n" },
  { config: "[a]\n[a]\n" },
  { config: "[a]\nk = 1\nK = 2\n" },
  // With a credentials file.
  {
    config: "[profile dev]\nregion = eu-west-1\naws_access_key_id = FROM_CONFIG\n",
    credentials: "[dev]\naws_access_key_id = FROM_CREDENTIALS\n[ci]\nx = 1\n[profile q]\n",
  },
  {
    config: "[DEFAULT]\nrole_arn = r\n[profile dev]\n",
    credentials: "[DEFAULT]\nregion = c\n[dev]\n[default]\n",
  },
];

const LINES = [
  "[default]",
  "[profile dev]",
  '[profile "dev"]',
  "[profile  dev ]",
  "[ profile dev ]",
  "[profile prod]",
  "[DEFAULT]",
  "[sso-session corp]",
  "  [profile dev]",
  "region = eu-west-1",
  "region=us-east-1",
  "login_session = arn:aws:iam::123456789012:user/old",
  "Login_Session: x",
  "output = json # comment",
  "s3 =",
  "  addressing_style = path",
  "    max_concurrent_requests = 10",
  "\tindented = tab",
  "# comment",
  "  ; indented comment",
  "",
  "   ",
  "garbage",
  "= no key",
];
const EOLS = ["\n", "\n", "\n", "\r\n", "\r"];

function generated(count: number): string[] {
  const next = seededRandom(7);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    let text = "";
    const lines = Math.floor(next() * 10);
    for (let j = 0; j < lines; j++) text += pick(LINES) + pick(EOLS);
    texts.push(next() < 0.3 ? text.replace(/(\r\n|\r|\n)$/, "") : text);
  }
  return texts;
}

const FIXTURES = new URL("../testdata/config/", import.meta.url);

const skip = await pythonModuleMissing("botocore");

if (skip !== undefined) {
  Deno.test({ name: `botocore cross-check (skipped: ${skip})`, ignore: true, fn() {} });
} else {
  Deno.test("parseIni() and profiles read files as botocore does", async () => {
    const results = await probe(PARSER_CASES);
    PARSER_CASES.forEach((input, i) => compare(input, results[i]!, `case ${i}`));
  });

  Deno.test("parseIni() and profiles read generated files as botocore does", async () => {
    const cases = generated(400).map((config) => ({ config }));
    const results = await probe(cases);
    let readable = 0;
    cases.forEach((input, i) => {
      compare(input, results[i]!, `generated ${i}`);
      if (results[i]?.error === undefined) readable++;
    });
    assertTrue(readable > 100, `only ${readable} generated files were readable by botocore`);
  });

  Deno.test("editConfig() output reads back in botocore as intended", async () => {
    const NEW = "arn:aws:sts::123456789012:assumed-role/Admin/alice";
    const edits: ConfigEdit[] = [
      { profile: "dev", set: { login_session: NEW } },
      { profile: "default", set: { login_session: NEW, region: "us-east-1" } },
      { profile: "new", set: { login_session: NEW } },
      { profile: "my dev", set: { login_session: NEW } },
    ];
    const inputs: string[] = [...generated(300)];
    for await (const entry of Deno.readDir(FIXTURES)) {
      if (entry.name.endsWith(".input.ini")) {
        inputs.push(await Deno.readTextFile(new URL(entry.name, FIXTURES)));
      }
    }
    const pairs: { before: string; after: string; edit: ConfigEdit }[] = [];
    inputs.forEach((before, i) => {
      const edit = edits[i % edits.length]!;
      try {
        pairs.push({ before, after: editConfig(before, edit), edit });
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
      }
    });
    const results = await probe(
      pairs.flatMap(({ before, after }) => [{ config: before }, { config: after }]),
    );
    let checked = 0;
    pairs.forEach(({ before, after, edit }, i) => {
      const old = results[2 * i]!;
      const now = results[2 * i + 1]!;
      const context = `${JSON.stringify(before)} -> ${JSON.stringify(after)}`;
      compare({ config: after }, now, "edited");
      if (old.error !== undefined) return;
      assertEquals(now.error, undefined, `botocore cannot read the edited file: ${context}`);
      const profiles = { ...old.profiles };
      // A new section gets the [DEFAULT] values too.
      const base = profiles[edit.profile] ?? defaultsOf(parseIni(before).sections);
      profiles[edit.profile] = { ...base, ...edit.set };
      assertEquals(now.profiles, profiles, context);
      checked++;
    });
    assertTrue(checked > 100, `only ${checked} edits were checked`);
  });
}
