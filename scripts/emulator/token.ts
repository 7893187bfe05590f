/**
 * `POST /v1/token` (`CreateOAuth2Token`, spec §5, §6): the JSON camelCase body of the AWS CLI
 * dialect, a mandatory DPoP proof, the `authorization_code` grant with PKCE and single-use codes
 * (never replayable), and the `refresh_token` grant with rotation, binding to DPoP key, client and
 * region, and (window mode) replay of the latest rotation while its successor is unused.
 *
 * @module
 */

import type { ListenerContext } from "./context.ts";
import { verifyDPoPProof } from "./dpop.ts";
import { base64Url, constantTimeEqual, sha256, utf8 } from "./encoding.ts";
import {
  headerCount,
  type IncomingRequest,
  jsonObjectBody,
  jsonResponse,
  mediaType,
} from "./http.ts";
import {
  AUTHCODE_EXPIRED_MESSAGE,
  INVALID_GRANT_MESSAGE,
  oauthError,
  signinError,
  TOKEN_EXPIRED_MESSAGE,
  USER_CREDENTIALS_CHANGED_MESSAGE,
} from "./signin_errors.ts";
import type { IssuedCredentials, LoginSession, Rotation } from "./store.ts";

/** The token type of every successful response. */
export const TOKEN_TYPE = "aws_sigv4";

const PKCE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
const CLIENT_ID = /^arn:aws:signin:::devtools\/(same-device|cross-device)$/;

/** Members each grant accepts, and which of them are required. */
const GRANT_MEMBERS = {
  authorization_code: {
    required: ["clientId", "grantType", "code", "codeVerifier", "redirectUri"],
    optional: [],
  },
  refresh_token: { required: ["clientId", "grantType", "refreshToken"], optional: [] },
} as const;

type GrantType = keyof typeof GRANT_MEMBERS;

/** Upper length limits from the service model. */
const MAX_LENGTHS: Record<string, number> = {
  code: 512,
  redirectUri: 2048,
  refreshToken: 2048,
};

interface ValidBody {
  grantType: GrantType;
  members: Map<string, string>;
}

type Failure = { response: Response };

function isGrantType(value: string): value is GrantType {
  return Object.hasOwn(GRANT_MEMBERS, value);
}

function parseBody(request: IncomingRequest, requestId: string): ValidBody | Failure {
  const type = mediaType(request.headers.get("content-type"));
  if (type !== "application/json") {
    return {
      response: oauthError("invalid_request", {
        description: `The request body must be application/json (the AWS CLI dialect), got ${
          type === null ? "no Content-Type" : `"${type}"`
        }`,
        requestId,
      }),
    };
  }
  const body = jsonObjectBody(request);
  if (body === null) {
    return {
      response: oauthError("invalid_request", {
        description: "The request body is not a JSON object",
        requestId,
      }),
    };
  }
  const grantType = body.grantType;
  if (typeof grantType !== "string" || !isGrantType(grantType)) {
    return {
      response: oauthError("unsupported_grant_type", {
        description: grantType === undefined
          ? 'The member "grantType" is missing'
          : `Grant type ${JSON.stringify(grantType)} is not supported`,
        requestId,
      }),
    };
  }
  const spec = GRANT_MEMBERS[grantType];
  const allowed: readonly string[] = [...spec.required, ...spec.optional];
  const members = new Map<string, string>();
  const invalid = (message: string): Failure => ({
    response: signinError("INVALID_REQUEST", { message, requestId }),
  });
  for (const [name, value] of Object.entries(body)) {
    if (!allowed.includes(name)) {
      return invalid(`Member "${name}" is not expected for grant type "${grantType}"`);
    }
    if (typeof value !== "string") return invalid(`Member "${name}" must be a string`);
    if (value.length === 0) return invalid(`Member "${name}" must not be empty`);
    const max = MAX_LENGTHS[name];
    if (max !== undefined && value.length > max) {
      return invalid(`Member "${name}" is longer than ${max} characters`);
    }
    members.set(name, value);
  }
  for (const name of spec.required) {
    if (!members.has(name)) return invalid(`Member "${name}" is required`);
  }
  const clientId = members.get("clientId") ?? "";
  if (!CLIENT_ID.test(clientId)) {
    return invalid(`Member "clientId" is not a devtools client id: "${clientId}"`);
  }
  const verifier = members.get("codeVerifier");
  if (verifier !== undefined && !PKCE_VERIFIER.test(verifier)) {
    return invalid('Member "codeVerifier" must be 43 to 128 characters of [A-Za-z0-9-._~]');
  }
  return { grantType, members };
}

function credentialsBody(credentials: IssuedCredentials): Record<string, string> {
  return {
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
  };
}

async function redeemCode(
  context: ListenerContext,
  members: Map<string, string>,
  jkt: string,
  requestId: string,
): Promise<Response> {
  const { store, config } = context;
  const now = config.now();
  const invalid = (message: string): Response =>
    signinError("INVALID_REQUEST", { message, requestId });
  const record = store.findCode(members.get("code") ?? "");
  if (record === undefined || record.region !== context.region) {
    return invalid(INVALID_GRANT_MESSAGE);
  }
  if (record.redeemed) {
    // RFC 6749 §4.1.2: a second use revokes what the first one issued.
    const session = record.sessionId === null ? undefined : store.session(record.sessionId);
    if (session !== undefined) session.revoked = true;
    return invalid("The authorization code was already used");
  }
  record.redeemed = true;
  if (now - record.issuedAt > config.authCodeTtlSeconds * 1000) {
    return signinError("AUTHCODE_EXPIRED", { message: AUTHCODE_EXPIRED_MESSAGE, requestId });
  }
  if (members.get("clientId") !== record.clientId) {
    return invalid(
      `Member "clientId" does not match the client_id of the authorization request "${record.clientId}"`,
    );
  }
  if (members.get("redirectUri") !== record.redirectUri) {
    return invalid(
      `Member "redirectUri" does not match the redirect_uri of the authorization request "${record.redirectUri}"`,
    );
  }
  const challenge = base64Url(await sha256(utf8(members.get("codeVerifier") ?? "")));
  if (!constantTimeEqual(challenge, record.codeChallenge)) {
    return invalid("The code verifier does not match the code challenge (PKCE SHA-256)");
  }
  const session = store.createSession({
    sessionArn: config.sessionArn,
    clientId: record.clientId,
    region: context.region,
    jkt,
    startedAt: now,
    expiresAt: now + config.refreshTokenTtlSeconds * 1000,
  });
  record.sessionId = session.id;
  const credentials = store.issueCredentials(
    config.sessionArn,
    now + config.accessTokenTtlSeconds * 1000,
  );
  const idToken = await context.idTokens.sign({
    sessionArn: config.sessionArn,
    clientId: record.clientId,
    now,
  });
  store.counts.tokenByGrant.authorization_code++;
  return jsonResponse(200, {
    accessToken: credentialsBody(credentials),
    tokenType: TOKEN_TYPE,
    expiresIn: config.accessTokenTtlSeconds,
    refreshToken: session.refreshToken,
    idToken,
  }, { "x-amzn-requestid": requestId });
}

/**
 * The earlier answer a refresh with a rotated-out `token` may get again (window mode, spec §17):
 * only the predecessor of the current token, only while the current token is unused (a later
 * rotation replaces `lastRotation`), and only within the window counted from the rotation.
 */
function replayableRotation(
  context: ListenerContext,
  session: LoginSession,
  token: string,
): Rotation | null {
  const { config } = context;
  if (config.refreshIdempotency !== "window") return null;
  const rotation = session.lastRotation;
  if (rotation === null || rotation.from !== token) return null;
  const windowEnd = rotation.at + config.refreshIdempotencyWindowSeconds * 1000;
  return config.now() < windowEnd ? rotation : null;
}

/** A refresh request the emulator accepts: rotate the session, or replay an earlier rotation. */
interface RefreshGrant {
  session: LoginSession;
  replay: Rotation | null;
}

/**
 * What a refresh request may do, or the error that refuses it. A replay passes every check a
 * rotation passes (revocation first, then region, client, DPoP key, expiry, password change).
 */
function refreshGrant(
  context: ListenerContext,
  members: Map<string, string>,
  jkt: string,
  requestId: string,
): RefreshGrant | Response {
  const invalid = (message: string): Response =>
    signinError("INVALID_REQUEST", { message, requestId });
  const token = members.get("refreshToken") ?? "";
  const session = context.store.sessionOfRefreshToken(token);
  if (session === undefined || session.revoked) return invalid(INVALID_GRANT_MESSAGE);
  const replay = session.refreshToken === token
    ? null
    : replayableRotation(context, session, token);
  if (session.refreshToken !== token && replay === null) return invalid(INVALID_GRANT_MESSAGE);
  // Refresh tokens are regional (aws/aws-cli#10613): another region's endpoint does not know them.
  if (session.region !== context.region) return invalid(INVALID_GRANT_MESSAGE);
  if (members.get("clientId") !== session.clientId) {
    return invalid(
      `Member "clientId" does not match the client the refresh token was issued to "${session.clientId}"`,
    );
  }
  if (jkt !== session.jkt) {
    return invalid(
      "The DPoP proof is signed with another key than the one the refresh token is bound to",
    );
  }
  if (session.forcedExpired || context.config.now() >= session.expiresAt) {
    return signinError("TOKEN_EXPIRED", { message: TOKEN_EXPIRED_MESSAGE, requestId });
  }
  if (session.credentialsChanged) {
    return signinError("USER_CREDENTIALS_CHANGED", {
      message: USER_CREDENTIALS_CHANGED_MESSAGE,
      requestId,
    });
  }
  return { session, replay };
}

function refreshResponse(rotation: Rotation, expiresIn: number, requestId: string): Response {
  return jsonResponse(200, {
    accessToken: credentialsBody(rotation.credentials),
    tokenType: TOKEN_TYPE,
    expiresIn,
    refreshToken: rotation.refreshToken,
  }, { "x-amzn-requestid": requestId });
}

function refresh(
  context: ListenerContext,
  members: Map<string, string>,
  jkt: string,
  requestId: string,
): Response {
  const { store, config } = context;
  const grant = refreshGrant(context, members, jkt, requestId);
  if (grant instanceof Response) return grant;
  const now = config.now();
  if (grant.replay !== null) {
    // The same tokens and credentials again. `expiresIn` is what the credentials have left,
    // rounded up, so that a client computing `now + expiresIn` lands on their real expiry
    // (to the second) instead of believing a fresh lifetime. The window never outlasts them.
    store.counts.tokenReplays++;
    const left = Math.ceil((grant.replay.credentials.expiresAt - now) / 1000);
    return refreshResponse(grant.replay, left, requestId);
  }
  const credentials = store.issueCredentials(
    grant.session.sessionArn,
    now + config.accessTokenTtlSeconds * 1000,
  );
  const rotation = store.rotateRefreshToken(grant.session, { credentials, now });
  store.counts.tokenByGrant.refresh_token++;
  return refreshResponse(rotation, config.accessTokenTtlSeconds, requestId);
}

async function answer(
  request: IncomingRequest,
  context: ListenerContext,
  requestId: string,
): Promise<Response> {
  if (request.method !== "POST") {
    return jsonResponse(405, {
      error: "invalid_request",
      error_description: `Method "${request.method}" is not allowed on /v1/token`,
    }, { allow: "POST", "x-amzn-requestid": requestId });
  }
  if (request.rawQuery !== null) {
    return oauthError("invalid_request", {
      description: "The token endpoint takes no query parameters",
      requestId,
    });
  }
  const body = parseBody(request, requestId);
  if ("response" in body) return body.response;

  const proofCount = headerCount(request, "dpop");
  if (proofCount !== 1) {
    return signinError("INVALID_REQUEST", {
      message: proofCount === 0
        ? "The DPoP header is required"
        : `Exactly one DPoP header is allowed, got ${proofCount}`,
      requestId,
    });
  }
  const proof = await verifyDPoPProof(request.headers.get("dpop") ?? "", {
    htu: `${context.publicUrl}/v1/token`,
    htm: "POST",
    now: context.config.now(),
    iatWindowSeconds: context.config.dpopIatWindowSeconds,
    rememberJti: (jti, forgetAt) =>
      context.store.rememberJti(jti, { forgetAt, now: context.config.now() }),
  });
  if (!proof.ok) return signinError("INVALID_REQUEST", { message: proof.reason, requestId });

  return body.grantType === "authorization_code"
    ? await redeemCode(context, body.members, proof.jkt, requestId)
    : refresh(context, body.members, proof.jkt, requestId);
}

/**
 * Handles `POST /v1/token` and keeps the token counters.
 *
 * @example
 * ```ts
 * const response = await handleToken(request, context);
 * ```
 */
export async function handleToken(
  request: IncomingRequest,
  context: ListenerContext,
): Promise<Response> {
  const response = await answer(request, context, crypto.randomUUID());
  if (!response.ok) context.store.counts.tokenErrors++;
  return response;
}
