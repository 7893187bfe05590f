/**
 * Command-line arguments of `deno task emulator`, parsed by a pure function.
 *
 * @module
 */

import { DEFAULT_SESSION_ARN, isRegionName } from "./config.ts";
import type { EmulatorOptions, RefreshIdempotency } from "./types.ts";

/** Port of the first region when `--port` is not given: fixed, so the printed variables stay valid. */
export const DEFAULT_CLI_PORT = 8787;

/** A mistake in the command line (exit code 2). */
export class UsageError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** What the command line asks for. */
export type EmulatorCommand =
  | { kind: "help" }
  | { kind: "run"; options: EmulatorOptions & { port: number; regions: string[] } };

/** Help text of the emulator command. */
export const USAGE = `Usage: deno task emulator [options]

Runs an AWS Sign-In + STS emulator on 127.0.0.1 for aws-login (and AWS SDKs) to sign in against:
/v1/authorize, /v1/token, /v1/revoke (RevokeOAuth2TokenWithIAM, SigV4) and STS at /
(GetCallerIdentity, AssumeRole: any well-formed role ARN), one listener per region.

Options:
  --port N            Port of the first region (default ${DEFAULT_CLI_PORT}; 0 picks free ports).
                      Further regions listen on N+1, N+2, ...
  --region R          Region to serve; repeat it or give a comma list (default us-east-1)
  --approval MODE     "page": the authorize URL shows Allow/Deny buttons (default);
                      "auto": it redirects at once, as tests want
  --session-arn ARN   Login session to sign in (default ${DEFAULT_SESSION_ARN})
  --refresh-idempotency MODE
                      "window": a refresh retried with the rotated-out token gets the same
                      tokens again while the new token is unused (default, as the service
                      model says); "strict": a rotated-out token is refused at once
  -h, --help          Show this help
`;

function takeValue(args: readonly string[], index: number, flag: string): [string, number] {
  const arg = args[index] ?? "";
  const equals = arg.indexOf("=");
  if (equals !== -1) return [arg.slice(equals + 1), index];
  const value = args[index + 1];
  if (value === undefined || value.startsWith("--")) {
    throw new UsageError(`Option "${flag}" needs a value`);
  }
  return [value, index + 1];
}

/**
 * Parses the emulator's arguments; throws {@link UsageError} on a mistake.
 *
 * @example
 * ```ts
 * parseEmulatorArgs(["--region", "us-east-1,eu-west-1", "--approval=auto"]);
 * ```
 */
export function parseEmulatorArgs(args: readonly string[]): EmulatorCommand {
  let port = DEFAULT_CLI_PORT;
  const regions: string[] = [];
  let approval: "auto" | "page" = "page";
  let sessionArn: string | undefined;
  let refreshIdempotency: RefreshIdempotency | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    const flag = arg.includes("=") ? arg.slice(0, arg.indexOf("=")) : arg;
    switch (flag) {
      case "-h":
      case "--help":
        return { kind: "help" };
      case "--port": {
        const [value, next] = takeValue(args, i, flag);
        i = next;
        if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
          throw new UsageError(`Option "--port" must be a port number 0-65535, got "${value}"`);
        }
        port = Number(value);
        break;
      }
      case "--region": {
        const [value, next] = takeValue(args, i, flag);
        i = next;
        for (const region of value.split(",").map((part) => part.trim())) {
          if (!isRegionName(region)) {
            throw new UsageError(`Option "--region": "${region}" is not a region name`);
          }
          if (regions.includes(region)) {
            throw new UsageError(`Option "--region": "${region}" is given twice`);
          }
          regions.push(region);
        }
        break;
      }
      case "--approval": {
        const [value, next] = takeValue(args, i, flag);
        i = next;
        if (value !== "auto" && value !== "page") {
          throw new UsageError(`Option "--approval" must be "auto" or "page", got "${value}"`);
        }
        approval = value;
        break;
      }
      case "--session-arn": {
        const [value, next] = takeValue(args, i, flag);
        i = next;
        sessionArn = value;
        break;
      }
      case "--refresh-idempotency": {
        const [value, next] = takeValue(args, i, flag);
        i = next;
        if (value !== "window" && value !== "strict") {
          throw new UsageError(
            `Option "--refresh-idempotency" must be "window" or "strict", got "${value}"`,
          );
        }
        refreshIdempotency = value;
        break;
      }
      default:
        throw new UsageError(`Unknown argument "${arg}"`);
    }
  }
  if (regions.length === 0) regions.push("us-east-1");
  if (port !== 0 && port + regions.length - 1 > 65535) {
    throw new UsageError(`Option "--port": ${port} leaves no room for ${regions.length} regions`);
  }
  return {
    kind: "run",
    options: {
      port,
      regions,
      approval,
      ...(sessionArn === undefined ? {} : { sessionArn }),
      ...(refreshIdempotency === undefined ? {} : { refreshIdempotency }),
    },
  };
}

/**
 * The banner printed when the emulator is up: URLs per region and how to point clients at it.
 *
 * @example
 * ```ts
 * banner({ "us-east-1": "http://127.0.0.1:8787" }, {
 *   approval: "page",
 *   refreshIdempotency: "window",
 *   sessionArn: "arn:...",
 * });
 * ```
 */
export function banner(
  urls: Readonly<Record<string, string>>,
  info: { approval: string; refreshIdempotency: string; sessionArn: string },
): string {
  const entries = Object.entries(urls);
  const [firstRegion = "", firstUrl = ""] = entries[0] ?? [];
  const width = Math.max(...entries.map(([region]) => region.length));
  const lines = [
    `AWS Sign-In + STS emulator (approval: ${info.approval}, refresh idempotency: ${info.refreshIdempotency}), signing in ${info.sessionArn}`,
    ...entries.map(([region, url]) => `  ${region.padEnd(width)}  ${url}`),
    "",
    "Point aws-login (or an AWS SDK) at it:",
    `  export AWS_REGION=${firstRegion}`,
    `  export AWS_ENDPOINT_URL_SIGNIN=${firstUrl}`,
    `  export AWS_ENDPOINT_URL_STS=${firstUrl}`,
  ];
  if (entries.length > 1) {
    lines.push(
      "For another region use its URL in both variables: refresh tokens only work in their region.",
    );
  }
  lines.push(`Counters: curl ${firstUrl}/_emulator/state`, "Press Ctrl-C to stop.", "");
  return lines.join("\n");
}
