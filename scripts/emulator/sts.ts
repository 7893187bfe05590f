/**
 * STS over the AWS query protocol (the only protocol of STS: botocore 1.43.11's model lists
 * `"protocols": ["query"]` and JS SDK v3 serialises with `Aws_query`): a SigV4-signed `POST /`
 * with a form body (or `GET /?Action=…`), answered in XML like the real service. Actions:
 * `GetCallerIdentity` and `AssumeRole` (`assume_role.ts`).
 *
 * @module
 */

import { assumeRole } from "./assume_role.ts";
import type { ListenerContext } from "./context.ts";
import { fromUtf8 } from "./encoding.ts";
import { type IncomingRequest, mediaType, parseQuery } from "./http.ts";
import { notAuthorizedMessage } from "./iam.ts";
import { userIdFor } from "./ids.ts";
import { verifySigV4 } from "./sigv4.ts";
import { escapeXml, STS_NAMESPACE, STS_VERSION, stsError, xmlResponse } from "./sts_xml.ts";
import type { StsAction } from "./types.ts";

/** The STS actions the emulator serves. */
export const STS_ACTIONS: readonly StsAction[] = ["GetCallerIdentity", "AssumeRole"];

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

/** Request parameters of an STS request, or why they cannot be read. */
export type StsParameters = Map<string, string> | string;

/**
 * Request parameters from the query string and, for a form POST, the body; a `string` saying
 * what is wrong when they cannot be read. Pure: the router reads the `Action` from it before
 * authentication (for fault matching and counters), the handler the rest.
 *
 * @example
 * ```ts
 * stsParameters(request); // Map { "Action" => "GetCallerIdentity", "Version" => "2011-06-15" }
 * ```
 */
export function stsParameters(request: IncomingRequest): StsParameters {
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

/**
 * The action an STS request names, when it is one the emulator serves.
 *
 * @example
 * ```ts
 * stsActionOf(stsParameters(request)); // "AssumeRole"
 * ```
 */
export function stsActionOf(parameters: StsParameters): StsAction | null {
  if (typeof parameters === "string") return null;
  const action = parameters.get("Action");
  return STS_ACTIONS.find((known) => known === action) ?? null;
}

/** What the router tells the handler. */
export interface StsOptions {
  /** The request's parameters, if the router read them already (see {@link stsParameters}). */
  parameters?: StsParameters;
  /** An injected AccessDenied fault applies to this request (after authentication). */
  deniedByFault?: boolean;
}

interface Outcome {
  response: Response;
  /** The emulator itself refused the request (not an injected fault). */
  rejected: boolean;
}

async function answer(
  request: IncomingRequest,
  context: ListenerContext,
  options: { parameters: StsParameters; deniedByFault: boolean; requestId: string },
): Promise<Outcome> {
  const { parameters, requestId } = options;
  const refuse = (code: string, status: number, message: string): Outcome => ({
    response: stsError(code, { status, message, requestId }),
    rejected: true,
  });
  if (request.method !== "POST" && request.method !== "GET") {
    return refuse("InvalidAction", 405, `Method '${request.method}' is not supported.`);
  }
  const auth = await verifySigV4(request, {
    region: context.region,
    service: "sts",
    now: context.config.now(),
    lookup: (accessKeyId) => context.store.credentials(accessKeyId),
  });
  if (!auth.ok) return refuse(auth.code, auth.status, auth.message);

  if (typeof parameters === "string") return refuse("MalformedQueryString", 400, parameters);
  const action = parameters.get("Action");
  if (action === undefined) return refuse("MissingAction", 400, "Missing Action");
  const version = parameters.get("Version");
  if (version === undefined) {
    return refuse("MissingParameter", 400, "The request must contain the parameter Version");
  }
  const known = stsActionOf(parameters);
  if (known === null || version !== STS_VERSION) {
    return refuse(
      "InvalidAction",
      400,
      `Could not find operation ${action} for version ${version}`,
    );
  }
  if (known === "AssumeRole") {
    return await assumeRole(context, parameters, {
      caller: auth.credentials,
      requestId,
      deniedByFault: options.deniedByFault,
    });
  }
  const arn = auth.credentials.sessionArn;
  if (options.deniedByFault) {
    return {
      response: stsError("AccessDenied", {
        status: 403,
        message: notAuthorizedMessage(arn, "sts:GetCallerIdentity", "*"),
        requestId,
      }),
      rejected: false,
    };
  }
  const xml = callerIdentityXml({
    arn,
    userId: await userIdFor(arn),
    account: arn.split(":")[4] ?? "",
    requestId,
  });
  return { response: xmlResponse(200, xml, requestId), rejected: false };
}

/**
 * Handles an STS request and keeps the STS rejection counters.
 *
 * @example
 * ```ts
 * const response = await handleSts(request, context);
 * ```
 */
export async function handleSts(
  request: IncomingRequest,
  context: ListenerContext,
  options: StsOptions = {},
): Promise<Response> {
  const parameters = options.parameters ?? stsParameters(request);
  const { response, rejected } = await answer(request, context, {
    parameters,
    deniedByFault: options.deniedByFault === true,
    requestId: crypto.randomUUID(),
  });
  if (rejected) {
    const { counts } = context.store;
    counts.stsRejected++;
    if (stsActionOf(parameters) === "AssumeRole") counts.assumeRoleRejected++;
  }
  return response;
}
