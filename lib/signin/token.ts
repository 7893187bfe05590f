/**
 * `CreateOAuth2Token` for both grants, on top of oauth4webapi: it builds the request and the DPoP
 * proof; the AWS dialect ({@link awsTokenFetch}, {@link processAwsTokenResponse}) does the rest,
 * and `token_policy.ts` decides timeouts and retries.
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import type { Deps } from "../runtime/deps.ts";
import { awsTokenFetch, type AwsTokenResponse, processAwsTokenResponse } from "./aws_dialect.ts";
import type { SignInEndpoint } from "./endpoints.ts";
import type { AuthorizationResponse } from "./authorization.ts";
import {
  answerCutOff,
  isRetryable,
  requestFailure,
  retryWithin,
  timedOut,
  TOKEN_REQUEST_TIMEOUT_MS,
  TOKEN_RETRY_BUDGET_MS,
} from "./token_policy.ts";
import { VERSION } from "../version.ts";

/** What every token request needs. */
export interface TokenRequestContext {
  readonly endpoint: SignInEndpoint;
  readonly clientId: string;
  /** The DPoP key pair the tokens are (or will be) bound to. */
  readonly keyPair: CryptoKeyPair;
  /** Aborts the request (Ctrl-C). */
  readonly signal?: AbortSignal;
}

/** The authorization_code grant: a checked callback and the PKCE verifier. */
export interface CodeGrant {
  readonly grant: "authorization_code";
  readonly response: AuthorizationResponse;
  readonly codeVerifier: string;
  readonly redirectUri: string;
}

/** The refresh_token grant. */
export interface RefreshGrant {
  readonly grant: "refresh_token";
  readonly refreshToken: string;
}

/** Options of {@link requestTokens}. */
export interface RequestTokensOptions {
  /** No attempt starts after this time (ms since the epoch); default now + the retry budget. */
  readonly deadline?: number;
}

function setup(deps: Deps, context: TokenRequestContext, signal: AbortSignal) {
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
    signal,
  };
  return { as, client, options };
}

function isCodedError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code.startsWith("ERR_") || code.startsWith("OAUTH_"));
}

/**
 * One token request, no retry, answer body included within `timeoutMs`. A timeout, before or
 * after the headers, is a {@link NetworkError} with code `TIMEOUT`; Ctrl-C stays an
 * `AbortError`.
 *
 * @example
 * ```ts ignore
 * const tokens = await tokenRequest(deps, context, { grant: "refresh_token", refreshToken });
 * ```
 */
export async function tokenRequest(
  deps: Deps,
  context: TokenRequestContext,
  grant: CodeGrant | RefreshGrant,
  timeoutMs: number = TOKEN_REQUEST_TIMEOUT_MS,
): Promise<AwsTokenResponse> {
  const timeout = deps.timeout(timeoutMs);
  const signal = context.signal === undefined
    ? timeout
    : AbortSignal.any([timeout, context.signal]);
  const { as, client, options } = setup(deps, context, signal);
  const secrets = grant.grant === "refresh_token"
    ? [grant.refreshToken]
    : [grant.response.code, grant.codeVerifier];
  const failure = { base: context.endpoint.base, timeout, timeoutMs };
  let response: Response;
  try {
    response = grant.grant === "refresh_token"
      ? await oauth.refreshTokenGrantRequest(as, client, oauth.None(), grant.refreshToken, options)
      : await oauth.authorizationCodeGrantRequest(
        as,
        client,
        oauth.None(),
        grant.response.parameters,
        grant.redirectUri,
        grant.codeVerifier,
        options,
      );
  } catch (error) {
    // oauth4webapi's own argument checks are bugs of ours, not network failures.
    if (isCodedError(error) && !timeout.aborted) throw error;
    throw requestFailure(error, failure);
  }
  try {
    return await processAwsTokenResponse(response, { grant: grant.grant, secrets });
  } catch (error) {
    // The headers came, the body did not: as unreachable as no answer at all.
    if (timeout.aborted) throw timedOut(error, failure);
    if (error instanceof DOMException || error instanceof TypeError) {
      if (context.signal?.aborted) throw error;
      throw answerCutOff(error, failure);
    }
    throw error;
  }
}

/**
 * A token exchange under the policy of `token_policy.ts`: retried after a pause when the error is
 * retryable for the grant and time is left before the deadline. Each attempt gets at most
 * {@link TOKEN_REQUEST_TIMEOUT_MS}, and never runs past the deadline.
 *
 * @example
 * ```ts ignore
 * const tokens = await requestTokens(deps, context, { grant: "refresh_token", refreshToken });
 * ```
 */
export async function requestTokens(
  deps: Deps,
  context: TokenRequestContext,
  grant: CodeGrant | RefreshGrant,
  options: RequestTokensOptions = {},
): Promise<AwsTokenResponse> {
  return await retryWithin(deps, {
    deadline: options.deadline ?? deps.now().getTime() + TOKEN_RETRY_BUDGET_MS,
    requestTimeoutMs: TOKEN_REQUEST_TIMEOUT_MS,
    isRetryable: (error) => isRetryable(error, grant.grant),
    ...(context.signal === undefined ? {} : { signal: context.signal }),
  }, (timeoutMs) => tokenRequest(deps, context, grant, timeoutMs));
}

/**
 * Redeems an authorization code once (grant `authorization_code`).
 *
 * @example
 * ```ts ignore
 * const tokens = await redeemAuthorizationCode(deps, context, {
 *   response, codeVerifier: request.codeVerifier, redirectUri: request.redirectUri,
 * });
 * ```
 */
export function redeemAuthorizationCode(
  deps: Deps,
  context: TokenRequestContext,
  grant: Omit<CodeGrant, "grant">,
): Promise<AwsTokenResponse> {
  return tokenRequest(deps, context, { grant: "authorization_code", ...grant });
}

/**
 * Uses a refresh token once (grant `refresh_token`); the answer carries new credentials and,
 * normally, the rotated refresh token.
 *
 * @example
 * ```ts ignore
 * const tokens = await refreshWithToken(deps, context, cache.refreshToken);
 * ```
 */
export function refreshWithToken(
  deps: Deps,
  context: TokenRequestContext,
  refreshToken: string,
): Promise<AwsTokenResponse> {
  return tokenRequest(deps, context, { grant: "refresh_token", refreshToken });
}
