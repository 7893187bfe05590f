/**
 * IAM principals as the emulator needs them: the parts of an ARN and of a role ARN, whether a
 * caller is an assumed role (which limits role chaining), and the wording of an IAM authorization
 * failure.
 *
 * @module
 */

/** The fields of an ARN `arn:partition:service:region:account:resource`. */
export interface ArnParts {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

/**
 * Splits an ARN into its six fields (the resource may contain `:`), or `null`.
 *
 * @example
 * ```ts
 * parseArn("arn:aws:iam::123456789012:role/Admin")?.account; // "123456789012"
 * ```
 */
export function parseArn(arn: string): ArnParts | null {
  const parts = arn.split(":");
  if (parts.length < 6 || parts[0] !== "arn") return null;
  const [, partition = "", service = "", region = "", account = ""] = parts;
  return { partition, service, region, account, resource: parts.slice(5).join(":") };
}

/** The parts of an IAM role ARN. */
export interface RoleArnParts {
  readonly partition: string;
  readonly account: string;
  /** The role name: the last segment after `role/` (the path is not part of session ARNs). */
  readonly name: string;
}

/** `arn:<partition>:iam::<12 digits>:role/<path/><name>`, IAM's path and name characters. */
const ROLE_ARN =
  /^arn:(aws(?:-[a-z]+)*):iam::(\d{12}):role\/(?:[\x21-\x7E]+\/)?([\w+=,.@-]{1,64})$/;

/**
 * Parses an IAM role ARN, or returns `null` for anything else (a user, an assumed-role session,
 * a region in the ARN, a malformed account).
 *
 * @example
 * ```ts
 * parseRoleArn("arn:aws:iam::123456789012:role/ops/Deploy")?.name; // "Deploy"
 * ```
 */
export function parseRoleArn(arn: string): RoleArnParts | null {
  const match = ROLE_ARN.exec(arn);
  if (match === null) return null;
  return { partition: match[1] ?? "", account: match[2] ?? "", name: match[3] ?? "" };
}

/**
 * Whether the principal is an assumed-role session
 * (`arn:<partition>:sts::<account>:assumed-role/<role>/<session>`), whose credentials make a
 * further `AssumeRole` role chaining.
 *
 * @example
 * ```ts
 * isAssumedRoleArn("arn:aws:sts::123456789012:assumed-role/Admin/alice"); // true
 * isAssumedRoleArn("arn:aws:iam::123456789012:user/alice"); // false
 * ```
 */
export function isAssumedRoleArn(arn: string): boolean {
  const parts = parseArn(arn);
  return parts !== null && parts.service === "sts" && parts.resource.startsWith("assumed-role/");
}

/**
 * The message of an IAM authorization failure, in AWS's wording.
 *
 * @example
 * ```ts
 * notAuthorizedMessage("arn:aws:iam::123456789012:user/bob", "sts:AssumeRole", "arn:aws:iam::123456789012:role/R");
 * // "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/R"
 * ```
 */
export function notAuthorizedMessage(caller: string, action: string, resource: string): string {
  return `User: ${caller} is not authorized to perform: ${action} on resource: ${resource}`;
}
