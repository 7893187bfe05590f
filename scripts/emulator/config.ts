/**
 * Resolution and validation of {@link EmulatorOptions} into a complete configuration.
 *
 * @module
 */

import type { ApprovalMode, EmulatorOptions, RefreshIdempotency } from "./types.ts";

/** Default login session ARN. */
export const DEFAULT_SESSION_ARN = "arn:aws:sts::123456789012:assumed-role/Admin/alice";

/** {@link EmulatorOptions} with every default applied. */
export interface EmulatorConfig {
  readonly regions: readonly string[];
  readonly approval: ApprovalMode;
  readonly sessionArn: string;
  readonly accountId: string;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly refreshIdempotency: RefreshIdempotency;
  readonly refreshIdempotencyWindowSeconds: number;
  readonly revokeAllowed: boolean;
  readonly authCodeTtlSeconds: number;
  readonly dpopIatWindowSeconds: number;
  readonly now: () => number;
  readonly port: number;
  readonly log: (line: string) => void;
  /** Public base URL of each region whose clients do not use the listener URL. */
  readonly publicUrls: ReadonlyMap<string, string>;
}

const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;
const ARN = /^arn:aws[a-z-]*:(sts|iam)::(\d{12}):.+$/;

/**
 * Whether `region` looks like an AWS region name such as `us-east-1` or `eusc-de-east-1`.
 *
 * @example
 * ```ts
 * isRegionName("us-east-1"); // true
 * ```
 */
export function isRegionName(region: string): boolean {
  return REGION.test(region);
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`Invalid option "${name}": ${value} is not a positive integer`);
  }
  return value;
}

/**
 * Applies defaults and validates options; throws `RangeError` or `TypeError` on bad values.
 *
 * @example
 * ```ts
 * resolveConfig({ regions: ["eu-west-1"] }).approval; // "auto"
 * ```
 */
export function resolveConfig(options: EmulatorOptions = {}): EmulatorConfig {
  const regions = options.regions ?? ["us-east-1"];
  if (regions.length === 0) throw new RangeError('Invalid option "regions": it is empty');
  for (const region of regions) {
    if (!isRegionName(region)) {
      throw new RangeError(`Invalid option "regions": "${region}" is not a region name`);
    }
  }
  if (new Set(regions).size !== regions.length) {
    throw new RangeError(`Invalid option "regions": ${JSON.stringify(regions)} has duplicates`);
  }
  const approval = options.approval ?? "auto";
  if (approval !== "auto" && approval !== "page") {
    throw new RangeError(`Invalid option "approval": "${approval}" is not "auto" or "page"`);
  }
  const sessionArn = options.sessionArn ?? DEFAULT_SESSION_ARN;
  const arnMatch = ARN.exec(sessionArn);
  if (arnMatch === null) {
    throw new RangeError(
      `Invalid option "sessionArn": "${sessionArn}" is not an IAM or STS ARN with a 12-digit account`,
    );
  }
  const accessTokenTtlSeconds = positiveInteger(
    "accessTokenTtlSeconds",
    options.accessTokenTtlSeconds,
    900,
  );
  const refreshIdempotency = options.refreshIdempotency ?? "window";
  if (refreshIdempotency !== "window" && refreshIdempotency !== "strict") {
    throw new RangeError(
      `Invalid option "refreshIdempotency": "${refreshIdempotency}" is not "window" or "strict"`,
    );
  }
  const refreshIdempotencyWindowSeconds = positiveInteger(
    "refreshIdempotencyWindowSeconds",
    options.refreshIdempotencyWindowSeconds,
    accessTokenTtlSeconds,
  );
  if (refreshIdempotencyWindowSeconds > accessTokenTtlSeconds) {
    throw new RangeError(
      `Invalid option "refreshIdempotencyWindowSeconds": ${refreshIdempotencyWindowSeconds} is longer than accessTokenTtlSeconds (${accessTokenTtlSeconds}), so a replay could hand out expired credentials`,
    );
  }
  if (options.revokeAllowed !== undefined && typeof options.revokeAllowed !== "boolean") {
    throw new TypeError(
      `Invalid option "revokeAllowed": ${options.revokeAllowed} is not a boolean`,
    );
  }
  const port = options.port ?? 0;
  if (!Number.isSafeInteger(port) || port < 0 || port + regions.length - 1 > 65535) {
    throw new RangeError(`Invalid option "port": ${port} is not a usable port`);
  }
  return {
    regions: [...regions],
    approval,
    sessionArn,
    accountId: arnMatch[2] ?? "",
    accessTokenTtlSeconds,
    refreshTokenTtlSeconds: positiveInteger(
      "refreshTokenTtlSeconds",
      options.refreshTokenTtlSeconds,
      43200,
    ),
    refreshIdempotency,
    refreshIdempotencyWindowSeconds,
    revokeAllowed: options.revokeAllowed ?? true,
    authCodeTtlSeconds: positiveInteger("authCodeTtlSeconds", options.authCodeTtlSeconds, 300),
    dpopIatWindowSeconds: positiveInteger(
      "dpopIatWindowSeconds",
      options.dpopIatWindowSeconds,
      300,
    ),
    now: options.now ?? (() => Date.now()),
    port,
    log: options.log ?? (() => {}),
    publicUrls: publicUrls(regions, options.publicUrlFor),
  };
}

function publicUrls(
  regions: readonly string[],
  publicUrlFor: ((region: string) => string) | undefined,
): Map<string, string> {
  const urls = new Map<string, string>();
  if (publicUrlFor === undefined) return urls;
  for (const region of regions) {
    const value = publicUrlFor(region);
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (url === undefined || !/^https?:$/.test(url.protocol) || url.origin !== value) {
      throw new RangeError(
        `Invalid option "publicUrlFor": "${value}" (region "${region}") is not an http(s) origin such as "https://${region}.signin.aws.amazon.com"`,
      );
    }
    urls.set(region, value);
  }
  return urls;
}
