/**
 * The JSR configuration of deno.json: name, version, exports, what `publish.include` takes, and
 * that the package is complete (every module its exports reach is published), checked both from
 * the configuration itself and with `deno publish --dry-run` and `deno doc --lint`, which run
 * without the registry.
 */

import { assertEquals, assertMatch, assertStringIncludes, assertTrue } from "../support/assert.ts";
import { localPath } from "../support/paths.ts";
import { runProgram } from "../support/cli.ts";

const ROOT = new URL("../../", import.meta.url);

interface DenoConfig {
  name: string;
  version: string;
  license?: string;
  exports: string | Record<string, string>;
  imports?: Record<string, string>;
  exclude?: string[];
  publish?: { include?: string[]; exclude?: string[] };
}

async function config(): Promise<DenoConfig> {
  return JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
}

function exportPaths(config: DenoConfig): string[] {
  const exports = typeof config.exports === "string" ? { ".": config.exports } : config.exports;
  return Object.values(exports).map((path) => path.replace(/^\.\//, ""));
}

async function deno(args: string[]) {
  return await runProgram([Deno.execPath(), ...args], {
    cwd: localPath(ROOT),
    env: { ...Deno.env.toObject(), NO_COLOR: "1" },
  });
}

/**
 * A `publish.include` / `exclude` entry as a regular expression over repository-relative paths:
 * `*` and `?` within a name, `**` across directories; a plain path also matches what is under it.
 */
function entryPattern(entry: string): RegExp {
  const path = entry.replace(/^\.\//, "").replace(/\/$/, "");
  let source = "";
  for (let i = 0; i < path.length; i++) {
    const char = path[i]!;
    if (path.startsWith("**/", i)) {
      source += "(?:.*/)?";
      i += 2;
    } else if (path.startsWith("**", i)) {
      source += ".*";
      i += 1;
    } else if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else source += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}(?:/.*)?$`);
}

async function repositoryFiles(): Promise<string[]> {
  const files: string[] = [];
  async function walk(dir: string): Promise<void> {
    for await (const entry of Deno.readDir(new URL(dir || ".", ROOT))) {
      if ([".git", "node_modules", "dist", ".tmp"].includes(entry.name)) continue;
      const path = `${dir}${entry.name}`;
      if (entry.isDirectory) await walk(`${path}/`);
      else files.push(path);
    }
  }
  await walk("");
  return files.sort();
}

async function graphFiles(entry: string): Promise<{ local: string[]; npm: string[] }> {
  const result = await deno(["info", "--json", entry]);
  assertEquals(result.code, 0, result.stderr);
  const modules: { specifier: string }[] = JSON.parse(result.stdout).modules;
  const root = ROOT.href;
  return {
    local: modules.map((m) => m.specifier).filter((s) => s.startsWith(root)).map((s) =>
      s.slice(root.length)
    ),
    npm: modules.map((m) => m.specifier).filter((s) => s.startsWith("npm:")),
  };
}

Deno.test("entryPattern() reads include globs as deno publish does", () => {
  const cases: [string, string, boolean][] = [
    ["lib/**/*.ts", "lib/x.ts", true],
    ["lib/**/*.ts", "lib/aws/paths.ts", true],
    ["lib/**/*.ts", "lib/aws/paths.json", false],
    ["lib/**/*.ts", "scripts/lib/x.ts", false],
    ["main.ts", "main.ts", true],
    ["main.ts", "main.tsx", false],
    ["dist/", "dist/aws-login", true],
    ["tests/interop/node_modules/", "tests/interop/node_modules/a/b.js", true],
    ["README.md", "READMEXmd", false],
  ];
  for (const [entry, path, expected] of cases) {
    assertEquals(entryPattern(entry).test(path), expected, `${entry} ~ ${path}`);
  }
});

Deno.test("publish: deno.json names the package, its version and licence", async () => {
  const { name, version, license } = await config();
  assertMatch(name, /^@[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9-]*$/);
  assertMatch(version, /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$/);
  assertTrue(license, "a license field (JSR shows it)");
});

Deno.test("publish: every export is a file that exists and is published", async () => {
  const cfg = await config();
  const include = (cfg.publish?.include ?? []).map(entryPattern);
  const paths = exportPaths(cfg);
  assertTrue(paths.length > 0, "no export");
  for (const path of paths) {
    assertTrue((await Deno.stat(new URL(path, ROOT))).isFile, `${path} is not a file`);
    assertTrue(include.some((pattern) => pattern.test(path)), `${path} is not in publish.include`);
  }
});

Deno.test("publish: every publish.include entry matches files", async () => {
  const files = await repositoryFiles();
  const unmatched = ((await config()).publish?.include ?? [])
    .filter((entry) => !files.some((file) => entryPattern(entry).test(file)));
  assertEquals(unmatched, [], `publish.include names what does not exist: ${unmatched.join(", ")}`);
});

Deno.test("publish: README.md documents deno run jsr: and deno install", async () => {
  const { name } = await config();
  const readme = await Deno.readTextFile(new URL("README.md", ROOT)).catch(() => "");
  assertStringIncludes(readme, `deno run -A jsr:${name} login`, "README.md: deno run");
  assertMatch(readme, new RegExp(`deno install [^\\n]*jsr:${name}`), "README.md: deno install");
});

Deno.test("publish: every module the exports reach is included and not excluded", async () => {
  const cfg = await config();
  const include = (cfg.publish?.include ?? []).map(entryPattern);
  const exclude = [...(cfg.exclude ?? []), ...(cfg.publish?.exclude ?? [])].map(entryPattern);
  for (const entry of exportPaths(cfg)) {
    const { local } = await graphFiles(entry);
    const missing = local.filter((path) => !include.some((pattern) => pattern.test(path)));
    const excluded = local.filter((path) => exclude.some((pattern) => pattern.test(path)));
    assertEquals({ missing, excluded }, { missing: [], excluded: [] }, entry);
  }
});

Deno.test("publish: npm dependencies are pinned to exact versions", async () => {
  const cfg = await config();
  const npm = Object.entries(cfg.imports ?? {}).filter(([, target]) => target.startsWith("npm:"));
  assertTrue(npm.length > 0);
  for (const [name, target] of npm) {
    assertMatch(target, /^npm:(@[a-z0-9-]+\/)?[a-z0-9._-]+@\d+\.\d+\.\d+$/, name);
  }
  const pinned = npm.map(([, target]) => target.replace(/^npm:/, "npm:/"));
  for (const entry of exportPaths(cfg)) {
    for (const specifier of (await graphFiles(entry)).npm) {
      assertTrue(pinned.includes(specifier), `${specifier}, reached from ${entry}, is not pinned`);
    }
  }
});

Deno.test("publish: deno publish --dry-run passes and publishes the whole graph", async () => {
  const result = await deno(["publish", "--dry-run", "--allow-dirty"]);
  const output = result.stdout + result.stderr;
  assertEquals(result.code, 0, output);
  assertStringIncludes(output, "Success Dry run complete");
  const cfg = await config();
  for (const entry of exportPaths(cfg)) {
    for (const path of (await graphFiles(entry)).local) {
      assertStringIncludes(output, new URL(path, ROOT).href);
    }
  }
});

Deno.test("publish: deno doc --lint finds nothing in the exports", async () => {
  const result = await deno(["doc", "--lint", ...exportPaths(await config())]);
  assertEquals(result.code, 0, result.stdout + result.stderr);
});
