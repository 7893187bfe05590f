/**
 * Client-side helpers for the emulator's black-box tests: a DPoP proof signer, PKCE, the
 * authorization request as the AWS CLI builds it, token requests, and a SigV4 signer written
 * directly on WebCrypto (independent of the `@smithy/signature-v4` the emulator verifies with).
 * Nothing here imports the emulator's internals or `lib/`.
 *
 * @module
 */

import { assertEquals, assertMatch, assertStringIncludes, assertTrue } from "../support/assert.ts";

const encoder = new TextEncoder();

/** Unpadded base64url. */
export function b64url(bytes: Uint8Array | ArrayBuffer): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = "";
  for (const byte of view) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** base64url of a JSON value. */
export function b64json(value: unknown): string {
  return b64url(encoder.encode(JSON.stringify(value)));
}

/** Decodes the payload of a JWT. */
export function jwtPayload(token: string): Record<string, unknown> {
  const part = token.split(".")[1] ?? "";
  const standard = part.replaceAll("-", "+").replaceAll("_", "/");
  return JSON.parse(atob(standard + "=".repeat((4 - (standard.length % 4)) % 4)));
}

/** Decodes the header of a JWT. */
export function jwtHeader(token: string): Record<string, unknown> {
  const part = token.split(".")[0] ?? "";
  const standard = part.replaceAll("-", "+").replaceAll("_", "/");
  return JSON.parse(atob(standard + "=".repeat((4 - (standard.length % 4)) % 4)));
}

/** Options to build (or deliberately break) a DPoP proof. */
export interface ProofOptions {
  htu: string;
  htm?: string;
  /** Seconds since the epoch; default now. */
  iat?: unknown;
  jti?: unknown;
  /** Replaces or adds header members (`undefined` removes one). */
  header?: Record<string, unknown>;
  /** Replaces or adds payload members (`undefined` removes one). */
  payload?: Record<string, unknown>;
  /** Flips a bit of the signature. */
  corruptSignature?: boolean;
  /** Signs with this private key instead (header still shows this key's jwk). */
  signWith?: CryptoKey;
}

/** An ES256 DPoP key pair that signs proofs the way the AWS CLI does. */
export class DPoPKey {
  readonly privateKey: CryptoKey;
  readonly publicJwk: { kty: string; crv: string; x: string; y: string };
  readonly privateJwk: JsonWebKey;

  private constructor(privateKey: CryptoKey, publicJwk: JsonWebKey, privateJwk: JsonWebKey) {
    this.privateKey = privateKey;
    this.publicJwk = {
      kty: publicJwk.kty ?? "",
      crv: publicJwk.crv ?? "",
      x: publicJwk.x ?? "",
      y: publicJwk.y ?? "",
    };
    this.privateJwk = privateJwk;
  }

  /** Generates a new P-256 key. */
  static async generate(): Promise<DPoPKey> {
    const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
      "sign",
      "verify",
    ]);
    return new DPoPKey(
      pair.privateKey,
      await crypto.subtle.exportKey("jwk", pair.publicKey),
      await crypto.subtle.exportKey("jwk", pair.privateKey),
    );
  }

  /** Imports a private P-256 key given as a JWK (with `d`). */
  static async fromPrivateJwk(
    jwk: { kty: string; crv: string; x: string; y: string; d: string },
  ): Promise<DPoPKey> {
    const privateKey = await crypto.subtle.importKey(
      "jwk",
      jwk,
      { name: "ECDSA", namedCurve: "P-256" },
      true,
      ["sign"],
    );
    return new DPoPKey(privateKey, { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, jwk);
  }

  /** A compact-JWS DPoP proof; header and payload in the AWS CLI's member order. */
  async proof(options: ProofOptions): Promise<string> {
    const header: Record<string, unknown> = {
      typ: "dpop+jwt",
      alg: "ES256",
      jwk: { kty: "EC", x: this.publicJwk.x, y: this.publicJwk.y, crv: "P-256" },
      ...options.header,
    };
    const payload: Record<string, unknown> = {
      htm: options.htm ?? "POST",
      htu: options.htu,
      iat: "iat" in options ? options.iat : Math.floor(Date.now() / 1000),
      jti: "jti" in options ? options.jti : crypto.randomUUID(),
      ...options.payload,
    };
    for (const object of [header, payload]) {
      for (const [key, value] of Object.entries(object)) {
        if (value === undefined) delete object[key];
      }
    }
    const signingInput = `${b64json(header)}.${b64json(payload)}`;
    const signature = new Uint8Array(
      await crypto.subtle.sign(
        { name: "ECDSA", hash: "SHA-256" },
        options.signWith ?? this.privateKey,
        encoder.encode(signingInput),
      ),
    );
    if (options.corruptSignature === true) signature[10] = (signature[10] ?? 0) ^ 1;
    return `${signingInput}.${b64url(signature)}`;
  }
}

/** Client ids of `aws login`. */
export const SAME_DEVICE = "arn:aws:signin:::devtools/same-device";
/** Client id of `aws login --remote`. */
export const CROSS_DEVICE = "arn:aws:signin:::devtools/cross-device";

/** A PKCE verifier (64 unreserved characters) and its SHA-256 challenge. */
export async function pkce(): Promise<{ verifier: string; challenge: string }> {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
  const bytes = crypto.getRandomValues(new Uint8Array(64));
  const verifier = Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join("");
  const challenge = b64url(await crypto.subtle.digest("SHA-256", encoder.encode(verifier)));
  return { verifier, challenge };
}

/** RFC 3986 percent-encoding as botocore's `percent_encode` does it. */
export function pct(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Authorization request parameters, in the AWS CLI's order. */
export interface AuthorizeParams {
  response_type?: string;
  client_id?: string;
  state?: string;
  code_challenge_method?: string;
  scope?: string;
  redirect_uri?: string;
  code_challenge?: string;
}

/** Builds `/v1/authorize?…` exactly like the AWS CLI (challenge appended unencoded, last). */
export function authorizeUrl(base: string, params: AuthorizeParams, extra = ""): string {
  const ordered: Array<[string, string | undefined]> = [
    ["response_type", params.response_type],
    ["client_id", params.client_id],
    ["state", params.state],
    ["code_challenge_method", params.code_challenge_method],
    ["scope", params.scope],
    ["redirect_uri", params.redirect_uri],
  ];
  const query = ordered.filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${pct(name)}=${pct(value ?? "")}`);
  if (params.code_challenge !== undefined) query.push(`code_challenge=${params.code_challenge}`);
  return `${base}/v1/authorize?${query.join("&")}${extra}`;
}

/** Default valid parameters for a same-device authorization. */
export function sameDeviceParams(challenge: string, port = 54321): Required<AuthorizeParams> {
  return {
    response_type: "code",
    client_id: SAME_DEVICE,
    state: crypto.randomUUID(),
    code_challenge_method: "SHA-256",
    scope: "openid",
    redirect_uri: `http://127.0.0.1:${port}/oauth/callback`,
    code_challenge: challenge,
  };
}

/** GETs a URL without following redirects. */
export function getManual(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { redirect: "manual", headers });
}

/** Follows an authorization (auto mode) and returns the code from the 302. */
export async function authorizeCode(
  base: string,
  params: Required<AuthorizeParams>,
): Promise<{ code: string; state: string; location: string }> {
  const response = await getManual(authorizeUrl(base, params));
  await response.body?.cancel();
  assertEquals(response.status, 302, "authorize should redirect");
  const location = response.headers.get("location") ?? "";
  const url = new URL(location);
  return {
    code: url.searchParams.get("code") ?? "",
    state: url.searchParams.get("state") ?? "",
    location,
  };
}

/** POSTs a token request with a DPoP header (or none when `dpop` is `null`). */
export function postToken(
  base: string,
  body: unknown,
  dpop: string | null,
  init: { contentType?: string; rawBody?: string; url?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = {
    "content-type": init.contentType ?? "application/json",
  };
  if (dpop !== null) headers["DPoP"] = dpop;
  return fetch(init.url ?? `${base}/v1/token`, {
    method: "POST",
    headers,
    body: init.rawBody ?? JSON.stringify(body),
  });
}

/** Reads a JSON body. */
export async function json(response: Response): Promise<Record<string, unknown>> {
  return await response.json() as Record<string, unknown>;
}

/** Asserts a modeled Sign-In error and returns its message. */
export async function assertSigninError(
  response: Response,
  status: number,
  type: string,
  code: string,
): Promise<string> {
  const body = await json(response);
  assertEquals(
    { status: response.status, type: response.headers.get("x-amzn-errortype"), error: body.error },
    { status, type, error: code },
    `unexpected error: ${JSON.stringify(body)}`,
  );
  assertEquals(response.headers.get("cache-control"), "no-store");
  assertEquals(response.headers.get("content-type"), "application/json");
  assertEquals(Object.keys(body).sort(), ["error", "message"]);
  assertTrue(typeof body.message === "string" && body.message.length > 0);
  return body.message as string;
}

/** The credentials part of a token response. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/** A completed same-device login. */
export interface Login {
  key: DPoPKey;
  body: Record<string, unknown>;
  credentials: Credentials;
  refreshToken: string;
}

/** Runs authorize + code exchange against `base` and returns the token response. */
export async function login(
  base: string,
  options: { key?: DPoPKey; clientId?: string } = {},
): Promise<Login> {
  const key = options.key ?? await DPoPKey.generate();
  const { verifier, challenge } = await pkce();
  const cross = options.clientId === CROSS_DEVICE;
  const params = sameDeviceParams(challenge);
  if (cross) {
    params.client_id = CROSS_DEVICE;
    params.redirect_uri = `${base}/v1/sessions/confirmation`;
  }
  const { code } = await authorizeCode(base, params);
  const response = await postToken(base, {
    clientId: params.client_id,
    grantType: "authorization_code",
    code,
    codeVerifier: verifier,
    redirectUri: params.redirect_uri,
  }, await key.proof({ htu: `${base}/v1/token` }));
  const body = await json(response);
  assertEquals(response.status, 200, `login failed: ${JSON.stringify(body)}`);
  return {
    key,
    body,
    credentials: body.accessToken as Credentials,
    refreshToken: body.refreshToken as string,
  };
}

/** Sends a refresh request signed with `key`. */
export async function refresh(
  base: string,
  key: DPoPKey,
  refreshToken: string,
  clientId = SAME_DEVICE,
): Promise<Response> {
  return postToken(
    base,
    { clientId, refreshToken, grantType: "refresh_token" },
    await key.proof({ htu: `${base}/v1/token` }),
  );
}

// --- SigV4, on WebCrypto only -------------------------------------------------------------

async function hmac(key: Uint8Array | string, data: string): Promise<Uint8Array> {
  const raw = typeof key === "string" ? encoder.encode(key) : key;
  const imported = await crypto.subtle.importKey(
    "raw",
    raw as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", imported, encoder.encode(data)));
}

async function sha256Hex(data: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(data)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** `X-Amz-Date` format of a time. */
export function amzDate(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
}

/** Options of {@link signedRequest}. */
export interface SignedRequestOptions {
  region?: string;
  /** Signing name; default `sts`. */
  service?: string;
  date?: Date;
  /** Session token header; `null` omits it. Default: the credentials' token. */
  sessionToken?: string | null;
  method?: "POST" | "GET" | "PUT";
  /** Request path, default `/`. */
  path?: string;
  /** Query string (already encoded, without `?`). */
  query?: string;
  /** Request body (POST/PUT); default an STS GetCallerIdentity form. */
  body?: string;
  /** Content type of a body; default the query protocol's form type. */
  contentType?: string;
  /** Headers added after signing (not signed). */
  unsignedHeaders?: Record<string, string>;
  /** Sends this body instead of the signed one. */
  sendBody?: string;
  /** Replace the computed Authorization header. */
  authorization?: (computed: string) => string;
}

/** Options of {@link signedStsRequest}. */
export type StsRequestOptions = SignedRequestOptions;

/** Builds and sends a SigV4-signed request, signing like botocore does. */
export async function signedRequest(
  base: string,
  credentials: Credentials,
  options: SignedRequestOptions = {},
): Promise<Response> {
  const method = options.method ?? "POST";
  const region = options.region ?? "us-east-1";
  const service = options.service ?? "sts";
  const path = options.path ?? "/";
  const date = amzDate(options.date ?? new Date());
  const url = new URL(base);
  const hasBody = method !== "GET";
  const body = hasBody ? (options.body ?? "Action=GetCallerIdentity&Version=2011-06-15") : "";
  const headers: Record<string, string> = { host: url.host, "x-amz-date": date };
  if (hasBody) {
    headers["content-type"] = options.contentType ??
      "application/x-www-form-urlencoded; charset=utf-8";
  }
  const token = options.sessionToken === undefined
    ? credentials.sessionToken
    : options.sessionToken;
  if (token !== null) headers["x-amz-security-token"] = token;
  const names = Object.keys(headers).sort();
  const query = options.query ?? "";
  // Sorted by name, then value (so "x" comes before "x-amz-…", unlike a sort of whole pairs).
  const pairs = query === "" ? [] : query.split("&").map((pair) => {
    const equals = pair.indexOf("=");
    return equals === -1 ? [pair, ""] : [pair.slice(0, equals), pair.slice(equals + 1)];
  });
  const byCodeUnit = (a: string, b: string) => a < b ? -1 : a > b ? 1 : 0;
  pairs.sort(([a = "", x = ""], [b = "", y = ""]) => byCodeUnit(a, b) || byCodeUnit(x, y));
  const canonicalQuery = pairs.map(([name, value]) => `${name}=${value}`).join("&");
  const canonicalRequest = [
    method,
    path,
    canonicalQuery,
    ...names.map((name) => `${name}:${headers[name]}`),
    "",
    names.join(";"),
    await sha256Hex(body),
  ].join("\n");
  const scope = `${date.slice(0, 8)}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", date, scope, await sha256Hex(canonicalRequest)].join(
    "\n",
  );
  let key = await hmac(`AWS4${credentials.secretAccessKey}`, date.slice(0, 8));
  key = await hmac(key, region);
  key = await hmac(key, service);
  key = await hmac(key, "aws4_request");
  const signature = toHex(await hmac(key, stringToSign));
  const authorization =
    `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${
      names.join(";")
    }, Signature=${signature}`;
  const sent: Record<string, string> = { ...headers };
  delete sent.host;
  sent.authorization = options.authorization?.(authorization) ?? authorization;
  Object.assign(sent, options.unsignedHeaders ?? {});
  return fetch(`${base}${path}${query === "" ? "" : `?${query}`}`, {
    method,
    headers: sent,
    ...(hasBody ? { body: options.sendBody ?? body } : {}),
  });
}

/** Builds and sends a SigV4-signed STS request (`POST /`, a GetCallerIdentity form by default). */
export function signedStsRequest(
  base: string,
  credentials: Credentials,
  options: StsRequestOptions = {},
): Promise<Response> {
  return signedRequest(base, credentials, options);
}

/** The text of an XML element with its entities decoded, or `null`. */
export function xmlText(xml: string, element: string): string | null {
  const match = new RegExp(`<${element}>([^<]*)</${element}>`).exec(xml);
  if (match?.[1] === undefined) return null;
  const entities: Record<string, string> = {
    "&lt;": "<",
    "&gt;": ">",
    "&quot;": '"',
    "&apos;": "'",
    "&amp;": "&",
  };
  return match[1].replace(/&(lt|gt|quot|apos|amp);/g, (entity) => entities[entity] ?? entity);
}

/** Asserts an STS XML error (query protocol `ErrorResponse`) and returns its message. */
export async function assertStsError(
  response: Response,
  status: number,
  code: string,
): Promise<string> {
  const xml = await response.text();
  assertEquals({ status: response.status, code: xmlText(xml, "Code") }, { status, code }, xml);
  assertStringIncludes(xml, '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">');
  assertEquals(xmlText(xml, "Type"), status >= 500 ? "Receiver" : "Sender");
  assertMatch(xmlText(xml, "RequestId") ?? "", /^[0-9a-f-]{36}$/);
  assertEquals(response.headers.get("content-type"), "text/xml");
  return xmlText(xml, "Message") ?? "";
}
