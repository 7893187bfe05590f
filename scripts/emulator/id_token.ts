/**
 * The emulator's ID token issuer: ES384 JWTs with a `kid`, shaped like the tokens the real
 * service returns from an authorization-code grant.
 *
 * @module
 */

import { base64Url, utf8 } from "./encoding.ts";
import type { DevtoolsClientId } from "./store.ts";

/** `iss` of Sign-In ID tokens. */
export const ID_TOKEN_ISSUER = "https://signin.aws.amazon.com/signin";

/** ID tokens are valid for 15 minutes (`exp - iat = 900`), as observed in real tokens. */
export const ID_TOKEN_LIFETIME_SECONDS = 900;

/**
 * The JWT audience for each devtools client: `cli/…`, not `devtools/…` (the cross-device value
 * is inferred from the same-device one; spec §7 marks it unverified).
 *
 * @example
 * ```ts
 * idTokenAudience("arn:aws:signin:::devtools/same-device"); // "arn:aws:signin:::cli/same-device"
 * ```
 */
export function idTokenAudience(clientId: DevtoolsClientId): string {
  return clientId === "arn:aws:signin:::devtools/same-device"
    ? "arn:aws:signin:::cli/same-device"
    : "arn:aws:signin:::cli/cross-device";
}

/** A public EC key in JWK form. */
export interface PublicEcJwk {
  kty: "EC";
  crv: "P-384";
  x: string;
  y: string;
}

/** Signs ID tokens with one P-384 key generated at start-up. */
export class IdTokenSigner {
  readonly #key: CryptoKey;
  readonly #publicJwk: PublicEcJwk;
  /** Key id in every token header. */
  readonly kid: string;

  private constructor(key: CryptoKey, publicJwk: PublicEcJwk, kid: string) {
    this.#key = key;
    this.#publicJwk = publicJwk;
    this.kid = kid;
  }

  /** Generates a fresh signing key. */
  static async create(): Promise<IdTokenSigner> {
    const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, true, [
      "sign",
      "verify",
    ]);
    const jwk = await crypto.subtle.exportKey("jwk", pair.publicKey);
    const publicJwk: PublicEcJwk = {
      kty: "EC",
      crv: "P-384",
      x: jwk.x ?? "",
      y: jwk.y ?? "",
    };
    return new IdTokenSigner(pair.privateKey, publicJwk, crypto.randomUUID());
  }

  /** The verification key set, for `GET /_emulator/jwks`. */
  jwks(): { keys: Array<PublicEcJwk & { kid: string; alg: string; use: string }> } {
    return { keys: [{ ...this.#publicJwk, kid: this.kid, alg: "ES384", use: "sig" }] };
  }

  /** Issues an ID token for a login session. */
  async sign(
    input: { sessionArn: string; clientId: DevtoolsClientId; now: number },
  ): Promise<string> {
    const iat = Math.floor(input.now / 1000);
    const header = { kid: this.kid, typ: "JWT", alg: "ES384" };
    const payload = {
      sub: input.sessionArn,
      aud: idTokenAudience(input.clientId),
      iss: ID_TOKEN_ISSUER,
      session_arn: input.sessionArn,
      iat,
      exp: iat + ID_TOKEN_LIFETIME_SECONDS,
    };
    const signingInput = `${base64Url(utf8(JSON.stringify(header)))}.${
      base64Url(utf8(JSON.stringify(payload)))
    }`;
    const signature = await crypto.subtle.sign(
      { name: "ECDSA", hash: "SHA-384" },
      this.#key,
      utf8(signingInput),
    );
    return `${signingInput}.${base64Url(new Uint8Array(signature))}`;
  }
}
