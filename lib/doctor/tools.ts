/**
 * Which tools on this machine can read `login_session`, as pure decisions of what `detect.ts`
 * found (spec §11, §17):
 *
 * - The AWS CLI v2 reads it from 2.32.0 (where `aws login` came in), with the `awscrt` it ships.
 * - The AWS CLI v1 has no login support of its own, but resolves credentials through the botocore
 *   it runs on (botocore 1.43.11's chain has the login provider, `credentials.py`): so it reads
 *   `login_session` exactly when that botocore is 1.41 or later and `awscrt` (with
 *   `awscrt.crypto.EC`) is importable in its Python; otherwise it fails with "Missing Dependency"
 *   or finds no credentials.
 * - Python: botocore (and boto3) 1.41 or later, and `awscrt` with `awscrt.crypto.EC`: without it
 *   botocore raises `MissingDependencyException` instead of moving on.
 * - The AWS SDK for JavaScript v3: `@aws-sdk/credential-provider-login` (3.936.0 and later);
 *   from 3.972.92 it refreshes in the login region (`signInRegion`), before in the profile's.
 *
 * A tool that is not installed is fine. For each one that cannot read `login_session`, the fix
 * is the `credential_process` bridge (`lib/aws/advice.ts`).
 *
 * @module
 */

import { type Check, ok, warn } from "./checks.ts";
import { bridgeAdvice } from "../aws/advice.ts";

/** The first AWS CLI v2 that reads `login_session`. */
export const AWS_CLI_V2_LOGIN = "2.32.0";
/** The first botocore (and boto3) with the login credential provider. */
export const BOTOCORE_LOGIN = "1.41.0";
/** The first `@aws-sdk/credential-provider-login` that refreshes in the login region. */
export const JS_SIGN_IN_REGION = "3.972.92";

/**
 * Compares two dotted version numbers: negative, zero or positive.
 *
 * @example
 * ```ts
 * compareVersions("2.9.19", "2.32.0") < 0; // true
 * compareVersions("1.43.11", "1.41.0") > 0; // true
 * ```
 */
export function compareVersions(a: string, b: string): number {
  const left = a.split(".").map((part) => Number.parseInt(part, 10) || 0);
  const right = b.split(".").map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** What `aws --version` says. */
export interface AwsCliVersion {
  readonly version: string;
  /** The botocore of a v1 CLI (`botocore/1.43.11`); v2 vendors its own. */
  readonly botocore: string | undefined;
}

/**
 * Reads the output of `aws --version` (v1 printed it on stderr once; both streams are given).
 *
 * @example
 * ```ts
 * parseAwsVersion("aws-cli/1.45.11 Python/3.11.7 Linux/6.1 botocore/1.43.11");
 * // { version: "1.45.11", botocore: "1.43.11" }
 * parseAwsVersion("aws-cli/2.9.19 Python/3.11.2 Linux/6.1 source/x86_64.debian.12 prompt/off");
 * // { version: "2.9.19", botocore: undefined }
 * ```
 */
export function parseAwsVersion(text: string): AwsCliVersion | undefined {
  const match = /aws-cli\/(\d+\.\d+\.\d+)/.exec(text);
  if (match === null) return undefined;
  return { version: match[1]!, botocore: /botocore\/(\d+\.\d+\.\d+)/.exec(text)?.[1] };
}

/** What the Python probe reports. */
export interface PythonFacts {
  readonly python: string;
  readonly botocore: string | null;
  readonly boto3: string | null;
  /** The AWS CLI v1 package installed in this Python, if any. */
  readonly awscli: string | null;
  /** `ok`: `awscrt.crypto.EC` imports; `old`: awscrt without it; `missing`: no awscrt. */
  readonly awscrt: "ok" | "old" | "missing";
}

/** The Python interpreter found and what it said. */
export type PythonProbe =
  | { readonly kind: "not-installed" }
  | { readonly kind: "failed"; readonly path: string; readonly error: string }
  | { readonly kind: "probed"; readonly path: string; readonly facts: PythonFacts };

/** The `aws` on `PATH` and what it said. */
export type AwsCliProbe =
  | { readonly kind: "not-installed" }
  | { readonly kind: "failed"; readonly path: string; readonly error: string }
  | { readonly kind: "probed"; readonly path: string; readonly output: string };

const CRT_FIX = 'pip install "botocore[crt]"';

function why(awscrt: PythonFacts["awscrt"]): string {
  return awscrt === "old"
    ? "its awscrt is too old (no awscrt.crypto.EC)"
    : 'awscrt is not installed (it fails with "Missing Dependency: pip install botocore[crt]")';
}

/**
 * The AWS CLI check. For a v1 CLI, whether `awscrt` is in its Python is known when the Python
 * probe found the same awscli and botocore versions there (the same installation).
 *
 * @example
 * ```ts
 * awsCliCheck({ kind: "not-installed" }, { kind: "not-installed" }, "dev").status; // "ok"
 * ```
 */
export function awsCliCheck(aws: AwsCliProbe, python: PythonProbe, profile: string): Check {
  const id = "tools.aws-cli";
  const bridge = bridgeAdvice(profile);
  if (aws.kind === "not-installed") return ok(id, "AWS CLI: not installed");
  if (aws.kind === "failed") {
    return warn(id, `AWS CLI (${aws.path}): "aws --version" failed: ${aws.error}`, bridge);
  }
  const parsed = parseAwsVersion(aws.output);
  if (parsed === undefined) {
    return warn(id, `AWS CLI (${aws.path}): its version could not be read`, bridge);
  }
  const name = `AWS CLI ${parsed.version} (${aws.path})`;
  if (compareVersions(parsed.version, "2.0.0") >= 0) {
    if (compareVersions(parsed.version, AWS_CLI_V2_LOGIN) >= 0) {
      return ok(id, `${name} reads login_session`);
    }
    return warn(
      id,
      `${name} cannot read login_session: that needs ${AWS_CLI_V2_LOGIN} or later`,
      `upgrade it, or ${bridge}`,
    );
  }
  const botocore = parsed.botocore;
  if (botocore === undefined || compareVersions(botocore, BOTOCORE_LOGIN) < 0) {
    return warn(
      id,
      `${name} cannot read login_session: it runs on botocore ${
        botocore ?? "(unknown)"
      }, and only botocore ${BOTOCORE_LOGIN} or later with awscrt can`,
      `${bridge} (or install the AWS CLI v2, ${AWS_CLI_V2_LOGIN} or later)`,
    );
  }
  const same = python.kind === "probed" && python.facts.awscli === parsed.version &&
      python.facts.botocore === botocore
    ? python.facts
    : undefined;
  if (same === undefined) {
    return warn(
      id,
      `${name} reads login_session only if awscrt is installed in its Python (botocore ${botocore}), which could not be checked`,
      `if it fails with "Missing Dependency", ${bridge}`,
    );
  }
  if (same.awscrt === "ok") {
    return ok(id, `${name} reads login_session through botocore ${botocore} with awscrt`);
  }
  return warn(
    id,
    `${name} cannot read login_session: it runs on botocore ${botocore}, but ${why(same.awscrt)}`,
    `${CRT_FIX} where the AWS CLI is installed, or ${bridge}`,
  );
}

/**
 * The Python check: botocore/boto3 1.41 or later with `awscrt`.
 *
 * @example
 * ```ts
 * pythonCheck({ kind: "not-installed" }, "dev").message; // "Python: not installed"
 * ```
 */
export function pythonCheck(python: PythonProbe, profile: string): Check {
  const id = "tools.python";
  const bridge = bridgeAdvice(profile);
  if (python.kind === "not-installed") return ok(id, "Python: not installed");
  if (python.kind === "failed") {
    return warn(id, `Python (${python.path}) could not be asked: ${python.error}`, bridge);
  }
  const { facts } = python;
  const where = `Python ${facts.python} (${python.path})`;
  if (facts.botocore === null) return ok(id, `boto3 and botocore: not installed in ${where}`);
  const name = `${facts.boto3 === null ? "" : `boto3 ${facts.boto3}, `}botocore ${facts.botocore}`;
  if (compareVersions(facts.botocore, BOTOCORE_LOGIN) < 0) {
    return warn(
      id,
      `${name} in ${where} cannot read login_session: that needs ${BOTOCORE_LOGIN} or later with awscrt`,
      `pip install --upgrade boto3 "botocore[crt]", or ${bridge}`,
    );
  }
  if (facts.awscrt !== "ok") {
    return warn(
      id,
      `${name} in ${where} cannot read login_session: ${why(facts.awscrt)}`,
      `${CRT_FIX}, or ${bridge}`,
    );
  }
  return ok(id, `${name} in ${where} reads login_session (awscrt is installed)`);
}

/** An npm package found from the current directory. */
export interface FoundPackage {
  /** The package's directory. */
  readonly directory: string;
  readonly version: string;
}

/** What was found of the AWS SDK for JavaScript from the current directory. */
export interface JsSdkFacts {
  readonly cwd: string;
  /** `@aws-sdk/credential-provider-ini`, which reads profiles for the default chain. */
  readonly ini: FoundPackage | undefined;
  /** `@aws-sdk/credential-provider-login`, resolved from the ini provider (or the cwd). */
  readonly login: FoundPackage | undefined;
  /** The profile's `region` and the session's login region, for the refresh-region rule. */
  readonly profileRegion: string | undefined;
  readonly signInRegion: string | undefined;
}

/**
 * The JS SDK check: `@aws-sdk/credential-provider-login` resolvable from the current directory.
 *
 * @example
 * ```ts
 * jsSdkCheck({ cwd: "/p", ini: undefined, login: undefined, profileRegion: undefined,
 *   signInRegion: undefined }, "dev").status; // "ok"
 * ```
 */
export function jsSdkCheck(facts: JsSdkFacts, profile: string): Check {
  const id = "tools.js-sdk";
  const bridge = bridgeAdvice(profile);
  if (facts.login === undefined) {
    if (facts.ini === undefined) {
      return ok(id, `AWS SDK for JavaScript: not installed in ${facts.cwd} (or above it)`);
    }
    return warn(
      id,
      `The AWS SDK for JavaScript in ${facts.ini.directory} (credential-provider-ini ${facts.ini.version}) cannot read login_session: it has no @aws-sdk/credential-provider-login (3.936.0 or later)`,
      `upgrade the SDK (npm update @aws-sdk/credential-providers), or ${bridge}`,
    );
  }
  const name =
    `The AWS SDK for JavaScript (@aws-sdk/credential-provider-login ${facts.login.version} in ${facts.login.directory})`;
  if (compareVersions(facts.login.version, JS_SIGN_IN_REGION) >= 0) {
    return ok(id, `${name} reads login_session`);
  }
  if (
    facts.signInRegion !== undefined && facts.profileRegion !== undefined &&
    facts.signInRegion !== facts.profileRegion
  ) {
    return warn(
      id,
      `${name} reads login_session but refreshes in the profile's region ${facts.profileRegion}, not in the login region ${facts.signInRegion}: refreshes fail there (aws-cli #10613)`,
      `upgrade it to ${JS_SIGN_IN_REGION} or later, set region = ${facts.signInRegion} in the profile, or ${bridge}`,
    );
  }
  return ok(
    id,
    `${name} reads login_session (before ${JS_SIGN_IN_REGION} it refreshes in the profile's region)`,
  );
}
