/**
 * Verification of DPoP proofs (RFC 9449) as the Sign-In token endpoint requires them: a compact
 * JWS with `typ` `dpop+jwt`, `alg` `ES256` and a public P-256 `jwk` in the header, a valid raw
 * `r||s` signature, `htm` `POST`, `htu` exactly the token URL, a fresh integer `iat` and a `jti`
 * never seen before.
 *
 * @module
 */

import { base64Url, fromBase64Url, fromUtf8, sha256, utf8 } from "./encoding.ts";

/** A public P-256 key in JWK form. */
export interface EcPublicJwk {
  kty: "EC";
  crv: "P-256";
  x: string;
  y: string;
}

/** What a proof is checked against. */
export interface DPoPExpectations {
  /** The exact expected `htu`, e.g. `http://127.0.0.1:8787/v1/token`. */
  htu: string;
  /** The expected `htm`. */
  htm: string;
  /** Current time in milliseconds. */
  now: number;
  /** Accepted distance of `iat` from `now`, either way, in seconds. */
  iatWindowSeconds: number;
  /**
   * Records a `jti` that passed every other check; returns `false` when it was seen before.
   * `forgetAt` is when the entry may be dropped (ms).
   */
  rememberJti(jti: string, forgetAt: number): boolean;
}

/** The outcome of {@link verifyDPoPProof}. */
export type DPoPResult =
  | { ok: true; jkt: string; jwk: EcPublicJwk }
  | { ok: false; reason: string };

const COMPACT_JWS = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;
const PRIVATE_JWK_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

function fail(reason: string): DPoPResult {
  return { ok: false, reason: `Invalid DPoP proof: ${reason}` };
}

function decodeJsonObject(segment: string): Record<string, unknown> | null {
  const bytes = fromBase64Url(segment);
  if (bytes === null) return null;
  const text = fromUtf8(bytes);
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
    return value as Record<string, unknown>;
  } catch {
    return null;
  }
}

function describe(value: unknown): string {
  return value === undefined ? "missing" : JSON.stringify(value);
}

/**
 * The RFC 7638 JWK SHA-256 thumbprint (base64url) of a P-256 public key.
 *
 * @example
 * ```ts
 * await jwkThumbprint({ kty: "EC", crv: "P-256", x: "...", y: "..." });
 * ```
 */
export async function jwkThumbprint(jwk: EcPublicJwk): Promise<string> {
  // Required members only, in lexicographic order, no whitespace (RFC 7638 §3.2).
  const canonical = `{"crv":"${jwk.crv}","kty":"${jwk.kty}","x":"${jwk.x}","y":"${jwk.y}"}`;
  return base64Url(await sha256(utf8(canonical)));
}

function checkJwk(value: unknown): EcPublicJwk | string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return `header "jwk" is ${describe(value)}, expected a JSON object`;
  }
  const jwk = value as Record<string, unknown>;
  const privateMember = PRIVATE_JWK_MEMBERS.find((member) => member in jwk);
  if (privateMember !== undefined) {
    return `header "jwk" contains the private member "${privateMember}"`;
  }
  if (jwk.kty !== "EC") return `"jwk.kty" is ${describe(jwk.kty)}, expected "EC"`;
  if (jwk.crv !== "P-256") return `"jwk.crv" is ${describe(jwk.crv)}, expected "P-256"`;
  for (const coordinate of ["x", "y"] as const) {
    const raw = jwk[coordinate];
    const bytes = typeof raw === "string" ? fromBase64Url(raw) : null;
    if (bytes === null || bytes.length !== 32) {
      return `"jwk.${coordinate}" is not 32 bytes of unpadded base64url`;
    }
  }
  return { kty: "EC", crv: "P-256", x: jwk.x as string, y: jwk.y as string };
}

/**
 * Verifies a DPoP proof. The `jti` is recorded only when every other check passed.
 *
 * @example
 * ```ts
 * const result = await verifyDPoPProof(proof, {
 *   htu: "http://127.0.0.1:8787/v1/token", htm: "POST", now: Date.now(),
 *   iatWindowSeconds: 300, rememberJti: () => true,
 * });
 * ```
 */
export async function verifyDPoPProof(
  proof: string,
  expected: DPoPExpectations,
): Promise<DPoPResult> {
  const parts = COMPACT_JWS.exec(proof);
  if (parts === null) return fail("it is not a compact JWS of three base64url parts");
  const [, headerPart = "", payloadPart = "", signaturePart = ""] = parts;

  const header = decodeJsonObject(headerPart);
  if (header === null) return fail("the JOSE header is not a base64url JSON object");
  if (header.typ !== "dpop+jwt") {
    return fail(`header "typ" is ${describe(header.typ)}, expected "dpop+jwt"`);
  }
  if (header.alg !== "ES256") {
    return fail(`header "alg" is ${describe(header.alg)}, expected "ES256"`);
  }
  if ("crit" in header) return fail('header "crit" is not supported');
  const jwk = checkJwk(header.jwk);
  if (typeof jwk === "string") return fail(jwk);

  const signature = fromBase64Url(signaturePart);
  if (signature === null || signature.length !== 64) {
    return fail("the signature is not 64 bytes (raw r||s) of base64url");
  }
  let valid: boolean;
  try {
    const key = await crypto.subtle.importKey(
      "jwk",
      { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y },
      { name: "ECDSA", namedCurve: "P-256" },
      false,
      ["verify"],
    );
    valid = await crypto.subtle.verify(
      { name: "ECDSA", hash: "SHA-256" },
      key,
      signature,
      utf8(`${headerPart}.${payloadPart}`),
    );
  } catch {
    // WebCrypto refuses coordinates that are not a point on the curve, at import or at use.
    return fail('header "jwk" is not a point on P-256');
  }
  if (!valid) return fail("the ES256 signature does not verify with the header's jwk");

  const payload = decodeJsonObject(payloadPart);
  if (payload === null) return fail("the payload is not a base64url JSON object");
  if (payload.htm !== expected.htm) {
    return fail(`"htm" is ${describe(payload.htm)}, expected "${expected.htm}"`);
  }
  if (payload.htu !== expected.htu) {
    return fail(`"htu" is ${describe(payload.htu)}, expected "${expected.htu}"`);
  }
  const iat = payload.iat;
  if (typeof iat !== "number" || !Number.isSafeInteger(iat)) {
    return fail(`"iat" is ${describe(iat)}, expected integer seconds since the epoch`);
  }
  const nowSeconds = Math.floor(expected.now / 1000);
  if (Math.abs(iat - nowSeconds) > expected.iatWindowSeconds) {
    return fail(
      `"iat" ${iat} is more than ${expected.iatWindowSeconds} s away from the server time ${nowSeconds}`,
    );
  }
  const jti = payload.jti;
  if (typeof jti !== "string" || jti.length === 0 || jti.length > 512) {
    return fail(`"jti" is ${describe(jti)}, expected a non-empty string`);
  }
  const forgetAt = (iat + expected.iatWindowSeconds + 1) * 1000;
  if (!expected.rememberJti(jti, forgetAt)) {
    return fail(`"jti" ${JSON.stringify(jti)} was used before`);
  }
  return { ok: true, jkt: await jwkThumbprint(jwk), jwk };
}
