/**
 * Generators for the opaque values the emulator hands out, shaped like the real ones: `ASIA…`
 * access key ids, 40-character secrets using the full base64 alphabet (so clients meet `/` and
 * `+`), long base64 session tokens, `ASOR…` refresh tokens, and IAM unique ids.
 *
 * @module
 */

import { base64, base64Url, hex, randomBytes, randomString, sha256, utf8 } from "./encoding.ts";

const BASE32_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * A temporary access key id: `ASIA` and 16 characters of `[A-Z2-7]`.
 *
 * @example
 * ```ts
 * newAccessKeyId(); // "ASIA7QK3..."
 * ```
 */
export function newAccessKeyId(): string {
  return `ASIA${randomString(16, BASE32_UPPER)}`;
}

/**
 * A 40-character secret access key.
 *
 * @example
 * ```ts
 * newSecretAccessKey().length; // 40
 * ```
 */
export function newSecretAccessKey(): string {
  return randomString(40, SECRET_ALPHABET);
}

/**
 * A session token: standard base64 of random bytes (contains `+`, `/` and `=` now and then).
 *
 * @example
 * ```ts
 * newSessionToken();
 * ```
 */
export function newSessionToken(): string {
  return `IQoJb3JpZ2luX2Vj${base64(randomBytes(298))}`;
}

/**
 * An opaque refresh token with the `ASOR` prefix of the model's `RevocationToken` shape.
 *
 * @example
 * ```ts
 * newRefreshToken().startsWith("ASOR"); // true
 * ```
 */
export function newRefreshToken(): string {
  return `ASOR${base64Url(randomBytes(96))}`;
}

/**
 * An opaque authorization code (43 base64url characters).
 *
 * @example
 * ```ts
 * newAuthorizationCode().length; // 43
 * ```
 */
export function newAuthorizationCode(): string {
  return base64Url(randomBytes(32));
}

/**
 * A single-use id for a pending consent.
 *
 * @example
 * ```ts
 * newOpaqueId().length; // 32
 * ```
 */
export function newOpaqueId(): string {
  return hex(randomBytes(16));
}

/**
 * The `aws:userid` that STS reports for an ARN: `AROA…:session` for an assumed role, `AIDA…` for an
 * IAM user, the account id for root. The unique-id part is derived from the ARN, so it is stable.
 *
 * @example
 * ```ts
 * await userIdFor("arn:aws:sts::123456789012:assumed-role/Admin/alice"); // "AROA…:alice"
 * ```
 */
export async function userIdFor(arn: string): Promise<string> {
  const parts = arn.split(":");
  const account = parts[4] ?? "";
  const resource = parts.slice(5).join(":");
  if (resource === "root") return account;
  const assumedRole = /^(assumed-role\/[^/]+)\/(.+)$/.exec(resource);
  // A role's unique id does not depend on the session name, so only the role part is hashed.
  const owner = assumedRole === null ? arn : `${parts.slice(0, 5).join(":")}:${assumedRole[1]}`;
  const digest = await sha256(utf8(owner));
  let unique = "";
  for (const byte of digest.slice(0, 17)) unique += BASE32_UPPER[byte % 32];
  return assumedRole === null ? `AIDA${unique}` : `AROA${unique}:${assumedRole[2]}`;
}
