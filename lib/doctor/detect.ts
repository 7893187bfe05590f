/**
 * What `aws-login doctor` finds out about this machine, through {@link Deps} only: the session's
 * files (read, never changed), one plain request for the clock, the tools on `PATH` run with a
 * short timeout, the JS SDK resolved from the current directory, and the browser facts of
 * `lib/platform`. The decisions are in `checks.ts` and `tools.ts`.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import {
  otherCredentials,
  profileValues,
  type SharedConfig,
  tildePath,
} from "../aws/shared_config.ts";
import { parseExpiresAt, readSession, sessionLocation } from "../aws/login_cache.ts";
import { sessionClaims } from "../aws/session_claims.ts";
import { configuredRegion } from "../aws/region.ts";
import { signInEndpointFor } from "../aws/endpoint_config.ts";
import { describeNetworkError, isNotAllowed, isTimeout } from "../signin/token_policy.ts";
import { sanitizeOutsideText } from "../runtime/sanitize.ts";
import { dirnameOf, joinPath } from "../runtime/paths.ts";
import { gatherFacts } from "../platform/facts.ts";
import { browserCommands, browserReachability, isWsl } from "../platform/browser.ts";
import type { BrowserFacts, CacheFacts, ClockFacts, ClockOutcome, SessionFacts } from "./checks.ts";
import type { AwsCliProbe, FoundPackage, JsSdkFacts, PythonFacts, PythonProbe } from "./tools.ts";

/** How long a tool may take to say its version. */
export const TOOL_TIMEOUT_MS = 5_000;
/** How long the clock request may take. */
export const CLOCK_TIMEOUT_MS = 5_000;

/** The session facts, and the session's login region when the cache file tells it. */
export interface DetectedSession {
  readonly facts: SessionFacts;
  readonly signInRegion: string | undefined;
}

/**
 * Reads the profile's session as it is on disk: its cache file (parsed, never rewritten, never
 * chmod-ed) and the modes of the file and its directory.
 *
 * @example
 * ```ts ignore
 * const { facts } = await detectSession(deps, shared, "dev");
 * ```
 */
export async function detectSession(
  deps: Deps,
  shared: SharedConfig,
  profile: string,
): Promise<DetectedSession> {
  const loginSession = profileValues(shared, profile).login_session?.trim() || undefined;
  const location = await sessionLocation(deps, loginSession ?? "");
  const base = {
    profile,
    loginSession,
    other: loginSession === undefined
      ? otherCredentials(shared, profile, deps.homeDir())
      : undefined,
    cachePath: location.path,
    cacheDirectory: location.directory,
    now: deps.now(),
  };
  if (loginSession === undefined) {
    return {
      facts: { ...base, cache: { state: "missing" }, fileMode: null, directoryMode: null },
      signInRegion: undefined,
    };
  }
  let cache: CacheFacts;
  let signInRegion: string | undefined;
  try {
    const stored = await readSession(deps, location);
    if (stored === undefined) {
      cache = { state: "missing" };
    } else {
      const { entry } = stored;
      signInRegion = entry.signInRegion || undefined;
      cache = {
        state: "ok",
        expiresAt: parseExpiresAt(entry.accessToken.expiresAt)!,
        endsAtLatest: sessionClaims(entry).endsAtLatest,
      };
    }
  } catch (error) {
    cache = { state: "invalid", problem: (error as Error).message };
  }
  const [file, directory] = await Promise.all([
    deps.fs.stat(location.path).catch(() => null),
    deps.fs.stat(location.directory).catch(() => null),
  ]);
  return {
    facts: {
      ...base,
      cache,
      fileMode: file?.mode ?? null,
      directoryMode: directory?.mode ?? null,
    },
    signInRegion,
  };
}

/** The proxy `fetch` goes through for `host`, without credentials; `undefined` when none. */
function proxyFor(deps: Pick<Deps, "env">, host: string): string | undefined {
  const proxy = deps.env("HTTPS_PROXY") || deps.env("https_proxy");
  if (!proxy) return undefined;
  const bypass = (deps.env("NO_PROXY") || deps.env("no_proxy") || "").split(",").map((part) =>
    part.trim().replace(/^\*?\./, "")
  ).filter(Boolean);
  if (bypass.some((suffix) => suffix === "*" || host === suffix || host.endsWith(`.${suffix}`))) {
    return undefined;
  }
  try {
    const url = new URL(proxy);
    return `${url.protocol}//${url.host}`;
  } catch {
    return sanitizeOutsideText(proxy.replace(/\/\/[^@/]*@/, "//"), { maxLength: 100 });
  }
}

/**
 * Asks the profile's Sign-In endpoint for the time: one plain `GET` of its base URL, no
 * credentials, redirects not followed; the `Date` header is compared with the local clock at the
 * middle of the request. Whether this is WSL (for the fix) comes from {@link detectBrowser}'s
 * platform facts.
 *
 * @example
 * ```ts ignore
 * const clock = await detectClock(deps, shared, "dev", signInRegion);
 * ```
 */
export async function detectClock(
  deps: Deps,
  shared: SharedConfig,
  profile: string,
  signInRegion: string | undefined,
): Promise<Omit<ClockFacts, "wsl">> {
  const values = profileValues(shared, profile);
  const common = { os: deps.os, proxy: undefined, notAllowed: false, endpoint: undefined };
  let region: string | undefined;
  try {
    region = signInRegion ?? configuredRegion(deps, undefined, values.region)?.region;
  } catch (error) {
    return {
      ...common,
      outcome: { kind: "failed", error: (error as Error).message, timedOut: false },
    };
  }
  if (region === undefined) return { ...common, outcome: { kind: "no-region" } };
  let base: string;
  try {
    base = signInEndpointFor(deps, region, { profile: values }).base;
  } catch (error) {
    return {
      ...common,
      outcome: { kind: "failed", error: (error as Error).message, timedOut: false },
    };
  }
  const proxy = proxyFor(deps, new URL(base).hostname);
  const before = deps.now().getTime();
  const signal = deps.timeout(CLOCK_TIMEOUT_MS);
  let outcome: ClockOutcome;
  let notAllowed = false;
  try {
    const response = await deps.fetch(`${base}/`, { method: "GET", redirect: "manual", signal });
    await response.body?.cancel();
    const after = deps.now().getTime();
    const header = response.headers.get("date");
    const serverDate = header === null ? undefined : new Date(header);
    outcome = serverDate === undefined || Number.isNaN(serverDate.getTime())
      ? { kind: "no-date", status: response.status }
      : { kind: "answered", serverDate, localDate: new Date((before + after) / 2) };
  } catch (error) {
    notAllowed = isNotAllowed(error);
    outcome = {
      kind: "failed",
      error: sanitizeOutsideText(describeNetworkError(error)),
      timedOut: signal.aborted && (isTimeout(error) || isTimeout((error as Error).cause)),
    };
  }
  return { endpoint: base, outcome, proxy, notAllowed, os: deps.os };
}

function firstLine(text: string): string {
  return sanitizeOutsideText(text.trim().split(/\r?\n/, 1)[0] ?? "", { maxLength: 200 });
}

/**
 * Runs `aws --version` (the `aws` first on `PATH`) with {@link TOOL_TIMEOUT_MS}.
 *
 * @example
 * ```ts ignore
 * const aws = await detectAwsCli(deps);
 * ```
 */
export async function detectAwsCli(deps: Pick<Deps, "which" | "spawn">): Promise<AwsCliProbe> {
  const path = await deps.which("aws");
  if (path === null) return { kind: "not-installed" };
  try {
    const result = await deps.spawn([path, "--version"], { timeoutMs: TOOL_TIMEOUT_MS });
    if (result.timedOut) {
      return { kind: "failed", path, error: `no answer within ${TOOL_TIMEOUT_MS / 1000} s` };
    }
    if (result.code !== 0) {
      return {
        kind: "failed",
        path,
        error: `exit code ${result.code}: ${firstLine(result.stderr || result.stdout)}`,
      };
    }
    return { kind: "probed", path, output: `${result.stdout}\n${result.stderr}` };
  } catch (error) {
    return { kind: "failed", path, error: firstLine((error as Error).message) };
  }
}

/**
 * What the Python probe prints: the versions of botocore, boto3 and awscli, and whether the
 * `awscrt` that botocore's login provider needs (`awscrt.crypto.EC`) imports. No network. It uses
 * `__import__` only, so that no line of the bundle starts with `import`.
 */
const PYTHON_PROBE = `
found = {"python": __import__("sys").version.split()[0]}
for name in ("botocore", "boto3", "awscli"):
    try:
        found[name] = getattr(__import__(name), "__version__", None)
    except Exception:
        found[name] = None
try:
    __import__("awscrt")
    try:
        __import__("awscrt.crypto", fromlist=["EC"]).EC
        found["awscrt"] = "ok"
    except Exception:
        found["awscrt"] = "old"
except Exception:
    found["awscrt"] = "missing"
print(__import__("json").dumps(found))
`;

/**
 * Asks the Python first on `PATH` (`python3`, else `python`) for its botocore, boto3, awscli and
 * awscrt, with {@link TOOL_TIMEOUT_MS}.
 *
 * @example
 * ```ts ignore
 * const python = await detectPython(deps);
 * ```
 */
export async function detectPython(deps: Pick<Deps, "which" | "spawn">): Promise<PythonProbe> {
  const path = await deps.which("python3") ?? await deps.which("python");
  if (path === null) return { kind: "not-installed" };
  try {
    const result = await deps.spawn([path, "-c", PYTHON_PROBE], { timeoutMs: TOOL_TIMEOUT_MS });
    if (result.timedOut) {
      return { kind: "failed", path, error: `no answer within ${TOOL_TIMEOUT_MS / 1000} s` };
    }
    const last = result.stdout.trim().split("\n").at(-1) ?? "";
    const facts = JSON.parse(last) as PythonFacts;
    if (typeof facts.python !== "string") throw new Error("the probe printed no versions");
    return { kind: "probed", path, facts };
  } catch (error) {
    return { kind: "failed", path, error: firstLine((error as Error).message) };
  }
}

/** Finds an npm package the way Node resolves it from a directory: each `node_modules` upwards. */
async function resolvePackage(
  deps: Pick<Deps, "fs">,
  from: string,
  name: string,
): Promise<FoundPackage | undefined> {
  let directory = from;
  while (true) {
    if (!/[\\/]node_modules$/.test(directory)) {
      const candidate = joinPath(directory, "node_modules", ...name.split("/"));
      try {
        const text = await deps.fs.readTextFile(joinPath(candidate, "package.json"));
        const version = JSON.parse(text).version;
        if (typeof version === "string") return { directory: candidate, version };
      } catch {
        // not here: look further up
      }
    }
    const parent = dirnameOf(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}

/**
 * Finds the AWS SDK for JavaScript from the current directory: the ini provider the default
 * chain uses, and the login provider as it would resolve from there.
 *
 * @example
 * ```ts ignore
 * const js = await detectJsSdk(deps, { profileRegion: "eu-west-1", signInRegion: "us-east-1" });
 * ```
 */
export async function detectJsSdk(
  deps: Pick<Deps, "fs" | "cwd" | "homeDir">,
  regions: { profileRegion: string | undefined; signInRegion: string | undefined },
): Promise<JsSdkFacts> {
  const cwd = deps.cwd();
  const ini = await resolvePackage(deps, cwd, "@aws-sdk/credential-provider-ini");
  const login =
    (ini === undefined
      ? undefined
      : await resolvePackage(deps, ini.directory, "@aws-sdk/credential-provider-login")) ??
      await resolvePackage(deps, cwd, "@aws-sdk/credential-provider-login");
  const home = deps.homeDir();
  const shown = (found: FoundPackage | undefined) =>
    found === undefined ? undefined : { ...found, directory: tildePath(found.directory, home) };
  return {
    cwd: tildePath(cwd, home),
    ini: shown(ini),
    login: shown(login),
    ...regions,
  };
}

/**
 * The browser facts: what `lib/platform` decides `login` would do here, the first launcher it
 * would run, and on WSL whether `cmd.exe` runs at all (interop on). Nothing is opened.
 *
 * @example
 * ```ts ignore
 * const browser = await detectBrowser(deps);
 * ```
 */
export async function detectBrowser(
  deps: Pick<Deps, "env" | "os" | "fs" | "which" | "spawn">,
): Promise<BrowserFacts> {
  const platform = await gatherFacts(deps);
  const reachability = browserReachability(platform, {});
  const launcher = reachability.reachable
    ? browserCommands(platform, "https://example.com/")[0]
    : undefined;
  let cmdRuns: boolean | undefined;
  const cmd = platform.launchers["cmd.exe"];
  if (isWsl(platform) && cmd !== undefined) {
    try {
      const result = await deps.spawn([cmd, "/d", "/c", "exit", "0"], { timeoutMs: 3_000 });
      cmdRuns = result.code === 0;
    } catch {
      cmdRuns = false;
    }
  }
  return { platform, reachability, launcher, cmdRuns };
}
