/**
 * SigV4 signing of the one signed request aws-login sends (`RevokeOAuth2TokenWithIAM`), with
 * `aws4fetch`: a maintained implementation on WebCrypto, not a hand-written one.
 *
 * Why `aws4fetch` and not `@smithy/signature-v4` (which the emulator verifies with): measured on
 * the build machine (2 cores, Deno 2.9.6, 40 runs each, a program that signs one request), it adds
 * about 7 ms to the start of a process, `@smithy/signature-v4` with `@aws-crypto/sha256-js` about
 * 60 ms (its module graph). And the client and the emulator then sign with two independent
 * implementations, so a request the emulator accepts is not merely one library agreeing with
 * itself. Only `revoke.ts` imports this module, with a literal `import()`, so that no other command
 * (`export-credentials` above all) loads it.
 *
 * @module
 */

import { AwsV4Signer } from "aws4fetch";

/** Credentials that sign a request. */
export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** What {@link signRequest} signs. */
export interface SignInput {
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly credentials: SigningCredentials;
  /** Signing region, e.g. `eu-west-1`. */
  readonly region: string;
  /** Signing name, e.g. `signin`. */
  readonly service: string;
  /** The signing time (`X-Amz-Date`). */
  readonly now: Date;
}

/**
 * Signs a request with SigV4 (`Authorization`, `X-Amz-Date`, `X-Amz-Security-Token`); returns the
 * headers to send, the given ones included.
 *
 * @example
 * ```ts ignore
 * const headers = await signRequest({
 *   url: "https://eu-west-1.oauth.signin.aws/v1/revoke?x-amz-client-auth-method=iam",
 *   method: "POST", headers: { "content-type": "application/json" }, body: "{}",
 *   credentials, region: "eu-west-1", service: "signin", now: new Date(),
 * });
 * ```
 */
export async function signRequest(input: SignInput): Promise<Headers> {
  const signer = new AwsV4Signer({
    url: input.url,
    method: input.method,
    headers: input.headers,
    body: input.body,
    accessKeyId: input.credentials.accessKeyId,
    secretAccessKey: input.credentials.secretAccessKey,
    ...(input.credentials.sessionToken === undefined
      ? {}
      : { sessionToken: input.credentials.sessionToken }),
    service: input.service,
    region: input.region,
    datetime: input.now.toISOString().replace(/[:-]|\.\d{3}/g, ""),
  });
  const signed = await signer.sign();
  return new Headers(signed.headers);
}
