import { assertEquals, assertTrue } from "../support/assert.ts";
import { type IniProblemCode, parseIni, pyStrip, scanIni } from "../../lib/aws/ini.ts";

interface Expected {
  name: string;
  values?: Record<string, string>;
  nested?: Record<string, Record<string, string>>;
}

interface ParseCase {
  label: string;
  text: string;
  sections: Expected[];
  /** `[line, code]` pairs, in order. */
  problems?: [number, IniProblemCode][];
}

const CASES: ParseCase[] = [
  { label: "empty text", text: "", sections: [] },
  { label: "only comments and blanks", text: "# a\n\n; b\n   \n", sections: [] },
  {
    label: "sections in order, with values",
    text: "[default]\nregion = us-east-1\n\n[profile dev]\nregion = eu-west-1\noutput = json\n",
    sections: [
      { name: "default", values: { region: "us-east-1" } },
      { name: "profile dev", values: { region: "eu-west-1", output: "json" } },
    ],
  },
  {
    label: "separators: '=', ':' and no spaces; the first of '=' or ':' splits",
    text:
      "[a]\nk1=v1\nk2 : v2\nk3\t=\tv3\nlogin_session = arn:aws:iam::1:user/x\nrole_arn: arn:aws:iam::1:role/r\nk:x = y\n",
    sections: [{
      name: "a",
      values: {
        k1: "v1",
        k2: "v2",
        k3: "v3",
        login_session: "arn:aws:iam::1:user/x",
        role_arn: "arn:aws:iam::1:role/r",
        k: "x = y",
      },
    }],
  },
  {
    label: "keys are lower-cased, values trimmed, empty values kept",
    text: "[a]\nAWS_Access_Key_ID =   AKID  \ncli_pager =\n",
    sections: [{ name: "a", values: { aws_access_key_id: "AKID", cli_pager: "" } }],
  },
  {
    label: "inline comments are part of the value, as in botocore",
    text: "[a]\nregion = us-east-1 # home\noutput = json ; mine\nurl = http://x/#frag\n",
    sections: [{
      name: "a",
      values: { region: "us-east-1 # home", output: "json ; mine", url: "http://x/#frag" },
    }],
  },
  {
    label: "comment lines, indented or not, anywhere",
    text: "# top\n[a]\n  # indented\n;k = v\nk = v\n\t; tab-indented\n",
    sections: [{ name: "a", values: { k: "v" } }],
  },
  {
    label: "header text after the last ']' is ignored, the name is not trimmed",
    text: "[profile a] ; note\n[b]c]\n[ profile d ]\n[\tx\t]\n",
    sections: [
      { name: "profile a" },
      { name: "b]c" },
      { name: " profile d " },
      { name: "\tx\t" },
    ],
  },
  {
    label: "indented header after a header is a header",
    text: "[a]\n  [b]\n  k = v\n",
    sections: [{ name: "a" }, { name: "b", values: { k: "v" } }],
  },
  {
    label: "indented line after an option continues its value, even one like a header",
    text: "[a]\nk = v\n  [b]\n\n  more\nz = 1\n",
    sections: [{ name: "a", values: { k: "v\n[b]\n\nmore", z: "1" } }],
  },
  {
    label: "nested block with blank lines and comments inside, nested keys keep their case",
    text:
      "[a]\ns3 =\n  max_concurrent_requests = 10\n\n  # c\n  Addressing_Style = path\nregion = x\n",
    sections: [{
      name: "a",
      values: { region: "x" },
      nested: { s3: { max_concurrent_requests: "10", Addressing_Style: "path" } },
    }],
  },
  {
    label: "nested block as the last option, deeper indentation, '=' only",
    text: "[a]\nregion = x\ns3 =\n      a = 1\n    b=2=3\n",
    sections: [{ name: "a", values: { region: "x" }, nested: { s3: { a: "1", b: "2=3" } } }],
  },
  {
    label: "an empty value followed only by blank lines stays an empty value",
    text: "[a]\ns3 =\n\n\n[b]\n",
    sections: [{ name: "a", values: { s3: "" } }, { name: "b" }],
  },
  {
    label: "a key later in the section wins, and may switch between plain and nested",
    text: "[a]\nk = 1\ns3 =\n  x = 1\nk = 2\ns3 = flat\n",
    sections: [{ name: "a", values: { k: "2", s3: "flat" } }],
    problems: [[5, "duplicate-key"], [6, "duplicate-key"]],
  },
  {
    label: "CRLF and lone CR line breaks",
    text: "[a]\r\nk = v\r\n[b]\rz = 1\r",
    sections: [{ name: "a", values: { k: "v" } }, { name: "b", values: { z: "1" } }],
  },
  {
    label: "DEFAULT is returned as a section, repeated without a problem",
    text: "[DEFAULT]\nregion = x\n[DEFAULT]\noutput = json\n",
    sections: [
      { name: "DEFAULT", values: { region: "x" } },
      { name: "DEFAULT", values: { output: "json" } },
    ],
  },
  {
    label: "odd line: text before the first section",
    text: "region = x\n[a]\nk = v\n",
    sections: [{ name: "a", values: { k: "v" } }],
    problems: [[1, "no-section"]],
  },
  {
    label: "odd line: no separator, and the value before it stays open",
    text: "[a]\nk = v\ngarbage\n  more\n[profile b\nz = 1\n",
    sections: [{ name: "a", values: { k: "v\nmore", z: "1" } }],
    problems: [[3, "no-separator"], [5, "no-separator"]],
  },
  {
    label: "odd line: an unclosed header with '=' is an option, as in configparser",
    text: "[a]\n[profile b = c\n",
    sections: [{ name: "a", values: { "[profile b": "c" } }],
  },
  {
    label: "odd line: empty key, which closes the value before it",
    text: "[a]\nk = v\n= x\n  more\n",
    sections: [{ name: "a", values: { k: "v" } }],
    problems: [[3, "empty-key"], [4, "no-separator"]],
  },
  {
    label: "odd line: a nested line without '='",
    text: "[a]\ns3 =\n  addressing_style: path\n  b = 2\n",
    sections: [{ name: "a", nested: { s3: { b: "2" } } }],
    problems: [[3, "nested-no-equals"]],
  },
  {
    label: "repeated section and repeated key are flagged but read",
    text: "[a]\nk = 1\n[b]\n[a]\nk = 2\n",
    sections: [{ name: "a", values: { k: "1" } }, { name: "b" }, { name: "a", values: { k: "2" } }],
    problems: [[4, "duplicate-section"], [5, "duplicate-key"]],
  },
  {
    label: "a byte order mark is skipped and flagged",
    text: "\ufeff[a]\nk = v\n",
    sections: [{ name: "a", values: { k: "v" } }],
    problems: [[1, "byte-order-mark"]],
  },
  {
    label: "Python whitespace is trimmed, a no-break space included",
    text: "[a]\n\u00a0k\u00a0=\u00a0v\u00a0\x1c\n",
    sections: [{ name: "a", values: { k: "v" } }],
  },
];

for (const { label, text, sections, problems = [] } of CASES) {
  Deno.test(`parseIni() ${label}`, () => {
    const parsed = parseIni(text);
    assertEquals(
      parsed.sections.map(({ name, values, nested }) => ({ name, values, nested })),
      sections.map(({ name, values = {}, nested = {} }) => ({ name, values, nested })),
    );
    assertEquals(
      parsed.problems.map(({ line, code }) => [line, code]),
      problems,
    );
  });
}

Deno.test("parseIni() gives section header line numbers", () => {
  const { sections } = parseIni("# c\n[a]\nk = v\n\n[b]\n");
  assertEquals(sections.map((section) => section.line), [2, 5]);
});

Deno.test("parseIni() problem messages name the line's issue without its content", () => {
  const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  const { problems } = parseIni(`${secret}\n[a]\n${secret}\n= ${secret}\n[a]\nk = 1\nk = 2\n`);
  assertEquals(problems.map((problem) => problem.code), [
    "no-section",
    "no-separator",
    "empty-key",
    "duplicate-section",
    "duplicate-key",
  ]);
  for (const problem of problems) {
    assertTrue(!problem.message.includes(secret), problem.message);
    assertTrue(/^[A-Z]/.test(problem.message) && !problem.message.endsWith("."), problem.message);
  }
  assertEquals(problems[3]?.message, 'Section "a" appears again (first on line 2)');
});

Deno.test("parseIni() never throws on odd input", () => {
  const odd = [
    "[",
    "]",
    "[]",
    "[[]]",
    "=",
    ":",
    "\ufeff",
    "\ufeff\ufeff[a]",
    "\0\n[a]\n\0=\0",
    "[a]\n\t\n \r\n\r\r\n",
    "[a]\ns3 =\n  =\n  ==\n",
    "[a]\n" + "  x\n".repeat(1000),
    "[__proto__]\n__proto__ = x\nconstructor = y\n",
  ];
  for (const text of odd) parseIni(text);
  const { sections } = parseIni("[__proto__]\n__proto__ = x\n");
  assertEquals(Object.hasOwn(sections[0]?.values ?? {}, "__proto__"), true);
});

Deno.test("scanIni() keeps every byte and tells what each line is", () => {
  const text = "\ufeff# c\r\n[a]\nk = v\n  more\r\n\nbad\rs3 =\n  x = 1";
  const scan = scanIni(text);
  assertEquals(scan.bom, true);
  assertEquals("\ufeff" + scan.lines.map((line) => line.text + line.eol).join(""), text);
  assertEquals(
    scan.lines.map((line) => [line.kind, line.eol]),
    [
      ["comment", "\r\n"],
      ["section", "\n"],
      ["option", "\n"],
      ["continuation", "\r\n"],
      ["blank", "\n"],
      ["invalid", "\r"],
      ["option", "\n"],
      ["continuation", ""],
    ],
  );
  const option = scan.lines[2];
  assertTrue(option?.kind === "option");
  assertEquals([option.key, option.value, option.separator, option.valueStart], ["k", "v", 2, 4]);
  assertEquals(scan.lines[3]?.kind === "continuation" && scan.lines[3].option, 2);
  assertEquals(scan.lines.map((line) => line.section), [-1, 0, 0, 0, 0, 0, 0, 0]);
});

Deno.test("pyStrip() trims what Python's str.strip() trims, and only that", () => {
  assertEquals(
    pyStrip("\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u2000\u3000x\u2028\u2029\u202f\u205f"),
    "x",
  );
  // JavaScript's trim() also removes U+FEFF; Python does not.
  assertEquals(pyStrip("\ufeffx\ufeff"), "\ufeffx\ufeff");
});
