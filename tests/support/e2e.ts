/**
 * Shared pieces of the end-to-end tests: the fake browser command, cache inspection, the
 * "nothing changed" snapshot, a time limit on a promise, and the output of `--format process`.
 *
 * @module
 */

import { assertEquals } from "./assert.ts";
import { cacheDir, type CliResult } from "./cli.ts";
import { repoPath } from "./paths.ts";

const FAKE_BROWSER = repoPath("scripts/fake_browser.ts");

/** A `BROWSER` value that runs the fake browser (`%s` is the URL). */
export function fakeBrowserCommand(): string {
  return `${Deno.execPath()} run --allow-all --quiet ${FAKE_BROWSER} %s`;
}

/** The environment that makes the fake browser follow the flow, optionally logging URLs. */
export async function fakeBrowserEnv(
  options: { mode?: "follow" | "record" | "fail"; log?: string } = {},
): Promise<Record<string, string>> {
  return {
    BROWSER: fakeBrowserCommand(),
    DENO_DIR: await cacheDir(),
    FAKE_BROWSER_MODE: options.mode ?? "follow",
    ...(options.log ? { FAKE_BROWSER_LOG: options.log } : {}),
  };
}

/**
 * Every file under a directory with its text and mode, for "exactly as they were" checks. Lock
 * files (`*.lock`) are left out: aws-login creates them beside the files it locks and never deletes
 * them (another process may be waiting on one), and they hold no data of the user's.
 */
export async function snapshotTree(root: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  async function walk(dir: string): Promise<void> {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(dir));
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const path = `${dir}/${entry.name}`;
      if (entry.isFile && entry.name.endsWith(".lock")) continue;
      const info = await Deno.lstat(path);
      const mode = info.mode === null ? "" : ` ${(info.mode & 0o777).toString(8)}`;
      if (entry.isDirectory) {
        result[`${path.slice(root.length)}/`] = `dir${mode}`;
        await walk(path);
      } else {
        result[path.slice(root.length)] = `${mode} ${await Deno.readTextFile(path).catch(() =>
          "?"
        )}`;
      }
    }
  }
  await walk(root);
  return result;
}

/** The single cache file of a sandbox, parsed, with its path. */
export async function onlyCacheFile(
  dir: string,
): Promise<{ path: string; name: string; entry: Record<string, unknown> }> {
  const names = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).filter((n) =>
    n.endsWith(".json")
  );
  if (names.length !== 1) {
    throw new Error(`Expected one cache file in ${dir}, found ${names.join(", ")}`);
  }
  const path = `${dir}/${names[0]}`;
  return { path, name: names[0]!, entry: JSON.parse(await Deno.readTextFile(path)) };
}

/** sha256 hex of text. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Fails instead of hanging when a promise does not settle within `ms`. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The JSON of a successful `export-credentials --format process`. */
export function processJson(result: CliResult): Record<string, string | number> {
  assertEquals(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
}
