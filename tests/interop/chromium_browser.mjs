/**
 * A real browser for the browser test: a `BROWSER` program that opens the authorization URL in
 * Debian's chromium (headless, driven by playwright-core), clicks the emulator's approve or deny
 * button, and waits until aws-login's loopback listener has shown its final page.
 *
 * Usage: `BROWSER="node /abs/path/tests/interop/chromium_browser.mjs %s"`. Environment:
 * - `CHROMIUM_BROWSER_DIR` (required): an empty directory of the test's. The browser profile and
 *   chromium's home go there, and so do `started.json` (`{ pid }`, written first, so that the test
 *   can stop this process) and `result.json` (written last, see {@link Result}).
 * - `CHROMIUM_BROWSER_ACTION`: `approve` (default) or `deny`: the button to click.
 * - `CHROMIUM_BROWSER_SCREENSHOT`: a PNG path for a screenshot of the final page.
 * - `CHROMIUM_EXECUTABLE`: default `/usr/bin/chromium`.
 * - `CHROMIUM_BROWSER_TIMEOUT_MS`: how long each browser step may take; default 60000.
 *
 * aws-login treats a `BROWSER` command still running after 5 s as an opened browser and may exit
 * before this one does, closing its stdout and stderr: so this program reports through files only.
 *
 * @module
 */

import { mkdir, rename, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";

// Loaded with require(), not import: `deno check`, part of the project's gate, would try to
// resolve a static import of this folder's npm package, which is not a Deno dependency.
const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");

/**
 * What `result.json` holds.
 *
 * @typedef {object} Result
 * @property {boolean} ok whether every step worked and the final page showed the expected heading
 * @property {string} action `approve` or `deny`
 * @property {string} [consentSession] the session ARN the consent page showed
 * @property {string} [callbackUrl] the final address (`http://127.0.0.1:PORT/oauth/callback?...`)
 * @property {number} [callbackStatus] the HTTP status of the final page
 * @property {string} [heading] the final page's `h1`
 * @property {string} [text] the final page's text
 * @property {string} [error] what failed
 */

const CALLBACK = /^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback\?/;

const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

// Writes to a closed pipe must not end the process once aws-login has exited.
process.stdout.on("error", () => {});
process.stderr.on("error", () => {});

/**
 * Drives the browser through the consent page, filling `result` as it goes.
 *
 * @param {string} url the authorization URL
 * @param {string} dir the work directory
 * @param {Result} result
 * @returns {Promise<void>}
 */
async function browse(url, dir, result) {
  const timeout = Number(process.env.CHROMIUM_BROWSER_TIMEOUT_MS ?? "60000");
  const home = join(dir, "home");
  await mkdir(home, { recursive: true });
  const context = await chromium.launchPersistentContext(join(dir, "profile"), {
    executablePath: process.env.CHROMIUM_EXECUTABLE ?? "/usr/bin/chromium",
    headless: true,
    args: ARGS,
    timeout,
    // Keep chromium's own files out of the sandbox home the test inspects.
    env: {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: join(home, ".config"),
      XDG_CACHE_HOME: join(home, ".cache"),
    },
  });
  try {
    context.setDefaultTimeout(timeout);
    context.setDefaultNavigationTimeout(timeout);
    const page = context.pages()[0] ?? await context.newPage();
    let callbackStatus;
    page.on("response", (response) => {
      if (CALLBACK.test(response.url())) callbackStatus = response.status();
    });
    await page.goto(url, { waitUntil: "load" });
    result.consentSession = (await page.locator("#session-arn").textContent())
      ?.trim();
    await page.locator(`#${result.action}`).click();
    await page.waitForURL(CALLBACK, { waitUntil: "load" });
    result.callbackUrl = page.url();
    const expected = result.action === "approve" ? "Signed in to AWS" : "Sign-in failed";
    await page.getByRole("heading", { name: expected }).waitFor();
    result.callbackStatus = callbackStatus;
    result.heading = (await page.locator("h1").textContent())?.trim();
    result.text = (await page.locator("body").innerText()).trim();
    const screenshot = process.env.CHROMIUM_BROWSER_SCREENSHOT;
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    result.ok = true;
  } finally {
    await context.close();
  }
}

const url = process.argv[2];
const dir = process.env.CHROMIUM_BROWSER_DIR;
if (!url || !dir) {
  process.stderr.write(
    "usage: CHROMIUM_BROWSER_DIR=DIR node chromium_browser.mjs URL\n",
  );
  process.exit(2);
}
await writeFile(
  join(dir, "started.json"),
  JSON.stringify({ pid: process.pid }),
);
/** @type {Result} */
const result = {
  ok: false,
  action: process.env.CHROMIUM_BROWSER_ACTION ?? "approve",
};
try {
  if (result.action !== "approve" && result.action !== "deny") {
    throw new TypeError(
      `CHROMIUM_BROWSER_ACTION is "${result.action}", not "approve" or "deny"`,
    );
  }
  await browse(url, dir, result);
} catch (error) {
  result.error = error instanceof Error ? error.stack ?? error.message : String(error);
}
// Renamed into place, so that the test never reads half a file.
await writeFile(join(dir, "result.json.tmp"), JSON.stringify(result, null, 2));
await rename(join(dir, "result.json.tmp"), join(dir, "result.json"));
process.exitCode = result.ok ? 0 : 1;
