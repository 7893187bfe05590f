/**
 * `scripts/eager_compile.ts`: which functions of a bundle are rewritten, that the rewrite keeps
 * what the code does and its line numbers, and the module set of the credential path.
 */

import { parse } from "acorn";
import { assertEquals, assertTrue } from "../support/assert.ts";
import { markEager, staticClosure } from "../../scripts/eager_compile.ts";

const BUNDLE = [
  "var __esm = (fn, res) => function __init() {",
  "  return fn && (res = (0, fn[Object.getOwnPropertyNames(fn)[0]])(fn = 0)), res;",
  "};",
  "",
  "// lib/hot.ts",
  "function double(values) {",
  "  return values.map((v) => v * 2);",
  "}",
  "async function later(x) {",
  "  return await Promise.resolve(x + 1);",
  "}",
  "var TABLE;",
  "var init_hot = __esm({",
  '  "lib/hot.ts"() {',
  "    TABLE = { twice: function (x) { return x * 2; }, get three() { return [3].map((t) => t)[0]; } };",
  "  }",
  "});",
  "",
  "// lib/cold.ts",
  "function cold() {",
  "  return [1].map((x) => x);",
  "}",
  "",
  "// main.ts",
  "init_hot();",
  "var Counter = class {",
  "  #n = 0;",
  "  add() { return [1].map((x) => this.#n += x)[0]; }",
  "};",
  "globalThis.result = [double([1, 2]), TABLE.twice(4), TABLE.three, cold(), new Counter().add()];",
  "globalThis.pending = later(1);",
  "",
].join("\n");

/** What a script prints when Deno runs it (stdout, then stderr). */
async function runScript(code: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "aws-login-eager-" });
  try {
    await Deno.writeTextFile(`${dir}/b.js`, code);
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", `${dir}/b.js`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    return new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("markEager() puts the functions of the named modules in parentheses, and no others", () => {
  const { text, functions } = markEager(BUNDLE, new Set(["lib/hot.ts"]));
  const lines = text.split("\n");
  assertEquals(lines[5], "var double = (function double(values) {");
  assertEquals(lines[6], "  return values.map(((v) => v * 2));");
  assertEquals(lines[7], "});");
  assertEquals(lines[8], "var later = (async function later(x) {");
  assertEquals(lines[10], "});");
  assertEquals(lines[13], '  "lib/hot.ts": (function() {');
  assertEquals(
    lines[14],
    "    TABLE = { twice: (function (x) { return x * 2; }), get three() { return [3].map(((t) => t))[0]; } };",
  );
  assertEquals(lines[15], "  })");
  // The cold module and the entry are as they were.
  assertEquals(lines.slice(18), BUNDLE.split("\n").slice(18));
  // 2 declarations, 1 initializer, 3 nested functions (the getter itself stays a getter).
  assertEquals(functions, 6);
});

Deno.test("markEager() keeps what the code does and every line number", async () => {
  const { text } = markEager(BUNDLE, new Set(["lib/hot.ts", "lib/cold.ts", "main.ts"]));
  assertEquals(text.split("\n").length, BUNDLE.split("\n").length);
  parse(text, { ecmaVersion: "latest", sourceType: "module" });
  const results = [];
  for (const source of [BUNDLE, text]) {
    const url = `data:text/javascript;base64,${btoa(source)}`;
    const scope = globalThis as { result?: unknown; pending?: Promise<unknown> };
    await import(url);
    results.push([scope.result, await scope.pending]);
  }
  assertEquals(results[1], results[0]);
  assertEquals(results[0], [[[2, 4], 8, 3, [1], 1], 2]);
});

Deno.test("markEager() reads module comments, not text in a template that looks like one", () => {
  const bundle = [
    "// lib/cold.ts",
    "var SCRIPT = `",
    "// lib/hot.ts",
    "`;",
    "function cold() {",
    "  return SCRIPT;",
    "}",
    "",
  ].join("\n");
  assertEquals(markEager(bundle, new Set(["lib/hot.ts"])), { text: bundle, functions: 0 });
});

Deno.test("markEager() keeps a declaration that earlier code calls, which a var would break", async () => {
  const bundle = [
    "// main.ts",
    "const early = [print(1)];",
    "function print(x) {",
    "  return [x].map((y) => y + 1)[0];",
    "}",
    "function late(x) {",
    "  return helper(x);",
    "}",
    "function helper(x) {",
    "  return x;",
    "}",
    "console.log(early[0], late(2));",
    "",
  ].join("\n");
  const { text, functions } = markEager(bundle, new Set(["main.ts"]));
  const lines = text.split("\n");
  // A var assigned after "early" would throw there; the declaration stays, hoisted, and lazy.
  assertEquals(lines.slice(1, 5), bundle.split("\n").slice(1, 5));
  assertEquals(lines[5], "var late = (function late(x) {");
  // A call inside a function body does not run at once: helper is rewritten too.
  assertEquals(lines[8], "var helper = (function helper(x) {");
  assertEquals(functions, 2);
  assertEquals(await runScript(text), "2 2\n");
});

Deno.test("markEager() keeps every declaration that top-level code reaches through a call", async () => {
  const cases = [
    // Through another declaration's body.
    "const early = [g(1)];\nfunction g(x) {\n  return f(x);\n}\nfunction f(x) {\n  return x + 1;\n}",
    // Through an arrow called at once.
    "const early = [(() => f(1))()];\nfunction f(x) {\n  return x + 1;\n}",
    // Through a method called at once.
    "const o = { m() {\n  return f(1);\n} };\nconst early = [o.m()];\nfunction f(x) {\n  return x + 1;\n}",
  ];
  for (const body of cases) {
    const bundle = `// main.ts\n${body}\nconsole.log(early[0]);\n`;
    const { text } = markEager(bundle, new Set(["main.ts"]));
    assertTrue(text.includes("\nfunction f(x) {"), text);
    assertEquals(await runScript(text), "2\n", text);
  }
  // An export table's getters run when a module reads the exports, later: f is rewritten.
  const table =
    "// main.ts\nvar m = {};\n__export(m, { f: () => f });\nfunction f(x) {\n  return x;\n}\n";
  assertTrue(markEager(table, new Set(["main.ts"])).text.includes("var f = (function f(x)"));
});

Deno.test("markEager() leaves a bundle alone when no module is named", () => {
  assertEquals(markEager(BUNDLE, new Set()), { text: BUNDLE, functions: 0 });
});

Deno.test("staticClosure() follows static imports from the entries, not import()", () => {
  const root = "file:///p/";
  const graph = {
    modules: [
      {
        specifier: `${root}main.ts`,
        dependencies: [
          { code: { specifier: `${root}a.ts` } },
          { code: { specifier: `${root}login.ts` }, isDynamic: true },
          { code: { specifier: `${root}export.ts` }, isDynamic: true },
        ],
      },
      { specifier: `${root}a.ts`, dependencies: [{ code: { specifier: `${root}main.ts` } }] },
      { specifier: `${root}login.ts`, dependencies: [{ code: { specifier: `${root}b.ts` } }] },
      {
        specifier: `${root}export.ts`,
        dependencies: [
          { code: { specifier: `${root}c.ts` } },
          { code: { specifier: "https://example.com/x.ts" } },
        ],
      },
      { specifier: `${root}b.ts` },
      { specifier: `${root}c.ts` },
    ],
  };
  const found = staticClosure(graph, [`${root}main.ts`, `${root}export.ts`], root);
  assertEquals([...found].sort(), ["a.ts", "c.ts", "export.ts", "main.ts"]);
  assertTrue(!found.has("login.ts") && !found.has("b.ts"));
});
