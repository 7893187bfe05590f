// deno-lint-ignore-file no-console
/**
 * `deno task bench`: how long `export-credentials --format process` takes as a whole process, on a
 * valid cache (the `credential_process` case: every AWS call of a tool that uses the bridge pays
 * it), beside
 *
 * - the floor: an empty Deno program started the same way (same Deno, same permission flags), and
 * - what users put in `credential_process` today: AWS CLI v2
 *   `aws configure export-credentials --format process` (Debian's `awscli` package at
 *   `/usr/bin/aws`; that version cannot read login sessions, so it runs on a profile with static
 *   keys, which is its fastest case).
 *
 * aws-login is measured twice: as the single-module bundle the release binaries are compiled from
 * (`deno task bundle`, run with `deno run`: the same start-up path as the floor), and from the
 * source tree (`deno run main.ts`, what `deno run jsr:...` users get: about 40 modules to load).
 * The targets are checked on the bundle; both numbers are printed.
 *
 * The session is a real one: the emulator signs in a throw-away home directory first. Runs are
 * interleaved (one of each per round) so that a busy moment hurts every command alike.
 *
 * Options: `--runs N` (default 40, at least 30), `--aws PATH` (default `/usr/bin/aws`), `--json`,
 * `--check` (exit 1 when a target is missed).
 *
 * Targets: median within 1.3x the floor, and under a tenth of the AWS CLI v2.
 *
 * @module
 */

import { startEmulator } from "./emulator/mod.ts";
import { permissionFlags } from "../lib/runtime/permissions.ts";
import { fileURLToPath } from "node:url";
import { denoDir } from "./deno_dir.ts";

const ROOT = new URL("..", import.meta.url);
const MAIN = fileURLToPath(new URL("main.ts", ROOT));
const BROWSER = fileURLToPath(new URL("scripts/fake_browser.ts", ROOT));
const COMPILE = fileURLToPath(new URL("scripts/compile.ts", ROOT));

interface Options {
  runs: number;
  aws: string;
  json: boolean;
  check: boolean;
}

function parseOptions(args: string[]): Options {
  const options: Options = { runs: 40, aws: "/usr/bin/aws", json: false, check: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--runs") options.runs = Math.max(30, Number(args[++i]));
    else if (arg === "--aws") options.aws = args[++i] ?? options.aws;
    else if (arg === "--json") options.json = true;
    else if (arg === "--check") options.check = true;
    else throw new Error(`Unknown option "${arg}"`);
  }
  if (!Number.isFinite(options.runs)) throw new Error("--runs needs a number");
  return options;
}

/** Wall time of one whole process, in milliseconds; throws when it fails. */
async function timeOnce(argv: string[], env: Record<string, string>): Promise<number> {
  const start = performance.now();
  const output = await new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const elapsed = performance.now() - start;
  if (output.code !== 0) {
    throw new Error(
      `${argv.join(" ")} failed (${output.code}): ${new TextDecoder().decode(output.stderr)}`,
    );
  }
  return elapsed;
}

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

interface Stats {
  median: number;
  p95: number;
  min: number;
  runs: number;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    median: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    min: sorted[0]!,
    runs: sorted.length,
  };
}

async function awsVersion(path: string): Promise<string | undefined> {
  try {
    const output = await new Deno.Command(path, { args: ["--version"], stdout: "piped" }).output();
    return new TextDecoder().decode(output.stdout).trim();
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  const options = parseOptions(Deno.args);
  const home = await Deno.makeTempDir({ prefix: "aws-login-bench-" });
  const emulator = await startEmulator();
  try {
    const env = {
      HOME: home,
      PATH: Deno.env.get("PATH") ?? "",
      DENO_DIR: await denoDir(),
      AWS_ENDPOINT_URL_SIGNIN: emulator.url,
      AWS_CONFIG_FILE: `${home}/.aws/config`,
      AWS_SHARED_CREDENTIALS_FILE: `${home}/.aws/credentials`,
    };
    // A real session, signed in against the emulator.
    await timeOnce(
      [Deno.execPath(), "run", "--allow-all", "--quiet", MAIN, "login", "--region", "us-east-1"],
      { ...env, BROWSER: `${Deno.execPath()} run --allow-all --quiet ${BROWSER} %s` },
    );
    await Deno.writeTextFile(
      `${home}/.aws/credentials`,
      "[static]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    );
    const empty = `${home}/empty.ts`;
    await Deno.writeTextFile(empty, "");
    await timeOnce([
      Deno.execPath(),
      "run",
      "--allow-all",
      COMPILE,
      "--bundle-only",
      "--out-dir",
      home,
    ], env);
    const bundle = `${home}/aws-login.js`;
    const exportArgs = ["export-credentials", "--format", "process"];

    const flags = permissionFlags();
    const commands: Record<string, string[]> = {
      floor: [Deno.execPath(), "run", ...flags, "--quiet", empty],
      "aws-login": [Deno.execPath(), "run", ...flags, "--quiet", bundle, ...exportArgs],
      "aws-login (source)": [Deno.execPath(), "run", ...flags, "--quiet", MAIN, ...exportArgs],
    };
    const version = await awsVersion(options.aws);
    if (version?.startsWith("aws-cli/2.")) {
      commands["aws-cli-v2"] = [
        options.aws,
        "configure",
        "export-credentials",
        "--profile",
        "static",
        "--format",
        "process",
      ];
    } else {
      console.error(
        `note: no AWS CLI v2 at ${options.aws} (${
          version ?? "not found"
        }); install it with "apt-get install -y awscli" to compare`,
      );
    }

    const samples: Record<string, number[]> = Object.fromEntries(
      Object.keys(commands).map((name) => [name, []]),
    );
    for (const argv of Object.values(commands)) await timeOnce(argv, env); // warm caches
    for (let round = 0; round < options.runs; round++) {
      for (const [name, argv] of Object.entries(commands)) {
        samples[name]!.push(await timeOnce(argv, env));
      }
    }
    if (emulator.counts.tokenByGrant.refresh_token !== 0) {
      throw new Error("the benchmark refreshed: it is meant to measure the cached path");
    }

    const results = Object.fromEntries(
      Object.entries(samples).map(([name, values]) => [name, stats(values)]),
    );
    const floor = results.floor!;
    const ours = results["aws-login"]!;
    const cli = results["aws-cli-v2"];
    const checks = [
      {
        target: "median within 1.3x the floor",
        ratio: ours.median / floor.median,
        met: ours.median <= 1.3 * floor.median,
      },
      ...(cli
        ? [{
          target: "median under a tenth of the AWS CLI v2",
          ratio: ours.median / cli.median,
          met: ours.median < cli.median / 10,
        }]
        : []),
    ];

    if (options.json) {
      console.log(JSON.stringify({ deno: Deno.version.deno, awsCli: version, results, checks }));
    } else {
      console.log(
        `export-credentials --format process, valid cache, ${options.runs} interleaved runs (Deno ${Deno.version.deno}${
          version ? `, ${version.split(" ")[0]}` : ""
        })\n`,
      );
      console.log("command                     median      p95      min");
      for (const [name, s] of Object.entries(results)) {
        console.log(
          `${name.padEnd(24)}${s.median.toFixed(1).padStart(9)} ms${s.p95.toFixed(1).padStart(9)}${
            s.min.toFixed(1).padStart(9)
          }`,
        );
      }
      console.log("");
      for (const check of checks) {
        console.log(
          `${check.met ? "met   " : "MISSED"}  ${check.target}: ${check.ratio.toFixed(2)}x`,
        );
      }
    }
    return options.check && checks.some((check) => !check.met) ? 1 : 0;
  } finally {
    await emulator.close();
    await Deno.remove(home, { recursive: true });
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main());
  } catch (error) {
    console.error(`bench failed: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
