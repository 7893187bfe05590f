// deno-lint-ignore-file no-console
/**
 * The first step of `deno task test`: makes sure the real clients of the interop tests (the AWS
 * SDK for JavaScript v3 and playwright-core, `tests/interop/package.json`) are installed, exactly as
 * `tests/interop/package-lock.json` pins them, so that `deno task test` works on a fresh clone with
 * nothing done by hand. When they are there already, it does nothing (no network).
 *
 * @module
 */

const INTEROP = new URL("../tests/interop/", import.meta.url);

interface Lock {
  packages?: Record<string, { version?: string }>;
}

/** The packages the lock file pins that are not installed at that version. */
async function missing(): Promise<string[]> {
  const lock: Lock = JSON.parse(await Deno.readTextFile(new URL("package-lock.json", INTEROP)));
  const wanted = Object.entries(lock.packages ?? {}).filter(([path]) =>
    path.startsWith("node_modules/")
  );
  const out: string[] = [];
  for (const [path, { version }] of wanted) {
    try {
      const installed = JSON.parse(
        await Deno.readTextFile(new URL(`${path}/package.json`, INTEROP)),
      );
      if (installed.version !== version) out.push(`${path.slice(13)}@${version}`);
    } catch {
      out.push(`${path.slice(13)}@${version}`);
    }
  }
  return out;
}

const before = await missing();
if (before.length > 0) {
  console.error(
    `test setup: installing the interop test clients (${before.length} packages, npm ci --prefix tests/interop)`,
  );
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("npm", {
      args: ["ci", "--prefix", new URL(".", INTEROP).pathname, "--no-audit", "--no-fund"],
      stdout: "inherit",
      stderr: "inherit",
    }).output();
  } catch (error) {
    console.error(
      `test setup: cannot run npm (${
        (error as Error).message
      }): the interop tests need Node.js 20 with npm`,
    );
    Deno.exit(1);
  }
  if (!output.success) {
    console.error(`test setup: npm ci failed with exit code ${output.code}`);
    Deno.exit(1);
  }
  const after = await missing();
  if (after.length > 0) {
    console.error(`test setup: still missing after npm ci: ${after.join(", ")}`);
    Deno.exit(1);
  }
}
