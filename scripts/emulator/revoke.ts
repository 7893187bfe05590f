/**
 * `POST /v1/revoke?x-amz-client-auth-method=iam` (`RevokeOAuth2TokenWithIAM`, spec §17): RFC 7009
 * token revocation over SigV4 (signing name `signin`, the listener's region), rest-json body
 * `{"token": "ASOR…"}`. It revokes the token's whole login session, so that no token of the
 * chain refreshes any more (rotated-out ones and window-mode replays included); credentials
 * already issued stay valid until they expire. Unknown, expired, already revoked and other
 * regions' tokens get the same empty 200.
 *
 * AWS serves this on the OAuth endpoint `https://{region}.oauth.signin.aws`, a host apart from
 * `{region}.signin.aws.amazon.com`; the emulator serves both on the region's one listener, as
 * a client with a custom endpoint (`--endpoint-url`, `AWS_ENDPOINT_URL_SIGNIN`) also uses one
 * base URL for both.
 *
 * Order of checks: method, SigV4 (as AWS authenticates before anything else), the query and the
 * body against the model (`ValidationException`), permission (`AccessDeniedException`), then the
 * revocation itself.
 *
 * @module
 */

import type { ListenerContext } from "./context.ts";
import {
  type IncomingRequest,
  jsonObjectBody,
  jsonResponse,
  mediaType,
  parseQuery,
} from "./http.ts";
import { notAuthorizedMessage, parseArn } from "./iam.ts";
import { authenticationError, signinError } from "./signin_errors.ts";
import { verifySigV4 } from "./sigv4.ts";

/** Path of `RevokeOAuth2TokenWithIAM`. */
export const REVOKE_PATH = "/v1/revoke";

/** The IAM action the caller needs. */
export const REVOKE_ACTION = "signin:RevokeOAuth2TokenWithIAM";

/**
 * The `token` member's constraints in the Sign-In API reference (length 1-4096, pattern
 * `ASOR[A-Za-z0-9+/=_\-]+`, matched whole as AWS services do): an access token or anything else
 * without the `ASOR` prefix is a `ValidationException`, not an unknown token.
 */
const TOKEN = /^ASOR[A-Za-z0-9+/=_-]+$/;
const TOKEN_MAX_LENGTH = 4096;

/** What the handler is told by the router. */
export interface RevokeOptions {
  /** An injected AccessDenied fault applies to this request (after authentication). */
  deniedByFault?: boolean;
}

function invalid(message: string, requestId: string): Response {
  return signinError("INVALID_REQUEST", { message, requestId });
}

/** The refresh token to revoke, or the `ValidationException` that refuses the request. */
function validToken(request: IncomingRequest, requestId: string): string | Response {
  const query = parseQuery(request.rawQuery ?? "");
  if (
    query === null || query.length !== 1 || query[0]?.[0] !== "x-amz-client-auth-method" ||
    query[0][1] !== "iam"
  ) {
    return invalid(
      'The query must be exactly "x-amz-client-auth-method=iam" (RevokeOAuth2TokenWithIAM)',
      requestId,
    );
  }
  const type = mediaType(request.headers.get("content-type"));
  if (type !== "application/json") {
    return invalid(
      `The request body must be application/json, got ${
        type === null ? "no Content-Type" : `"${type}"`
      }`,
      requestId,
    );
  }
  const body = jsonObjectBody(request);
  if (body === null) return invalid("The request body is not a JSON object", requestId);
  const unexpected = Object.keys(body).find((name) => name !== "token");
  if (unexpected !== undefined) return invalid(`Member "${unexpected}" is not expected`, requestId);
  const token = body.token;
  if (token === undefined) return invalid('Member "token" is required', requestId);
  if (typeof token !== "string") return invalid('Member "token" must be a string', requestId);
  if (token.length === 0) return invalid('Member "token" must not be empty', requestId);
  if (token.length > TOKEN_MAX_LENGTH) {
    return invalid(`Member "token" is longer than ${TOKEN_MAX_LENGTH} characters`, requestId);
  }
  if (!TOKEN.test(token)) {
    return invalid(
      'Member "token" must be a refresh token (pattern ASOR[A-Za-z0-9+/=_-]+); access tokens are not accepted',
      requestId,
    );
  }
  return token;
}

/** The answer, and whether the emulator itself refused the request (not an injected fault). */
async function answer(
  request: IncomingRequest,
  context: ListenerContext,
  options: RevokeOptions & { requestId: string },
): Promise<{ response: Response; rejected: boolean }> {
  const { requestId } = options;
  const refuse = (response: Response) => ({ response, rejected: true });
  if (request.method !== "POST") {
    return refuse(
      jsonResponse(
        405,
        { message: `Method "${request.method}" is not allowed on ${REVOKE_PATH}` },
        {
          allow: "POST",
          "x-amzn-errortype": "UnknownOperationException",
          "x-amzn-requestid": requestId,
        },
      ),
    );
  }
  const { config, store, region } = context;
  const auth = await verifySigV4(request, {
    region,
    service: "signin",
    now: config.now(),
    lookup: (accessKeyId) => store.credentials(accessKeyId),
  });
  if (!auth.ok) return refuse(authenticationError(auth, requestId));
  const token = validToken(request, requestId);
  if (token instanceof Response) return refuse(token);

  if (options.deniedByFault === true || !config.revokeAllowed) {
    const caller = auth.credentials.sessionArn;
    const { partition = "aws", account = "" } = parseArn(caller) ?? {};
    // The resource AWS names here is UNVERIFIED; the devtools clients' resource type is used.
    const resource = `arn:${partition}:signin:${region}:${account}:oauth2/public-client/*`;
    const response = signinError("INSUFFICIENT_PERMISSIONS", {
      message: notAuthorizedMessage(caller, REVOKE_ACTION, resource),
      requestId,
    });
    return { response, rejected: options.deniedByFault !== true };
  }

  // Tokens are regional, as for refresh: another region's listener does not know them.
  const session = store.sessionOfRefreshToken(token);
  if (session !== undefined && session.region === region && !session.revoked) {
    session.revoked = true;
    store.counts.revokedSessions++;
  }
  return {
    response: new Response(null, { status: 200, headers: { "x-amzn-requestid": requestId } }),
    rejected: false,
  };
}

/**
 * Handles `/v1/revoke` and keeps the revocation counters.
 *
 * @example
 * ```ts
 * const response = await handleRevoke(request, context, { deniedByFault: false });
 * ```
 */
export async function handleRevoke(
  request: IncomingRequest,
  context: ListenerContext,
  options: RevokeOptions = {},
): Promise<Response> {
  const { response, rejected } = await answer(request, context, {
    ...options,
    requestId: crypto.randomUUID(),
  });
  if (rejected) context.store.counts.revokeRejected++;
  return response;
}
