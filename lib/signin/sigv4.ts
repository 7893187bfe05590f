/**
 * AWS Signature Version 4 for the requests aws-login signs itself (STS `AssumeRole`, the Sign-In
 * revocation `RevokeOAuth2TokenWithIAM`): one function, {@link signRequest}, on top of a
 * maintained signer, `aws4fetch`'s `AwsV4Signer`, never a hand-written one.
 *
 * Why `aws4fetch` rather than `@smithy/signature-v4` (which the emulator verifies with): it is one
 * dependency-free module on WebCrypto, so loading it costs about 1.5 ms, where `@smithy/signature-v4`
 * with `@aws-crypto/sha256-js` pulls in Node's `Buffer` (Deno's Node compatibility layer) and costs
 * 35-45 ms (measured with Deno 2.9.6 on the build machine); and a request signed by one
 * implementation and verified by another, independent one proves more than a signer checked
 * against itself. This module is loaded with a literal `import()` only when a request must be
 * signed, so serving cached credentials never loads it.
 *
 * @module
 */

import { AwsV4Signer } from "aws4fetch";

/** Credentials that sign a request. */
export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Sent (and signed) as `X-Amz-Security-Token` when set. */
  readonly sessionToken?: string | undefined;
}

/** A request to sign. */
export interface SignableRequest {
  readonly method: string;
  readonly url: string;
  /** Headers to send; `host` is signed from the URL and left to `fetch`. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The credential scope's region, e.g. `us-east-1`. */
  readonly region: string;
  /** The signing name, e.g. `sts` or `signin`. */
  readonly service: string;
  readonly credentials: SigningCredentials;
  /** The signing time (from `Deps.now()`, so that tests run on their clock). */
  readonly now: Date;
}

/** A signed request: the headers to send, `authorization`, `x-amz-date` and the token included. */
export interface SignedRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
}

/**
 * `X-Amz-Date` of a time: `20260101T120000Z`.
 *
 * @example
 * ```ts
 * amzDate(new Date("2026-01-01T12:00:00.123Z")); // "20260101T120000Z"
 * ```
 */
export function amzDate(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
}

/**
 * Signs a request with SigV4 (`Authorization` header). Header names come back in lower case.
 *
 * @example
 * ```ts ignore
 * const { headers } = await signRequest({
 *   method: "POST", url: "https://sts.eu-west-1.amazonaws.com/", body: "Action=AssumeRole&...",
 *   headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
 *   region: "eu-west-1", service: "sts", credentials, now: deps.now(),
 * });
 * headers.authorization; // "AWS4-HMAC-SHA256 Credential=ASIA.../20260101/eu-west-1/sts/aws4_request, ..."
 * ```
 */
export async function signRequest(request: SignableRequest): Promise<SignedRequest> {
  const signer = new AwsV4Signer({
    method: request.method,
    url: request.url,
    headers: { ...request.headers },
    body: request.body,
    accessKeyId: request.credentials.accessKeyId,
    secretAccessKey: request.credentials.secretAccessKey,
    ...(request.credentials.sessionToken ? { sessionToken: request.credentials.sessionToken } : {}),
    // Always explicit: the signer would otherwise guess them from the host name.
    service: request.service,
    region: request.region,
    datetime: amzDate(request.now),
  });
  const signed = await signer.sign();
  const headers: Record<string, string> = {};
  signed.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  return { url: signed.url.toString(), headers };
}
