/**
 * Byte and text encodings the emulator needs: base64url (strict, unpadded), standard base64,
 * RFC 3986 percent-encoding, hex, and a constant-time comparison.
 *
 * @module
 */

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Encodes text as UTF-8 bytes.
 *
 * @example
 * ```ts
 * utf8("a"); // Uint8Array [97]
 * ```
 */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
}

/**
 * Decodes UTF-8 bytes, or returns `null` when they are not valid UTF-8.
 *
 * @example
 * ```ts
 * fromUtf8(new Uint8Array([97])); // "a"
 * ```
 */
export function fromUtf8(bytes: Uint8Array): string | null {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * Standard base64 with padding.
 *
 * @example
 * ```ts
 * base64(utf8("a")); // "YQ=="
 * ```
 */
export function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * Unpadded base64url (RFC 4648 §5), as JOSE uses it.
 *
 * @example
 * ```ts
 * base64Url(new Uint8Array([251, 255])); // "-_8"
 * ```
 */
export function base64Url(bytes: Uint8Array): string {
  return base64(bytes).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Decodes unpadded base64url strictly: padding, whitespace, characters outside the alphabet and
 * impossible lengths are refused with `null`.
 *
 * @example
 * ```ts
 * fromBase64Url("-_8"); // Uint8Array [251, 255]
 * fromBase64Url("-_8="); // null
 * ```
 */
export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return null;
  const standard = text.replaceAll("-", "+").replaceAll("_", "/");
  const padded = standard + "=".repeat((4 - (standard.length % 4)) % 4);
  let binary: string;
  try {
    binary = atob(padded);
  } catch {
    return null;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  // Refuse non-canonical encodings (unused low bits set), which a strict verifier must not accept.
  if (base64Url(bytes) !== text) return null;
  return bytes;
}

/**
 * Lowercase hexadecimal.
 *
 * @example
 * ```ts
 * hex(new Uint8Array([1, 171])); // "01ab"
 * ```
 */
export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * Percent-encodes everything except the RFC 3986 unreserved characters `A-Z a-z 0-9 - . _ ~`.
 *
 * @example
 * ```ts
 * percentEncode("a b/c"); // "a%20b%2Fc"
 * ```
 */
export function percentEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Compares two strings in time that depends only on their lengths.
 *
 * @example
 * ```ts
 * constantTimeEqual("abc", "abc"); // true
 * ```
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = utf8(a);
  const right = utf8(b);
  let difference = left.length ^ right.length;
  const length = Math.max(left.length, right.length);
  for (let i = 0; i < length; i++) {
    difference |= (left[i] ?? 0) ^ (right[i] ?? 0);
  }
  return difference === 0;
}

/**
 * SHA-256 of the bytes.
 *
 * @example
 * ```ts
 * hex(await sha256(utf8(""))); // "e3b0c442..."
 * ```
 */
export async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

/**
 * Cryptographically random bytes.
 *
 * @example
 * ```ts
 * randomBytes(32).length; // 32
 * ```
 */
export function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(length));
}

/**
 * A random string of `length` characters drawn uniformly from `alphabet` (at most 256 characters).
 *
 * @example
 * ```ts
 * randomString(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
 * ```
 */
export function randomString(length: number, alphabet: string): string {
  const limit = 256 - (256 % alphabet.length);
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit && out.length < length) out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}
