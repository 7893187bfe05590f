/**
 * The browser side of Sign-In: `GET /v1/authorize` (spec §2), the consent decision of page mode,
 * and the cross-device code page `GET /v1/sessions/confirmation` (spec §4).
 *
 * Every parameter is validated before anything else happens, and errors are answered in place:
 * the emulator never redirects to a redirect URI it has not validated.
 *
 * @module
 */

import type { ListenerContext } from "./context.ts";
import { base64, percentEncode, utf8 } from "./encoding.ts";
import {
  htmlResponse,
  type IncomingRequest,
  jsonResponse,
  mediaType,
  parseQuery,
  redirectResponse,
  wantsHtml,
} from "./http.ts";
import { confirmationPage, consentPage, errorPage } from "./pages.ts";
import type { AuthorizationParams, DevtoolsClientId } from "./store.ts";

/** Client id of the same-device (loopback redirect) flow. */
export const SAME_DEVICE_CLIENT_ID = "arn:aws:signin:::devtools/same-device";
/** Client id of the cross-device (`--remote`) flow. */
export const CROSS_DEVICE_CLIENT_ID = "arn:aws:signin:::devtools/cross-device";
/** Path of the cross-device redirect URI on the Sign-In host. */
export const CONFIRMATION_PATH = "/v1/sessions/confirmation";

const AUTHORIZE_PARAMETERS = [
  "response_type",
  "client_id",
  "state",
  "code_challenge_method",
  "scope",
  "redirect_uri",
  "code_challenge",
] as const;

const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/;
const LOOPBACK_REDIRECT = /^http:\/\/127\.0\.0\.1:([1-9][0-9]{0,4})\/oauth\/callback$/;

/** The outcome of {@link validateAuthorizeQuery}. */
export type AuthorizeValidation =
  | { ok: true; params: AuthorizationParams }
  | { ok: false; message: string };

function isDevtoolsClient(value: string): value is DevtoolsClientId {
  return value === SAME_DEVICE_CLIENT_ID || value === CROSS_DEVICE_CLIENT_ID;
}

/**
 * Checks a same-device redirect URI: `http://127.0.0.1:{port}/oauth/callback`, nothing else.
 *
 * @example
 * ```ts
 * isLoopbackRedirectUri("http://127.0.0.1:54321/oauth/callback"); // true
 * isLoopbackRedirectUri("http://localhost:54321/oauth/callback"); // false
 * ```
 */
export function isLoopbackRedirectUri(uri: string): boolean {
  const match = LOOPBACK_REDIRECT.exec(uri);
  return match !== null && Number(match[1]) <= 65535;
}

/**
 * Validates the query of an authorization request against spec §2.1/§2.2. Unknown and repeated
 * parameters are refused too. `baseUrl` is the region's public base URL, which the cross-device
 * redirect URI must start with.
 *
 * @example
 * ```ts
 * validateAuthorizeQuery("response_type=code&client_id=...", "http://127.0.0.1:8787");
 * ```
 */
export function validateAuthorizeQuery(
  rawQuery: string | null,
  baseUrl: string,
): AuthorizeValidation {
  if (rawQuery === null || rawQuery === "") {
    return { ok: false, message: "The authorization request has no query parameters" };
  }
  const pairs = parseQuery(rawQuery);
  if (pairs === null) {
    return { ok: false, message: "The query string is not valid percent-encoding" };
  }
  const values = new Map<string, string>();
  for (const [name, value] of pairs) {
    if (!(AUTHORIZE_PARAMETERS as readonly string[]).includes(name)) {
      return { ok: false, message: `Parameter "${name}" is not supported` };
    }
    if (values.has(name)) return { ok: false, message: `Parameter "${name}" is repeated` };
    values.set(name, value);
  }
  for (const name of AUTHORIZE_PARAMETERS) {
    if (!values.has(name)) return { ok: false, message: `Parameter "${name}" is required` };
  }
  const get = (name: (typeof AUTHORIZE_PARAMETERS)[number]): string => values.get(name) ?? "";

  if (get("response_type") !== "code") {
    return {
      ok: false,
      message: `Parameter "response_type" must be "code", got "${get("response_type")}"`,
    };
  }
  const clientId = get("client_id");
  if (!isDevtoolsClient(clientId)) {
    return {
      ok: false,
      message:
        `Parameter "client_id" must be "${SAME_DEVICE_CLIENT_ID}" or "${CROSS_DEVICE_CLIENT_ID}", got "${clientId}"`,
    };
  }
  const state = get("state");
  if (state.length < 1 || state.length > 128) {
    return {
      ok: false,
      message: `Parameter "state" must be 1 to 128 characters long, got ${state.length}`,
    };
  }
  if (get("code_challenge_method") !== "SHA-256") {
    return {
      ok: false,
      message: `Parameter "code_challenge_method" must be "SHA-256", got "${
        get("code_challenge_method")
      }"`,
    };
  }
  if (get("scope") !== "openid") {
    return { ok: false, message: `Parameter "scope" must be "openid", got "${get("scope")}"` };
  }
  const redirectUri = get("redirect_uri");
  if (clientId === SAME_DEVICE_CLIENT_ID && !isLoopbackRedirectUri(redirectUri)) {
    return {
      ok: false,
      message:
        `Parameter "redirect_uri" must be "http://127.0.0.1:{port}/oauth/callback" for the same-device client, got "${redirectUri}"`,
    };
  }
  const confirmationUri = `${baseUrl}${CONFIRMATION_PATH}`;
  if (clientId === CROSS_DEVICE_CLIENT_ID && redirectUri !== confirmationUri) {
    return {
      ok: false,
      message:
        `Parameter "redirect_uri" must be "${confirmationUri}" for the cross-device client, got "${redirectUri}"`,
    };
  }
  const codeChallenge = get("code_challenge");
  if (!PKCE_VALUE.test(codeChallenge)) {
    return {
      ok: false,
      message:
        `Parameter "code_challenge" must be 43 to 128 characters of [A-Za-z0-9-._~], got "${codeChallenge}"`,
    };
  }
  return { ok: true, params: { clientId, redirectUri, codeChallenge, state } };
}

/**
 * The `Location` of a successful authorization: the redirect URI with `code` and `state`.
 *
 * @example
 * ```ts
 * successLocation("http://127.0.0.1:1/oauth/callback", { code: "c", state: "s" });
 * // "http://127.0.0.1:1/oauth/callback?code=c&state=s"
 * ```
 */
export function successLocation(
  redirectUri: string,
  grant: { code: string; state: string },
): string {
  return `${redirectUri}?code=${percentEncode(grant.code)}&state=${percentEncode(grant.state)}`;
}

/**
 * The code the cross-device page shows: standard base64 of `state={state}&code={code}`.
 *
 * @example
 * ```ts
 * verificationCode("s", "c"); // base64 of "state=s&code=c"
 * ```
 */
export function verificationCode(state: string, code: string): string {
  return base64(utf8(`state=${percentEncode(state)}&code=${percentEncode(code)}`));
}

/**
 * A `BadRequestException`-style answer (or another error type): an HTML page for browsers, JSON
 * `{"error": "invalid_request", "message"}` otherwise. Never a redirect.
 *
 * @example
 * ```ts
 * badRequest(request, { status: 400, message: 'Parameter "scope" must be "openid", got "email"' });
 * ```
 */
export function badRequest(
  request: IncomingRequest,
  options: { status: number; message: string; type?: string },
): Response {
  const { status, message } = options;
  const headers = { "x-amzn-errortype": options.type ?? "BadRequestException" };
  if (wantsHtml(request.headers)) {
    return htmlResponse(status, errorPage("The sign-in request is invalid", message), headers);
  }
  return jsonResponse(status, { error: "invalid_request", message }, headers);
}

function issueAndRedirect(context: ListenerContext, params: AuthorizationParams): Response {
  const record = context.store.issueCode(params, {
    region: context.region,
    now: context.config.now(),
  });
  return redirectResponse(
    successLocation(params.redirectUri, { code: record.code, state: params.state }),
  );
}

/**
 * `GET /v1/authorize`.
 *
 * @example
 * ```ts
 * const response = handleAuthorize(request, context);
 * ```
 */
export function handleAuthorize(request: IncomingRequest, context: ListenerContext): Response {
  if (request.method !== "GET") {
    return badRequest(request, {
      status: 405,
      message: `Method "${request.method}" is not allowed on /v1/authorize`,
    });
  }
  const validation = validateAuthorizeQuery(request.rawQuery, context.publicUrl);
  if (!validation.ok) return badRequest(request, { status: 400, message: validation.message });
  if (context.config.approval === "auto") return issueAndRedirect(context, validation.params);
  const pending = context.store.addPendingConsent(validation.params, {
    region: context.region,
    now: context.config.now(),
  });
  return htmlResponse(
    200,
    consentPage({
      requestId: pending.id,
      clientId: pending.clientId,
      redirectUri: pending.redirectUri,
      sessionArn: context.config.sessionArn,
      region: context.region,
    }),
  );
}

/**
 * `POST /v1/authorize/decision`: the approve or deny button of the consent page.
 *
 * @example
 * ```ts
 * const response = handleDecision(request, context);
 * ```
 */
export function handleDecision(request: IncomingRequest, context: ListenerContext): Response {
  if (request.method !== "POST") {
    return badRequest(request, {
      status: 405,
      message: `Method "${request.method}" is not allowed here`,
    });
  }
  if (mediaType(request.headers.get("content-type")) !== "application/x-www-form-urlencoded") {
    return badRequest(request, { status: 400, message: "The decision must be a form submission" });
  }
  const pairs = parseQuery(new TextDecoder().decode(request.body));
  const form = new Map(pairs ?? []);
  const decision = form.get("decision");
  const pending = context.store.takePendingConsent(form.get("request") ?? "", {
    region: context.region,
    now: context.config.now(),
  });
  if (pending === undefined) {
    return badRequest(request, {
      status: 400,
      message:
        "This sign-in request is unknown, was already answered, or has expired. Start the login again",
    });
  }
  if (decision === "approve") return issueAndRedirect(context, pending);
  if (decision !== "deny") {
    return badRequest(request, {
      status: 400,
      message: `Decision "${decision ?? ""}" is not "approve" or "deny"`,
    });
  }
  const description = "The user denied the request";
  if (pending.clientId === SAME_DEVICE_CLIENT_ID) {
    return redirectResponse(
      `${pending.redirectUri}?error=access_denied&error_description=${
        percentEncode(description)
      }&state=${percentEncode(pending.state)}`,
    );
  }
  return htmlResponse(
    403,
    errorPage("Access denied", `${description}. No code was issued; close this tab.`),
  );
}

/**
 * `GET /v1/sessions/confirmation?code=…&state=…`: shows the cross-device verification code.
 *
 * @example
 * ```ts
 * const response = handleConfirmation(request, context);
 * ```
 */
export function handleConfirmation(request: IncomingRequest, context: ListenerContext): Response {
  const fail = (message: string): Response =>
    htmlResponse(400, errorPage("No code to show", message), {
      "x-amzn-errortype": "BadRequestException",
    });
  if (request.method !== "GET") return fail(`Method "${request.method}" is not allowed here`);
  const pairs = parseQuery(request.rawQuery ?? "");
  if (pairs === null) return fail("The query string is not valid percent-encoding");
  const query = new Map<string, string>();
  for (const [name, value] of pairs) {
    if (query.has(name)) return fail(`Parameter "${name}" is repeated`);
    query.set(name, value);
  }
  const code = query.get("code");
  const state = query.get("state");
  if (code === undefined || state === undefined) {
    return fail('Parameters "code" and "state" are required');
  }
  const record = context.store.findCode(code);
  if (
    record === undefined || record.clientId !== CROSS_DEVICE_CLIENT_ID ||
    record.region !== context.region || record.state !== state
  ) {
    return fail("This authorization code is unknown here. Start the login again");
  }
  if (record.redeemed) return fail("This authorization code was already used");
  const age = context.config.now() - record.issuedAt;
  if (age > context.config.authCodeTtlSeconds * 1000) {
    return fail("This authorization code has expired. Start the login again");
  }
  return htmlResponse(200, confirmationPage(verificationCode(state, code)));
}
