/**
 * Resolution and validation of {@link EmulatorOptions} into a complete configuration.
 *
 * @module
 */

import { stringViolations } from "./sts_model.ts";
import { parseRoleArn } from "./iam.ts";
import type {
  AccessKeyOption,
  ApprovalMode,
  EmulatorOptions,
  RefreshIdempotency,
  RoleOption,
} from "./types.ts";

/** Default login session ARN. */
export const DEFAULT_SESSION_ARN = "arn:aws:sts::123456789012:assumed-role/Admin/alice";

/** A configured role ({@link RoleOption}) with its defaults applied. */
export interface RoleConfig {
  readonly arn: string;
  readonly maxSessionDurationSeconds: number;
  readonly externalId: string | null;
  readonly mfa: { readonly serial: string; readonly code: string } | null;
  readonly deny: boolean;
}

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
  /** The roles `AssumeRole` knows, by ARN; `null`: any well-formed role ARN. */
  readonly roles: ReadonlyMap<string, RoleConfig> | null;
  /** Long-term access keys of IAM users, checked. */
  readonly accessKeys: readonly AccessKeyOption[];
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
    roles: options.roles === undefined ? null : resolveRoles(options.roles),
    accessKeys: resolveAccessKeys(options.accessKeys ?? []),
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

const ROLE_MEMBERS = [
  "arn",
  "maxSessionDurationSeconds",
  "externalId",
  "mfaSerial",
  "mfaCode",
  "deny",
];

function resolveRole(role: RoleOption): RoleConfig {
  const invalid = (why: string) =>
    new RangeError(`Invalid option "roles": ${JSON.stringify(role.arn)} ${why}`);
  if (typeof role !== "object" || role === null) {
    throw new TypeError('Invalid option "roles": every role must be an object');
  }
  const unknown = Object.keys(role).find((key) => !ROLE_MEMBERS.includes(key));
  if (unknown !== undefined) throw invalid(`has an unknown member "${unknown}"`);
  if (typeof role.arn !== "string" || parseRoleArn(role.arn) === null) {
    throw invalid("is not an IAM role ARN such as arn:aws:iam::123456789012:role/Name");
  }
  const max = role.maxSessionDurationSeconds ?? 3600;
  if (!Number.isSafeInteger(max) || max < 3600 || max > 43200) {
    throw invalid(`has maxSessionDurationSeconds ${max}, not 3600-43200`);
  }
  if (role.externalId !== undefined && stringViolations("ExternalId", role.externalId).length) {
    throw invalid("has an externalId no request could send (2-1224 characters of [\\w+=,.@:/-])");
  }
  if ((role.mfaSerial === undefined) !== (role.mfaCode === undefined)) {
    throw invalid("needs mfaSerial and mfaCode together");
  }
  if (role.mfaSerial !== undefined && stringViolations("SerialNumber", role.mfaSerial).length) {
    throw invalid("has an mfaSerial no request could send (9-256 characters of [\\w+=/:,.@-])");
  }
  if (role.mfaCode !== undefined && !/^\d{6}$/.test(role.mfaCode)) {
    throw invalid("has an mfaCode that is not 6 digits");
  }
  if (role.deny !== undefined && typeof role.deny !== "boolean") {
    throw invalid("has a deny that is not a boolean");
  }
  return {
    arn: role.arn,
    maxSessionDurationSeconds: max,
    externalId: role.externalId ?? null,
    mfa: role.mfaSerial === undefined || role.mfaCode === undefined
      ? null
      : { serial: role.mfaSerial, code: role.mfaCode },
    deny: role.deny ?? false,
  };
}

function resolveRoles(roles: readonly RoleOption[]): Map<string, RoleConfig> {
  if (!Array.isArray(roles)) throw new TypeError('Invalid option "roles": it is not an array');
  const resolved = new Map<string, RoleConfig>();
  for (const role of roles) {
    const config = resolveRole(role);
    if (resolved.has(config.arn)) {
      throw new RangeError(`Invalid option "roles": ${JSON.stringify(config.arn)} is given twice`);
    }
    resolved.set(config.arn, config);
  }
  return resolved;
}

const USER_ARN = /^arn:aws[a-z-]*:iam::\d{12}:user\/(?:[\x21-\x7E]+\/)?[\w+=,.@-]{1,64}$/;

function resolveAccessKeys(keys: readonly AccessKeyOption[]): AccessKeyOption[] {
  if (!Array.isArray(keys)) throw new TypeError('Invalid option "accessKeys": it is not an array');
  const seen = new Set<string>();
  return keys.map((key) => {
    const invalid = (why: string) =>
      new RangeError(`Invalid option "accessKeys": ${JSON.stringify(key?.accessKeyId)} ${why}`);
    if (typeof key !== "object" || key === null) {
      throw new TypeError('Invalid option "accessKeys": every key must be an object');
    }
    if (typeof key.userArn !== "string" || !USER_ARN.test(key.userArn)) {
      throw invalid("needs a userArn such as arn:aws:iam::123456789012:user/alice");
    }
    if (typeof key.accessKeyId !== "string" || !/^AKIA[A-Z0-9]{16}$/.test(key.accessKeyId)) {
      throw invalid("is not AKIA and 16 upper-case letters or digits");
    }
    if (typeof key.secretAccessKey !== "string" || key.secretAccessKey.length < 16) {
      throw invalid("needs a secretAccessKey of at least 16 characters");
    }
    if (seen.has(key.accessKeyId)) throw invalid("is given twice");
    seen.add(key.accessKeyId);
    return { ...key };
  });
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
