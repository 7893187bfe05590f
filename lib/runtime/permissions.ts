/**
 * The Deno permissions aws-login runs with, in one place: `scripts/compile.ts` embeds them in the
 * binaries, `configure credential-process` writes them into the `deno run` command line it
 * configures (`lib/runtime/real.ts`), the tests run the real CLI with exactly these flags, and the
 * README prints them (`deno task compile --print-permissions`).
 *
 * Pure data and functions: nothing here touches `Deno.*`, so that `lib/runtime/real.ts` can import
 * it and the published package carries it.
 *
 * Why each permission is what it is (checked against Deno 2.9 by experiment and by
 * `tests/ship/permissions_test.ts`):
 *
 * - **net**: a list, not everything. Deno accepts a leading `*.` wildcard (it matches the name
 *   itself and every subdomain, at any depth) and a port. aws-login connects to the Sign-In
 *   endpoint of a region and nothing else (the authorize page is opened by the browser, not by us),
 *   so the list is derived from the endpoint rules in `lib/signin/endpoints.ts`: for each
 *   partition and each FIPS / dual-stack variant, the part of the host name after the region label,
 *   on port 443. A wildcard cannot sit in the middle of a name, so the FIPS hosts
 *   (`signin-fips.<region>.amazonaws.com`) need all of `*.amazonaws.com:443`: every AWS service
 *   host, but only AWS. Plus `127.0.0.1` on every port: the loopback listener binds
 *   `127.0.0.1:0` or the `--redirect-port`, the credential endpoint of `exec` and `serve` listens
 *   there, and the emulator lives there. And `0.0.0.0` on every port, for `serve --address
 *   0.0.0.0` (connecting to it reaches this machine only). Listening on any other address (a
 *   Docker bridge, `::1`) needs that address in `--allow-net`, which would also let aws-login
 *   connect to it: the binary refuses it with one line, and whoever wants it runs from source.
 *   Not allowed: `localhost`, `[::1]` and any other custom endpoint (`--endpoint-url`,
 *   `AWS_ENDPOINT_URL_SIGNIN`, `endpoint_url`); aws-login reports the denied host. Whoever needs
 *   one runs `deno run` with their own `--allow-net`.
 * - **env**: the exact variables aws-login reads, listed below, no wildcard (`AWS_*` would also
 *   expose `AWS_SECRET_ACCESS_KEY` and the like, which aws-login never reads). `Deps.env` treats a
 *   variable outside the list as unset, so `$VAR` in `AWS_LOGIN_CACHE_DIRECTORY`, `AWS_CONFIG_FILE`
 *   or `AWS_SHARED_CREDENTIALS_FILE` is expanded only for listed variables (`$HOME`, say) and kept
 *   as written otherwise. Setting a child's environment (`credential_process`) needs no permission;
 *   removing an inherited variable (`exec` hides credential variables from its child) does, and
 *   Deno has one permission for reading and removing a variable: those names are listed, and a test
 *   checks that no code reads them.
 * - **read, write**: everything. A permission path is fixed when the binary is built: Deno takes
 *   `~` and `$HOME` literally (as relative paths), and the files live under the home directory of
 *   whoever runs the binary, or wherever `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE` and
 *   `AWS_LOGIN_CACHE_DIRECTORY` point. Reading also covers `/proc/sys/kernel/osrelease`,
 *   `/.dockerenv`, `/run/.containerenv`, the Windows System32 directory (also as WSL mounts it) and
 *   every `PATH` directory when looking for a browser launcher. A list of the places known at build
 *   time would be narrower on paper and wrong for every user, so the honest choice is no list.
 * - **run**: everything. The launchers are found by path (`PATH`, System32, `/mnt/c/...`), and
 *   `BROWSER`, `--browser` and `credential_process` name arbitrary programs of the user's choice.
 *   A child process is not sandboxed, so with `run` the other limits guard against accidents and
 *   document the program's reach; they are not a security boundary against hostile code.
 * - **sys, ffi, import**: none. `--no-prompt`: a compiled binary never prompts anyway, and a
 *   `credential_process` run by an SDK must fail rather than wait for an answer.
 *
 * @module
 */

import { ENV_NAMES } from "../platform/env_names.ts";
import { PROFILE_CHAIN_VARIABLE } from "../aws/profile_chain.ts";
import { EXEC_MARKER_VARIABLE, REMOVED_VARIABLES } from "../aws/child_variables.ts";
import { PARTITIONS, resolveSignInEndpoint } from "../signin/endpoints.ts";

/**
 * The environment variables aws-login reads, by purpose. `tests/ship/permissions_test.ts` checks
 * this against every variable name read in `lib/`.
 */
export const ENV_VARIABLES: Readonly<Record<string, readonly string[]>> = {
  /** Shared config, profile, region and endpoint settings, as the AWS SDKs read them. */
  aws: [
    "AWS_CONFIG_FILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_SIGNIN",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_LOGIN_CACHE_DIRECTORY",
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_USE_FIPS_ENDPOINT",
    PROFILE_CHAIN_VARIABLE,
  ],
  /** The home directory. */
  home: ["HOME", "USERPROFILE"],
  /** Finding launchers: `PATH`, Windows executable extensions and the Windows directory. */
  programs: ["PATH", "PATHEXT", "SystemRoot", "windir"],
  /** Whether and how a browser can be opened (`lib/platform/browser.ts`). */
  browser: ENV_NAMES,
  /** `exec` and `serve` refuse to run inside an `exec` child for another profile. */
  exec: [EXEC_MARKER_VARIABLE],
  /**
   * Variables `exec` removes from the environment its child inherits (`Deno.env.delete`). Deno
   * grants removing a variable only with reading it; aws-login never reads these, which
   * `tests/ship/permissions_test.ts` checks.
   */
  removedForExec: REMOVED_VARIABLES,
};

/**
 * The `--allow-env` list: every variable of {@link ENV_VARIABLES}, once.
 *
 * @example
 * ```ts
 * envAllowList().includes("AWS_PROFILE"); // true
 * ```
 */
export function envAllowList(): string[] {
  return [...new Set(Object.values(ENV_VARIABLES).flat())];
}

/**
 * One region of each partition, to derive its host names from. `us-gov-west-1` is there because
 * its FIPS host has no region label; `tests/ship/permissions_test.ts` checks that every partition
 * has a region here.
 */
export const SAMPLE_REGIONS: Readonly<Record<string, readonly string[]>> = {
  "aws": ["us-east-1"],
  "aws-cn": ["cn-north-1"],
  "aws-eusc": ["eusc-de-east-1"],
  "aws-iso": ["us-iso-east-1"],
  "aws-iso-b": ["us-isob-east-1"],
  "aws-iso-e": ["eu-isoe-west-1"],
  "aws-iso-f": ["us-isof-south-1"],
  "aws-us-gov": ["us-gov-west-1", "us-gov-east-1"],
};

/** The loopback address of the callback listener (and of the emulator). */
export const LOOPBACK_HOST = "127.0.0.1";

/**
 * `serve --address 0.0.0.0`: every interface, so that a relay in a bridge-networked container can
 * reach the endpoint. Connecting to it reaches this machine only, like 127.0.0.1.
 */
export const ALL_INTERFACES = "0.0.0.0";

const VARIANTS = [
  {},
  { useFips: true },
  { useDualStack: true },
  { useFips: true, useDualStack: true },
] as const;

function coveredBy(pattern: string, host: string): boolean {
  if (!pattern.startsWith("*.")) return pattern === host;
  const suffix = pattern.slice(2);
  return host === suffix || host.endsWith(`.${suffix}`);
}

/**
 * The host patterns of every AWS Sign-In endpoint: for each partition and FIPS / dual-stack
 * variant, `*.` and the part of the host after the region label (or the host itself when it has no
 * region label), without a port.
 *
 * @example
 * ```ts
 * signInHostPatterns().includes("*.signin.aws.amazon.com"); // true
 * ```
 */
export function signInHostPatterns(): string[] {
  const patterns = new Set<string>();
  for (const partition of PARTITIONS) {
    for (const region of SAMPLE_REGIONS[partition.id] ?? []) {
      for (const variant of VARIANTS) {
        let host: string;
        try {
          host = new URL(resolveSignInEndpoint(region, variant).base).hostname;
        } catch {
          continue; // a variant the partition does not have (dual-stack in the ISO partitions)
        }
        const labels = host.split(".");
        const index = labels.indexOf(region);
        patterns.add(index === -1 ? host : `*.${labels.slice(index + 1).join(".")}`);
      }
    }
  }
  const wildcards = [...patterns].filter((pattern) => pattern.startsWith("*."));
  return [...patterns]
    .filter((pattern) => pattern.startsWith("*.") || !wildcards.some((w) => coveredBy(w, pattern)))
    .sort();
}

/**
 * The `--allow-net` list: the loopback listener on any port, the Sign-In hosts on port 443.
 *
 * @example
 * ```ts
 * netAllowList()[0]; // "127.0.0.1"
 * ```
 */
export function netAllowList(): string[] {
  return [
    LOOPBACK_HOST,
    ALL_INTERFACES,
    ...signInHostPatterns().map((pattern) => `${pattern}:443`),
  ];
}

/**
 * The permission flags, as `deno run`, `deno install` and `deno compile` take them. Never
 * `--allow-all`.
 *
 * @example
 * ```ts
 * const flags = permissionFlags();
 * // ["--no-prompt", "--allow-net=127.0.0.1,...", "--allow-env=AWS_CONFIG_FILE,...",
 * //  "--allow-read", "--allow-write", "--allow-run"]
 * ```
 */
export function permissionFlags(): string[] {
  return [
    "--no-prompt",
    `--allow-net=${netAllowList().join(",")}`,
    `--allow-env=${envAllowList().join(",")}`,
    "--allow-read",
    "--allow-write",
    "--allow-run",
  ];
}
