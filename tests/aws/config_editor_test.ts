import {
  assertEquals,
  assertNotEquals,
  assertStringIncludes,
  assertThrows,
  assertTrue,
} from "../support/assert.ts";
import { type ConfigEdit, editConfig } from "../../lib/aws/config_editor.ts";
import { parseIni } from "../../lib/aws/ini.ts";
import { configProfile } from "../../lib/aws/profiles.ts";
import { ConfigError } from "../../lib/errors.ts";
import { seededRandom } from "../support/random.ts";

const NEW = "arn:aws:sts::123456789012:assumed-role/Admin/alice";
const OLD = "arn:aws:iam::123456789012:user/old";
const FIXTURES = new URL("../testdata/config/", import.meta.url);

interface GoldenCase {
  /** `<name>.input.ini` / `<name>.expected.ini` under tests/testdata/config/. */
  name: string;
  edit: ConfigEdit;
  /** How many input lines the edit rewrites (the rest must survive, in order). */
  replaced?: number;
}

function login(profile: string, extra: Record<string, string> = {}): ConfigEdit {
  return { profile, set: { login_session: NEW, ...extra } };
}

const GOLDEN: GoldenCase[] = [
  { name: "insert_into_profile", edit: login("dev") },
  { name: "replace_login_session", edit: login("dev"), replaced: 1 },
  { name: "new_profile_appended", edit: login("new") },
  { name: "default_section", edit: login("default") },
  { name: "profile_default_wins", edit: login("default") },
  { name: "defaults_section_is_not_default", edit: login("default") },
  { name: "quoted_profile_name", edit: login("quoted name") },
  { name: "new_profile_with_space", edit: login("my dev") },
  { name: "no_final_newline_inside", edit: login("dev") },
  { name: "no_final_newline_insert_at_end", edit: login("prod") },
  { name: "no_final_newline_append", edit: login("new") },
  { name: "header_only_no_final_newline", edit: login("dev") },
  { name: "comments", edit: login("dev") },
  { name: "replace_inline_comment", edit: login("dev"), replaced: 1 },
  { name: "empty_section_before_comment", edit: login("dev") },
  { name: "nested_block_last", edit: login("dev") },
  { name: "nested_block_with_gaps", edit: login("dev") },
  { name: "target_in_middle", edit: login("dev") },
  { name: "duplicated_section_insert", edit: login("dev") },
  { name: "duplicated_section_replace", edit: login("dev"), replaced: 1 },
  { name: "duplicated_spellings", edit: login("dev") },
  { name: "no_spaces", edit: login("dev"), replaced: 1 },
  { name: "colon_separator", edit: login("dev"), replaced: 1 },
  { name: "uppercase_key", edit: login("dev"), replaced: 1 },
  { name: "empty_value_replaced", edit: login("dev"), replaced: 1 },
  { name: "empty_file", edit: login("default") },
  { name: "ends_with_blank_line", edit: login("new") },
  { name: "region_added_when_asked", edit: login("dev", { region: "us-east-1" }) },
  { name: "region_not_added", edit: login("dev") },
  { name: "region_already_set", edit: login("dev", { region: "us-east-1" }) },
  {
    name: "replace_then_insert_after_it",
    edit: login("dev", { region: "us-east-1" }),
    replaced: 1,
  },
  { name: "spaced_header", edit: login("dev") },
  { name: "leading_space_header_not_a_profile", edit: login("ops") },
  { name: "indented_options", edit: login("dev") },
  { name: "indented_header_is_continuation", edit: login("dev") },
];

async function readFixture(name: string): Promise<string> {
  return await Deno.readTextFile(new URL(name, FIXTURES));
}

function contentLines(text: string): string[] {
  const body = text.replace(/^\ufeff/, "");
  return body === "" ? [] : body.split(/\r\n|\r|\n/);
}

/** How many input lines are not kept, in order, in the output (input length minus the LCS). */
function missingLines(input: string, output: string): number {
  const a = contentLines(input);
  const b = contentLines(output);
  let previous = new Array<number>(b.length + 1).fill(0);
  for (const line of a) {
    const current = [0];
    b.forEach((other, j) => {
      current.push(line === other ? previous[j]! + 1 : Math.max(previous[j + 1]!, current[j]!));
    });
    previous = current;
  }
  return a.length - previous[b.length]!;
}

function checkGolden(input: string, expected: string, golden: GoldenCase): void {
  const output = editConfig(input, golden.edit);
  assertEquals(output, expected);
  assertEquals(editConfig(output, golden.edit), output, "applying the edit again changes nothing");
  assertEquals(missingLines(input, output), golden.replaced ?? 0, "untouched lines survive");
  const values = configProfile(parseIni(output).sections, golden.edit.profile);
  for (const [key, value] of Object.entries(golden.edit.set)) {
    assertEquals(values?.[key], value, `"${key}" reads back`);
  }
}

for (const golden of GOLDEN) {
  Deno.test(`editConfig() golden "${golden.name}"`, async (t) => {
    const input = await readFixture(`${golden.name}.input.ini`);
    const expected = await readFixture(`${golden.name}.expected.ini`);
    // Guard the fixtures against editors and git: they are LF-only, and CRLF is derived below.
    assertTrue(!input.includes("\r") && !expected.includes("\r"), "fixtures use LF only");
    assertTrue(!input.startsWith("\ufeff"), "fixtures have no byte order mark");
    if (golden.name.includes("no_final_newline")) {
      assertTrue(!input.endsWith("\n"), "the input fixture must not end with a line break");
    }

    await t.step("LF", () => checkGolden(input, expected, golden));
    if (input.includes("\n")) {
      await t.step("CRLF", () => {
        const crlf = (text: string) => text.replaceAll("\n", "\r\n");
        checkGolden(crlf(input), crlf(expected), golden);
      });
    }
    await t.step("with a byte order mark", () => {
      checkGolden(`\ufeff${input}`, `\ufeff${expected}`, golden);
    });
  });
}

Deno.test("editConfig() golden fixtures all have a case", async () => {
  const names = new Set<string>();
  for await (const entry of Deno.readDir(FIXTURES)) {
    const match = /^(.+)\.(input|expected)\.ini$/.exec(entry.name);
    if (match?.[1] !== undefined) names.add(match[1]);
  }
  assertEquals([...names].sort(), GOLDEN.map((golden) => golden.name).sort());
});

Deno.test("editConfig() uses the most common line break for new lines", () => {
  const mostlyCrlf = "[default]\r\nregion = us-east-1\r\n[profile dev]\noutput = json\r\n";
  assertEquals(
    editConfig(mostlyCrlf, login("dev")),
    `[default]\r\nregion = us-east-1\r\n[profile dev]\noutput = json\r\nlogin_session = ${NEW}\r\n`,
  );
  const mostlyLf = "[default]\nregion = us-east-1\r\n[profile dev]\n";
  assertEquals(
    editConfig(mostlyLf, login("new")),
    `${mostlyLf}\n[profile new]\nlogin_session = ${NEW}\n`,
  );
});

Deno.test("editConfig() keeps lone CR line breaks, which botocore reads as line breaks", () => {
  assertEquals(
    editConfig("[profile dev]\rregion = eu-west-1\r", login("dev")),
    `[profile dev]\rregion = eu-west-1\rlogin_session = ${NEW}\r`,
  );
});

Deno.test("editConfig() keeps a replaced line's own line break", () => {
  assertEquals(
    editConfig(`[profile dev]\r\nlogin_session = ${OLD}\r\nregion = x\n`, login("dev")),
    `[profile dev]\r\nlogin_session = ${NEW}\r\nregion = x\n`,
  );
});

Deno.test("editConfig() keeps the indentation and separator spacing of a replaced line", () => {
  assertEquals(
    editConfig(`[profile dev]\n\tlogin_session  =\t${OLD}   \n`, login("dev")),
    `[profile dev]\n\tlogin_session  =\t${NEW}\n`,
  );
  assertEquals(
    editConfig("[profile dev]\nlogin_session=\n", login("dev")),
    `[profile dev]\nlogin_session=${NEW}\n`,
  );
});

Deno.test("editConfig() replaces the last of repeated keys, the one readers use", () => {
  const text = `[profile dev]\nlogin_session = a\nlogin_session = b\n`;
  assertEquals(
    editConfig(text, login("dev")),
    `[profile dev]\nlogin_session = a\nlogin_session = ${NEW}\n`,
  );
});

Deno.test("editConfig() writes several keys in the order given", () => {
  assertEquals(
    editConfig("[default]\n", { profile: "default", set: { b: "2", a: "1", c: "3" } }),
    "[default]\nb = 2\na = 1\nc = 3\n",
  );
  assertEquals(
    editConfig("", { profile: "dev", set: { login_session: NEW, region: "eu-west-1" } }),
    `[profile dev]\nlogin_session = ${NEW}\nregion = eu-west-1\n`,
  );
});

Deno.test("editConfig() quotes new profile names botocore would split", () => {
  assertEquals(
    editConfig("", login('it\'s "x"')),
    `[profile "it's \\"x\\""]\nlogin_session = ${NEW}\n`,
  );
  const written = editConfig("", login('it\'s "x"'));
  assertEquals(configProfile(parseIni(written).sections, 'it\'s "x"'), { login_session: NEW });
});

Deno.test("editConfig() with nothing to set returns the text unchanged", () => {
  const text = "[profile dev]\nregion = eu-west-1";
  assertEquals(editConfig(text, { profile: "dev", set: {} }), text);
  assertEquals(editConfig(text, { profile: "new", set: {} }), text);
});

Deno.test("editConfig() does not treat a key inside a nested block as the profile's key", () => {
  const text = "[profile dev]\ns3 =\n  region = eu-west-1\n";
  assertEquals(
    editConfig(text, { profile: "dev", set: { region: "us-east-1" } }),
    "[profile dev]\ns3 =\n  region = eu-west-1\nregion = us-east-1\n",
  );
});

Deno.test("editConfig() inserts so that neighbouring lines keep their meaning", async (t) => {
  await t.step("an indented header after an empty section", () => {
    // botocore reads "    [profile b]" as a header (nothing is open after "[profile a]"); an
    // unindented new line would turn it into a continuation of the new value.
    const text = "[profile a]\n    [profile b]\n    region = x\n";
    assertEquals(
      editConfig(text, login("a")),
      `[profile a]\n    login_session = ${NEW}\n    [profile b]\n    region = x\n`,
    );
  });
  await t.step("an unreadable line that moved the indent level", () => {
    // " garbage" (which botocore rejects) sets the indent level to 1: "   more" continues
    // "k", and a new line indented like "k" would continue it too.
    const text = "[profile a]\n   k = 1\n garbage\n   more\n";
    const output = editConfig(text, login("a"));
    assertEquals(output, `${text} login_session = ${NEW}\n`);
    assertEquals(configProfile(parseIni(output).sections, "a"), {
      k: "1\nmore",
      login_session: NEW,
    });
  });
});

Deno.test("editConfig() refuses an edit that would change how other lines read", () => {
  // "garbage" (rejected by botocore) leaves the value before it open, so after any new option line
  // "  [profile b]" would continue that value instead of starting a section. No indentation helps.
  const text = "[profile a]\ngarbage\n  [profile b]\nk = v\n";
  assertEquals(parseIni(text).problems.map((problem) => problem.code), ["no-separator"]);
  const error = assertThrows(() => editConfig(text, login("a")), ConfigError, "safely");
  assertEquals(error.code, "CONFIG_FILE_UNEDITABLE");
  // The same edit in the other section is fine.
  assertEquals(editConfig(text, login("b")), `${text.slice(0, -1)}\nlogin_session = ${NEW}\n`);
});

Deno.test("editConfig() rejects values it cannot write as one line", async (t) => {
  for (
    const [label, value, message] of [
      ["a line feed", `${NEW}\n[profile evil]`, "line break"],
      ["a carriage return", `${NEW}\rx`, "line break"],
      ["nothing", "", "empty"],
      ["surrounding whitespace", ` ${NEW}`, "whitespace"],
      ["a trailing tab", `${NEW}\t`, "whitespace"],
    ] as const
  ) {
    await t.step(label, () => {
      const error = assertThrows(
        () => editConfig("[default]\n", { profile: "default", set: { login_session: value } }),
        TypeError,
        message,
      );
      assertStringIncludes(error.message, '"login_session"');
      // The value may be a secret: it never appears in the message.
      if (value !== "") assertTrue(!error.message.includes(value.trim()), error.message);
    });
  }
});

Deno.test("editConfig() rejects keys that would not read back as one key", () => {
  for (const key of ["", "a=b", "a b", "a:b", "[a", "#a", ";a", "a\tb", "a\u00a0b"]) {
    assertThrows(
      () => editConfig("", { profile: "dev", set: { [key]: "v" } }),
      TypeError,
      "Invalid key",
    );
  }
  assertThrows(
    () => editConfig("", { profile: "dev", set: { region: "a", REGION: "b" } }),
    TypeError,
    "ignore case",
  );
});

Deno.test("editConfig() rejects profile names that cannot be a header", () => {
  assertThrows(() => editConfig("", login("")), TypeError, "empty");
  assertThrows(() => editConfig("", login("dev\n[default]")), TypeError, "line break");
});

Deno.test("editConfig() refuses to rewrite a value that spans several lines", async (t) => {
  await t.step("a nested block", () => {
    const error = assertThrows(
      () =>
        editConfig("[profile dev]\ns3 =\n  addressing_style = path\n", {
          profile: "dev",
          set: { s3: "x" },
        }),
      ConfigError,
      'Cannot set "s3" in profile "dev"',
    );
    assertEquals(error.code, "CONFIG_FILE_UNEDITABLE");
    assertStringIncludes(error.hint ?? "", "line 2");
  });
  await t.step("a continued value", () => {
    assertThrows(
      () => editConfig(`[profile dev]\nlogin_session = ${OLD}\n  more\n`, login("dev")),
      ConfigError,
      "spans several lines",
    );
  });
  await t.step("a value followed only by comments is a single line", () => {
    assertEquals(
      editConfig(`[profile dev]\nlogin_session = ${OLD}\n  # note\n`, login("dev")),
      `[profile dev]\nlogin_session = ${NEW}\n  # note\n`,
    );
  });
});

const FUZZ_LINES = [
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
  `login_session = ${OLD}`,
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
  "\ufeff",
];
const FUZZ_EOLS = ["\n", "\n", "\n", "\r\n", "\r"];

Deno.test("editConfig() keeps every other line and reads back on generated files", () => {
  const next = seededRandom(20251126);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  let edited = 0;
  let refused = 0;
  for (let round = 0; round < 1500; round++) {
    const count = Math.floor(next() * 12);
    let text = next() < 0.1 ? "\ufeff" : "";
    for (let i = 0; i < count; i++) text += pick(FUZZ_LINES) + pick(FUZZ_EOLS);
    if (next() < 0.3) text = text.replace(/(\r\n|\r|\n)$/, "");
    const edit = next() < 0.5
      ? login(pick(["dev", "default", "prod", "new"]))
      : login(pick(["dev", "default"]), { region: "us-east-1" });
    let output: string;
    try {
      output = editConfig(text, edit);
    } catch (error) {
      // A key whose current value spans lines may be refused. The read-back check may refuse an
      // edit only in a file botocore rejects anyway (it has problems).
      const context = `round ${round}: ${String(error)} in ${JSON.stringify(text)}`;
      assertTrue(error instanceof ConfigError, context);
      if (!error.message.includes("spans several lines")) {
        assertStringIncludes(error.message, "safely", context);
        assertNotEquals(parseIni(text).problems, [], context);
        refused++;
      }
      continue;
    }
    edited++;
    const context = `round ${round}: ${JSON.stringify(text)} -> ${JSON.stringify(output)}`;
    assertEquals(editConfig(output, edit), output, context);
    assertTrue(missingLines(text, output) <= 2, context);
    assertEquals(output.startsWith("\ufeff"), text.startsWith("\ufeff"), context);
    const before = parseIni(text);
    const after = parseIni(output);
    assertEquals(
      after.problems.map((problem) => problem.code),
      before.problems.map((problem) => problem.code),
      context,
    );
    const values = configProfile(after.sections, edit.profile);
    for (const [key, value] of Object.entries(edit.set)) {
      assertEquals(values?.[key], value, context);
    }
  }
  assertTrue(edited > 1000, `only ${edited} edits succeeded`);
  assertTrue(refused < 15, `${refused} edits were refused as unsafe`);
});
