/**
 * The Deno permissions aws-login runs with, in one place: `scripts/compile.ts` embeds them in the
 * binaries, `configure credential-process` writes them into the `deno run` command line it
 * configures (`lib/runtime/real.ts`), the tests run the real CLI with exactly these flags, and the
 * README prints them (`deno task compile --print-permissions`).
 *
 * Pure data and functions that import nothing: nothing here touches `Deno.*`, so that
 * `lib/runtime/real.ts` can import it and the published package carries it.
 *
 * Why each permission is what it is (checked against Deno 2.9 by experiment and by
 * `tests/ship/permissions_test.ts`):
 *
 * - **net**: a list, not everything. Deno accepts a leading `*.` wildcard (it matches the name
 *   itself and every subdomain, at any depth) and a port. aws-login connects to the Sign-In
 *   endpoint of a region and, for role profiles, to STS, and nothing else (the authorize page is
 *   opened by the browser, not by us), so the list is derived from the endpoint rules in
 *   `lib/signin/endpoints.ts` and `lib/signin/sts_endpoints.ts`: for each
 *   partition and each FIPS / dual-stack variant, the part of the host name after the region label,
 *   on port 443. A wildcard cannot sit in the middle of a name, so the FIPS hosts
 *   (`signin-fips.<region>.amazonaws.com`) need all of `*.amazonaws.com:443`: every AWS service
 *   host, but only AWS. `logout` also revokes the refresh token at Sign-In's OAuth endpoint,
 *   `{region}.oauth.signin.aws` in the `aws` partition (the only partition with a known OAuth
 *   host), hence `*.oauth.signin.aws:443`. Plus `127.0.0.1` on every port: the loopback listener
 *   binds `127.0.0.1:0` or the `--redirect-port`, the credential endpoint of `exec` and `serve`
 *   listens there, and the emulator lives there. And `0.0.0.0` on every port, for `serve --address
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

/**
 * The environment variables aws-login reads, by purpose. This module sits at the bottom of the
 * import graph, so the names are written out here rather than borrowed from the modules that read
 * them; `tests/ship/permissions_test.ts` checks the list against every variable name read in `lib/`.
 */
export const ENV_VARIABLES: Readonly<Record<string, readonly string[]>> = {
  /** Shared config, profile, region and endpoint settings, as the AWS SDKs read them. */
  aws: [
    "AWS_CONFIG_FILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_SIGNIN",
    "AWS_ENDPOINT_URL_STS",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_LOGIN_CACHE_DIRECTORY",
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_STS_REGIONAL_ENDPOINTS",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_USE_FIPS_ENDPOINT",
    /** The credential_process recursion guard (`lib/commands/export_credentials.ts`). */
    "_AWS_LOGIN_PROFILE_CHAIN",
  ],
  /**
   * Credential variables that SDKs would use instead of a login session (`lib/aws/precedence.ts`):
   * only whether they are set matters. The key id and the role are not secrets; the secret key and
   * the session token are never read (they are listed below only so that `exec` can remove them).
   */
  precedence: ["AWS_ACCESS_KEY_ID", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN"],
  /** The home directory. */
  home: ["HOME", "USERPROFILE"],
  /** The proxy `fetch` goes through, which `doctor` names when Sign-In cannot be reached. */
  proxy: ["HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"],
  /** Finding launchers: `PATH`, Windows executable extensions and the Windows directory. */
  programs: ["PATH", "PATHEXT", "SystemRoot", "windir"],
  /** Whether and how a browser can be opened (`ENV_NAMES` of `lib/platform/browser.ts`). */
  browser: [
    "BROWSER",
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "SSH_CONNECTION",
    "SSH_CLIENT",
    "SSH_TTY",
    "WSL_DISTRO_NAME",
    "WSL_INTEROP",
    "container",
    "CODESPACES",
    "AWS_EXECUTION_ENV",
    "CI",
    "GITHUB_ACTIONS",
    "GITLAB_CI",
    "BUILDKITE",
    "CIRCLECI",
    "TRAVIS",
    "JENKINS_URL",
    "TF_BUILD",
    "CODEBUILD_BUILD_ID",
    "TEAMCITY_VERSION",
    "BITBUCKET_BUILD_NUMBER",
  ],
  /** What the terminal shows: colours, hyperlinks (`TERMINAL_ENV_NAMES` of `lib/platform/terminal.ts`). */
  terminal: [
    "TERM",
    "TERM_PROGRAM",
    "TERM_PROGRAM_VERSION",
    "VTE_VERSION",
    "WT_SESSION",
    "KONSOLE_VERSION",
    "NO_COLOR",
    "FORCE_HYPERLINK",
  ],
  /** `exec` and `serve` refuse to run inside an `exec` child for another profile (`child_variables.ts`). */
  exec: ["_AWS_LOGIN_EXEC_PROFILE"],
  /**
   * Variables `exec` removes from the environment its child inherits (`Deno.env.delete`, the
   * `REMOVED_VARIABLES` of `lib/aws/child_variables.ts`, but for the three `precedence` names).
   * Deno grants removing a variable only with reading it; aws-login never reads these, which
   * `tests/ship/permissions_test.ts` checks.
   */
  removedForExec: [
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_ACCOUNT_ID",
    "AWS_ACCESS_KEY",
    "AWS_SECRET_KEY",
    "AWS_ROLE_SESSION_NAME",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
  ],
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

/** The loopback address of the callback listener (and of the emulator). */
export const LOOPBACK_HOST = "127.0.0.1";

/**
 * `serve --address 0.0.0.0`: every interface, so that a relay in a bridge-networked container can
 * reach the endpoint. Connecting to it reaches this machine only, like 127.0.0.1.
 */
export const ALL_INTERFACES = "0.0.0.0";

/**
 * The host patterns of every AWS Sign-In endpoint: for each partition and FIPS / dual-stack
 * variant of the endpoint rules in `lib/signin/endpoints.ts`, `*.` and the part of the host after
 * the region label (or the host itself when it has no region label). Written out, so that this
 * module imports nothing; `tests/ship/permissions_test.ts` derives the same list from the endpoint
 * rules and checks that they agree.
 */
export const SIGN_IN_HOST_PATTERNS: readonly string[] = [
  "*.amazonaws.com",
  "*.amazonaws.com.cn",
  "*.amazonaws.eu",
  "*.api.amazonwebservices.com.cn",
  "*.api.amazonwebservices.eu",
  "*.api.aws",
  "*.c2s.ic.gov",
  "*.cloud.adc-e.uk",
  "*.csp.hci.ic.gov",
  "*.sc2s.sgov.gov",
  "*.signin-fips.amazonaws-us-gov.com",
  "*.signin.amazonaws-eusc.eu",
  "*.signin.amazonaws-us-gov.com",
  "*.signin.amazonaws.cn",
  "*.signin.aws.amazon.com",
  "*.signin.c2shome.ic.gov",
  "*.signin.csphome.adc-e.uk",
  "*.signin.csphome.hci.ic.gov",
  "*.signin.sc2shome.sgov.gov",
];

/**
 * The host patterns of the OAuth endpoint of Sign-In (`resolveOAuthEndpoint()` in
 * `lib/signin/endpoints.ts`), where `logout` revokes refresh tokens: only the `aws` partition has
 * one. `tests/ship/permissions_test.ts` derives the same list from the endpoint rules.
 */
export const OAUTH_HOST_PATTERNS: readonly string[] = ["*.oauth.signin.aws"];

/**
 * The host patterns of every AWS STS endpoint (role profiles call `AssumeRole`), derived the same
 * way from the STS rules in `lib/signin/sts_endpoints.ts`: `sts.amazonaws.com` and
 * `sts[-fips].<region>.<suffix>`. Most fall under a Sign-In pattern already (`*.amazonaws.com`
 * covers the global endpoint too); the ISO partitions' dual-stack suffixes do not.
 * `tests/ship/permissions_test.ts` derives this list from the rules and checks it.
 */
export const STS_HOST_PATTERNS: readonly string[] = [
  "*.amazonaws.com",
  "*.amazonaws.com.cn",
  "*.amazonaws.eu",
  "*.api.amazonwebservices.com.cn",
  "*.api.amazonwebservices.eu",
  "*.api.aws",
  "*.api.aws.hci.ic.gov",
  "*.api.aws.ic.gov",
  "*.api.aws.scloud",
  "*.api.cloud-aws.adc-e.uk",
  "*.c2s.ic.gov",
  "*.cloud.adc-e.uk",
  "*.csp.hci.ic.gov",
  "*.sc2s.sgov.gov",
];

/**
 * The `--allow-net` list: the loopback listener on any port, the Sign-In, OAuth and STS hosts on
 * port 443 (each pattern once).
 *
 * @example
 * ```ts
 * netAllowList()[0]; // "127.0.0.1"
 * ```
 */
export function netAllowList(): string[] {
  const patterns = [
    ...new Set([...SIGN_IN_HOST_PATTERNS, ...OAUTH_HOST_PATTERNS, ...STS_HOST_PATTERNS]),
  ];
  return [LOOPBACK_HOST, ALL_INTERFACES, ...patterns.map((pattern) => `${pattern}:443`)];
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
