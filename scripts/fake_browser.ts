/**
 * A fake browser for end-to-end tests, the demo and release smoke tests: a `BROWSER` program that really follows the authorization
 * redirect into the real loopback listener, like a browser whose user is already signed in.
 *
 * Usage: `BROWSER="deno run -A scripts/fake_browser.ts %s"`. Environment:
 * - `FAKE_BROWSER_LOG`: a file the URL it was given is appended to (one per line).
 * - `FAKE_BROWSER_MODE`: `follow` (default) follows every redirect and loads the final page;
 *   `record` only logs the URL and exits 0 (the test drives the callback itself);
 *   `fail` exits 1 (a launcher that cannot open anything).
 *
 * @module
 */

// deno-lint-ignore-file no-console

const url = Deno.args[0];
const log = Deno.env.get("FAKE_BROWSER_LOG");
const mode = Deno.env.get("FAKE_BROWSER_MODE") ?? "follow";

if (url === undefined) {
  console.error("fake browser: no URL");
  Deno.exit(2);
}
if (log) await Deno.writeTextFile(log, url + "\n", { append: true });
if (mode === "fail") Deno.exit(1);
if (mode === "record") Deno.exit(0);

let next = url;
for (let hop = 0; hop < 10; hop++) {
  const response = await fetch(next, { redirect: "manual" });
  const location = response.headers.get("location");
  await response.body?.cancel();
  if (response.status >= 300 && response.status < 400 && location) {
    next = new URL(location, next).href;
    continue;
  }
  console.error(`fake browser: ${response.status} ${next}`);
  Deno.exit(response.ok ? 0 : 1);
}
console.error("fake browser: too many redirects");
Deno.exit(1);
