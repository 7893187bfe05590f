/**
 * The real clients the interop tests drive (python3 with boto3, the AWS CLI, the Node packages of
 * this directory): each test first checks they are there, and fails saying what to install when
 * one is missing. The programs are asked once per test process.
 *
 * @module
 */

import { type CliResult, runProgram } from "../support/cli.ts";
import { localPath } from "../support/paths.ts";

/** The Node packages of the interop tests (`npm ci --prefix tests/interop`). */
export const NODE_MODULES: string = localPath(
  new URL("./node_modules/", import.meta.url),
);

/** Generous: a client starts `deno run main.ts`, Python or Node, on a small, busy machine. */
export const CLIENT_TIMEOUT_MS = 180_000;

/** Fails with a clear message when a program the tests need is missing; returns its output. */
export async function requireTool(
  argv: string[],
  what: string,
): Promise<string> {
  const env = { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" };
  const command = `"${argv.join(" ")}"`;
  let result: CliResult;
  try {
    result = await runProgram(argv, { env, timeoutMs: CLIENT_TIMEOUT_MS });
  } catch (error) {
    throw new Error(`These tests need ${what}; ${command} failed: ${error}`);
  }
  if (result.code !== 0) {
    throw new Error(
      `These tests need ${what}; ${command} exited ${result.code}:\n${result.stderr}`,
    );
  }
  return (result.stdout + result.stderr).trim();
}

let pythonTools: Promise<string> | undefined;

/** Checks for python3 with boto3 and for `aws`, once; resolves with e.g. `aws-cli/1.45.11`. */
export function requirePythonTools(): Promise<string> {
  pythonTools ??= (async () => {
    await requireTool(
      ["python3", "-c", "import boto3, botocore"],
      "python3 with boto3",
    );
    const version = await requireTool(
      ["aws", "--version"],
      "the AWS CLI (aws)",
    );
    return version.split(/\s+/)[0]!;
  })();
  return pythonTools;
}

/** Fails with what to run when a Node package of the interop tests is not installed. */
export async function requireNodeModules(
  names: readonly string[] = [
    "@aws-sdk/credential-providers",
    "@aws-sdk/client-sts",
  ],
): Promise<void> {
  for (const name of names) {
    try {
      await Deno.stat(`${NODE_MODULES}${name}/package.json`);
    } catch {
      throw new Error(
        `The Node packages of the interop tests are not installed ("${NODE_MODULES}${name}" is missing): run "npm ci --prefix tests/interop"`,
      );
    }
  }
}
