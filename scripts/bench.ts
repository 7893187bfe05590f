// deno-lint-ignore-file no-console
/**
 * `deno task bench`: what credentials cost the tools that use aws-login, in three parts.
 *
 * 1. **Start-up**: `export-credentials --format process` as a whole process, on a valid cache (the
 *    `credential_process` case: every AWS call of a tool that uses the bridge pays it), beside the
 *    floor, an empty Deno program started the same way (same Deno, same permission flags), and what
 *    users put in `credential_process` today: AWS CLI v2 `aws configure export-credentials` (Debian's
 *    `awscli` at `/usr/bin/aws`; that version cannot read login sessions, so it runs on a profile
 *    with static keys, its fastest case). aws-login runs three times: from the bundle the release
 *    binaries are compiled from (`deno task bundle`, run with `deno run`) and from the source tree
 *    (`deno run main.ts`, what `deno run jsr:...` users get), where the fast path answers from the
 *    memo the first warm-up run left, as it does for every call but the first after a change; and
 *    from the bundle without a memo, so that the whole program answers (the cost of a call after a
 *    refresh or a change of the files). Runs are interleaved (one of each per round) so that a busy
 *    moment hurts every command alike.
 * 2. **The credential endpoint**: one request to `aws-login serve` on loopback (keep-alive, as SDKs
 *    send them), beside one `export-credentials` process.
 * 3. **boto3**: N `sts get-caller-identity` calls in one Python process, credentials from (a) the
 *    `credential_process` bridge with aws-login, (b) the same bridge with AWS CLI v2, (c) `aws-login
 *    serve`; the credential overhead per call is each one's time less a baseline of the same calls
 *    with static keys in the environment. boto3 runs a `credential_process` again before nearly
 *    every call when the credentials expire within 15 minutes, as login credentials always do; AWS
 *    CLI v2 prints static keys without an expiry, which boto3 then keeps forever, so (b) runs twice:
 *    with static keys (the process runs once) and with expiring credentials (from a `cat`
 *    credential_process, so that it runs before every call as (a) does; at most 20 calls, once, as
 *    each takes most of a second). The others run three interleaved rounds; medians per call.
 *
 * The session is a real one: the emulator signs in a throw-away home directory first; STS calls go
 * to the emulator, which checks their signatures. The timed processes use a private Deno cache
 * directory (the npm packages linked from the shared one): Deno's V8 code cache takes no new
 * entries once it holds a thousand, which a machine that runs the tests reaches, and a module
 * without code cache starts about as slowly as with none.
 *
 * With valgrind installed, the three Deno processes of part 1 are also counted in instructions
 * (callgrind, all threads): a figure that does not move with the machine's load.
 *
 * Options: `--runs N` (default 40, at least 30), `--calls N` (boto3 calls, default 100),
 * `--aws PATH` (default `/usr/bin/aws`), `--json`, `--check` (exit 1 when a target is missed).
 *
 * Targets: the bundle within 1.15x the floor, the source tree within 1.3x, under a tenth of AWS CLI
 * v2, and one endpoint request under a tenth of one `export-credentials` process.
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
const BOTO3 = fileURLToPath(new URL("scripts/bench_boto3.py", ROOT));

interface Options {
  runs: number;
  calls: number;
  aws: string;
  json: boolean;
  check: boolean;
}

function parseOptions(args: string[]): Options {
  const options: Options = {
    runs: 40,
    calls: 100,
    aws: "/usr/bin/aws",
    json: false,
    check: false,
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--runs") options.runs = Math.max(30, Number(args[++i]));
    else if (arg === "--calls") options.calls = Math.max(10, Number(args[++i]));
    else if (arg === "--aws") options.aws = args[++i] ?? options.aws;
    else if (arg === "--json") options.json = true;
    else if (arg === "--check") options.check = true;
    else throw new Error(`Unknown option "${arg}"`);
  }
  if (!Number.isFinite(options.runs) || !Number.isFinite(options.calls)) {
    throw new Error("--runs and --calls need a number");
  }
  return options;
}

/** Runs a program to its end; throws with its stderr when it fails. */
async function runOnce(
  argv: string[],
  env: Record<string, string>,
): Promise<{ ms: number; stdout: string }> {
  const start = performance.now();
  const output = await new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const ms = performance.now() - start;
  if (output.code !== 0) {
    throw new Error(
      `${argv.join(" ")} failed (${output.code}): ${new TextDecoder().decode(output.stderr)}`,
    );
  }
  return { ms, stdout: new TextDecoder().decode(output.stdout) };
}

/** Wall time of one whole process, in milliseconds. */
async function timeOnce(argv: string[], env: Record<string, string>): Promise<number> {
  return (await runOnce(argv, env)).ms;
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

/**
 * Instructions one whole process executes, all its threads, counted by valgrind's callgrind: the
 * same figure for the same program and input whatever else the machine does, so that a change of a
 * few percent shows where wall time drowns it in noise.
 */
async function instructions(argv: string[], env: Record<string, string>): Promise<number> {
  const output = await new Deno.Command("valgrind", {
    args: ["--tool=callgrind", "--callgrind-out-file=/dev/null", ...argv],
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stderr);
  const match = /Collected : (\d+)/.exec(text);
  if (!output.success || match === null) throw new Error(`valgrind failed: ${text.slice(-500)}`);
  return Number(match[1]);
}

/** Whether `command args` runs and succeeds here (`valgrind --version`, `python3 -c "import boto3"`). */
async function succeeds(command: string, args: string[]): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(command, {
      args,
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}

/** A Deno cache directory of our own, sharing the npm packages of the usual one. */
async function privateDenoDir(home: string, shared: string): Promise<string> {
  const dir = `${home}/deno-dir`;
  await Deno.mkdir(dir, { recursive: true });
  try {
    await Deno.symlink(`${shared}/npm`, `${dir}/npm`);
    return dir;
  } catch (error) {
    console.error(`note: using the shared Deno cache (${(error as Error).message})`);
    return shared;
  }
}

/** A running `aws-login serve`, with the two lines it printed. */
async function startServe(argv: string[], env: Record<string, string>) {
  const child = new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (text.split("\n").length < 3) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`serve ended before printing its address:\n${text}`);
    text += value;
  }
  reader.releaseLock();
  child.stdout.cancel().catch(() => {});
  const [uri, token] = text.split("\n").map((line) => line.slice(line.indexOf("=") + 1));
  return {
    uri: uri!,
    token: token!,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

/** Median wall time of one credentials request to the endpoint, keep-alive. */
async function timeEndpoint(uri: string, token: string, requests: number): Promise<Stats> {
  const samples: number[] = [];
  for (let i = 0; i < requests + 10; i++) {
    const start = performance.now();
    const response = await fetch(uri, { headers: { authorization: token } });
    await response.arrayBuffer();
    const ms = performance.now() - start;
    if (response.status !== 200) throw new Error(`the endpoint answered ${response.status}`);
    if (i >= 10) samples.push(ms); // the first ones warm the connection and the cache
  }
  return stats(samples);
}

interface Boto3Result {
  name: string;
  totalMs: number;
  perCallMs: number;
  overheadPerCallMs: number;
  method: string;
}

async function main(): Promise<number> {
  const options = parseOptions(Deno.args);
  const home = await Deno.makeTempDir({ prefix: "aws-login-bench-" });
  const emulator = await startEmulator();
  const stopOnExit: (() => Promise<void>)[] = [];
  try {
    const shared = await denoDir();
    const env = {
      HOME: home,
      PATH: Deno.env.get("PATH") ?? "",
      DENO_DIR: shared,
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
    env.DENO_DIR = await privateDenoDir(home, shared);

    // ---- 1. start-up ----
    const flags = permissionFlags();
    const awsLogin = [Deno.execPath(), "run", ...flags, "--quiet", bundle];
    const commands: Record<string, string[]> = {
      floor: [Deno.execPath(), "run", ...flags, "--quiet", empty],
      "aws-login": [...awsLogin, ...exportArgs],
      "aws-login (source)": [Deno.execPath(), "run", ...flags, "--quiet", MAIN, ...exportArgs],
      // The call the fast path cannot answer: the whole program decides (the cache directory
      // written with "~" is the same one, but only the program expands it, so there is no memo).
      "aws-login (no memo)": [...awsLogin, ...exportArgs],
    };
    const envOf = (name: string) =>
      name === "aws-login (no memo)"
        ? { ...env, AWS_LOGIN_CACHE_DIRECTORY: "~/.aws/login/cache" }
        : env;
    const version = await awsVersion(options.aws);
    const haveCli = version?.startsWith("aws-cli/2.") ?? false;
    if (haveCli) {
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
    for (const [name, argv] of Object.entries(commands)) {
      // Warms the caches; the first run of aws-login leaves the memo the next ones answer from.
      for (let i = 0; i < 3; i++) await timeOnce(argv, envOf(name));
    }
    for (let round = 0; round < options.runs; round++) {
      for (const [name, argv] of Object.entries(commands)) {
        samples[name]!.push(await timeOnce(argv, envOf(name)));
      }
    }
    const results = Object.fromEntries(
      Object.entries(samples).map(([name, values]) => [name, stats(values)]),
    );

    // ---- 1b. instructions (median of 3 after a warm run), when valgrind is there ----
    const counted: Record<string, number> = {};
    if (await succeeds("valgrind", ["--version"])) {
      for (const name of ["floor", "aws-login", "aws-login (source)", "aws-login (no memo)"]) {
        const argv = commands[name]!;
        await instructions(argv, envOf(name));
        const runs = [];
        for (let i = 0; i < 3; i++) runs.push(await instructions(argv, envOf(name)));
        counted[name] = stats(runs).median;
      }
    } else {
      console.error("note: no valgrind; install it to count instructions as well");
    }

    // ---- 2. one endpoint request ----
    const serve = await startServe([...awsLogin, "serve"], env);
    stopOnExit.push(serve.stop);
    const endpoint = await timeEndpoint(serve.uri, serve.token, 200);

    // ---- 3. boto3 ----
    const boto3: Boto3Result[] = [];
    if (await succeeds("python3", ["-c", "import boto3"])) {
      const cache = await firstCacheFile(`${home}/.aws/login/cache`);
      const token = cache.accessToken as Record<string, string>;
      const expiration = token.expiresAt!;
      // Every variant calls STS with the session's own credentials, which the emulator knows.
      await Deno.writeTextFile(
        `${home}/.aws/credentials`,
        `[static]\naws_access_key_id = ${token.accessKeyId}\naws_secret_access_key = ${token.secretAccessKey}\naws_session_token = ${token.sessionToken}\n`,
      );
      const expiring = `${home}/expiring.json`;
      await Deno.writeTextFile(
        expiring,
        JSON.stringify({
          Version: 1,
          AccessKeyId: token.accessKeyId,
          SecretAccessKey: token.secretAccessKey,
          SessionToken: token.sessionToken,
          Expiration: expiration,
        }),
      );
      const quote = (words: string[]) => words.map((w) => `'${w.replaceAll("'", "'\\''")}'`);
      await Deno.writeTextFile(
        `${home}/.aws/config`,
        `\n[profile bridge]\ncredential_process = ${
          quote([...awsLogin, "export-credentials", "--profile", "default"]).join(" ")
        }\n` +
          `\n[profile v2]\ncredential_process = ${
            quote([options.aws, "configure", "export-credentials", "--profile", "static"]).join(" ")
          }\n` +
          `\n[profile expiring]\ncredential_process = cat ${quote([expiring]).join("")}\n` +
          `\n[profile v2-expiring]\ncredential_process = ${
            quote([options.aws, "configure", "export-credentials", "--profile", "expiring"]).join(
              " ",
            )
          }\n`,
        { append: true },
      );
      const client = {
        ...env,
        AWS_REGION: "us-east-1",
        AWS_DEFAULT_REGION: "us-east-1",
        AWS_ENDPOINT_URL_STS: emulator.url,
        AWS_EC2_METADATA_DISABLED: "true",
      };
      const variants: [string, Record<string, string>][] = [
        ["baseline: static keys in the environment", {
          ...client,
          AWS_ACCESS_KEY_ID: token.accessKeyId!,
          AWS_SECRET_ACCESS_KEY: token.secretAccessKey!,
          AWS_SESSION_TOKEN: token.sessionToken!,
        }],
        ["(a) credential_process: aws-login export-credentials", {
          ...client,
          AWS_PROFILE: "bridge",
        }],
        ...(haveCli
          ? [
            ["(b) credential_process: AWS CLI v2, static keys", { ...client, AWS_PROFILE: "v2" }],
            ["(b) credential_process: AWS CLI v2, expiring credentials", {
              ...client,
              AWS_PROFILE: "v2-expiring",
            }],
          ] as [string, Record<string, string>][]
          : []),
        // As in a container: no AWS files, only the endpoint.
        ["(c) aws-login serve", {
          ...client,
          AWS_CONFIG_FILE: empty,
          AWS_SHARED_CREDENTIALS_FILE: empty,
          AWS_CONTAINER_CREDENTIALS_FULL_URI: serve.uri,
          AWS_CONTAINER_AUTHORIZATION_TOKEN: serve.token,
        }],
      ];
      // Three interleaved rounds, the median per variant. AWS CLI v2 with expiring credentials
      // runs for most of a second per call, so that variant makes fewer calls, once.
      const slow = "(b) credential_process: AWS CLI v2, expiring credentials";
      const perCall: Record<string, { ms: number[]; method: string }> = {};
      for (let round = 0; round < 3; round++) {
        for (const [name, variantEnv] of variants) {
          if (name === slow && round > 0) continue;
          const calls = name === slow ? Math.min(options.calls, 20) : options.calls;
          const { stdout } = await runOnce(["python3", BOTO3, String(calls)], variantEnv);
          const result = JSON.parse(stdout) as { total_ms: number; method: string };
          perCall[name] ??= { ms: [], method: result.method };
          perCall[name].ms.push(result.total_ms / calls);
        }
      }
      const median = (values: number[]) => stats(values).median;
      const baseline = median(perCall[variants[0]![0]]!.ms);
      for (const [name] of variants) {
        const { ms, method } = perCall[name]!;
        boto3.push({
          name,
          totalMs: median(ms) * options.calls,
          perCallMs: median(ms),
          overheadPerCallMs: median(ms) - baseline,
          method,
        });
      }
      if (emulator.counts.stsRejected !== 0) {
        throw new Error(`STS refused ${emulator.counts.stsRejected} calls of the boto3 runs`);
      }
    } else {
      console.error('note: no python3 with boto3; install it ("pip install boto3") to compare');
    }
    if (emulator.counts.tokenByGrant.refresh_token !== 0) {
      throw new Error("the benchmark refreshed: it is meant to measure the cached path");
    }

    const floor = results.floor!;
    const ours = results["aws-login"]!;
    const source = results["aws-login (source)"]!;
    const cli = results["aws-cli-v2"];
    const checks = [
      {
        target: "bundle median within 1.15x the floor",
        ratio: ours.median / floor.median,
        met: ours.median <= 1.15 * floor.median,
      },
      {
        target: "source-tree median within 1.3x the floor",
        ratio: source.median / floor.median,
        met: source.median <= 1.3 * floor.median,
      },
      ...(cli
        ? [{
          target: "median under a tenth of the AWS CLI v2",
          ratio: ours.median / cli.median,
          met: ours.median < cli.median / 10,
        }]
        : []),
      {
        target: "one endpoint request under a tenth of one export-credentials process",
        ratio: endpoint.median / ours.median,
        met: endpoint.median < ours.median / 10,
      },
    ];

    if (options.json) {
      console.log(JSON.stringify({
        deno: Deno.version.deno,
        awsCli: version,
        results,
        endpoint,
        boto3,
        instructions: counted,
        checks,
      }));
    } else {
      console.log(
        `export-credentials --format process, valid cache, ${options.runs} interleaved runs (Deno ${Deno.version.deno}${
          version ? `, ${version.split(" ")[0]}` : ""
        })\n`,
      );
      console.log("command                     median      p95      min");
      const row = (name: string, s: Stats) =>
        console.log(
          `${name.padEnd(24)}${s.median.toFixed(1).padStart(9)} ms${s.p95.toFixed(1).padStart(9)}${
            s.min.toFixed(1).padStart(9)
          }`,
        );
      for (const [name, s] of Object.entries(results)) row(name, s);
      if (counted.floor !== undefined) {
        console.log("\ninstructions of the whole process (callgrind, median of 3)");
        for (const [name, count] of Object.entries(counted)) {
          console.log(
            `${name.padEnd(24)}${(count / 1e6).toFixed(1).padStart(9)} M  ${
              (count / counted.floor).toFixed(2)
            }x the floor`,
          );
        }
      }
      console.log("");
      console.log("one request to aws-login serve (loopback, keep-alive), 200 requests");
      row("endpoint request", endpoint);
      if (boto3.length > 0) {
        console.log(
          `\n${options.calls} boto3 sts get-caller-identity calls in one process, median of 3   per call   credentials per call`,
        );
        for (const result of boto3) {
          console.log(
            `${result.name.padEnd(66)}${result.perCallMs.toFixed(2).padStart(9)} ms${
              result.overheadPerCallMs.toFixed(2).padStart(10)
            } ms  (${result.method})`,
          );
        }
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
    for (const stop of stopOnExit) await stop().catch(() => {});
    await emulator.close();
    await Deno.remove(home, { recursive: true });
  }
}

async function firstCacheFile(dir: string): Promise<Record<string, unknown>> {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.endsWith(".json")) {
      return JSON.parse(await Deno.readTextFile(`${dir}/${entry.name}`));
    }
  }
  throw new Error(`no cache file in ${dir}`);
}

if (import.meta.main) {
  try {
    Deno.exit(await main());
  } catch (error) {
    console.error(`bench failed: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
