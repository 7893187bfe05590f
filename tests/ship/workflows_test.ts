/**
 * The GitHub workflows: they parse, and they hold what the project relies on (the OS matrix, the
 * pinned Deno, the gate, the compile targets and their runners, the smoke steps, the release).
 *
 * No YAML parser is at hand offline, so {@link parseYaml} reads the block subset the workflows are
 * written in and throws on anything else. Where python3 with PyYAML is installed, a real YAML
 * parser reads the files too and must agree with it.
 */

import { assertEquals, assertStringIncludes, assertThrows, assertTrue } from "../support/assert.ts";
import { TARGETS } from "../../scripts/compile.ts";

const ROOT = new URL("../../", import.meta.url);

type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };

/** A YAML text not in the subset {@link parseYaml} reads. */
class YamlSubsetError extends Error {
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = "YamlSubsetError";
  }
}

interface Line {
  readonly no: number;
  readonly indent: number;
  /** Content without indentation and comment; `""` for a blank or comment line. */
  readonly text: string;
  readonly raw: string;
}

function stripComment(text: string): string {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      if (i === 0 || /[\s[,:-]/.test(text[i - 1]!)) quote = char;
    } else if (char === "#" && (i === 0 || /\s/.test(text[i - 1]!))) {
      return text.slice(0, i).trimEnd();
    }
  }
  return text;
}

function splitFlow(inner: string, no: number): string[] {
  const items: string[] = [];
  let current = "";
  let quote: string | undefined;
  for (const char of inner) {
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === "[" || char === "{") throw new YamlSubsetError(no, "nested flow collection");
    else if (char === ",") {
      items.push(current.trim());
      current = "";
      continue;
    }
    current += char;
  }
  if (current.trim() !== "") items.push(current.trim());
  return items;
}

function scalar(text: string, no: number): Yaml {
  if (text.startsWith('"')) {
    if (!text.endsWith('"') || text.length < 2) throw new YamlSubsetError(no, "unclosed quote");
    return JSON.parse(text);
  }
  if (text.startsWith("'")) {
    if (!text.endsWith("'") || text.length < 2) throw new YamlSubsetError(no, "unclosed quote");
    return text.slice(1, -1).replaceAll("''", "'");
  }
  if (text.startsWith("[")) {
    if (!text.endsWith("]")) throw new YamlSubsetError(no, "unclosed flow sequence");
    return splitFlow(text.slice(1, -1), no).map((item) => scalar(item, no));
  }
  if (text === "{}") return {};
  if (/^[{&*!%@`|>]/.test(text)) throw new YamlSubsetError(no, `unsupported value "${text}"`);
  if (/:\s/.test(text) || text.endsWith(":")) {
    throw new YamlSubsetError(no, `": " in a plain value "${text}"`);
  }
  if (text === "true" || text === "false") return text === "true";
  if (text === "null" || text === "~") return null;
  if (/^-?\d+$/.test(text)) return Number(text);
  if (/^(yes|no|on|off|y|n)$/i.test(text)) {
    throw new YamlSubsetError(no, `"${text}" is a boolean in YAML 1.1 and a string in 1.2`);
  }
  return text;
}

const KEY = /^([A-Za-z0-9_][A-Za-z0-9_.-]*|"[^"]*"|'[^']*'):(?:\s+(.*))?$/;

/**
 * Reads the block subset of YAML: mappings, sequences, plain and quoted scalars, flow sequences of
 * scalars, `{}`, and `|` / `|-` literal blocks. Throws {@link YamlSubsetError} on anything else.
 */
function parseYaml(text: string): Yaml {
  const lines: Line[] = text.split(/\r?\n/).map((raw, index) => ({
    no: index + 1,
    indent: raw.length - raw.trimStart().length,
    text: stripComment(raw.trim()),
    raw,
  }));
  for (const line of lines) {
    if (/^\t/.test(line.raw)) throw new YamlSubsetError(line.no, "tab indentation");
  }
  let at = 0;
  const peek = (): Line | undefined => {
    while (at < lines.length && lines[at]!.text === "") at++;
    return lines[at];
  };
  const isItem = (line: Line) => line.text === "-" || line.text.startsWith("- ");

  function node(minIndent: number): Yaml {
    const line = peek();
    if (line === undefined || line.indent < minIndent) return null;
    return isItem(line) ? sequence(line.indent) : mapping(line.indent);
  }

  function literal(parentIndent: number, chomp: string): string {
    const body: string[] = [];
    while (at < lines.length) {
      const line = lines[at]!;
      if (line.raw.trim() !== "" && line.indent <= parentIndent) break;
      body.push(line.raw);
      at++;
    }
    while (body.length > 0 && body.at(-1)!.trim() === "") body.pop();
    const indent = Math.min(
      ...body.filter((l) => l.trim() !== "").map((l) => l.length - l.trimStart().length),
    );
    const content = body.map((l) => l.slice(indent)).join("\n");
    return chomp === "-" ? content : content + "\n";
  }

  function value(rest: string | undefined, indent: number, no: number): Yaml {
    if (rest === undefined || rest === "") {
      const next = peek();
      if (next === undefined) return null;
      if (next.indent > indent || (next.indent === indent && isItem(next))) {
        return node(next.indent);
      }
      return null;
    }
    const block = rest.match(/^\|(-?)$/);
    if (block) return literal(indent, block[1]!);
    return scalar(rest, no);
  }

  function mapping(indent: number): Record<string, Yaml> {
    const result: Record<string, Yaml> = {};
    for (let line = peek(); line && line.indent >= indent; line = peek()) {
      if (line.indent > indent) throw new YamlSubsetError(line.no, "unexpected indentation");
      if (isItem(line)) break;
      const match = line.text.match(KEY);
      if (!match) throw new YamlSubsetError(line.no, `not a "key: value" line: ${line.text}`);
      const key = /^["']/.test(match[1]!) ? match[1]!.slice(1, -1) : match[1]!;
      if (key in result) throw new YamlSubsetError(line.no, `duplicate key "${key}"`);
      at++;
      result[key] = value(match[2], indent, line.no);
    }
    return result;
  }

  function sequence(indent: number): Yaml[] {
    const result: Yaml[] = [];
    for (let line = peek(); line && line.indent >= indent; line = peek()) {
      if (line.indent > indent) throw new YamlSubsetError(line.no, "unexpected indentation");
      if (!isItem(line)) break;
      const rest = line.text.slice(1).trim();
      if (rest === "") {
        at++;
        result.push(node(indent + 1));
      } else if (KEY.test(rest) && !/^["'[]/.test(rest)) {
        // "- key: value": a mapping whose first key sits where the text after "- " starts.
        const column = line.raw.indexOf(rest, line.indent + 1);
        lines[at] = { ...line, indent: column, text: rest };
        result.push(mapping(column));
      } else {
        at++;
        result.push(scalar(rest, line.no));
      }
    }
    return result;
  }

  const document = node(0);
  const left = peek();
  if (left !== undefined) throw new YamlSubsetError(left.no, "text after the document");
  return document;
}

type Map = Record<string, Yaml>;

function asMap(value: Yaml | undefined, what: string): Map {
  assertTrue(
    typeof value === "object" && value !== null && !Array.isArray(value),
    `${what} is a mapping`,
  );
  return value as Map;
}

function asList(value: Yaml | undefined, what: string): Yaml[] {
  assertTrue(Array.isArray(value), `${what} is a sequence`);
  return value as Yaml[];
}

async function workflow(name: string): Promise<{ text: string; doc: Map }> {
  const text = await Deno.readTextFile(new URL(`.github/workflows/${name}`, ROOT));
  return { text, doc: asMap(parseYaml(text), name) };
}

function steps(job: Map): Map[] {
  return asList(job.steps, "steps").map((step, i) => asMap(step, `step ${i}`));
}

function runs(job: Map): string {
  return steps(job).map((step) => String(step.run ?? "")).join("\n");
}

/** The Deno version .ci/run installs: the workflows must use the same one. */
async function pinnedDeno(): Promise<string> {
  const script = await Deno.readTextFile(new URL(".ci/run", ROOT));
  const match = script.match(/^DENO_VERSION=(\S+)$/m);
  assertTrue(match, "DENO_VERSION in .ci/run");
  return match[1]!;
}

function checkSetupDeno(job: Map, version: string): void {
  const setup = steps(job).filter((step) =>
    String(step.uses ?? "").startsWith("denoland/setup-deno@")
  );
  assertEquals(setup.length, 1);
  assertEquals(asMap(setup[0]!.with, "setup-deno with")["deno-version"], version);
}

function checkPinnedActions(doc: Map): void {
  for (const [name, job] of Object.entries(asMap(doc.jobs, "jobs"))) {
    for (const step of steps(asMap(job, name))) {
      if (step.uses === undefined) continue;
      assertTrue(/^[\w.-]+\/[\w.-]+@v\d+$/.test(String(step.uses)), `${name}: ${step.uses}`);
    }
  }
}

Deno.test("parseYaml() reads the subset", () => {
  const text = `# comment
name: x  # trailing comment
on:
  push:
    tags: ["v*", 'a''b']
  pull_request:
jobs:
  j:
    steps:
      - uses: a/b@v1
        with:
          n: 20
      - run: |
          echo "# not a comment"

          echo two
      -
        name: "quoted: yes"
    empty: {}
list:
- 1
- true
`;
  assertEquals(parseYaml(text), {
    name: "x",
    on: { push: { tags: ["v*", "a'b"] }, pull_request: null },
    jobs: {
      j: {
        steps: [
          { uses: "a/b@v1", with: { n: 20 } },
          { run: 'echo "# not a comment"\n\necho two\n' },
          { name: "quoted: yes" },
        ],
        empty: {},
      },
    },
    list: [1, true],
  });
});

Deno.test("parseYaml() refuses what it does not read", () => {
  const cases: [string, string][] = [
    ["a: 1\na: 2\n", "duplicate key"],
    ["a:\n  b: 1\n   c: 2\n", "unexpected indentation"],
    ["a: &anchor 1\n", "unsupported value"],
    ["a: b: c\n", '": " in a plain value'],
    ["a: yes\n", "YAML 1.1"],
    ["a: [b, [c]]\n", "nested flow"],
    ['a: "open\n', "unclosed quote"],
    ["just text\n", 'not a "key: value" line'],
  ];
  for (const [text, message] of cases) {
    assertThrows(() => parseYaml(text), YamlSubsetError, message);
  }
});

Deno.test("ci.yml runs the gate on Linux, macOS and Windows with the pinned Deno", async () => {
  const { doc } = await workflow("ci.yml");
  const on = asMap(doc.on, "on");
  assertTrue("push" in on && "pull_request" in on);
  assertEquals(asMap(doc.permissions, "permissions"), { contents: "read" });
  const test = asMap(asMap(doc.jobs, "jobs").test, "jobs.test");
  const matrix = asMap(asMap(test.strategy, "strategy").matrix, "matrix");
  const oses = asList(matrix.os, "matrix.os").map(String);
  for (const family of ["ubuntu-", "macos-", "windows-"]) {
    assertTrue(oses.some((os) => os.startsWith(family)), `${family} in ${oses}`);
  }
  assertEquals(test["runs-on"], "${{ matrix.os }}");
  checkSetupDeno(test, await pinnedDeno());
  checkPinnedActions(doc);
  const all = steps(test);
  const index = (pattern: RegExp) => all.findIndex((step) => pattern.test(String(step.run ?? "")));
  const autocrlf = index(/core\.autocrlf false/);
  const checkout = all.findIndex((step) => String(step.uses).startsWith("actions/checkout@"));
  assertTrue(autocrlf !== -1 && autocrlf < checkout, "autocrlf is off before the checkout");
  // Node is there for the interop tests; deno task test installs their packages itself.
  assertTrue(all.some((step) => String(step.uses).startsWith("actions/setup-node@")));
  assertTrue(index(/pip install boto3==[\d.]+ awscli==[\d.]+/) !== -1);
  const chromium = all[index(/chromium/)]!;
  assertEquals(chromium.if, "runner.os == 'Linux'");
  assertStringIncludes(String(chromium.run), "AWS_LOGIN_REQUIRE_BROWSER_TEST=1");
  const terminal = all[index(/apt-get install -y -qq zsh fish tmux/)]!;
  assertEquals(terminal.if, "runner.os == 'Linux'");
  assertStringIncludes(String(terminal.run), "AWS_LOGIN_REQUIRE_TERMINAL_TESTS=1");
  assertEquals(all.at(-1)!.run, "deno task test");
});

const RUNNERS: Readonly<Record<string, string>> = {
  "x86_64-unknown-linux-gnu": "ubuntu-24.04",
  "aarch64-unknown-linux-gnu": "ubuntu-24.04-arm",
  "x86_64-apple-darwin": "macos-15-intel",
  "aarch64-apple-darwin": "macos-14",
  "x86_64-pc-windows-msvc": "windows-2022",
};

Deno.test("release.yml builds every target of compile.ts natively and smoke-tests it", async () => {
  const { doc } = await workflow("release.yml");
  const on = asMap(doc.on, "on");
  assertEquals(Object.keys(on), ["push"]);
  assertEquals(asMap(on.push, "on.push"), { tags: ["v*"] });
  assertEquals(asMap(doc.permissions, "permissions"), { contents: "read" });
  checkPinnedActions(doc);

  const build = asMap(asMap(doc.jobs, "jobs").build, "jobs.build");
  const include = asList(
    asMap(asMap(build.strategy, "strategy").matrix, "matrix").include,
    "include",
  ).map((entry) => asMap(entry, "include entry"));
  assertEquals(include.map((entry) => entry.target), [...TARGETS]);
  for (const entry of include) {
    const target = String(entry.target);
    assertEquals(entry.runner, RUNNERS[target], target);
    assertEquals(entry.binary, `aws-login-${target}${target.includes("windows") ? ".exe" : ""}`);
  }
  assertEquals(build["runs-on"], "${{ matrix.runner }}");
  checkSetupDeno(build, await pinnedDeno());
  const script = runs(build);
  for (
    const part of [
      'deno task compile --target "${{ matrix.target }}"',
      "deno task compile --print-permissions",
      '"$bin" --version',
      '"$bin" --help',
      "deno task emulator --approval auto",
      "AWS_ENDPOINT_URL_SIGNIN=http://127.0.0.1:8787",
      "BROWSER=",
      "scripts/fake_browser.ts",
      '"$bin" login',
      '"$bin" export-credentials',
      '"$bin" status',
      '"$bin" exec --profile smoke --',
      '"$bin" logout',
      "tests/ship/compile_ready_test.ts --filter AWS_LOGIN_BINARY",
      'GITHUB_REF_NAME" != "v$version"',
    ]
  ) {
    assertStringIncludes(script, part);
  }
  const upload = steps(build).find((s) => String(s.uses).startsWith("actions/upload-artifact@"));
  assertEquals(asMap(upload?.with, "upload with").path, "dist/${{ matrix.binary }}");
});

Deno.test("release.yml gathers the binaries, writes SHA256SUMS and creates the release", async () => {
  const { doc } = await workflow("release.yml");
  const release = asMap(asMap(doc.jobs, "jobs").release, "jobs.release");
  assertEquals(release.needs, "build");
  assertEquals(asMap(release.permissions, "permissions"), { contents: "write" });
  checkSetupDeno(release, await pinnedDeno());
  const download = steps(release).find((s) =>
    String(s.uses).startsWith("actions/download-artifact@")
  );
  assertEquals(asMap(download?.with, "download with")["merge-multiple"], true);
  const script = runs(release);
  assertStringIncludes(script, "deno task compile --checksums-only");
  assertStringIncludes(script, "sha256sum --check SHA256SUMS");
  assertStringIncludes(script, `-eq ${TARGETS.length}`);
  assertStringIncludes(script, 'gh release create "$GITHUB_REF_NAME" dist/*');
});

async function pyYaml(): Promise<boolean> {
  try {
    const { code } = await new Deno.Command("python3", {
      args: ["-c", "import yaml"],
      stdout: "null",
      stderr: "null",
    }).output();
    return code === 0;
  } catch {
    return false;
  }
}

Deno.test({
  name: "the workflows read the same with PyYAML (skipped where python3 has no PyYAML)",
  ignore: !(await pyYaml()),
  async fn() {
    // PyYAML reads YAML 1.1, where the key `on` is the boolean true; GitHub reads it as "on".
    const program = `
import json, sys, yaml
def keys(value):
    if isinstance(value, dict):
        return {("on" if k is True else k): keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [keys(v) for v in value]
    return value
print(json.dumps(keys(yaml.safe_load(sys.stdin.read()))))
`;
    for (const name of ["ci.yml", "release.yml"]) {
      const { text, doc } = await workflow(name);
      const child = new Deno.Command("python3", {
        args: ["-c", program],
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode(text));
      await writer.close();
      const output = await child.output();
      assertEquals(output.code, 0, new TextDecoder().decode(output.stderr));
      assertEquals(JSON.parse(new TextDecoder().decode(output.stdout)), doc, name);
    }
  },
});
