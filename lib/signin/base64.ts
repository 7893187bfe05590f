/**
 * Base64 and base64url for byte arrays (RFC 4648), without padding for base64url.
 *
 * @module
 */

/**
 * Standard base64 with padding.
 *
 * @example
 * ```ts
 * encodeBase64(new TextEncoder().encode("hi")); // "aGk="
 * ```
 */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/**
 * Decodes standard base64; throws a `TypeError` on characters outside the alphabet.
 *
 * @example
 * ```ts
 * new TextDecoder().decode(decodeBase64("aGk=")); // "hi"
 * ```
 */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new TypeError("The text is not valid base64");
  }
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/**
 * base64url without padding.
 *
 * @example
 * ```ts
 * encodeBase64Url(Uint8Array.of(0xfb, 0xff)); // "-_8"
 * ```
 */
export function encodeBase64Url(bytes: Uint8Array): string {
  return encodeBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * Decodes base64url, with or without padding.
 *
 * @example
 * ```ts
 * decodeBase64Url("-_8"); // Uint8Array [251, 255]
 * ```
 */
export function decodeBase64Url(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text)) throw new TypeError("The text is not valid base64url");
  const plain = text.replace(/=+$/, "").replace(/-/g, "+").replace(/_/g, "/");
  return decodeBase64(plain + "=".repeat((4 - (plain.length % 4)) % 4));
}
