/**
 * A real browser: `aws-login login` opens Debian's chromium (headless, driven by playwright-core
 * through `chromium_browser.mjs` as the `BROWSER` command) at the emulator's consent page; the
 * browser clicks approve or deny and follows the redirect into the real loopback listener.
 *
 * Skipped when chromium is missing, unless `AWS_LOGIN_REQUIRE_BROWSER_TEST=1` (set by CI): then a
 * missing browser is a failure. Needs `npm ci --prefix tests/interop`. With
 * `AWS_LOGIN_SCREENSHOT_DIR` set, the screenshots of the final pages are kept there.
 */

import { assertEquals, assertMatch, assertStringIncludes, assertTrue } from "../support/assert.ts";
import { type CliResult, MAIN_PATH, type Sandbox, sandbox } from "../support/cli.ts";
import { onlyCacheFile, sha256Hex, snapshotTree } from "../support/e2e.ts";
import { type Emulator, startEmulator } from "../../scripts/emulator/mod.ts";
import { localPath } from "../support/paths.ts";
import { killOwn } from "../support/platform.ts";

const SESSION = "arn:aws:sts::123456789012:assumed-role/Admin/alice";
const REGION = "us-east-1";
const CHROMIUM = Deno.env.get("CHROMIUM_EXECUTABLE") ?? "/usr/bin/chromium";
const NODE_MODULES = localPath(new URL("./node_modules/", import.meta.url));
const BROWSER_SCRIPT = localPath(
  new URL("./chromium_browser.mjs", import.meta.url),
);
/** How long each browser step (launch, load, click, final page) may take on a small machine. */
const BROWSER_STEP_TIMEOUT_MS = 60_000;
/** How long a whole `login` may take before it is killed. */
const LOGIN_TIMEOUT_MS = 240_000;
/** How long the browser may go on after `login` ended (it closes chromium then). */
const BROWSER_EXIT_TIMEOUT_MS = 60_000;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

type Action = "approve" | "deny";

const required = Deno.env.get("AWS_LOGIN_REQUIRE_BROWSER_TEST") === "1";
const chromiumFound = await Deno.stat(CHROMIUM).then(
  (info) => info.isFile,
  () => false,
);
const skipReason = chromiumFound || required
  ? undefined
  : `${CHROMIUM} not found; set AWS_LOGIN_REQUIRE_BROWSER_TEST=1 to make this a failure`;

/** Fails with a clear message when the browser or the Node packages are missing. */
async function requireBrowser(): Promise<void> {
  if (!chromiumFound) {
    throw new Error(
      `AWS_LOGIN_REQUIRE_BROWSER_TEST=1 but there is no browser at ${CHROMIUM}: install Debian's chromium ("apt-get install chromium") or set CHROMIUM_EXECUTABLE`,
    );
  }
  try {
    await Deno.stat(`${NODE_MODULES}playwright-core/package.json`);
  } catch {
    throw new Error(
      `The Node packages of the interop tests are not installed ("${NODE_MODULES}playwright-core" is missing): run "npm ci --prefix tests/interop"`,
    );
  }
  // aws-login splits BROWSER into entries on ":" and into words on white space.
  if (/[:\s]/.test(BROWSER_SCRIPT)) {
    throw new Error(
      `The path "${BROWSER_SCRIPT}" cannot go into BROWSER: it has ":" or spaces`,
    );
  }
}

/** What `chromium_browser.mjs` writes to `result.json`. */
interface BrowserResult {
  ok: boolean;
  action: Action;
  consentSession?: string;
  callbackUrl?: string;
  callbackStatus?: number;
  heading?: string;
  text?: string;
  error?: string;
}

/** The work directory of one browser run; disposing it stops a browser still running. */
interface BrowserRun extends AsyncDisposable {
  readonly dir: string;
  /** Where the browser saves a screenshot of the final page. */
  readonly screenshot: string;
  /** The environment that makes `login` open this browser. */
  readonly env: Record<string, string>;
  /** The browser's `result.json`, or undefined while it has not written one. */
  poll(): Promise<BrowserResult | undefined>;
  /** Waits for the browser's `result.json`. */
  result(): Promise<BrowserResult>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function browserRun(action: Action): Promise<BrowserRun> {
  const dir = await Deno.makeTempDir({ prefix: "aws-login-chromium-" });
  const screenshot = `${dir}/chromium-${action}.png`;
  const poll = async (): Promise<BrowserResult | undefined> => {
    try {
      return JSON.parse(await Deno.readTextFile(`${dir}/result.json`));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
  };
  const stop = async () => {
    let pid: number;
    try {
      pid = JSON.parse(await Deno.readTextFile(`${dir}/started.json`)).pid;
    } catch {
      return; // never started
    }
    // SIGTERM lets playwright close chromium; SIGKILL if that does not end it.
    for (const signal of ["SIGTERM", "SIGKILL"] as const) {
      // Only while it is still this run's browser: once it ended, its pid may be another's.
      if (!killOwn(pid, signal, `CHROMIUM_BROWSER_DIR=${dir}`)) return;
      await sleep(2000);
    }
  };
  return {
    dir,
    screenshot,
    env: {
      BROWSER: `node ${BROWSER_SCRIPT} %s`,
      CHROMIUM_BROWSER_DIR: dir,
      CHROMIUM_BROWSER_ACTION: action,
      CHROMIUM_BROWSER_SCREENSHOT: screenshot,
      CHROMIUM_BROWSER_TIMEOUT_MS: String(BROWSER_STEP_TIMEOUT_MS),
      CHROMIUM_EXECUTABLE: CHROMIUM,
    },
    poll,
    async result() {
      const deadline = Date.now() + BROWSER_EXIT_TIMEOUT_MS;
      while (Date.now() < deadline) {
        const result = await poll();
        if (result) return result;
        await sleep(200);
      }
      throw new Error(
        `The browser wrote no result ${BROWSER_EXIT_TIMEOUT_MS} ms after login ended`,
      );
    },
    async [Symbol.asyncDispose]() {
      if (await poll() === undefined) await stop();
      // Chromium may still be flushing its profile for a moment.
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          await Deno.remove(dir, { recursive: true });
          return;
        } catch {
          await sleep(500);
        }
      }
    },
  };
}

/**
 * Runs `aws-login login` like `runCli` does, but kills it when the browser has reported a failure
 * (login would wait for its callback until `--timeout`) or after {@link LOGIN_TIMEOUT_MS}.
 */
async function login(
  emulator: Emulator,
  box: Sandbox,
  browser: BrowserRun,
): Promise<{ cli: CliResult; browser: BrowserResult }> {
  const args = [
    "login",
    "--profile",
    "web",
    "--region",
    REGION,
    "--timeout",
    "180s",
  ];
  const controller = new AbortController();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--quiet", MAIN_PATH, ...args],
    env: await box.env({
      AWS_ENDPOINT_URL_SIGNIN: emulator.url,
      ...browser.env,
    }),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: controller.signal,
  }).spawn();
  let stopped: string | undefined;
  const timer = setTimeout(() => {
    stopped = `it did not finish within ${LOGIN_TIMEOUT_MS} ms`;
    controller.abort();
  }, LOGIN_TIMEOUT_MS);
  let ended = false;
  const output = child.output().finally(() => ended = true);
  const watch = (async () => {
    while (!ended) {
      const early = await browser.poll().catch(() => undefined);
      if (early) {
        if (!early.ok && !ended) {
          stopped = `the browser failed:\n${early.error}`;
          controller.abort();
        }
        return;
      }
      await sleep(250);
    }
  })();
  try {
    const done = await output;
    await watch;
    const decoder = new TextDecoder();
    const stderr = decoder.decode(done.stderr);
    if (stopped !== undefined) {
      throw new Error(`Killed login: ${stopped}\nlogin stderr:\n${stderr}`);
    }
    const cli = {
      code: done.code,
      stdout: decoder.decode(done.stdout),
      stderr,
    };
    return { cli, browser: await browser.result() };
  } finally {
    clearTimeout(timer);
  }
}

/** The loopback redirect URI in the authorization URL that login printed. */
function redirectUriIn(stderr: string): string {
  const url = stderr.match(/http:\/\/\S+\/v1\/authorize\?\S+/)?.[0];
  assertTrue(url, `no authorization URL in:\n${stderr}`);
  const redirectUri = new URL(url).searchParams.get("redirect_uri") ?? "";
  assertMatch(redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback$/);
  return redirectUri;
}

/** Checks that the browser saved a PNG, and keeps it in `AWS_LOGIN_SCREENSHOT_DIR` if set. */
async function assertScreenshot(path: string): Promise<void> {
  const bytes = await Deno.readFile(path);
  assertEquals(
    [...bytes.subarray(0, 8)],
    PNG_SIGNATURE,
    `${path} is not a PNG`,
  );
  const keep = Deno.env.get("AWS_LOGIN_SCREENSHOT_DIR");
  if (keep) {
    await Deno.mkdir(keep, { recursive: true });
    await Deno.copyFile(path, `${keep}/${path.split("/").pop()}`);
  }
}

const NAME = "chromium approves and then denies a login in a real browser";

Deno.test({
  name: skipReason ? `${NAME} (skipped: ${skipReason})` : NAME,
  ignore: skipReason !== undefined,
  async fn(t) {
    await requireBrowser();
    await using emulator = await startEmulator({ approval: "page" });
    await using box = await sandbox();
    await Deno.mkdir(`${box.home}/.aws`);
    const original = "# mine\n[default]\noutput = json\n";
    await Deno.writeTextFile(box.configPath, original);

    await t.step(
      "approve: login signs in and writes config and cache",
      async () => {
        await using browser = await browserRun("approve");
        const { cli, browser: page } = await login(emulator, box, browser);
        assertEquals(cli.code, 0, cli.stderr);
        assertEquals(cli.stdout, "");
        assertStringIncludes(
          cli.stderr,
          `Updated profile web to use ${SESSION} credentials.`,
        );

        assertTrue(page.ok, page.error);
        assertEquals(page.consentSession, SESSION);
        const redirectUri = redirectUriIn(cli.stderr);
        assertTrue(
          page.callbackUrl?.startsWith(`${redirectUri}?code=`),
          page.callbackUrl,
        );
        assertEquals(page.callbackStatus, 200);
        assertEquals(page.heading, "Signed in to AWS");
        await assertScreenshot(browser.screenshot);

        assertEquals(
          await Deno.readTextFile(box.configPath),
          `${original}\n[profile web]\nlogin_session = ${SESSION}\nregion = ${REGION}\n`,
        );
        const { name, entry } = await onlyCacheFile(box.cacheDir);
        assertEquals(name, `${await sha256Hex(SESSION)}.json`);
        assertMatch(
          String((entry.accessToken as Record<string, string>).accessKeyId),
          /^ASIA/,
        );
        assertEquals(entry.clientId, "arn:aws:signin:::devtools/same-device");

        assertEquals(emulator.counts.authorize, 1);
        assertEquals(emulator.counts.tokenByGrant.authorization_code, 1);
        assertEquals(emulator.counts.tokenErrors, 0);
      },
    );

    await t.step(
      "deny: login fails with access_denied and changes nothing",
      async () => {
        const before = await snapshotTree(`${box.home}/.aws`);
        assertTrue(
          Object.keys(before).some((path) => path.endsWith(".json")),
          "no cache to keep",
        );
        const tokenRequests = emulator.counts.token;
        await using browser = await browserRun("deny");
        const { cli, browser: page } = await login(emulator, box, browser);
        assertEquals(cli.code, 4, cli.stderr);
        assertStringIncludes(cli.stderr, "access_denied");
        assertEquals(cli.stdout, "");

        assertTrue(page.ok, page.error);
        assertEquals(page.consentSession, SESSION);
        const redirectUri = redirectUriIn(cli.stderr);
        const denied = `${redirectUri}?error=access_denied`;
        assertTrue(page.callbackUrl?.startsWith(denied), page.callbackUrl);
        assertEquals(page.callbackStatus, 400);
        assertEquals(page.heading, "Sign-in failed");
        assertStringIncludes(page.text ?? "", "access_denied");
        await assertScreenshot(browser.screenshot);

        assertEquals(await snapshotTree(`${box.home}/.aws`), before);
        assertEquals(emulator.counts.authorize, 2);
        assertEquals(emulator.counts.token, tokenRequests);
        assertEquals(emulator.counts.tokenByGrant.authorization_code, 1);
      },
    );
  },
});
