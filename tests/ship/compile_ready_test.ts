/**
 * Proof that aws-login is ready for `deno compile`, on a machine that cannot download the Deno
 * runtime and so cannot build a binary:
 *
 * - the module graph is made only of modules `deno compile` embeds: static imports, and dynamic
 *   `import()`s of literal relative paths (each command's module is loaded when it runs), which
 *   `deno compile` follows like static ones, so every module of the program is in the graph;
 * - no module reads a file next to the sources at run time;
 * - the permission set the binaries are built with is enough: the real CLI runs with exactly those
 *   flags through login, export-credentials (with a refresh, through the credential_process
 *   bridge, and of a role profile, over STS), status, configure credential-process, exec, serve
 *   and logout, and fails where a flag is missing;
 * - `scripts/compile.ts` fails clearly and leaves nothing behind when it cannot build.
 *
 * With `AWS_LOGIN_BINARY` set to a compiled binary (the release workflow does), the same scenario
 * runs against that binary, whose permissions are embedded.
 */

import { assertEquals, assertMatch, assertStringIncludes, assertTrue } from "../support/assert.ts";
import { type CliResult, runCli, type Sandbox, sandbox, startCli } from "../support/cli.ts";
import { setSecondsLeft } from "../support/session.ts";
import { type Emulator, startEmulator } from "../../scripts/emulator/mod.ts";
import { permissionFlags } from "../../lib/runtime/permissions.ts";
import { binaryName, CHECKSUMS_FILE, TARGETS } from "../../scripts/compile.ts";
import { VERSION } from "../../lib/version.ts";
import { localPath } from "../support/paths.ts";

const ROOT = new URL("../../", import.meta.url);
const MAIN = localPath(new URL("main.ts", ROOT));
const FAKE_BROWSER = localPath(new URL("scripts/fake_browser.ts", ROOT));
const COMPILE = localPath(new URL("scripts/compile.ts", ROOT));
const SESSION = "arn:aws:sts::123456789012:assumed-role/Admin/alice";

async function deno(args: string[]): Promise<CliResult> {
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: localPath(ROOT),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

interface GraphModule {
  specifier: string;
  kind?: string;
  error?: string;
  dependencies?: { specifier: string; isDynamic?: boolean; code?: { specifier?: string } }[];
}

async function moduleGraph(): Promise<GraphModule[]> {
  const result = await deno(["info", "--json", "main.ts"]);
  assertEquals(result.code, 0, result.stderr);
  return JSON.parse(result.stdout).modules;
}

// ---- (a) and (b): an embeddable graph, no file read next to the sources ----

Deno.test("compile-ready: the module graph of main.ts is embeddable, dynamic imports included", async () => {
  const modules = await moduleGraph();
  const root = ROOT.href;
  const local: string[] = [];
  const inGraph = new Set(modules.map((module) => module.specifier));
  for (const module of modules) {
    assertEquals(module.error, undefined, `${module.specifier}: ${module.error}`);
    const { specifier } = module;
    assertMatch(specifier, /^(file:|npm:|node:|jsr:|https:\/\/jsr\.io\/)/);
    assertTrue(
      ["esm", "asserted", "npm", "node"].includes(module.kind ?? ""),
      `${specifier} is a "${module.kind}" module`,
    );
    for (const dependency of module.dependencies ?? []) {
      if (dependency.isDynamic !== true) continue;
      // A literal relative path to a module of the program, which is in the graph (so embedded).
      const target = dependency.code?.specifier ?? "";
      assertMatch(
        dependency.specifier,
        /^\.\.?\/[\w/.]+\.ts$/,
        `${specifier} imports it dynamically`,
      );
      assertTrue(target.startsWith(`${root}lib/`), `${specifier}: "${dependency.specifier}"`);
      assertTrue(inGraph.has(target), `${target}, imported by ${specifier}, is not in the graph`);
    }
    if (specifier.startsWith("file:")) {
      assertTrue(specifier.startsWith(root), `${specifier} is outside the repository`);
      local.push(specifier.slice(root.length));
    }
  }
  // Only the program: nothing from tests/ or from the other scripts, JSON only as deno.json.
  for (const path of local) {
    assertMatch(path, /^(main\.ts|deno\.json|lib\/[\w/]+\.ts|scripts\/permissions\.ts)$/);
  }
  assertTrue(local.includes("main.ts") && local.includes("lib/runtime/real.ts"));
  // Every command is in the graph, though each is imported only when it runs.
  for await (const entry of Deno.readDir(new URL("lib/commands/", ROOT))) {
    assertTrue(local.includes(`lib/commands/${entry.name}`), `lib/commands/${entry.name}`);
  }
  // npm packages only as deno.json pins them.
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const pinned = Object.values(config.imports as Record<string, string>)
    .filter((target) => target.startsWith("npm:"))
    .map((target) => target.replace(/^npm:/, "npm:/"));
  for (const module of modules.filter((m) => m.specifier.startsWith("npm:"))) {
    assertTrue(pinned.includes(module.specifier), `${module.specifier} is not pinned in deno.json`);
  }
});

Deno.test("compile-ready: the SigV4 signer is loaded only when a revocation signs a request", async () => {
  const modules = await moduleGraph();
  const bySpecifier = new Map(modules.map((m) => [m.specifier, m]));
  // Everything main.ts loads before any dynamic import(): what export-credentials pays for.
  const statics = new Set<string>();
  const pending = [new URL("main.ts", ROOT).href];
  while (pending.length > 0) {
    const specifier = pending.pop()!;
    if (statics.has(specifier)) continue;
    statics.add(specifier);
    for (const dependency of bySpecifier.get(specifier)?.dependencies ?? []) {
      if (dependency.isDynamic === true) continue;
      const resolved = modules.find((m) =>
        m.specifier === new URL(dependency.specifier, specifier).href ||
        (dependency.specifier === "aws4fetch" && m.specifier.startsWith("npm:/aws4fetch"))
      );
      if (resolved !== undefined) pending.push(resolved.specifier);
      else if (!dependency.specifier.startsWith(".")) statics.add(dependency.specifier);
    }
  }
  const signer = [...statics].filter((s) => s.includes("aws4fetch") || s.endsWith("/sigv4.ts"));
  assertEquals(signer, []);
  assertTrue(
    modules.some((m) => m.specifier.startsWith("npm:/aws4fetch")),
    "aws4fetch is in the graph",
  );
  assertTrue(modules.some((m) => m.specifier.endsWith("lib/signin/sigv4.ts")));
});

Deno.test("compile-ready: serving a login session loads neither the role code, the SigV4 signer nor the token client and its JWT code", async () => {
  const modules = await moduleGraph();
  const bySpecifier = new Map(modules.map((module) => [module.specifier, module]));
  for (const command of ["export_credentials", "exec", "serve"]) {
    // What loading the command's module loads: its static imports, transitively.
    const loaded = new Set<string>();
    const pending = [new URL(`lib/commands/${command}.ts`, ROOT).href];
    while (pending.length > 0) {
      const specifier = pending.pop()!;
      if (loaded.has(specifier)) continue;
      loaded.add(specifier);
      for (const dependency of bySpecifier.get(specifier)?.dependencies ?? []) {
        const target = dependency.code?.specifier;
        if (target !== undefined && dependency.isDynamic !== true) pending.push(target);
      }
    }
    const lazy = [
      "lib/signin/sigv4.ts",
      "lib/aws/sts.ts",
      "lib/aws/role_credentials.ts",
      "lib/aws/sts_endpoint_config.ts",
      "lib/signin/sts_endpoints.ts",
      "lib/signin/token.ts",
      "lib/signin/aws_dialect.ts",
      "lib/aws/session_claims.ts",
      "lib/cli/secret_prompt.ts",
    ];
    for (const path of lazy) {
      assertTrue(!loaded.has(new URL(path, ROOT).href), `${command} loads ${path} up front`);
    }
    assertTrue(![...loaded].some((s) => s.includes("aws4fetch")), `${command} loads aws4fetch`);
    assertTrue(loaded.has(new URL("lib/aws/profile_credentials.ts", ROOT).href), command);
  }
});

/** Code without comments, so that an example in a doc comment does not count. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

const RUNTIME_FILE_ACCESS: readonly [RegExp, string][] = [
  [
    /\bimport\s*\((?!\s*(["'])[^"'`$]*\1\s*\))/,
    "a dynamic import() of a computed specifier (deno compile cannot follow it)",
  ],
  [
    /\bimport\.meta\b(?!\.main\b)/,
    "import.meta other than import.meta.main (a path next to the sources)",
  ],
  [/\bnew\s+Worker\s*\(/, "a Worker (its module would have to be --include'd)"],
  [/\b(require|createRequire)\s*\(/, "require()"],
  [/\bfetch\(\s*(["'`]file:|new URL\()/, "fetch() of a file: URL"],
  [
    /\b(readTextFile|readFile|open)(Sync)?\(\s*(new URL\(|["'`]file:|["'`]\.\.?\/)/,
    "reading a file by a URL or a relative path",
  ],
];

Deno.test("compile-ready: no module of the graph reads a file next to the sources", async () => {
  const root = ROOT.href;
  const files = (await moduleGraph())
    .map((m) => m.specifier)
    .filter((specifier) => specifier.startsWith(root) && specifier.endsWith(".ts"));
  assertTrue(files.length > 30, `${files.length} files`);
  const findings: string[] = [];
  for (const file of files) {
    const code = withoutComments(await Deno.readTextFile(new URL(file)));
    for (const [pattern, what] of RUNTIME_FILE_ACCESS) {
      const match = code.match(pattern);
      if (match) findings.push(`${file.slice(root.length)}: ${what}: "${match[0]}"`);
    }
  }
  assertEquals(findings, []);
});

Deno.test("compile-ready: the checks above catch what they look for", () => {
  const bad = [
    "const m = await import(name);",
    "const m = await import(`./commands/${name}.ts`);",
    'const m = await import("./commands/" + name);',
    'const t = await Deno.readTextFile(new URL("./page.html", import.meta.url));',
    'const page = await fetch("file:///x/page.html");',
    'new Worker(new URL("./w.ts", import.meta.url), { type: "module" });',
    'const text = Deno.readTextFileSync("./assets/page.html");',
  ];
  for (const line of bad) {
    assertTrue(RUNTIME_FILE_ACCESS.some(([pattern]) => pattern.test(line)), line);
  }
  const good = [
    "if (import.meta.main) run();",
    'const { login } = await import("../commands/login.ts");',
    'const m = await import(\n  "../commands/configure_credential_process.ts"\n);',
    'import denoJson from "../deno.json" with { type: "json" };',
    "/** await import(name) in a comment */",
    'const { requestTokens } = await import("../signin/token.ts");',
  ];
  for (const line of good) {
    const code = withoutComments(line);
    assertTrue(!RUNTIME_FILE_ACCESS.some(([pattern]) => pattern.test(code)), line);
  }
});

// ---- (c): the permission set is enough, and it is applied ----

/** How to start the program: `deno run` with the flags, or a compiled binary. */
interface Program {
  readonly argv: string[];
  /** The argv `configure credential-process` is expected to write. */
  readonly self: string[];
  /** The bundle, when the program is one: its credential path is checked against V8's log. */
  readonly bundle?: string;
}

/**
 * How many functions of each bundle V8 compiled from source in a run of `export-credentials`
 * whose code cache was written by an earlier run (the same V8 flags, a Deno cache of its own),
 * read from V8's function-event log; a bundle that was not loaded is missing. With `full`, the
 * memo is removed before each run, so that the whole program answers; else the fast path does.
 */
async function functionsCompiledFromSource(
  program: Program & { bundle: string },
  env: Record<string, string>,
  dir: string,
  memo: { path: string; full: boolean },
): Promise<Record<string, number>> {
  const log = `${dir}/v8.log`;
  const [deno, ...rest] = program.argv;
  const at = rest.indexOf(program.bundle);
  const argv = [
    deno!,
    ...rest.slice(0, at),
    `--v8-flags=--log-function-events,--logfile=${log},--no-logfile-per-isolate`,
    ...rest.slice(at),
  ];
  const cacheEnv = { ...env, DENO_DIR: `${dir}/deno-dir` };
  for (let run = 0; run < 3; run++) {
    await Deno.remove(log).catch(() => {});
    if (memo.full) await Deno.remove(memo.path).catch(() => {});
    const result = await runCli(["export-credentials", "--profile", "dev"], {
      env: cacheEnv,
      argv0: argv,
    });
    parseProcessOutput(result);
  }
  const lines = (await Deno.readTextFile(log)).split("\n").map((line) => line.split(","));
  const counts: Record<string, number> = {};
  for (const name of ["aws-login.js", "aws-login-program.js"]) {
    const script = lines.find((f) => f[0] === "script-details" && f[2]?.endsWith(`/${name}`));
    if (script === undefined) continue;
    counts[name] = lines.filter((f) =>
      f[0] === "function" && f[1] === "interpreter" && f[2] === script[1]
    ).length;
  }
  return counts;
}

function denoRunProgram(permissions: string[] = permissionFlags()): Program {
  const argv = [Deno.execPath(), "run", ...permissions, "--quiet", MAIN];
  return { argv, self: argv };
}

function browserCommand(): string {
  return `${Deno.execPath()} run --allow-all --quiet ${FAKE_BROWSER} %s`;
}

/** Windows cannot open a socket without SystemRoot; everything else comes from the sandbox. */
const PLATFORM_ENV: Record<string, string> = Deno.build.os === "windows"
  ? { SystemRoot: Deno.env.get("SystemRoot") ?? "C:\\Windows" }
  : {};

async function env(box: Sandbox, endpoint: string): Promise<Record<string, string>> {
  return await box.env({
    AWS_ENDPOINT_URL_SIGNIN: endpoint,
    BROWSER: browserCommand(),
    ...PLATFORM_ENV,
  });
}

function parseProcessOutput(result: CliResult): Record<string, unknown> {
  assertEquals(result.code, 0, result.stderr);
  const value = JSON.parse(result.stdout);
  assertEquals(value.Version, 1);
  assertMatch(value.AccessKeyId, /^ASIA/);
  return value;
}

async function onlyCacheFile(box: Sandbox): Promise<string> {
  const names = [];
  for await (const entry of Deno.readDir(box.cacheDir)) {
    if (entry.name.endsWith(".json")) names.push(entry.name);
  }
  assertEquals(names.length, 1, names.join(", "));
  return `${box.cacheDir}/${names[0]}`;
}

/** The scenario every build must pass: all commands, a refresh, the bridge, and a refused host. */
async function everyCommand(t: Deno.TestContext, program: Program): Promise<void> {
  // The region the session signs in at: revocations are signed for it.
  await using emulator: Emulator = await startEmulator({ regions: ["eu-west-1"] });
  await using box = await sandbox();
  const run = async (args: string[], endpoint = emulator.url) =>
    await runCli(args, { env: await env(box, endpoint), argv0: program.argv });
  let first: Record<string, unknown> = {};

  await t.step("login", async () => {
    const result = await run(["login", "--profile", "dev", "--region", "eu-west-1"]);
    assertEquals(result.code, 0, result.stderr);
    assertStringIncludes(result.stderr, `Updated profile dev to use ${SESSION} credentials.`);
    await onlyCacheFile(box);
  });

  await t.step("export-credentials", async () => {
    first = parseProcessOutput(await run(["export-credentials", "--profile", "dev"]));
  });

  const bundle = program.bundle;
  if (bundle !== undefined) {
    await t.step("export-credentials runs its functions from V8's code cache", async () => {
      const dir = await Deno.makeTempDir({ prefix: "aws-login-v8-" });
      try {
        // Without scripts/eager_compile.ts, about 130 functions of the path compile at every run.
        const memo = `${box.cacheDir}/aws-login-export-memo`;
        const full = await functionsCompiledFromSource(
          { ...program, bundle },
          await env(box, emulator.url),
          dir,
          { path: memo, full: true },
        );
        const programCount = full["aws-login-program.js"];
        assertTrue(
          programCount !== undefined && programCount < 40,
          `full: ${JSON.stringify(full)}`,
        );
        // The fast path loads the entry bundle alone, and finds its functions in the cache too.
        const fast = await functionsCompiledFromSource(
          { ...program, bundle },
          await env(box, emulator.url),
          dir,
          { path: memo, full: false },
        );
        assertEquals(Object.keys(fast), ["aws-login.js"], JSON.stringify(fast));
        assertTrue(fast["aws-login.js"]! < 10, `fast: ${JSON.stringify(fast)}`);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  }

  await t.step("status", async () => {
    const result = await run(["status", "--json"]);
    assertEquals(result.code, 0, result.stderr);
    const sessions = JSON.parse(result.stdout);
    assertEquals(sessions.length, 1);
    assertEquals(sessions[0].profiles, ["dev"]);
    assertEquals(sessions[0].state, "valid");
  });

  await t.step("configure credential-process, then the bridge it writes", async () => {
    const result = await run([
      "configure",
      "credential-process",
      "--profile",
      "proc",
      "--source-profile",
      "dev",
    ]);
    assertEquals(result.code, 0, result.stderr);
    const config = await Deno.readTextFile(box.configPath);
    const line = config.split("\n").find((l) => l.startsWith("credential_process = "))!;
    for (const part of [...program.self, "export-credentials", "--profile", "dev"]) {
      assertStringIncludes(line, part);
    }
    assertTrue(!line.includes("--allow-all") && !/\s-A\s/.test(line), line);
    const bridged = parseProcessOutput(await run(["export-credentials", "--profile", "proc"]));
    assertEquals(bridged.AccessKeyId, first.AccessKeyId);
  });

  await t.step("a refresh is refused for a host outside --allow-net", async () => {
    const path = await onlyCacheFile(box);
    await setSecondsLeft(path, -60);
    const before = await Deno.readTextFile(path);
    const result = await run(
      ["export-credentials", "--profile", "dev"],
      emulator.url.replace("127.0.0.1", "localhost"),
    );
    assertEquals(result.code, 7, result.stderr);
    assertMatch(result.stderr, /Requires net access to "localhost:\d+"/);
    assertEquals(await Deno.readTextFile(path), before);
  });

  await t.step("the same refresh goes through on 127.0.0.1", async () => {
    const refreshed = parseProcessOutput(await run(["export-credentials", "--profile", "dev"]));
    assertTrue(refreshed.AccessKeyId !== first.AccessKeyId, "new credentials");
    assertEquals(emulator.counts.tokenByGrant.refresh_token, 1);
  });

  await t.step("exec: the command gets the endpoint, which serves the session", async () => {
    // The child is Deno itself, so that this runs on every OS a binary is built for.
    const probe =
      `const response = await fetch(Deno.env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI"), {
      headers: { authorization: Deno.env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN") },
    });
    const body = await response.json();
    console.log(JSON.stringify({ key: body.AccessKeyId, profile: Deno.env.get("AWS_PROFILE") }));`;
    const result = await run(["exec", "--profile", "dev", "--", Deno.execPath(), "eval", probe]);
    assertEquals(result.code, 0, result.stderr);
    const seen = JSON.parse(result.stdout);
    assertEquals(seen.profile, "dev");
    assertMatch(seen.key, /^ASIA/);
  });

  await t.step({
    name: `serve: two lines on stdout, then a stop on SIGTERM${
      Deno.build.os === "windows" ? " (skipped on Windows: no SIGTERM to send)" : ""
    }`,
    ignore: Deno.build.os === "windows",
    fn: async () => {
      await using serve = startCli(["serve", "--profile", "dev"], {
        env: await env(box, emulator.url),
        argv0: program.argv,
      });
      const [, uri, token] = await serve.waitForStdout(
        /^AWS_CONTAINER_CREDENTIALS_FULL_URI=(\S+)\nAWS_CONTAINER_AUTHORIZATION_TOKEN=(\S+)\n/,
      );
      const response = await fetch(uri!, { headers: { authorization: token! } });
      assertEquals(response.status, 200);
      assertMatch((await response.json()).AccessKeyId, /^ASIA/);
      serve.kill("SIGTERM");
      assertEquals((await serve.result()).code, 0);
    },
  });

  await t.step("a role profile: STS AssumeRole with these permissions", async () => {
    await Deno.writeTextFile(
      box.configPath,
      "\n[profile deploy]\nrole_arn = arn:aws:iam::210987654321:role/Deploy\nsource_profile = dev\n" +
        "region = eu-west-1\n", // the one region this emulator serves, STS included
      { append: true },
    );
    const result = await runCli(["export-credentials", "--profile", "deploy"], {
      env: { ...await env(box, emulator.url), AWS_ENDPOINT_URL_STS: emulator.url },
      argv0: program.argv,
    });
    parseProcessOutput(result);
    assertEquals(emulator.counts.assumeRoleByArn, { "arn:aws:iam::210987654321:role/Deploy": 1 });
  });

  await t.step("logout, revoking the session at the emulator", async () => {
    const result = await run(["logout", "--profile", "dev"]);
    assertEquals(result.code, 0, result.stderr);
    assertStringIncludes(
      result.stderr,
      `Signed out ${SESSION} (profile dev); revoked at AWS Sign-In\n`,
    );
    assertEquals(emulator.counts.revokedSessions, 1);
    const left = [];
    for await (const entry of Deno.readDir(box.cacheDir)) left.push(entry.name);
    assertEquals(left.filter((name) => name.endsWith(".json")), []);
    const roles = [];
    for await (const entry of Deno.readDir(`${box.cacheDir}/roles`)) roles.push(entry.name);
    assertEquals(roles.filter((name) => name.endsWith(".json")), []);
  });
}

Deno.test("compile-ready: deno run with exactly the compile permissions runs every command", async (t) => {
  await everyCommand(t, denoRunProgram());
});

Deno.test("compile-ready: the bundle the binaries are compiled from runs every command with those permissions", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "aws-login-bundle-" });
  try {
    const built = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", COMPILE, "--bundle-only", "--out-dir", dir],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(built.code, 0, new TextDecoder().decode(built.stderr));
    const bundle = `${dir}/aws-login.js`;
    // Two modules: the entry imports only the program bundle, with a literal import() that
    // deno compile embeds; the program imports nothing.
    const entry = await Deno.readTextFile(bundle);
    const program = await Deno.readTextFile(`${dir}/aws-login-program.js`);
    assertTrue(!/^\s*import\s[^(]/m.test(entry), "the entry has no static import");
    assertEquals([...entry.matchAll(/\bimport\(([^)]*)\)/g)].map((m) => m[1]), [
      '"./aws-login-program.js"',
    ]);
    assertTrue(
      !/^\s*import\s[^(]/m.test(program) && !/\bimport\(/.test(program),
      "the program bundle imports nothing",
    );
    assertTrue(entry.length < 40_000, `the entry bundle has ${entry.length} characters`);
    const argv = [Deno.execPath(), "run", ...permissionFlags(), "--quiet", bundle];
    await everyCommand(t, { argv, self: argv, bundle });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("compile-ready: without --allow-net the same login fails, so the flags are applied", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const flags = permissionFlags().filter((flag) => !flag.startsWith("--allow-net"));
  const result = await runCli(["login", "--profile", "dev", "--region", "eu-west-1"], {
    env: await env(box, emulator.url),
    argv0: denoRunProgram(flags).argv,
  });
  assertTrue(result.code !== 0, "login must fail");
  assertStringIncludes(result.stderr, 'Requires net access to "127.0.0.1:0"');
  assertEquals(emulator.counts.authorize, 0);
});

const BINARY = Deno.env.get("AWS_LOGIN_BINARY");

Deno.test({
  name: "compile-ready: the compiled binary in AWS_LOGIN_BINARY runs every command",
  ignore: BINARY === undefined,
  async fn(t) {
    const binary = await Deno.realPath(BINARY!);
    const version = await runCli(["--version"], { env: PLATFORM_ENV, argv0: [binary] });
    assertEquals(version, { code: 0, stdout: `aws-login ${VERSION}\n`, stderr: "" });
    await everyCommand(t, { argv: [binary], self: [binary] });
    await t.step("an unlisted $VAR stays as written (the env list is embedded)", async () => {
      await using box = await sandbox();
      const result = await runCli(["status"], {
        env: await box.env({
          AWS_LOGIN_CACHE_DIRECTORY: "$HOME/c/$PROJECT",
          PROJECT: "secret",
          ...PLATFORM_ENV,
        }),
        argv0: [binary],
      });
      assertEquals(result.code, 0, result.stderr);
      assertStringIncludes(result.stdout, "/c/$PROJECT");
    });
  },
});

// ---- (d): the compile script on this machine ----

Deno.test("compile-ready: scripts/compile.ts builds, or says why it cannot and leaves nothing", async () => {
  const out = await Deno.makeTempDir({ prefix: "aws-login-compile-" });
  try {
    const dist = `${out}/dist`;
    const target = TARGETS.find((t) => t === Deno.build.target) ?? TARGETS[0];
    const result = await deno([
      "run",
      "--allow-run",
      `--allow-read=${out}`,
      `--allow-write=${out}`,
      COMPILE,
      "--target",
      target,
      "--out-dir",
      dist,
    ]);
    const left = await Array.fromAsync(Deno.readDir(dist)).catch(() => []);
    if (result.code !== 0) {
      // No runtime download here: a clear message, and nothing written.
      assertEquals(result.code, 1, result.stderr);
      assertStringIncludes(
        result.stderr,
        `compile: Cannot build "${dist}/${binaryName(target)}": deno compile needs the Deno ` +
          `runtime for ${target} (denort) and cannot download it from "https://dl.deno.land/`,
      );
      assertStringIncludes(
        result.stderr,
        `compile: Nothing was produced: no binary and no ${CHECKSUMS_FILE} in "${dist}"`,
      );
      assertStringIncludes(result.stderr, "Build on a machine that can reach dl.deno.land");
      assertEquals(left, []);
      return;
    }
    // The runtime could be had: the artefacts are real and the checksums match them.
    assertEquals(left.map((e) => e.name).sort(), [CHECKSUMS_FILE, binaryName(target)].sort());
    const binary = `${dist}/${binaryName(target)}`;
    const bytes = await Deno.readFile(binary);
    const digest = await crypto.subtle.digest("SHA-256", bytes);
    const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
    assertEquals(
      await Deno.readTextFile(`${dist}/${CHECKSUMS_FILE}`),
      `${hex}  ${binaryName(target)}\n`,
    );
    const version = await runCli(["--version"], { env: PLATFORM_ENV, argv0: [binary] });
    assertEquals(version.stdout, `aws-login ${VERSION}\n`);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
