/**
 * `CreateOAuth2Token` for both grants, on top of oauth4webapi: it builds the request and the DPoP
 * proof; the AWS dialect ({@link awsTokenFetch}, {@link processAwsTokenResponse}) does the rest.
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import type { Deps } from "../runtime/deps.ts";
import { NetworkError, ServiceError } from "../errors.ts";
import { awsTokenFetch, type AwsTokenResponse, processAwsTokenResponse } from "./aws_dialect.ts";
import type { SignInEndpoint } from "./endpoints.ts";
import type { AuthorizationResponse } from "./authorization.ts";
import { VERSION } from "../version.ts";

/** What every token request needs. */
export interface TokenRequestContext {
  readonly endpoint: SignInEndpoint;
  readonly clientId: string;
  /** The DPoP key pair the tokens are (or will be) bound to. */
  readonly keyPair: CryptoKeyPair;
  /** Aborts the request (Ctrl-C, timeouts). */
  readonly signal?: AbortSignal;
}

function setup(deps: Deps, context: TokenRequestContext) {
  const as: oauth.AuthorizationServer = {
    issuer: context.endpoint.base,
    token_endpoint: context.endpoint.tokenUrl,
  };
  const client: oauth.Client = { client_id: context.clientId };
  const DPoP = oauth.DPoP(client, context.keyPair, {
    // aws-cli sends a UUID as jti; oauth4webapi's random string would do, but stay identical.
    [oauth.modifyAssertion]: (_header, payload) => {
      payload.jti = deps.randomUUID();
    },
  });
  const options: oauth.TokenEndpointRequestOptions = {
    DPoP,
    [oauth.customFetch]: awsTokenFetch(
      (url, init) => deps.fetch(url, init),
      `aws-login/${VERSION}`,
    ),
    [oauth.allowInsecureRequests]: context.endpoint.insecure,
    ...(context.signal === undefined ? {} : { signal: context.signal }),
  };
  return { as, client, options };
}

async function send(
  context: TokenRequestContext,
  request: () => Promise<Response>,
): Promise<AwsTokenResponse> {
  let response: Response;
  try {
    response = await request();
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    // oauth4webapi's own argument checks are bugs of ours, not network failures.
    if (isCodedError(error)) throw error;
    throw new NetworkError(
      `Unable to reach AWS Sign-In at ${context.endpoint.base}: ${describeNetworkError(error)}`,
      { code: "UNREACHABLE", cause: error },
    );
  }
  return await processAwsTokenResponse(response);
}

function isCodedError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code.startsWith("ERR_") || code.startsWith("OAUTH_"));
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${error.message}${cause}`;
  }
  return String(error);
}

/**
 * Redeems an authorization code (grant `authorization_code`). The code is single-use, so this is
 * never retried after the service may have seen it.
 *
 * @example
 * ```ts ignore
 * const tokens = await redeemAuthorizationCode(deps, context, {
 *   response, codeVerifier: request.codeVerifier, redirectUri: request.redirectUri,
 * });
 * ```
 */
export async function redeemAuthorizationCode(
  deps: Deps,
  context: TokenRequestContext,
  grant: { response: AuthorizationResponse; codeVerifier: string; redirectUri: string },
): Promise<AwsTokenResponse> {
  const { as, client, options } = setup(deps, context);
  return await send(context, () =>
    oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.None(),
      grant.response.parameters,
      grant.redirectUri,
      grant.codeVerifier,
      options,
    ));
}

/**
 * Uses a refresh token (grant `refresh_token`); the answer carries new credentials and the rotated
 * refresh token.
 *
 * @example
 * ```ts ignore
 * const tokens = await refreshWithToken(deps, context, cache.refreshToken);
 * ```
 */
export async function refreshWithToken(
  deps: Deps,
  context: TokenRequestContext,
  refreshToken: string,
): Promise<AwsTokenResponse> {
  const { as, client, options } = setup(deps, context);
  return await send(
    context,
    () => oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, options),
  );
}

/** Whether an error is worth another try after a pause: throttling, a 5xx, or the network. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof NetworkError) return true;
  return error instanceof ServiceError && (error.status === 429 || error.status >= 500);
}
