/**
 * The DPoP key of a login session: a P-256 key pair, stored in the cache as a SEC1
 * (`EC PRIVATE KEY`, RFC 5915) PEM with the curve OID present, because the Go and Rust SDKs only read
 * that form (spec §8.3). Reading also accepts PKCS#8 (`PRIVATE KEY`), which botocore and the JS SDK
 * accept too.
 *
 * @module
 */

import { decodeBase64, decodeBase64Url, encodeBase64, encodeBase64Url } from "./base64.ts";

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256" } as const;

/** DER of OID 1.2.840.10045.3.1.7 (prime256v1 / P-256). */
const P256_OID = Uint8Array.of(0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07);
/** DER of OID 1.2.840.10045.2.1 (id-ecPublicKey). */
const EC_PUBLIC_KEY_OID = Uint8Array.of(0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01);

/** Why a stored key could not be used. */
export class DPoPKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DPoPKeyError";
  }
}

/**
 * Generates a fresh P-256 key pair for one login. The private key is extractable so that it can be
 * written to the cache.
 *
 * @example
 * ```ts
 * const keyPair = await generateDPoPKeyPair();
 * keyPair.privateKey.algorithm.name; // "ECDSA"
 * ```
 */
export async function generateDPoPKeyPair(): Promise<CryptoKeyPair> {
  return await crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
}

/**
 * Exports a P-256 private key as a SEC1 `EC PRIVATE KEY` PEM: a 121-byte DER with version 1, the
 * private scalar, the named-curve OID and the uncompressed public point, base64 wrapped at 64
 * characters, with a final newline.
 *
 * @example
 * ```ts
 * const { privateKey } = await generateDPoPKeyPair();
 * (await exportSec1Pem(privateKey)).startsWith("-----BEGIN EC PRIVATE KEY-----\n"); // true
 * ```
 */
export async function exportSec1Pem(privateKey: CryptoKey): Promise<string> {
  const jwk = await crypto.subtle.exportKey("jwk", privateKey);
  if (jwk.kty !== "EC" || jwk.crv !== "P-256" || !jwk.d || !jwk.x || !jwk.y) {
    throw new DPoPKeyError("The DPoP key is not an exportable P-256 private key");
  }
  const d = fixedLength(decodeBase64Url(jwk.d), 32);
  const x = fixedLength(decodeBase64Url(jwk.x), 32);
  const y = fixedLength(decodeBase64Url(jwk.y), 32);
  const der = derSequence(
    Uint8Array.of(0x02, 0x01, 0x01),
    derTag(0x04, d),
    derTag(0xa0, P256_OID),
    derTag(0xa1, derTag(0x03, concat(Uint8Array.of(0x00, 0x04), x, y))),
  );
  return toPem("EC PRIVATE KEY", der);
}

/**
 * Imports the `dpopKey` PEM of a cache file (SEC1 or PKCS#8, P-256 only) as a key pair usable for
 * DPoP proofs.
 *
 * @example
 * ```ts
 * const { privateKey } = await generateDPoPKeyPair();
 * const keyPair = await importDPoPKeyPem(await exportSec1Pem(privateKey));
 * keyPair.publicKey.type; // "public"
 * ```
 */
export async function importDPoPKeyPem(pem: string): Promise<CryptoKeyPair> {
  const { label, der } = fromPem(pem);
  let sec1: Uint8Array;
  if (label === "EC PRIVATE KEY") {
    sec1 = der;
  } else if (label === "PRIVATE KEY") {
    sec1 = sec1FromPkcs8(der);
  } else {
    throw new DPoPKeyError(`Unsupported key type "${label}": expected an EC PRIVATE KEY`);
  }
  checkSec1Curve(sec1);
  let privateKey: CryptoKey;
  try {
    privateKey = await crypto.subtle.importKey("pkcs8", pkcs8FromSec1(sec1), ALGORITHM, true, [
      "sign",
    ]);
  } catch (error) {
    throw new DPoPKeyError(`The private key is not a valid P-256 key: ${(error as Error).message}`);
  }
  const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", privateKey);
  const publicKey = await crypto.subtle.importKey(
    "jwk",
    { kty, crv, x, y } as JsonWebKey,
    ALGORITHM,
    true,
    ["verify"],
  );
  return { privateKey, publicKey };
}

/**
 * The RFC 7638 JWK SHA-256 thumbprint of a P-256 public key, base64url encoded.
 *
 * @example
 * ```ts
 * const { publicKey } = await generateDPoPKeyPair();
 * (await jwkThumbprint(publicKey)).length; // 43
 * ```
 */
export async function jwkThumbprint(publicKey: CryptoKey): Promise<string> {
  const { crv, kty, x, y } = await crypto.subtle.exportKey("jwk", publicKey);
  const canonical = JSON.stringify({ crv, kty, x, y });
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical));
  return encodeBase64Url(new Uint8Array(digest));
}

function toPem(label: string, der: Uint8Array): string {
  const lines = encodeBase64(der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

function fromPem(pem: string): { label: string; der: Uint8Array } {
  const match = /-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (!match) throw new DPoPKeyError("The key is not a PEM block");
  const body = match[2]!.replace(/\s+/g, "");
  let der: Uint8Array;
  try {
    der = decodeBase64(body);
  } catch {
    throw new DPoPKeyError("The PEM body is not valid base64");
  }
  return { label: match[1]!, der };
}

/** A parsed DER TLV. */
interface Tlv {
  tag: number;
  value: Uint8Array;
  /** Offset just after this element. */
  end: number;
}

function readTlv(bytes: Uint8Array, offset: number): Tlv {
  const tag = bytes[offset];
  let length = bytes[offset + 1];
  if (tag === undefined || length === undefined) throw new DPoPKeyError("Truncated DER data");
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 2) throw new DPoPKeyError("Unsupported DER length");
    length = 0;
    for (let i = 0; i < count; i++) {
      const byte = bytes[start + i];
      if (byte === undefined) throw new DPoPKeyError("Truncated DER data");
      length = (length << 8) | byte;
    }
    start += count;
  }
  const end = start + length;
  if (end > bytes.length) throw new DPoPKeyError("Truncated DER data");
  return { tag, value: bytes.subarray(start, end), end };
}

function children(value: Uint8Array): Tlv[] {
  const items: Tlv[] = [];
  for (let offset = 0; offset < value.length;) {
    const item = readTlv(value, offset);
    items.push(item);
    offset = item.end;
  }
  return items;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** Checks the SEC1 structure: version 1, a 32-byte key, and the P-256 OID when parameters are present. */
function checkSec1Curve(sec1: Uint8Array): void {
  const outer = readTlv(sec1, 0);
  if (outer.tag !== 0x30) throw new DPoPKeyError("The EC private key is not a DER sequence");
  const [version, privateKey, ...rest] = children(outer.value);
  if (version?.tag !== 0x02 || !sameBytes(version.value, Uint8Array.of(1))) {
    throw new DPoPKeyError("The EC private key has an unsupported version");
  }
  if (privateKey?.tag !== 0x04 || privateKey.value.length !== 32) {
    throw new DPoPKeyError("The EC private key is not a P-256 key");
  }
  const parameters = rest.find((item) => item.tag === 0xa0);
  if (parameters && !sameBytes(parameters.value, P256_OID)) {
    throw new DPoPKeyError("The EC private key is not on the P-256 curve");
  }
}

function sec1FromPkcs8(der: Uint8Array): Uint8Array {
  const outer = readTlv(der, 0);
  const [version, algorithm, privateKey] = children(outer.value);
  if (outer.tag !== 0x30 || version?.tag !== 0x02 || algorithm?.tag !== 0x30) {
    throw new DPoPKeyError("The private key is not a PKCS#8 structure");
  }
  const [oid, curve] = children(algorithm.value);
  const oidBytes = oid ? derTag(oid.tag, oid.value) : new Uint8Array();
  const curveBytes = curve ? derTag(curve.tag, curve.value) : new Uint8Array();
  if (!sameBytes(oidBytes, EC_PUBLIC_KEY_OID) || !sameBytes(curveBytes, P256_OID)) {
    throw new DPoPKeyError("The private key is not a P-256 EC key");
  }
  if (privateKey?.tag !== 0x04) throw new DPoPKeyError("The PKCS#8 key has no private key");
  return privateKey.value;
}

function pkcs8FromSec1(sec1: Uint8Array): Uint8Array<ArrayBuffer> {
  return derSequence(
    Uint8Array.of(0x02, 0x01, 0x00),
    derSequence(EC_PUBLIC_KEY_OID, P256_OID),
    derTag(0x04, sec1),
  );
}

function derLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  if (length < 0x100) return Uint8Array.of(0x81, length);
  return Uint8Array.of(0x82, length >> 8, length & 0xff);
}

function derTag(tag: number, value: Uint8Array): Uint8Array<ArrayBuffer> {
  return concat(Uint8Array.of(tag), derLength(value.length), value);
}

function derSequence(...items: Uint8Array[]): Uint8Array<ArrayBuffer> {
  return derTag(0x30, concat(...items));
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const result = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}

function fixedLength(bytes: Uint8Array, length: number): Uint8Array {
  if (bytes.length === length) return bytes;
  if (bytes.length > length) throw new DPoPKeyError("The key coordinate is too long");
  return concat(new Uint8Array(length - bytes.length), bytes);
}
