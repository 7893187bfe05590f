// deno-lint-ignore-file no-console
/**
 * `deno task emulator`: runs the AWS Sign-In + STS emulator until Ctrl-C. Everything it prints
 * goes to stderr.
 *
 * @module
 */

import { banner, parseEmulatorArgs, USAGE, UsageError } from "./emulator/args.ts";
import { DEFAULT_SESSION_ARN, startEmulator } from "./emulator/mod.ts";

function waitForStopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
    for (const signal of signals) Deno.addSignalListener(signal, () => resolve(signal));
  });
}

/** Runs the emulator command and returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  let command;
  try {
    command = parseEmulatorArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`emulator: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (command.kind === "help") {
    console.error(USAGE);
    return 0;
  }
  const { options } = command;
  let emulator;
  try {
    emulator = await startEmulator({ ...options, log: (line) => console.error(line) });
  } catch (error) {
    console.error(`emulator: Cannot start: ${error instanceof Error ? error.message : error}`);
    return 1;
  }
  const urls = Object.fromEntries(
    options.regions.map((region) => [region, emulator.urlFor(region)]),
  );
  console.error(banner(urls, {
    approval: options.approval ?? "page",
    refreshIdempotency: options.refreshIdempotency ?? "window",
    sessionArn: options.sessionArn ?? DEFAULT_SESSION_ARN,
  }));
  const signal = await waitForStopSignal();
  console.error(`emulator: ${signal} received, stopping`);
  await emulator.close();
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
