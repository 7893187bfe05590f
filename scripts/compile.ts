// deno-lint-ignore-file no-console
/**
 * `deno task compile`: builds the standalone binaries with `deno compile`, one per target, into
 * `dist/aws-login-<target>[.exe]`, and writes `dist/SHA256SUMS` (the `sha256sum` format).
 *
 * The binaries are compiled from two bundles that `deno bundle` makes (`deno task bundle` builds
 * only those): `dist/aws-login.js`, `main.ts` with the fast path of `export-credentials`, and
 * `dist/aws-login-program.js`, the rest of the program, which the first imports with a literal
 * `import()` when the fast path does not answer. A bundle starts much faster than the modules of the
 * source tree, and a call that the fast path answers loads a few kilobytes instead of the whole
 * program; that matters because `export-credentials` runs at every AWS call of a
 * `credential_process` user. After bundling, the functions of the credential path are marked for
 * eager compilation, so that V8's code cache holds them (`scripts/eager_compile.ts`).
 *
 * The binaries carry the permissions of `lib/runtime/permissions.ts`, never `--allow-all`. The build
 * type-checks (the default of `deno compile`), so that a tag that skipped CI still cannot ship code
 * that does not type-check; it uses the lockfile as it is (`--frozen`) and embeds only the npm
 * packages the program imports (`--exclude-unused-npm`; the lockfile also holds the emulator's).
 *
 * `deno compile` downloads the Deno runtime of each target (`denort`) from dl.deno.land. Where that
 * host cannot be reached, the script says so, builds nothing, leaves no file behind and exits 1.
 *
 * ```sh
 * deno task compile                                   # every target
 * deno task compile --target x86_64-unknown-linux-gnu # one target
 * deno task compile --checksums-only                  # SHA256SUMS of the binaries already in dist/
 * deno task compile --print-permissions               # the embedded permission flags
 * ```
 *
 * Exit codes: 0 built, 1 could not build, 2 usage.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { permissionFlags } from "../lib/runtime/permissions.ts";
import { fileURLToPath } from "node:url";
import { markEager, type ModuleGraph, staticClosure } from "./eager_compile.ts";

/** The targets `deno compile` can build for, in build order. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

/** One of {@link TARGETS}. */
export type Target = typeof TARGETS[number];

/**
 * The bundle the binaries are compiled from: `main.ts` and the fast path of `export-credentials`,
 * a few kilobytes, so that a call the fast path answers loads nothing else.
 */
export const BUNDLE_FILE = "aws-login.js";

/**
 * The rest of the program (`lib/program.ts` and all it imports), one module that {@link BUNDLE_FILE}
 * imports with a literal `import()` when the fast path does not answer; `deno compile` embeds it.
 */
export const PROGRAM_BUNDLE_FILE = "aws-login-program.js";

/** How `main.ts` imports the program; in {@link BUNDLE_FILE}, that import names the program bundle. */
export const PROGRAM_MODULE = "./lib/program.ts";

/** The name of the checksum file. */
export const CHECKSUMS_FILE = "SHA256SUMS";

/** A mistake in the command line (exit code 2). */
export class UsageError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** What the command line asks for. */
export type CompileCommand =
  | { kind: "help" }
  | { kind: "print-permissions" }
  | { kind: "checksums"; outDir: string }
  | { kind: "bundle"; outDir: string }
  | { kind: "build"; targets: Target[]; outDir: string };

/** Help text. */
export const USAGE = `Usage: deno task compile [options]

Builds dist/aws-login-<target>[.exe] with deno compile and writes dist/${CHECKSUMS_FILE}.

Options:
  --target T            Build only this target; repeat it for several (default: all):
                        ${TARGETS.join("\n                        ")}
  --out-dir DIR         Where to write the binaries, relative to the repository (default: dist)
  --bundle-only         Only bundle the program: <out-dir>/${BUNDLE_FILE} and ${PROGRAM_BUNDLE_FILE}
  --checksums-only      Build nothing: write ${CHECKSUMS_FILE} for the aws-login-* files in the
                        output directory
  --print-permissions   Print the permission flags the binaries are built with, one per line
  -h, --help            Show this help

deno compile downloads the Deno runtime of each target from dl.deno.land: this needs network.`;

/**
 * Parses the arguments; throws {@link UsageError} on a mistake.
 *
 * @example
 * ```ts
 * parseCompileArgs(["--target", "aarch64-apple-darwin"]);
 * // { kind: "build", targets: ["aarch64-apple-darwin"], outDir: "dist" }
 * ```
 */
export function parseCompileArgs(args: readonly string[]): CompileCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        target: { type: "string", multiple: true },
        "out-dir": { type: "string" },
        "checksums-only": { type: "boolean" },
        "bundle-only": { type: "boolean" },
        "print-permissions": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { kind: "help" };
  if (values["print-permissions"]) return { kind: "print-permissions" };
  const outDir = values["out-dir"] ?? "dist";
  if (outDir === "") throw new UsageError('Option "--out-dir" needs a directory');
  if (values["bundle-only"]) {
    if (values.target !== undefined || values["checksums-only"]) {
      throw new UsageError('Option "--bundle-only" cannot be combined with other build options');
    }
    return { kind: "bundle", outDir };
  }
  if (values["checksums-only"]) {
    if (values.target !== undefined) {
      throw new UsageError('Options "--checksums-only" and "--target" cannot be combined');
    }
    return { kind: "checksums", outDir };
  }
  const targets: Target[] = [];
  for (const target of values.target ?? TARGETS) {
    if (!(TARGETS as readonly string[]).includes(target)) {
      throw new UsageError(`Unknown target "${target}": use one of ${TARGETS.join(", ")}`);
    }
    if (!targets.includes(target as Target)) targets.push(target as Target);
  }
  return { kind: "build", targets, outDir };
}

/**
 * The file name of a target's binary.
 *
 * @example
 * ```ts
 * binaryName("x86_64-pc-windows-msvc"); // "aws-login-x86_64-pc-windows-msvc.exe"
 * ```
 */
export function binaryName(target: Target): string {
  return `aws-login-${target}${target.includes("windows") ? ".exe" : ""}`;
}

/**
 * The arguments of `deno` that bundle `entry` into one module, leaving `external` imports as they
 * are written.
 *
 * @example
 * ```ts
 * bundleArgs("dist/aws-login.js", "main.ts", ["./lib/program.ts"]);
 * // ["bundle", "--frozen", "--platform", "deno", "--external", "./lib/program.ts", "--output", "dist/aws-login.js", "main.ts"]
 * ```
 */
export function bundleArgs(output: string, entry: string, external: string[] = []): string[] {
  return [
    "bundle",
    "--frozen",
    "--platform",
    "deno",
    ...external.flatMap((specifier) => ["--external", specifier]),
    "--output",
    output,
    entry,
  ];
}

/**
 * Points the entry bundle's import of the program at the program bundle beside it.
 *
 * @example
 * ```ts
 * linkProgram('await import("./lib/program.ts")'); // 'await import("./aws-login-program.js")'
 * ```
 */
export function linkProgram(entry: string): string {
  const parts = entry.split(`import("${PROGRAM_MODULE}")`);
  if (parts.length !== 2) {
    throw new Error(
      `the entry bundle imports ${PROGRAM_MODULE} ${parts.length - 1} times, not once`,
    );
  }
  return parts.join(`import("./${PROGRAM_BUNDLE_FILE}")`);
}

/**
 * The arguments of `deno` that build one target from the bundle.
 *
 * @example
 * ```ts
 * compileArgs("aarch64-apple-darwin", "dist/aws-login-aarch64-apple-darwin", "dist/aws-login.js");
 * // ["compile", "--target", "aarch64-apple-darwin", "--output", "dist/...", "--frozen", ...]
 * ```
 */
export function compileArgs(target: Target, output: string, input = "main.ts"): string[] {
  return [
    "compile",
    "--target",
    target,
    "--output",
    output,
    "--frozen",
    "--exclude-unused-npm",
    ...permissionFlags(),
    input,
  ];
}

/** Why `deno compile` failed, as far as the script can tell from its output. */
export type CompileFailure =
  | { kind: "runtime-download"; url: string | undefined; cause: string | undefined }
  | { kind: "other" };

/**
 * Recognises the failure to download the Deno runtime (`denort`) in the output of `deno compile`.
 *
 * @example
 * ```ts
 * explainCompileFailure("error: ...\n 1: error sending request for url (https://dl.deno.land/x/denort-x.zip): dns error");
 * // { kind: "runtime-download", url: "https://dl.deno.land/x/denort-x.zip", cause: "..." }
 * ```
 */
export function explainCompileFailure(output: string): CompileFailure {
  // deno prints colours even into a pipe at times; the patterns below expect plain text.
  // deno-lint-ignore no-control-regex
  const text = output.replace(/\x1b\[[0-9;]*m/g, "");
  const url = text.match(/https?:\/\/[^\s)'"]*denort[^\s)'"]*/)?.[0];
  const download = url !== undefined || /Setting up base binary|dl\.deno\.land/.test(text);
  if (!download) return { kind: "other" };
  const chain = text.split(/^Stack backtrace:/m)[0]!;
  const causes = [...chain.matchAll(/^\s*\d+: (.+)$/gm)].map((match) => match[1]!.trim());
  return { kind: "runtime-download", url, cause: causes.at(-1) };
}

/**
 * The text of a `SHA256SUMS` file: `<hex>  <name>` per file, sorted by name, as `sha256sum`
 * writes it and `sha256sum -c` reads it.
 *
 * @example
 * ```ts
 * sha256sums([{ name: "b", sha256: "02" }, { name: "a", sha256: "01" }]); // "01  a\n02  b\n"
 * ```
 */
export function sha256sums(files: readonly { name: string; sha256: string }[]): string {
  return [...files]
    .sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
    .map((file) => `${file.sha256}  ${file.name}\n`)
    .join("");
}

// ---- the I/O shell ----

const ROOT = fileURLToPath(new URL("..", import.meta.url));

function resolveDir(dir: string): string {
  const trimmed = dir.length > 1 ? dir.replace(/[\\/]+$/, "") : dir;
  const absolute = trimmed.startsWith("/") || /^[A-Za-z]:[\\/]/.test(trimmed) ||
    trimmed.startsWith("\\\\");
  return absolute ? trimmed : `${ROOT}${trimmed}`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

async function removeIfPresent(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

async function sha256File(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

async function writeChecksums(dir: string, names: readonly string[]): Promise<void> {
  const files = await Promise.all(
    names.map(async (name) => ({ name, sha256: await sha256File(`${dir}/${name}`) })),
  );
  await Deno.writeTextFile(`${dir}/${CHECKSUMS_FILE}`, sha256sums(files));
  console.error(`compile: Wrote ${dir}/${CHECKSUMS_FILE}:\n${sha256sums(files).trimEnd()}`);
}

async function builtBinaries(dir: string): Promise<string[]> {
  if (!await exists(dir)) return [];
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name.startsWith("aws-login-")) names.push(entry.name);
  }
  return names.sort();
}

async function checksumsOnly(outDir: string): Promise<number> {
  const dir = resolveDir(outDir);
  const names = await builtBinaries(dir);
  if (names.length === 0) {
    console.error(
      `compile: Cannot write ${CHECKSUMS_FILE}: there is no aws-login-* file in "${dir}"`,
    );
    return 1;
  }
  await writeChecksums(dir, names);
  return 0;
}

/** Runs `deno` in the repository with `args`, its output kept. */
async function deno(args: string[]): Promise<Deno.CommandOutput> {
  return await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
}

/**
 * The two bundles, each with the modules whose functions are compiled eagerly: those that `main.ts`
 * and the fast path load, and those that the program and the full `export-credentials` load
 * without `import()` (see `scripts/eager_compile.ts`); every other command's code stays lazy.
 */
export const BUNDLES = [
  {
    file: BUNDLE_FILE,
    entry: "main.ts",
    external: [PROGRAM_MODULE],
    eager: ["main.ts", "lib/fast_export.ts"],
  },
  {
    file: PROGRAM_BUNDLE_FILE,
    entry: "lib/program.ts",
    external: [],
    eager: ["lib/program.ts", "lib/commands/export_credentials.ts"],
  },
] as const;

/** Bundles the program into `<dir>/aws-login.js` and `<dir>/aws-login-program.js`. */
async function bundle(dir: string): Promise<boolean> {
  const outputs = BUNDLES.map((b) => `${dir}/${b.file}`);
  for (const output of outputs) await removeIfPresent(output);
  console.error(`compile: Bundling ${outputs.join(" and ")}`);
  let graph: ModuleGraph;
  try {
    graph = await moduleGraph();
  } catch (error) {
    console.error(`compile: Cannot read the module graph: ${(error as Error).message}`);
    return false;
  }
  /** Says why, and leaves neither bundle behind. */
  const fail = async (...lines: string[]) => {
    for (const line of lines) console.error(line);
    for (const path of outputs) await removeIfPresent(path);
    return false;
  };
  for (const [index, spec] of BUNDLES.entries()) {
    const output = outputs[index]!;
    const result = await deno(bundleArgs(output, spec.entry, [...spec.external]));
    if (result.code !== 0 || !await exists(output)) {
      return await fail(
        new TextDecoder().decode(result.stderr).trimEnd(),
        `compile: Cannot bundle ${spec.entry} into "${output}" (exit code ${result.code})`,
      );
    }
    try {
      let text = await Deno.readTextFile(output);
      if (spec.external.length > 0) text = linkProgram(text);
      await Deno.writeTextFile(output, markCredentialPathEager(text, graph, spec.eager));
    } catch (error) {
      return await fail(`compile: Cannot prepare "${output}": ${(error as Error).message}`);
    }
  }
  return true;
}

/** The graph of main.ts, which holds every module, those of import() included. */
async function moduleGraph(): Promise<ModuleGraph> {
  const info = await deno(["info", "--json", "main.ts"]);
  if (info.code !== 0) {
    throw new Error(`deno info failed: ${new TextDecoder().decode(info.stderr).trim()}`);
  }
  return JSON.parse(new TextDecoder().decode(info.stdout)) as ModuleGraph;
}

/** The bundle's text with the functions of the modules `entries` load eagerly compiled. */
function markCredentialPathEager(
  bundleText: string,
  graph: ModuleGraph,
  entries: readonly string[],
): string {
  const root = new URL("..", import.meta.url).href;
  const modules = staticClosure(graph, entries.map((entry) => new URL(entry, root).href), root);
  const { text, functions } = markEager(bundleText, modules);
  if (functions === 0) throw new Error("no function of the credential path was found");
  return text;
}

async function build(targets: readonly Target[], outDir: string): Promise<number> {
  const dir = resolveDir(outDir);
  const dirExisted = await exists(dir);
  if (!dirExisted) await Deno.mkdir(dir, { recursive: true });
  if (!await bundle(dir)) {
    if (!dirExisted) await Deno.remove(dir, { recursive: true }).catch(() => {});
    return 1;
  }
  const input = `${dir}/${BUNDLE_FILE}`;
  // A binary or checksum file left from an earlier build must not pass for the result of this one.
  await removeIfPresent(`${dir}/${CHECKSUMS_FILE}`);
  for (const target of targets) await removeIfPresent(`${dir}/${binaryName(target)}`);

  const built: string[] = [];
  for (const [index, target] of targets.entries()) {
    const output = `${dir}/${binaryName(target)}`;
    console.error(`compile: Building ${output}`);
    const result = await deno(compileArgs(target, output, input));
    const text = new TextDecoder().decode(result.stderr) + new TextDecoder().decode(result.stdout);
    if (result.code === 0 && await exists(output)) {
      built.push(binaryName(target));
      const { size } = await Deno.stat(output);
      console.error(`compile: Built ${output} (${(size / 1024 / 1024).toFixed(1)} MB)`);
      continue;
    }
    await removeIfPresent(output);
    for (const file of BUNDLES) await removeIfPresent(`${dir}/${file.file}`);
    for (const name of built) await removeIfPresent(`${dir}/${name}`);
    if (!dirExisted && (await builtBinaries(dir)).length === 0) {
      await Deno.remove(dir).catch(() => {});
    }
    const failure = explainCompileFailure(text);
    const rest = targets.slice(index + 1);
    if (failure.kind === "runtime-download") {
      console.error(
        `compile: Cannot build "${output}": deno compile needs the Deno runtime for ${target} ` +
          `(denort) and cannot download it from "${failure.url ?? "https://dl.deno.land"}"` +
          (failure.cause ? `: ${failure.cause}` : ""),
      );
    } else {
      console.error(text.trimEnd());
      console.error(
        `compile: Cannot build "${output}": deno compile failed (exit code ${result.code})`,
      );
    }
    const left = await builtBinaries(dir);
    console.error(
      left.length === 0
        ? `compile: Nothing was produced: no binary and no ${CHECKSUMS_FILE} in "${dir}"`
        : `compile: No ${CHECKSUMS_FILE} was written; "${dir}" still holds ${
          left.join(", ")
        } from before`,
    );
    if (built.length > 0) {
      console.error(`compile: Removed what this run built: ${built.join(", ")}`);
    }
    if (rest.length > 0) console.error(`compile: Not attempted: ${rest.join(", ")}`);
    if (failure.kind === "runtime-download") {
      console.error(
        "compile: Build on a machine that can reach dl.deno.land: the release workflow does it " +
          'on every "v*" tag (.github/workflows/release.yml). For the host target alone, ' +
          `DENORT_BIN can point at a denort binary of Deno ${Deno.version.deno} downloaded elsewhere`,
      );
    }
    return 1;
  }
  await writeChecksums(dir, built);
  return 0;
}

/** Runs the command and returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  let command: CompileCommand;
  try {
    command = parseCompileArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`compile: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  switch (command.kind) {
    case "help":
      console.error(USAGE);
      return 0;
    case "print-permissions":
      console.log(permissionFlags().join("\n"));
      return 0;
    case "checksums":
      return await checksumsOnly(command.outDir);
    case "bundle": {
      const dir = resolveDir(command.outDir);
      await Deno.mkdir(dir, { recursive: true });
      return await bundle(dir) ? 0 : 1;
    }
    case "build":
      return await build(command.targets, command.outDir);
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
