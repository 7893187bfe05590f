/**
 * Getting a signed-in sandbox for tests of what comes after `login`: the real CLI signs in against
 * the emulator with the fake browser.
 *
 * @module
 */

import { type CliResult, runCli, type Sandbox } from "./cli.ts";
import { fakeBrowserEnv, sha256Hex } from "./e2e.ts";
import type { Emulator } from "../../scripts/emulator/mod.ts";

/** Options of {@link signIn}. */
export interface SignInOptions {
  profile?: string;
  region?: string;
  /** Base URL of the Sign-In endpoint; default the emulator's first region. */
  endpoint?: string;
  /** Extra environment for the login process. */
  env?: Record<string, string>;
}

/** A session created by {@link signIn}. */
export interface SignedIn {
  readonly result: CliResult;
  /** The cache file. */
  readonly path: string;
  readonly entry: Record<string, unknown>;
  /** The login session ARN. */
  readonly loginSession: string;
}

/** Runs `aws-login login` in the sandbox and returns the cache file it wrote (others may exist). */
export async function signIn(
  emulator: Emulator,
  box: Sandbox,
  options: SignInOptions = {},
): Promise<SignedIn> {
  const args = [
    "login",
    "--profile",
    options.profile ?? "default",
    "--region",
    options.region ?? "us-east-1",
  ];
  const result = await runCli(args, {
    env: await box.env({
      AWS_ENDPOINT_URL_SIGNIN: options.endpoint ?? emulator.url,
      ...(await fakeBrowserEnv()),
      ...(options.env ?? {}),
    }),
  });
  if (result.code !== 0) throw new Error(`login failed (${result.code}):\n${result.stderr}`);
  const loginSession = result.stderr.match(/Updated profile \S+ to use (\S+) credentials/)?.[1];
  if (loginSession === undefined) throw new Error(`login named no session:\n${result.stderr}`);
  const path = `${box.cacheDir}/${await sha256Hex(loginSession)}.json`;
  return { result, path, entry: JSON.parse(await Deno.readTextFile(path)), loginSession };
}

/**
 * Rewrites the cache file's `expiresAt` so that the credentials have `secondsLeft` seconds left
 * (negative: expired), as if time had passed. Keeps the rest of the file as it is.
 */
export async function setSecondsLeft(path: string, secondsLeft: number): Promise<void> {
  const entry = JSON.parse(await Deno.readTextFile(path));
  entry.accessToken.expiresAt = new Date(Date.now() + secondsLeft * 1000).toISOString().replace(
    /\.\d{3}Z$/,
    "Z",
  );
  await Deno.writeTextFile(path, JSON.stringify(entry));
}

/**
 * Empties the note a failed refresh leaves in the lock file, as if the `FAILURE_MEMORY_MS` after it
 * had passed: the next caller runs its own retry cycle again.
 */
export async function forgetFailures(path: string): Promise<void> {
  await Deno.writeTextFile(`${path}.lock`, "").catch(() => {});
}
