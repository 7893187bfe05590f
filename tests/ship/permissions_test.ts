/**
 * The permission set of `lib/runtime/permissions.ts`: that it is narrow, that it names every variable
 * and host aws-login needs (checked against the sources and against Deno's own permission checks),
 * and that a variable outside it reads as unset.
 */

import { assertEquals, assertMatch, assertStringIncludes, assertTrue } from "../support/assert.ts";
import { cacheDir, runCli, sandbox } from "../support/cli.ts";
import {
  ENV_VARIABLES,
  envAllowList,
  netAllowList,
  OAUTH_HOST_PATTERNS,
  permissionFlags,
  SIGN_IN_HOST_PATTERNS,
  STS_HOST_PATTERNS,
} from "../../lib/runtime/permissions.ts";
import { ENV_NAMES } from "../../lib/platform/browser.ts";
import { PROFILE_CHAIN_VARIABLE } from "../../lib/aws/profile_chain.ts";
import { EXEC_MARKER_VARIABLE, REMOVED_VARIABLES } from "../../lib/aws/child_variables.ts";
import {
  partitionOf,
  PARTITIONS,
  resolveOAuthEndpoint,
  resolveSignInEndpoint,
} from "../../lib/signin/endpoints.ts";
import { resolveStsEndpoint } from "../../lib/signin/sts_endpoints.ts";
import { localPath } from "../support/paths.ts";

const ROOT = new URL("../../", import.meta.url);
const MAIN = localPath(new URL("main.ts", ROOT));
const REAL_DEPS = new URL("lib/runtime/real.ts", ROOT).href;
const CONFIG = localPath(new URL("deno.json", ROOT));

async function libSources(): Promise<{ path: string; text: string }[]> {
  const files: { path: string; text: string }[] = [];
  async function walk(dir: string): Promise<void> {
    for await (const entry of Deno.readDir(new URL(dir, ROOT))) {
      const path = `${dir}${entry.name}`;
      if (entry.isDirectory) await walk(`${path}/`);
      else if (path.endsWith(".ts")) {
        files.push({ path, text: await Deno.readTextFile(new URL(path, ROOT)) });
      }
    }
  }
  await walk("lib/");
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/** Runs a module with exactly `flags` and returns what it printed as JSON. */
async function runWith(
  flags: string[],
  source: string,
  options: { args?: string[]; env?: Record<string, string> } = {},
): Promise<unknown> {
  const dir = await Deno.makeTempDir({ prefix: "aws-login-perm-" });
  try {
    const file = `${dir}/probe.ts`;
    await Deno.writeTextFile(file, source);
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "--config", CONFIG, ...flags, file, ...(options.args ?? [])],
      env: {
        ...(options.env ?? {}),
        DENO_DIR: await cacheDir(),
        ...(Deno.build.os === "windows" ? { SystemRoot: Deno.env.get("SystemRoot") ?? "" } : {}),
      },
      clearEnv: options.env !== undefined,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assertEquals(output.code, 0, stderr);
    return JSON.parse(new TextDecoder().decode(output.stdout));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("permissionFlags() grants no permission wholesale except read, write and run", () => {
  const flags = permissionFlags();
  for (const flag of ["-A", "--allow-all", "--allow-net", "--allow-env"]) {
    assertTrue(!flags.includes(flag), `${flag} must not be there: ${flags.join(" ")}`);
  }
  const kinds = flags.map((flag) => flag.split("=")[0]).sort();
  assertEquals(kinds, [
    "--allow-env",
    "--allow-net",
    "--allow-read",
    "--allow-run",
    "--allow-write",
    "--no-prompt",
  ]);
  assertTrue(flags.includes("--allow-read") && flags.includes("--allow-write"));
  assertTrue(flags.includes(`--allow-env=${envAllowList().join(",")}`));
  assertTrue(flags.includes(`--allow-net=${netAllowList().join(",")}`));
});

Deno.test("the --allow-env list names every variable lib/ reads or exec removes, and no other", async () => {
  const read = new Set<string>([...ENV_NAMES, PROFILE_CHAIN_VARIABLE, EXEC_MARKER_VARIABLE]);
  assertTrue(ENV_NAMES.every((name) => ENV_VARIABLES.browser!.includes(name)));
  const dynamic: string[] = [];
  // Calls of Deps.env(), readEnv() and Deno.env.get(), and the names given to booleanSetting().
  const call = /(?:\benv|\breadEnv|\bDeno\.env\.get)\(\s*([^)]*?)\s*\)/g;
  const setting = /\bbooleanSetting\(\s*\w+,\s*"([A-Za-z_]+)"/g;
  for (const { path, text } of await libSources()) {
    for (const [, argument] of text.matchAll(call)) {
      if (argument!.includes(":")) continue; // a declaration, `env(name: string)`
      const literal = argument!.match(/^"([A-Za-z_][A-Za-z0-9_]*)"$/);
      if (literal) read.add(literal[1]!);
      else dynamic.push(`${path}: ${argument}`);
    }
    for (const [, name] of text.matchAll(setting)) read.add(name!);
  }
  // Reads with a computed name, each accounted for: a new one must be added here and to the list.
  assertEquals(dynamic.sort(), [
    // The memo's recorder passes the program's reads through; the memo directory's are literal.
    "lib/aws/export_memo_writer.ts: name",
    "lib/aws/export_memo_writer.ts: name",
    "lib/aws/export_memo_writer.ts: name",
    "lib/aws/home.ts: name", // expandPath(): unlisted variables read as unset
    "lib/aws/profile_chain.ts: PROFILE_CHAIN_VARIABLE",
    "lib/aws/shared_config.ts: variable", // booleanSetting(): the names are collected above
    "lib/commands/exec.ts: EXEC_MARKER_VARIABLE",
    "lib/commands/serve.ts: EXEC_MARKER_VARIABLE",
    "lib/fast_export.ts: key", // the replay of the memo's reads: names the program read
    "lib/platform/facts.ts: name", // ENV_NAMES
    "lib/runtime/host.ts: name", // readEnv() itself
  ]);
  // The credential variables exec takes from its child are listed only so that it can remove them:
  // no code reads one, but for the three whose presence login and doctor look at (precedence).
  const presence = ENV_VARIABLES.precedence!;
  assertEquals([...presence].sort(), [
    "AWS_ACCESS_KEY_ID",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
  ]);
  for (const name of REMOVED_VARIABLES) {
    if (presence.includes(name)) continue;
    assertTrue(!read.has(name), `${name} is read somewhere in lib/`);
  }
  assertEquals(envAllowList().sort(), [...new Set([...read, ...REMOVED_VARIABLES])].sort());
});

Deno.test("ENV_VARIABLES lists each variable once", () => {
  const all = Object.values(ENV_VARIABLES).flat();
  assertEquals(all.length, new Set(all).size);
  assertEquals(envAllowList().length, all.length);
});

/**
 * One region of each partition, to derive its host names from. `us-gov-west-1` is there because
 * its FIPS host has no region label.
 */
const SAMPLE_REGIONS: Readonly<Record<string, readonly string[]>> = {
  "aws": ["us-east-1"],
  "aws-cn": ["cn-north-1"],
  "aws-eusc": ["eusc-de-east-1"],
  "aws-iso": ["us-iso-east-1"],
  "aws-iso-b": ["us-isob-east-1"],
  "aws-iso-e": ["eu-isoe-west-1"],
  "aws-iso-f": ["us-isof-south-1"],
  "aws-us-gov": ["us-gov-west-1", "us-gov-east-1"],
};

Deno.test("SAMPLE_REGIONS has regions of every partition, and only of it", () => {
  assertEquals(Object.keys(SAMPLE_REGIONS).sort(), PARTITIONS.map((p) => p.id).sort());
  for (const [id, regions] of Object.entries(SAMPLE_REGIONS)) {
    for (const region of regions) assertEquals(partitionOf(region).id, id, region);
  }
});

function coveredBy(pattern: string, host: string): boolean {
  if (!pattern.startsWith("*.")) return pattern === host;
  const suffix = pattern.slice(2);
  return host === suffix || host.endsWith(`.${suffix}`);
}

type Variant = [useFips: boolean, useDualStack: boolean, mode: "regional" | "legacy"];

/** FIPS, dual-stack and `sts_regional_endpoints`, every combination. */
const VARIANTS: readonly Variant[] = [false, true].flatMap((fips) =>
  [false, true].flatMap((dualStack) =>
    (["regional", "legacy"] as const).map((mode): Variant => [fips, dualStack, mode])
  )
);

/** The host of an endpoint rule's answer, or `undefined` for a variant that does not exist. */
type HostRule = (
  region: string | undefined,
  options: { useFips: boolean; useDualStack: boolean; regionalEndpoints: "regional" | "legacy" },
) => string | undefined;

function tryHost(resolve: () => string): string | undefined {
  try {
    return new URL(resolve()).hostname;
  } catch {
    return undefined; // a variant the partition does not have (dual-stack in the ISO partitions)
  }
}

const SIGN_IN_RULE: HostRule = (region, options) =>
  region === undefined ? undefined : tryHost(() => resolveSignInEndpoint(region, options).base);
const STS_RULE: HostRule = (region, options) =>
  tryHost(() => resolveStsEndpoint(region, options).url);

/** The host patterns as the endpoint rules give them: the part of each host after its region. */
function derivedHostPatterns(rule: HostRule): string[] {
  const patterns = new Set<string>();
  for (const partition of PARTITIONS) {
    for (const region of [undefined, ...SAMPLE_REGIONS[partition.id] ?? []]) {
      for (const [useFips, useDualStack, regionalEndpoints] of VARIANTS) {
        const host = rule(region, { useFips, useDualStack, regionalEndpoints });
        if (host === undefined) continue;
        // No region given: the global host, or a host with the region "aws-global".
        const labels = host.split(".");
        const index = labels.indexOf(region ?? "aws-global");
        patterns.add(index === -1 ? host : `*.${labels.slice(index + 1).join(".")}`);
      }
    }
  }
  const wildcards = [...patterns].filter((pattern) => pattern.startsWith("*."));
  return [...patterns]
    .filter((pattern) => pattern.startsWith("*.") || !wildcards.some((w) => coveredBy(w, pattern)))
    .sort();
}

Deno.test("SIGN_IN_HOST_PATTERNS is what the endpoint rules give", () => {
  assertEquals([...SIGN_IN_HOST_PATTERNS].sort(), derivedHostPatterns(SIGN_IN_RULE));
});

Deno.test("STS_HOST_PATTERNS is what the STS endpoint rules give", () => {
  assertEquals([...STS_HOST_PATTERNS].sort(), derivedHostPatterns(STS_RULE));
});

/** The OAuth host of every partition that has one, as a pattern: the part after the region. */
function derivedOAuthPatterns(): string[] {
  const patterns = new Set<string>();
  for (const regions of Object.values(SAMPLE_REGIONS)) {
    for (const region of regions) {
      let host: string;
      try {
        host = new URL(resolveOAuthEndpoint(region).base).hostname;
      } catch {
        continue; // a partition without a known OAuth endpoint
      }
      patterns.add(`*.${host.split(".").slice(1).join(".")}`);
    }
  }
  return [...patterns].sort();
}

Deno.test("OAUTH_HOST_PATTERNS is what the OAuth endpoint rules give", () => {
  assertEquals([...OAUTH_HOST_PATTERNS].sort(), derivedOAuthPatterns());
  assertEquals(derivedOAuthPatterns(), ["*.oauth.signin.aws"]);
});

const REGIONS = [
  "us-east-1",
  "us-west-2",
  "eu-central-2",
  "ap-southeast-7",
  "ca-west-1",
  "mx-central-1",
  "il-central-1",
  "me-central-1",
  "af-south-1",
  "sa-east-1",
  "us-gov-west-1",
  "us-gov-east-1",
  "cn-north-1",
  "cn-northwest-1",
  "us-iso-east-1",
  "us-iso-west-1",
  "us-isob-east-1",
  "us-isof-south-1",
  "us-isof-east-1",
  "eu-isoe-west-1",
  "eusc-de-east-1",
];

function ruleHosts(): string[] {
  const hosts = new Set<string>();
  for (const region of [undefined, ...REGIONS]) {
    for (const [useFips, useDualStack, regionalEndpoints] of VARIANTS) {
      for (const rule of [SIGN_IN_RULE, STS_RULE]) {
        const host = rule(region, { useFips, useDualStack, regionalEndpoints });
        if (host !== undefined) hosts.add(`${host}:443`);
      }
    }
    try {
      hosts.add(`${new URL(resolveOAuthEndpoint(region).base).hostname}:443`);
    } catch {
      // a partition without a known OAuth endpoint
    }
  }
  return [...hosts].sort();
}

Deno.test("--allow-net lets Deno reach every Sign-In, OAuth and STS endpoint and the listeners, nothing else", async () => {
  const allowed = [
    ...ruleHosts(),
    "127.0.0.1:0",
    "127.0.0.1:8787",
    "127.0.0.1:65535",
    "0.0.0.0:0", // serve --address 0.0.0.0
    "0.0.0.0:9911",
  ];
  assertTrue(allowed.includes("us-east-1.oauth.signin.aws:443"));
  assertTrue(allowed.length > 100, `${allowed.length} hosts`);
  const denied = [
    "localhost:8787",
    "[::1]:8787",
    "169.254.169.254:80",
    "172.17.0.1:9911", // a Docker bridge: only from source, with its own --allow-net
    "[::]:9911",
    "example.com:443",
    "us-east-1.signin.aws.amazon.com:80",
    "signin.aws.amazon.com.example.com:443",
    "evilamazonaws.com:443",
    "sts.amazonaws.com:80",
    "us-east-1.oauth.signin.aws:80",
    "signin.aws:443",
    "oauth.signin.aws.example.com:443",
  ];
  const source = `
    const states: Record<string, string> = {};
    for (const host of Deno.args) {
      states[host] = (await Deno.permissions.query({ name: "net", host })).state;
    }
    console.log(JSON.stringify(states));
  `;
  const states = await runWith(permissionFlags(), source, { args: [...allowed, ...denied] });
  assertEquals(states, {
    ...Object.fromEntries(allowed.map((host) => [host, "granted"])),
    ...Object.fromEntries(denied.map((host) => [host, "prompt"])),
  });
});

Deno.test("Deps.env() reads a variable outside --allow-env as unset", async () => {
  const source = `
    import { realDeps } from ${JSON.stringify(REAL_DEPS)};
    const deps = realDeps();
    console.log(JSON.stringify({
      home: deps.env("HOME") ?? null,
      secret: deps.env("AWS_SECRET_ACCESS_KEY") ?? null,
      homeDir: deps.homeDir() ?? null,
    }));
  `;
  const env = { HOME: "/home/me", AWS_SECRET_ACCESS_KEY: "s3cret" };
  assertEquals(await runWith(["--no-prompt", "--allow-env=HOME"], source, { env }), {
    home: "/home/me",
    secret: null,
    homeDir: "/home/me",
  });
  // The control: with the variable allowed, the same code reads it.
  assertEquals(await runWith(["--no-prompt", "--allow-env"], source, { env }), {
    home: "/home/me",
    secret: "s3cret",
    homeDir: "/home/me",
  });
});

Deno.test("with the compile flags, an unlisted $VAR in AWS_LOGIN_CACHE_DIRECTORY stays as written", async () => {
  await using box = await sandbox();
  const run = async (permissions: string[]) =>
    runCli(["status"], {
      env: await box.env({ AWS_LOGIN_CACHE_DIRECTORY: "$HOME/cache/$PROJECT", PROJECT: "secret" }),
      argv0: [Deno.execPath(), "run", ...permissions, "--quiet", MAIN],
    });
  const narrow = await run(permissionFlags());
  assertEquals(narrow.code, 0, narrow.stderr);
  assertStringIncludes(narrow.stderr + narrow.stdout, `${box.home}/cache/$PROJECT`);
  assertTrue(!(narrow.stderr + narrow.stdout).includes("secret"));
  // The control: with every variable allowed, $PROJECT is expanded.
  const wide = await run(["--allow-all"]);
  assertEquals(wide.code, 0, wide.stderr);
  assertMatch(wide.stderr + wide.stdout, /\/cache\/secret\b/);
});
