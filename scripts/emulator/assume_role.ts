/**
 * STS `AssumeRole` (query protocol): the request checked against the STS model's member
 * constraints (botocore 1.43.11 `sts/2011-06-15/service-2.json`), the role against the configured
 * roles (trust: `ExternalId`, MFA, deny), the duration against the role's MaxSessionDuration and
 * the one-hour limit of role chaining, then new credentials for
 * `arn:<partition>:sts::<role account>:assumed-role/<role name>/<session name>`, stored like a
 * login's so that they sign STS requests (and further `AssumeRole` calls) until they expire.
 *
 * Order of checks, as AWS answers them: member constraints (`ValidationError`, every violation
 * in one message), the role ARN's form (`ValidationError` "… is invalid"), authorization
 * (`AccessDenied`), then the duration limits (`ValidationError`). Parameters outside the model
 * are ignored, as `GetCallerIdentity` ignores them; `PolicyArns`, `Tags`, `TransitiveTagKeys`
 * and `ProvidedContexts` are accepted without checks.
 *
 * @module
 */

import type { ListenerContext } from "./context.ts";
import { userIdFor } from "./ids.ts";
import { isAssumedRoleArn, notAuthorizedMessage, parseRoleArn } from "./iam.ts";
import type { IssuedCredentials } from "./store.ts";
import { escapeXml, STS_NAMESPACE, stsError, xmlResponse } from "./sts_xml.ts";
import { STRING_MEMBERS, type StringMember, stringViolations } from "./sts_model.ts";

/** The IAM action of `AssumeRole`. */
export const ASSUME_ROLE_ACTION = "sts:AssumeRole";

/** `DurationSeconds` when the request has none. */
export const DEFAULT_DURATION_SECONDS = 3600;

/** The longest session role chaining allows, whatever the role's MaxSessionDuration. */
export const ROLE_CHAINING_MAX_SECONDS = 3600;

/** MaxSessionDuration of any role when no roles are configured. */
export const OPEN_ROLE_MAX_SECONDS = 43200;

const REQUIRED: readonly StringMember[] = ["RoleArn", "RoleSessionName"];
const DURATION = { member: "durationSeconds", min: 900, max: 43200 };

function validationMessage(violations: readonly string[]): string {
  const count = violations.length;
  return `${count} validation error${count === 1 ? "" : "s"} detected: ${violations.join("; ")}`;
}

/** A request that satisfies the model. */
interface AssumeRoleRequest {
  roleArn: string;
  roleSessionName: string;
  /** `null` when the request has none. */
  durationSeconds: number | null;
  externalId: string | undefined;
  serialNumber: string | undefined;
  tokenCode: string | undefined;
  policy: string | undefined;
  sourceIdentity: string | undefined;
}

/** Checks the members against the model; returns the request or every violation. */
function checkMembers(parameters: ReadonlyMap<string, string>): AssumeRoleRequest | string[] {
  const violations: string[] = [];
  for (const name of Object.keys(STRING_MEMBERS) as StringMember[]) {
    const value = parameters.get(name);
    if (value === undefined) {
      if (REQUIRED.includes(name)) {
        violations.push(
          `Value null at '${
            STRING_MEMBERS[name].member
          }' failed to satisfy constraint: Member must not be null`,
        );
      }
      continue;
    }
    violations.push(...stringViolations(name, value));
  }
  const duration = parameters.get("DurationSeconds");
  let durationSeconds: number | null = null;
  if (duration !== undefined) {
    const at = `Value '${duration}' at '${DURATION.member}' failed to satisfy constraint: Member`;
    if (!/^-?\d{1,10}$/.test(duration)) {
      // How STS words a DurationSeconds that is not a number is UNVERIFIED.
      violations.push(`${at} must be an integer`);
    } else {
      durationSeconds = Number(duration);
      if (durationSeconds < DURATION.min) {
        violations.push(`${at} must have value greater than or equal to ${DURATION.min}`);
      } else if (durationSeconds > DURATION.max) {
        violations.push(`${at} must have value less than or equal to ${DURATION.max}`);
      }
    }
  }
  if (violations.length > 0) return violations;
  return {
    roleArn: parameters.get("RoleArn") ?? "",
    roleSessionName: parameters.get("RoleSessionName") ?? "",
    durationSeconds,
    externalId: parameters.get("ExternalId"),
    serialNumber: parameters.get("SerialNumber"),
    tokenCode: parameters.get("TokenCode"),
    policy: parameters.get("Policy"),
    sourceIdentity: parameters.get("SourceIdentity"),
  };
}

/** Why a role may not be assumed, or `null` when it may. */
function denial(
  context: ListenerContext,
  request: AssumeRoleRequest,
  caller: string,
): string | null {
  const notAuthorized = notAuthorizedMessage(caller, ASSUME_ROLE_ACTION, request.roleArn);
  const roles = context.config.roles;
  if (roles === null) return null;
  const role = roles.get(request.roleArn);
  if (role === undefined || role.deny) return notAuthorized;
  if (role.externalId !== null && request.externalId !== role.externalId) return notAuthorized;
  if (role.mfa !== null) {
    // Without MFA the trust policy's condition fails like any other; with MFA the device is
    // checked first, then the code (AWS's wording for both).
    if (request.serialNumber === undefined || request.tokenCode === undefined) {
      return notAuthorized;
    }
    if (request.serialNumber !== role.mfa.serial) {
      return "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.";
    }
    if (request.tokenCode !== role.mfa.code) {
      return "MultiFactorAuthentication failed with invalid MFA one time pass code.";
    }
  }
  return null;
}

function maxSessionSeconds(context: ListenerContext, roleArn: string): number {
  return context.config.roles?.get(roleArn)?.maxSessionDurationSeconds ?? OPEN_ROLE_MAX_SECONDS;
}

/**
 * STS's `Expiration` format: ISO 8601 UTC without fractions.
 *
 * @example
 * ```ts
 * stsTimestamp(0); // "1970-01-01T00:00:00Z"
 * ```
 */
export function stsTimestamp(time: number): string {
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The `AssumeRole` response document, members in the model's order. */
function assumeRoleXml(answer: {
  credentials: IssuedCredentials;
  assumedRoleId: string;
  packedPolicySize: number | null;
  sourceIdentity: string | undefined;
  requestId: string;
}): string {
  const { credentials } = answer;
  const optional = [
    answer.packedPolicySize === null
      ? ""
      : `    <PackedPolicySize>${answer.packedPolicySize}</PackedPolicySize>\n`,
    answer.sourceIdentity === undefined
      ? ""
      : `    <SourceIdentity>${escapeXml(answer.sourceIdentity)}</SourceIdentity>\n`,
  ].join("");
  return `<AssumeRoleResponse xmlns="${STS_NAMESPACE}">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>${credentials.accessKeyId}</AccessKeyId>
      <SecretAccessKey>${escapeXml(credentials.secretAccessKey)}</SecretAccessKey>
      <SessionToken>${escapeXml(credentials.sessionToken)}</SessionToken>
      <Expiration>${stsTimestamp(credentials.expiresAt)}</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <AssumedRoleId>${escapeXml(answer.assumedRoleId)}</AssumedRoleId>
      <Arn>${escapeXml(credentials.sessionArn)}</Arn>
    </AssumedRoleUser>
${optional}  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>${answer.requestId}</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>
`;
}

/**
 * A stand-in for `PackedPolicySize` (AWS's packing is not public): the session policy's plain
 * size in percent of the 2048 characters session policies may have, at least 1.
 */
function packedPolicySize(policy: string): number {
  return Math.max(1, Math.ceil((policy.length * 100) / 2048));
}

/** The outcome of {@link assumeRole}: the answer, and whether it is the emulator's own refusal. */
export interface AssumeRoleOutcome {
  response: Response;
  rejected: boolean;
}

/**
 * Answers an authenticated `AssumeRole` request of `caller`.
 *
 * @example
 * ```ts
 * const { response } = await assumeRole(context, parameters, { caller, requestId });
 * ```
 */
export async function assumeRole(
  context: ListenerContext,
  parameters: ReadonlyMap<string, string>,
  call: { caller: IssuedCredentials; requestId: string; deniedByFault?: boolean },
): Promise<AssumeRoleOutcome> {
  const { requestId } = call;
  const refuse = (code: string, status: number, message: string): AssumeRoleOutcome => ({
    response: stsError(code, { status, message, requestId }),
    rejected: true,
  });
  const request = checkMembers(parameters);
  if (Array.isArray(request)) return refuse("ValidationError", 400, validationMessage(request));
  const role = parseRoleArn(request.roleArn);
  if (role === null) return refuse("ValidationError", 400, `${request.roleArn} is invalid`);
  if (request.policy !== undefined) {
    let policy: unknown;
    try {
      policy = JSON.parse(request.policy);
    } catch {
      policy = undefined;
    }
    if (typeof policy !== "object" || policy === null || Array.isArray(policy)) {
      // STS's exact wording is UNVERIFIED; IAM says this for unparsable policies.
      return refuse("MalformedPolicyDocument", 400, "Syntax errors in policy.");
    }
  }

  const packed = request.policy === undefined ? null : packedPolicySize(request.policy);
  if (packed !== null && packed > 100) {
    // The wording is UNVERIFIED.
    return refuse(
      "PackedPolicyTooLarge",
      400,
      `Packed policy consumes ${packed}% of allotted space, please use a smaller policy.`,
    );
  }

  const caller = call.caller.sessionArn;
  if (call.deniedByFault === true) {
    return {
      response: stsError("AccessDenied", {
        status: 403,
        message: notAuthorizedMessage(caller, ASSUME_ROLE_ACTION, request.roleArn),
        requestId,
      }),
      rejected: false,
    };
  }
  const denied = denial(context, request, caller);
  if (denied !== null) return refuse("AccessDenied", 403, denied);

  const duration = request.durationSeconds ?? DEFAULT_DURATION_SECONDS;
  if (isAssumedRoleArn(caller) && duration > ROLE_CHAINING_MAX_SECONDS) {
    return refuse(
      "ValidationError",
      400,
      "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    );
  }
  if (duration > maxSessionSeconds(context, request.roleArn)) {
    return refuse(
      "ValidationError",
      400,
      "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    );
  }

  const sessionArn =
    `arn:${role.partition}:sts::${role.account}:assumed-role/${role.name}/${request.roleSessionName}`;
  const { store, config } = context;
  const credentials = store.issueCredentials(sessionArn, config.now() + duration * 1000);
  const counts = store.counts.assumeRoleByArn;
  counts[request.roleArn] = (counts[request.roleArn] ?? 0) + 1;
  const xml = assumeRoleXml({
    credentials,
    assumedRoleId: await userIdFor(sessionArn),
    packedPolicySize: packed,
    sourceIdentity: request.sourceIdentity,
    requestId,
  });
  return { response: xmlResponse(200, xml, requestId), rejected: false };
}
