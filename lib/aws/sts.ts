/**
 * STS `AssumeRole` over the query protocol (botocore's model lists only `query` for STS): a
 * SigV4-signed `POST /` with a form body, `Action=AssumeRole&Version=2011-06-15&...`, answered in
 * XML. As in `lib/signin/token.ts`, the I/O ({@link assumeRoleRequest}) is separate from the
 * checks of the answer ({@link processAssumeRoleResponse}), and {@link assumeRole} applies the
 * policy of `sts_policy.ts`. The signer is loaded only here, when a request is made.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import { ServiceError } from "../errors.ts";
import { sanitizeOutsideText } from "../runtime/sanitize.ts";
import { answerCutOff, requestFailure, retryWithin, timedOut } from "../signin/token_policy.ts";
import type { StsEndpoint } from "../signin/sts_endpoints.ts";
import type { SigningCredentials } from "../signin/sigv4.ts";
import { isRetryableSts, STS_REQUEST_TIMEOUT_MS, STS_RETRY_BUDGET_MS } from "./sts_policy.ts";
import { parseExpiresAt } from "./login_cache.ts";
import { VERSION } from "../version.ts";

/** The STS API version of the query protocol. */
export const STS_API_VERSION = "2011-06-15";

/** The largest answer read; an STS answer is about 2 KB. */
const MAX_ANSWER_BYTES = 256 * 1024;

/** The members of an `AssumeRole` request aws-login sends. */
export interface AssumeRoleParameters {
  readonly roleArn: string;
  readonly roleSessionName: string;
  readonly durationSeconds?: number | undefined;
  readonly externalId?: string | undefined;
  readonly serialNumber?: string | undefined;
  /** The MFA code; never logged, never cached. */
  readonly tokenCode?: string | undefined;
}

/** Credentials STS issued for a role, with who they are. */
export interface AssumedRole {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
  /** `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
  readonly assumedRoleArn: string;
  readonly accountId: string | undefined;
}

/**
 * The form body of an `AssumeRole` request (pure), members in the model's order.
 *
 * @example
 * ```ts
 * assumeRoleBody({ roleArn: "arn:aws:iam::123456789012:role/R", roleSessionName: "s" });
 * // "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FR&RoleSessionName=s"
 * ```
 */
export function assumeRoleBody(parameters: AssumeRoleParameters): string {
  const form = new URLSearchParams({
    Action: "AssumeRole",
    Version: STS_API_VERSION,
    RoleArn: parameters.roleArn,
    RoleSessionName: parameters.roleSessionName,
  });
  if (parameters.durationSeconds !== undefined) {
    form.set("DurationSeconds", String(parameters.durationSeconds));
  }
  if (parameters.externalId !== undefined) form.set("ExternalId", parameters.externalId);
  if (parameters.serialNumber !== undefined) form.set("SerialNumber", parameters.serialNumber);
  if (parameters.tokenCode !== undefined) form.set("TokenCode", parameters.tokenCode);
  // URLSearchParams writes a space as "+", which SigV4 and STS read as a space too; the members
  // sent here hold none.
  return form.toString();
}

const ENTITIES: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
};

/**
 * The text of the first `<name>` element of an XML document (entities decoded), or `undefined`.
 * STS answers are flat and prefix-free; this is all of XML that reading them needs.
 *
 * @example
 * ```ts
 * xmlElementText("<a><Code>Access&amp;Denied</Code></a>", "Code"); // "Access&Denied"
 * ```
 */
export function xmlElementText(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}(?:\\s[^>]*)?>([^<]*)</${name}>`).exec(xml);
  if (match === null) return undefined;
  return (match[1] ?? "").replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (entity, body: string) => {
    if (body.startsWith("#x")) return String.fromCodePoint(Number.parseInt(body.slice(2), 16));
    if (body.startsWith("#")) return String.fromCodePoint(Number.parseInt(body.slice(1), 10));
    return ENTITIES[body] ?? entity;
  });
}

/** The part of an XML document between `<name>` and `</name>`, or `undefined`. */
function xmlElement(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`).exec(xml)?.[1];
}

/**
 * Checks an `AssumeRole` answer: a 200 with credentials, or the STS error it carries as a
 * {@link ServiceError} (`errorType` = STS's `Code`, message sanitized, `secrets` redacted).
 *
 * @example
 * ```ts ignore
 * const role = await processAssumeRoleResponse(response, { secrets: [code] });
 * ```
 */
export async function processAssumeRoleResponse(
  response: Response,
  options: { readonly secrets?: readonly (string | undefined)[] } = {},
): Promise<AssumedRole> {
  const text = await readBounded(response);
  const clean = (value: string) => sanitizeOutsideText(value, { secrets: options.secrets ?? [] });
  if (response.status !== 200) {
    const code = xmlElementText(text, "Code");
    const message = xmlElementText(text, "Message");
    throw new ServiceError(
      clean(message ?? (text.trim() || `HTTP ${response.status}`)),
      {
        status: response.status,
        errorType: code === undefined ? undefined : clean(code),
        code: code === undefined ? "STS_ERROR" : clean(code),
      },
    );
  }
  const invalid = (why: string) =>
    new ServiceError(`The answer of AWS STS could not be used: ${why}`, {
      status: response.status,
      code: "INVALID_RESPONSE",
    });
  const credentials = xmlElement(text, "Credentials");
  if (credentials === undefined) throw invalid("it has no Credentials");
  const field = (name: string) => {
    const value = xmlElementText(credentials, name)?.trim();
    if (value === undefined || value === "") throw invalid(`Credentials.${name} is missing`);
    return value;
  };
  const expiration = parseExpiresAt(field("Expiration"));
  if (expiration === undefined) throw invalid("Credentials.Expiration is not a timestamp");
  const user = xmlElement(text, "AssumedRoleUser") ?? "";
  const assumedRoleArn = xmlElementText(user, "Arn")?.trim() ?? "";
  const account = /^arn:[^:]+:sts::(\d{12}):/.exec(assumedRoleArn)?.[1];
  return {
    accessKeyId: field("AccessKeyId"),
    secretAccessKey: field("SecretAccessKey"),
    sessionToken: field("SessionToken"),
    expiration,
    assumedRoleArn,
    accountId: account,
  };
}

async function readBounded(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (reader === undefined) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (true) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_ANSWER_BYTES) {
      await reader.cancel();
      throw new ServiceError(`The answer of AWS STS is larger than ${MAX_ANSWER_BYTES} bytes`, {
        status: response.status,
        code: "INVALID_RESPONSE",
      });
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return new TextDecoder().decode(bytes);
}

/** Where and as whom an `AssumeRole` request goes. */
export interface AssumeRoleContext {
  readonly endpoint: StsEndpoint;
  /** The caller's credentials, which sign the request. */
  readonly credentials: SigningCredentials;
}

/**
 * Sends one signed `AssumeRole` request (no retry) and returns the response, whose body is still
 * to be read under the same `signal`.
 *
 * @example
 * ```ts ignore
 * const response = await assumeRoleRequest(deps, context, parameters, signal);
 * ```
 */
export async function assumeRoleRequest(
  deps: Pick<Deps, "fetch" | "now">,
  context: AssumeRoleContext,
  parameters: AssumeRoleParameters,
  signal: AbortSignal,
): Promise<Response> {
  // Only an AssumeRole needs the signer: serving cached credentials never loads it.
  const { signRequest } = await import("../signin/sigv4.ts");
  const body = assumeRoleBody(parameters);
  const signed = await signRequest({
    method: "POST",
    url: context.endpoint.url,
    headers: {
      "content-type": "application/x-www-form-urlencoded; charset=utf-8",
      "user-agent": `aws-login/${VERSION}`,
    },
    body,
    region: context.endpoint.signingRegion,
    service: "sts",
    credentials: context.credentials,
    now: deps.now(),
  });
  return await deps.fetch(signed.url, {
    method: "POST",
    headers: signed.headers,
    body,
    signal,
    redirect: "manual",
  });
}

/**
 * One `AssumeRole` exchange within `timeoutMs`, the answer's body included; a timeout is a
 * {@link NetworkError} with code `TIMEOUT`, a connection failure one with code `UNREACHABLE`.
 *
 * @example
 * ```ts ignore
 * const role = await assumeRoleOnce(deps, context, parameters);
 * ```
 */
export async function assumeRoleOnce(
  deps: Pick<Deps, "fetch" | "now" | "timeout">,
  context: AssumeRoleContext,
  parameters: AssumeRoleParameters,
  timeoutMs: number = STS_REQUEST_TIMEOUT_MS,
): Promise<AssumedRole> {
  const signal = deps.timeout(timeoutMs);
  const failure = {
    base: new URL(context.endpoint.url).origin,
    timeout: signal,
    timeoutMs,
    service: "AWS STS",
  };
  let response: Response;
  try {
    response = await assumeRoleRequest(deps, context, parameters, signal);
  } catch (error) {
    throw requestFailure(error, failure);
  }
  try {
    return await processAssumeRoleResponse(response, { secrets: [parameters.tokenCode] });
  } catch (error) {
    if (error instanceof ServiceError) throw error;
    if (signal.aborted) throw timedOut(error, failure);
    throw answerCutOff(error, failure);
  }
}

/**
 * `AssumeRole` under the policy of `sts_policy.ts`: retried after a pause when the failure passes
 * (throttling, 5xx, network, timeout) and time is left in {@link STS_RETRY_BUDGET_MS}.
 *
 * @example
 * ```ts ignore
 * const role = await assumeRole(deps, { endpoint, credentials }, { roleArn, roleSessionName });
 * ```
 */
export async function assumeRole(
  deps: Pick<Deps, "fetch" | "now" | "timeout" | "sleep" | "random">,
  context: AssumeRoleContext,
  parameters: AssumeRoleParameters,
): Promise<AssumedRole> {
  return await retryWithin(deps, {
    deadline: deps.now().getTime() + STS_RETRY_BUDGET_MS,
    requestTimeoutMs: STS_REQUEST_TIMEOUT_MS,
    isRetryable: isRetryableSts,
  }, (timeoutMs) => assumeRoleOnce(deps, context, parameters, timeoutMs));
}
