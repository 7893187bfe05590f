/**
 * The member constraints of STS `AssumeRole`'s string parameters, as the STS model writes them
 * (botocore 1.43.11 `sts/2011-06-15/service-2.json`), and the violations of one value in AWS's
 * wording. Shared by the `AssumeRole` handler and the emulator's role configuration, which
 * refuses an external id or MFA serial that no request could match.
 *
 * @module
 */

/** A string member's constraints: length in UTF-16 code units, pattern matched whole. */
interface StringConstraint {
  /** The member's name in validation messages (AWS writes it in camelCase). */
  readonly member: string;
  readonly min: number;
  readonly max?: number;
  readonly pattern: RegExp;
  /** The pattern as the model (and AWS's message) writes it. */
  readonly patternText: string;
}

/** The `AssumeRole` string members the emulator checks, in the model's member order. */
export const STRING_MEMBERS = {
  RoleArn: {
    member: "roleArn",
    min: 20,
    max: 2048,
    pattern: /^[\t\n\r\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]+$/u,
    patternText:
      "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+",
  },
  RoleSessionName: {
    member: "roleSessionName",
    min: 2,
    max: 64,
    pattern: /^[\w+=,.@-]*$/,
    patternText: "[\\w+=,.@-]*",
  },
  Policy: {
    member: "policy",
    min: 1,
    pattern: /^[\t\n\r\u0020-\u00FF]+$/,
    patternText: "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+",
  },
  ExternalId: {
    member: "externalId",
    min: 2,
    max: 1224,
    pattern: /^[\w+=,.@:/-]*$/,
    patternText: "[\\w+=,.@:\\/-]*",
  },
  SerialNumber: {
    member: "serialNumber",
    min: 9,
    max: 256,
    pattern: /^[\w+=/:,.@-]*$/,
    patternText: "[\\w+=/:,.@-]*",
  },
  TokenCode: {
    member: "tokenCode",
    min: 6,
    max: 6,
    pattern: /^\d*$/,
    patternText: "[\\d]*",
  },
  SourceIdentity: {
    member: "sourceIdentity",
    min: 2,
    max: 64,
    pattern: /^[\w+=,.@-]*$/,
    patternText: "[\\w+=,.@-]*",
  },
} as const satisfies Record<string, StringConstraint>;

/** A checked `AssumeRole` string member. */
export type StringMember = keyof typeof STRING_MEMBERS;

/**
 * The constraint violations of one string member, each in AWS's wording
 * (`Value '…' at 'roleSessionName' failed to satisfy constraint: Member must …`).
 *
 * @example
 * ```ts
 * stringViolations("RoleSessionName", "a b");
 * // ["Value 'a b' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"]
 * ```
 */
export function stringViolations(name: StringMember, value: string): string[] {
  const constraint: StringConstraint = STRING_MEMBERS[name];
  const at = `Value '${value}' at '${constraint.member}' failed to satisfy constraint: Member must`;
  const violations: string[] = [];
  if (value.length < constraint.min) {
    violations.push(`${at} have length greater than or equal to ${constraint.min}`);
  }
  if (constraint.max !== undefined && value.length > constraint.max) {
    violations.push(`${at} have length less than or equal to ${constraint.max}`);
  }
  if (!constraint.pattern.test(value)) {
    violations.push(`${at} satisfy regular expression pattern: ${constraint.patternText}`);
  }
  return violations;
}
