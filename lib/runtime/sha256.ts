/**
 * SHA-256 in hex, with WebCrypto: the names of login cache files, digests that stand for a secret
 * without holding it, and the memo of `export-credentials`.
 *
 * @module
 */

/**
 * The lowercase hex SHA-256 of a text's UTF-8 bytes: the names of cache files, and digests that
 * stand for a secret without holding it.
 *
 * @example
 * ```ts
 * (await sha256Hex("x")).length; // 64
 * ```
 */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
