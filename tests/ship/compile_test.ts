/**
 * `scripts/compile.ts`: its pure core as tables, and `--checksums-only` on real files.
 */

import { assertEquals, assertStringIncludes, assertThrows, assertTrue } from "../support/assert.ts";
import {
  binaryName,
  CHECKSUMS_FILE,
  compileArgs,
  explainCompileFailure,
  parseCompileArgs,
  sha256sums,
  TARGETS,
  UsageError,
} from "../../scripts/compile.ts";
import { permissionFlags } from "../../lib/runtime/permissions.ts";
import { localPath } from "../support/paths.ts";
import { runProgram } from "../support/cli.ts";

const ROOT = new URL("../../", import.meta.url);

Deno.test("parseCompileArgs() reads the options", () => {
  const cases: [string[], unknown][] = [
    [[], { kind: "build", targets: [...TARGETS], outDir: "dist" }],
    [["--target", "aarch64-apple-darwin"], {
      kind: "build",
      targets: ["aarch64-apple-darwin"],
      outDir: "dist",
    }],
    [["--target=x86_64-pc-windows-msvc", "--target", "x86_64-pc-windows-msvc", "--out-dir", "o"], {
      kind: "build",
      targets: ["x86_64-pc-windows-msvc"],
      outDir: "o",
    }],
    [["--checksums-only"], { kind: "checksums", outDir: "dist" }],
    [["--print-permissions"], { kind: "print-permissions" }],
    [["-h"], { kind: "help" }],
  ];
  for (const [args, expected] of cases) {
    assertEquals(parseCompileArgs(args), expected, args.join(" "));
  }
});

Deno.test("parseCompileArgs() refuses mistakes with a UsageError", () => {
  const cases: [string[], string][] = [
    [["--target", "riscv64-unknown-linux-gnu"], 'Unknown target "riscv64-unknown-linux-gnu"'],
    [["--checksums-only", "--target", "aarch64-apple-darwin"], "cannot be combined"],
    [["--out-dir="], '"--out-dir" needs a directory'],
    [["--verbose"], "--verbose"],
    [["main.ts"], "main.ts"],
  ];
  for (const [args, message] of cases) {
    assertThrows(() => parseCompileArgs(args), UsageError, message);
  }
});

Deno.test("binaryName() adds .exe for Windows only", () => {
  assertEquals(TARGETS.map(binaryName), [
    "aws-login-x86_64-unknown-linux-gnu",
    "aws-login-aarch64-unknown-linux-gnu",
    "aws-login-x86_64-apple-darwin",
    "aws-login-aarch64-apple-darwin",
    "aws-login-x86_64-pc-windows-msvc.exe",
  ]);
});

Deno.test("compileArgs() embeds exactly the permission flags, type-checks and uses the lockfile", () => {
  const args = compileArgs("aarch64-unknown-linux-gnu", "dist/x");
  assertEquals(args.slice(0, 5), [
    "compile",
    "--target",
    "aarch64-unknown-linux-gnu",
    "--output",
    "dist/x",
  ]);
  assertEquals(args.at(-1), "main.ts");
  for (const flag of permissionFlags()) assertTrue(args.includes(flag), flag);
  const permissionLike = args.filter((arg) => /^--(allow|deny|no-prompt)|^-A$/.test(arg));
  assertEquals(permissionLike, permissionFlags());
  assertTrue(args.includes("--frozen") && args.includes("--exclude-unused-npm"));
  assertTrue(!args.some((arg) => arg.startsWith("--no-check") || arg.startsWith("--include")));
});

// What deno 2.9.6 prints when dl.deno.land cannot be reached (colours removed).
const NO_RUNTIME = `Check main.ts
Compile main.ts to dist/aws-login-x86_64-unknown-linux-gnu
Download https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip
error: Writing deno compile executable to temporary file 'dist/aws-login-x86_64-unknown-linux-gnu.tmp-09f6cbbff7b1a92c'

Caused by:
    0: Setting up base binary.
    1: error sending request for url (https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip): client error (Connect): dns error: failed to lookup address information: Name or service not known
    2: client error (Connect)
    3: dns error
    4: failed to lookup address information: Name or service not known

Stack backtrace:
   0: <unknown>
`;

Deno.test("explainCompileFailure() recognises a runtime that cannot be downloaded", () => {
  assertEquals(explainCompileFailure(NO_RUNTIME), {
    kind: "runtime-download",
    url: "https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip",
    cause: "failed to lookup address information: Name or service not known",
  });
  assertEquals(
    explainCompileFailure(`\x1b[0m\x1b[1m\x1b[31merror\x1b[0m: ${NO_RUNTIME}`).kind,
    "runtime-download",
  );
});

Deno.test("explainCompileFailure() leaves other failures alone", () => {
  const typeError = `Check main.ts
TS2322 [ERROR]: Type 'number' is not assignable to type 'string'.
    at file:///work/main/lib/x.ts:1:7

error: Type checking failed.`;
  assertEquals(explainCompileFailure(typeError), { kind: "other" });
  assertEquals(explainCompileFailure(""), { kind: "other" });
});

Deno.test("sha256sums() writes the sha256sum format, sorted by name", () => {
  assertEquals(sha256sums([]), "");
  assertEquals(
    sha256sums([{ name: "aws-login-b", sha256: "bb" }, { name: "aws-login-a.exe", sha256: "aa" }]),
    "aa  aws-login-a.exe\nbb  aws-login-b\n",
  );
});

async function runCompile(args: string[], out: string) {
  const compile = localPath(new URL("scripts/compile.ts", ROOT));
  return await runProgram(
    [
      Deno.execPath(),
      "run",
      "--allow-run",
      `--allow-read=${out}`,
      `--allow-write=${out}`,
      compile,
      ...args,
    ],
    { env: Deno.env.toObject() },
  );
}

Deno.test("compile --checksums-only sums the binaries of a directory", async () => {
  const out = await Deno.makeTempDir({ prefix: "aws-login-sums-" });
  try {
    const empty = await runCompile(["--checksums-only", "--out-dir", out], out);
    assertEquals(empty.code, 1);
    assertStringIncludes(empty.stderr, `Cannot write ${CHECKSUMS_FILE}: there is no aws-login-*`);

    await Deno.writeTextFile(`${out}/aws-login-x86_64-unknown-linux-gnu`, "abc");
    await Deno.writeTextFile(`${out}/aws-login-x86_64-pc-windows-msvc.exe`, "");
    await Deno.writeTextFile(`${out}/notes.txt`, "not a binary");
    const result = await runCompile(["--checksums-only", "--out-dir", out], out);
    assertEquals(result.code, 0, result.stderr);
    assertEquals(
      await Deno.readTextFile(`${out}/${CHECKSUMS_FILE}`),
      // sha256("") and sha256("abc")
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  aws-login-x86_64-pc-windows-msvc.exe\n" +
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  aws-login-x86_64-unknown-linux-gnu\n",
    );
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("compile --print-permissions prints the flags, and the task itself is not --allow-all", async () => {
  const out = await Deno.makeTempDir({ prefix: "aws-login-print-" });
  try {
    const result = await runCompile(["--print-permissions"], out);
    assertEquals(result.code, 0, result.stderr);
    assertEquals(result.stdout, permissionFlags().join("\n") + "\n");
  } finally {
    await Deno.remove(out);
  }
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const task: string = config.tasks.compile;
  assertTrue(task.includes("scripts/compile.ts"));
  assertTrue(!/--allow-all|\s-A\s/.test(task), task);
});
