/**
 * Verification of AWS Signature Version 4 `Authorization` headers, strict enough that a request
 * it accepts would be accepted by AWS. The signature is recomputed with `@smithy/signature-v4`
 * from the headers named in `SignedHeaders` only, the issued secret of the access key, the region
 * and service of the credential scope and the request's `X-Amz-Date`, then compared in constant
 * time.
 *
 * @module
 */

import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { constantTimeEqual, hex, sha256 } from "./encoding.ts";
import type { IncomingRequest } from "./http.ts";
import { parseQuery } from "./http.ts";
import type { IssuedCredentials } from "./store.ts";

/** SigV4 failures in the codes and HTTP statuses AWS uses for them. */
export type SigV4ErrorCode =
  | "MissingAuthenticationToken"
  | "IncompleteSignature"
  | "InvalidClientTokenId"
  | "SignatureDoesNotMatch"
  | "ExpiredToken";

/** The outcome of {@link verifySigV4}. */
export type SigV4Result =
  | { ok: true; credentials: IssuedCredentials }
  | { ok: false; code: SigV4ErrorCode; status: number; message: string };

/** What a request is verified against. */
export interface SigV4Expectations {
  /** Region this endpoint serves; the credential scope must name it. */
  region: string;
  /** Signing name of the service, e.g. `sts`. */
  service: string;
  /** Current time in milliseconds. */
  now: number;
  /** Issued credentials by access key id. */
  lookup(accessKeyId: string): IssuedCredentials | undefined;
}

/** Allowed distance between `X-Amz-Date` and the server clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

const ALGORITHM = "AWS4-HMAC-SHA256";
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const SIGNATURE = /^[0-9a-f]{64}$/;
const MISMATCH_MESSAGE =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
const INVALID_TOKEN_MESSAGE = "The security token included in the request is invalid.";

function failure(code: SigV4ErrorCode, message: string): SigV4Result {
  const status = code === "IncompleteSignature" ? 400 : 403;
  return { ok: false, code, status, message };
}

/**
 * Parses an `X-Amz-Date` value (`20260101T120000Z`) into milliseconds, or `null`.
 *
 * @example
 * ```ts
 * parseAmzDate("19700101T000001Z"); // 1000
 * ```
 */
export function parseAmzDate(value: string): number | null {
  const match = AMZ_DATE.exec(value);
  if (match === null) return null;
  const [, year, month, day, hour, minute, second] = match.map(Number);
  const time = Date.UTC(year ?? 0, (month ?? 1) - 1, day, hour, minute, second);
  return formatAmzDate(time) === value ? time : null;
}

/**
 * Formats milliseconds as an `X-Amz-Date` value.
 *
 * @example
 * ```ts
 * formatAmzDate(1000); // "19700101T000001Z"
 * ```
 */
export function formatAmzDate(time: number): string {
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
}

interface ParsedAuthorization {
  accessKeyId: string;
  scopeDate: string;
  scopeRegion: string;
  scopeService: string;
  signedHeaders: string[];
  signature: string;
}

function parseAuthorization(value: string): ParsedAuthorization | string {
  const space = value.indexOf(" ");
  const algorithm = space === -1 ? value : value.slice(0, space);
  if (algorithm !== ALGORITHM) {
    return `Unsupported AWS 'algorithm': '${algorithm}'. Only '${ALGORITHM}' is accepted.`;
  }
  const fields = new Map<string, string>();
  for (const part of value.slice(space + 1).split(",")) {
    const trimmed = part.trim();
    const equals = trimmed.indexOf("=");
    if (equals <= 0) return `Authorization header component '${trimmed}' is not 'name=value'.`;
    const name = trimmed.slice(0, equals);
    if (fields.has(name)) return `Authorization header repeats '${name}'.`;
    fields.set(name, trimmed.slice(equals + 1));
  }
  const missing = ["Credential", "SignedHeaders", "Signature"].filter((name) => !fields.has(name));
  if (missing.length > 0) {
    return missing.map((name) => `Authorization header requires '${name}' parameter.`).join(" ");
  }
  if (fields.size !== 3) return "Authorization header has unexpected components.";
  const scope = (fields.get("Credential") ?? "").split("/");
  const [accessKeyId = "", scopeDate = "", scopeRegion = "", scopeService = "", terminator] = scope;
  if (scope.length !== 5 || terminator !== "aws4_request" || accessKeyId === "") {
    return `Credential '${
      fields.get("Credential")
    }' is not 'KEY/YYYYMMDD/REGION/SERVICE/aws4_request'.`;
  }
  const signedHeaders = (fields.get("SignedHeaders") ?? "").split(";");
  const sorted = [...new Set(signedHeaders)].sort();
  if (
    signedHeaders.some((name) => name === "" || name !== name.toLowerCase()) ||
    sorted.join(";") !== signedHeaders.join(";")
  ) {
    return "SignedHeaders must be lower-case header names, sorted and unique, separated by ';'.";
  }
  const signature = fields.get("Signature") ?? "";
  if (!SIGNATURE.test(signature)) return "Signature must be 64 lower-case hexadecimal digits.";
  return { accessKeyId, scopeDate, scopeRegion, scopeService, signedHeaders, signature };
}

function headerValues(request: IncomingRequest, name: string): string[] {
  return request.rawHeaders.filter(([header]) => header === name).map(([, value]) => value);
}

function queryObject(request: IncomingRequest): Record<string, string | string[]> | null {
  const pairs = parseQuery(request.rawQuery ?? "");
  if (pairs === null) return null;
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of pairs) {
    const previous = query[name];
    query[name] = previous === undefined
      ? value
      : Array.isArray(previous)
      ? [...previous, value]
      : [previous, value];
  }
  return query;
}

async function expectedSignature(
  request: IncomingRequest,
  parsed: ParsedAuthorization,
  credentials: IssuedCredentials,
  signingDate: number,
): Promise<{ signature: string; signedHeaders: string } | string> {
  const headers: Record<string, string> = {};
  for (const name of parsed.signedHeaders) {
    // Repeated headers are one canonical header with comma-joined values (SigV4 rules).
    headers[name] = headerValues(request, name).map((value) => value.trim()).join(",");
  }
  const query = queryObject(request);
  let path: string;
  try {
    path = decodeURIComponent(request.path);
  } catch {
    return "The request path is not valid percent-encoding.";
  }
  if (query === null) return "The query string is not valid percent-encoding.";
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
    },
    region: parsed.scopeRegion,
    service: parsed.scopeService,
    sha256: Sha256,
    uriEscapePath: true,
    applyChecksum: false,
  });
  const signed = await signer.sign({
    method: request.method,
    protocol: "http:",
    hostname: "127.0.0.1",
    path,
    query,
    headers,
    body: request.body,
  }, {
    signingDate: new Date(signingDate),
    signingRegion: parsed.scopeRegion,
    signingService: parsed.scopeService,
    signableHeaders: new Set(parsed.signedHeaders),
  });
  const authorization = String(signed.headers.authorization ?? "");
  const signature = /Signature=([0-9a-f]{64})$/.exec(authorization)?.[1] ?? "";
  const signedHeaders = /SignedHeaders=([^,]+),/.exec(authorization)?.[1] ?? "";
  return { signature, signedHeaders };
}

/**
 * Verifies a request's SigV4 `Authorization` header against issued temporary credentials.
 *
 * @example
 * ```ts
 * const result = await verifySigV4(request, {
 *   region: "us-east-1", service: "sts", now: Date.now(), lookup: (id) => store.credentials(id),
 * });
 * ```
 */
export async function verifySigV4(
  request: IncomingRequest,
  expected: SigV4Expectations,
): Promise<SigV4Result> {
  const authorizations = headerValues(request, "authorization");
  if (authorizations.length === 0) {
    return failure("MissingAuthenticationToken", "Request is missing Authentication Token");
  }
  if (authorizations.length > 1) {
    return failure("IncompleteSignature", "The request has more than one Authorization header.");
  }
  const parsed = parseAuthorization(authorizations[0] ?? "");
  if (typeof parsed === "string") return failure("IncompleteSignature", parsed);

  const amzDates = headerValues(request, "x-amz-date");
  if (amzDates.length !== 1) {
    return failure(
      "IncompleteSignature",
      "Authorization header requires existence of exactly one 'X-Amz-Date' header.",
    );
  }
  const amzDate = amzDates[0] ?? "";
  const signingDate = parseAmzDate(amzDate);
  if (signingDate === null) {
    return failure(
      "IncompleteSignature",
      `X-Amz-Date '${amzDate}' is not an ISO 8601 basic date-time like 20260101T000000Z.`,
    );
  }
  if (parsed.scopeDate !== amzDate.slice(0, 8)) {
    return failure(
      "SignatureDoesNotMatch",
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${parsed.scopeDate}' != '${
        amzDate.slice(0, 8)
      }', from '${amzDate}'.`,
    );
  }
  if (parsed.scopeRegion !== expected.region) {
    return failure(
      "SignatureDoesNotMatch",
      `Credential should be scoped to a valid region. This endpoint serves '${expected.region}', the scope names '${parsed.scopeRegion}'.`,
    );
  }
  if (parsed.scopeService !== expected.service) {
    return failure(
      "SignatureDoesNotMatch",
      `Credential should be scoped to correct service: '${expected.service}'.`,
    );
  }
  for (const required of ["host", "x-amz-date"]) {
    if (!parsed.signedHeaders.includes(required)) {
      return failure(
        "SignatureDoesNotMatch",
        `'${required}' must be a 'SignedHeader' in the AWS Authorization.`,
      );
    }
  }
  const absent = parsed.signedHeaders.find((name) => headerValues(request, name).length === 0);
  if (absent !== undefined) {
    return failure("IncompleteSignature", `Signed header '${absent}' is not in the request.`);
  }

  const credentials = expected.lookup(parsed.accessKeyId);
  if (credentials === undefined) return failure("InvalidClientTokenId", INVALID_TOKEN_MESSAGE);
  const tokens = headerValues(request, "x-amz-security-token");
  // A long-term access key signs without a session token; temporary credentials need theirs.
  const tokenOk = credentials.sessionToken === ""
    ? tokens.length === 0
    : tokens.length === 1 && constantTimeEqual(tokens[0] ?? "", credentials.sessionToken);
  if (!tokenOk) return failure("InvalidClientTokenId", INVALID_TOKEN_MESSAGE);
  if (expected.now >= credentials.expiresAt) {
    return failure("ExpiredToken", "The security token included in the request is expired");
  }

  if (signingDate < expected.now - MAX_CLOCK_SKEW_MS) {
    return failure(
      "SignatureDoesNotMatch",
      `Signature expired: ${amzDate} is now earlier than ${
        formatAmzDate(expected.now - MAX_CLOCK_SKEW_MS)
      } (${formatAmzDate(expected.now)} - 15 min.)`,
    );
  }
  if (signingDate > expected.now + MAX_CLOCK_SKEW_MS) {
    return failure(
      "SignatureDoesNotMatch",
      `Signature not yet current: ${amzDate} is still later than ${
        formatAmzDate(expected.now + MAX_CLOCK_SKEW_MS)
      } (${formatAmzDate(expected.now)} + 15 min.)`,
    );
  }

  const contentHashes = headerValues(request, "x-amz-content-sha256");
  if (contentHashes.length > 0 && contentHashes[0] !== hex(await sha256(request.body))) {
    return failure(
      "SignatureDoesNotMatch",
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  }

  const computed = await expectedSignature(request, parsed, credentials, signingDate);
  if (typeof computed === "string") return failure("SignatureDoesNotMatch", computed);
  const signatureMatches = constantTimeEqual(computed.signature, parsed.signature);
  if (!signatureMatches || computed.signedHeaders !== parsed.signedHeaders.join(";")) {
    return failure("SignatureDoesNotMatch", MISMATCH_MESSAGE);
  }
  return { ok: true, credentials };
}
