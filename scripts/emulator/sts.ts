/**
 * STS `GetCallerIdentity` over the AWS query protocol (the only protocol of STS: botocore 1.43.11's
 * model lists `"protocols": ["query"]` and JS SDK v3 serialises with `Aws_query`): a SigV4-signed
 * `POST /` with a form body (or `GET /?Action=…`), answered in XML like the real service.
 *
 * @module
 */

import type { ListenerContext } from "./context.ts";
import { fromUtf8 } from "./encoding.ts";
import { userIdFor } from "./ids.ts";
import { type IncomingRequest, mediaType, parseQuery } from "./http.ts";
import { verifySigV4 } from "./sigv4.ts";

/** XML namespace of STS responses. */
export const STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";
/** The STS API version. */
export const STS_VERSION = "2011-06-15";

/**
 * Escapes text for XML content.
 *
 * @example
 * ```ts
 * escapeXml("a<b"); // "a&lt;b"
 * ```
 */
export function escapeXml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&apos;");
}

function xmlResponse(status: number, xml: string, requestId: string): Response {
  return new Response(xml, {
    status,
    headers: { "content-type": "text/xml", "x-amzn-requestid": requestId },
  });
}

/**
 * An STS error in the query protocol's XML shape (`Sender` for 4xx, `Receiver` for 5xx).
 *
 * @example
 * ```ts
 * stsError("ExpiredToken", { status: 403, message: "The security token ...", requestId: "id" });
 * ```
 */
export function stsError(
  code: string,
  options: { status: number; message: string; requestId: string },
): Response {
  const { status, message, requestId } = options;
  const type = status >= 500 ? "Receiver" : "Sender";
  return xmlResponse(
    status,
    `<ErrorResponse xmlns="${STS_NAMESPACE}">
  <Error>
    <Type>${type}</Type>
    <Code>${escapeXml(code)}</Code>
    <Message>${escapeXml(message)}</Message>
  </Error>
  <RequestId>${requestId}</RequestId>
</ErrorResponse>
`,
    requestId,
  );
}

/**
 * The `GetCallerIdentity` response document.
 *
 * @example
 * ```ts
 * callerIdentityXml({ arn, userId, account, requestId });
 * ```
 */
export function callerIdentityXml(
  identity: { arn: string; userId: string; account: string; requestId: string },
): string {
  return `<GetCallerIdentityResponse xmlns="${STS_NAMESPACE}">
  <GetCallerIdentityResult>
    <Arn>${escapeXml(identity.arn)}</Arn>
    <UserId>${escapeXml(identity.userId)}</UserId>
    <Account>${escapeXml(identity.account)}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>${identity.requestId}</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>
`;
}

/** Request parameters from the query string and, for a form POST, the body; `string` on error. */
function requestParameters(request: IncomingRequest): Map<string, string> | string {
  const pairs = parseQuery(request.rawQuery ?? "");
  if (pairs === null) return "The query string is not valid percent-encoding.";
  if (
    request.method === "POST" &&
    mediaType(request.headers.get("content-type")) === "application/x-www-form-urlencoded"
  ) {
    const text = fromUtf8(request.body);
    const bodyPairs = text === null ? null : parseQuery(text);
    if (bodyPairs === null) return "The request body is not a valid form encoding.";
    pairs.push(...bodyPairs);
  }
  const parameters = new Map<string, string>();
  for (const [name, value] of pairs) {
    if (parameters.has(name)) return `Parameter '${name}' is repeated.`;
    parameters.set(name, value);
  }
  return parameters;
}

async function answer(
  request: IncomingRequest,
  context: ListenerContext,
  requestId: string,
): Promise<Response> {
  if (request.method !== "POST" && request.method !== "GET") {
    return stsError("InvalidAction", {
      status: 405,
      message: `Method '${request.method}' is not supported.`,
      requestId,
    });
  }
  const auth = await verifySigV4(request, {
    region: context.region,
    service: "sts",
    now: context.config.now(),
    lookup: (accessKeyId) => context.store.credentials(accessKeyId),
  });
  if (!auth.ok) {
    return stsError(auth.code, { status: auth.status, message: auth.message, requestId });
  }

  const parameters = requestParameters(request);
  if (typeof parameters === "string") {
    return stsError("MalformedQueryString", { status: 400, message: parameters, requestId });
  }
  const action = parameters.get("Action");
  if (action === undefined) {
    return stsError("MissingAction", { status: 400, message: "Missing Action", requestId });
  }
  const version = parameters.get("Version");
  if (version === undefined) {
    return stsError("MissingParameter", {
      status: 400,
      message: "The request must contain the parameter Version",
      requestId,
    });
  }
  if (action !== "GetCallerIdentity" || version !== STS_VERSION) {
    return stsError("InvalidAction", {
      status: 400,
      message: `Could not find operation ${action} for version ${version}`,
      requestId,
    });
  }
  const arn = auth.credentials.sessionArn;
  return xmlResponse(
    200,
    callerIdentityXml({
      arn,
      userId: await userIdFor(arn),
      account: arn.split(":")[4] ?? "",
      requestId,
    }),
    requestId,
  );
}

/**
 * Handles an STS request and keeps the STS rejection counter.
 *
 * @example
 * ```ts
 * const response = await handleSts(request, context);
 * ```
 */
export async function handleSts(
  request: IncomingRequest,
  context: ListenerContext,
): Promise<Response> {
  const response = await answer(request, context, crypto.randomUUID());
  if (!response.ok) context.store.counts.stsRejected++;
  return response;
}
