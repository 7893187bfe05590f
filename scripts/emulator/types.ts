/**
 * Public types of the AWS Sign-In + STS emulator.
 *
 * @module
 */

/** How `GET /v1/authorize` obtains the user's consent. */
export type ApprovalMode = "auto" | "page";

/**
 * How the refresh grant treats a refresh token that was already rotated out (spec §5.2, §17).
 * `"window"`: the service model's "idempotent within token validity window" — a retry with the
 * predecessor gets the same answer again while its successor is unused. `"strict"`: rotation
 * only; a rotated-out token is refused at once.
 */
export type RefreshIdempotency = "window" | "strict";

/** An IAM role STS `AssumeRole` may assume (see {@link EmulatorOptions.roles}). */
export interface RoleOption {
  /** The role, `arn:<partition>:iam::<12 digits>:role/<path/><name>`. */
  arn: string;
  /** The role's MaxSessionDuration, 3600-43200. Default 3600, as for a new IAM role. */
  maxSessionDurationSeconds?: number;
  /** The trust policy requires this exact `ExternalId`. */
  externalId?: string;
  /** The trust policy requires MFA: `SerialNumber` must be this, `TokenCode` must be `mfaCode`. */
  mfaSerial?: string;
  /** The one-time code the MFA device shows (6 digits); required with `mfaSerial`. */
  mfaCode?: string;
  /** Nobody may assume it: every `AssumeRole` of it is `AccessDenied`. */
  deny?: boolean;
}

/** A long-term access key of an IAM user, as `aws_access_key_id` in `~/.aws/credentials` holds it. */
export interface AccessKeyOption {
  /** The user, `arn:<partition>:iam::<12 digits>:user/<path/><name>`. */
  userArn: string;
  /** `AKIA` and 16 upper-case letters or digits. */
  accessKeyId: string;
  /** At least 16 characters. */
  secretAccessKey: string;
}

/** Options of {@link startEmulator}. Every field is optional. */
export interface EmulatorOptions {
  /**
   * Regions served; each region gets its own listener on 127.0.0.1. Default `["us-east-1"]`.
   * Refresh tokens only work at the listener (region) that issued them.
   */
  regions?: string[];
  /**
   * `"auto"`: `/v1/authorize` immediately 302-redirects (tests). `"page"`: it shows an HTML page
   * with an approve button (`id="approve"`) and a deny button (`id="deny"`) that a real browser
   * clicks. Default `"auto"`.
   */
  approval?: ApprovalMode;
  /** Login session ARN the emulator signs in. Default `"arn:aws:sts::123456789012:assumed-role/Admin/alice"`. */
  sessionArn?: string;
  /** Lifetime of issued AWS credentials (`expiresIn`). Default 900 (15 minutes). */
  accessTokenTtlSeconds?: number;
  /** Absolute lifetime of a login session's refresh tokens, counted from login. Default 43200 (12 h). */
  refreshTokenTtlSeconds?: number;
  /**
   * Default `"window"`: when refresh token R1 was rotated to R2 with credentials C, a refresh
   * with R1 again (same client id, DPoP key and region, a fresh proof) answers R2 and C again, as
   * long as R2 has not been used and the window has not passed. `"strict"`: R1 is refused at once.
   */
  refreshIdempotency?: RefreshIdempotency;
  /**
   * Length of the replay window of `"window"` mode, counted from the rotation. At most
   * `accessTokenTtlSeconds` (a replay must not hand out expired credentials), which is the default.
   */
  refreshIdempotencyWindowSeconds?: number;
  /**
   * Whether callers may revoke refresh tokens (`POST /v1/revoke`, `RevokeOAuth2TokenWithIAM`).
   * `false` models a principal without `signin:RevokeOAuth2TokenWithIAM` (the managed policy
   * `SignInLocalDevelopmentAccess` does not grant it): every authenticated, valid revocation is
   * answered `AccessDeniedException`. Default `true`.
   */
  revokeAllowed?: boolean;
  /**
   * The roles STS `AssumeRole` knows. Without this option any well-formed role ARN can be
   * assumed by any caller, with a MaxSessionDuration of 43200 (12 h); with it, only the listed
   * roles (others are `AccessDenied`, as AWS answers for roles that do not exist).
   */
  roles?: RoleOption[];
  /**
   * Long-term access keys STS accepts besides the credentials the emulator issues: requests
   * signed with them carry no `X-Amz-Security-Token` (one that does is refused, as AWS refuses
   * it), they never expire, and the caller is the user, so `AssumeRole` with them is not role
   * chaining.
   */
  accessKeys?: AccessKeyOption[];
  /** Lifetime of an authorization code. Default 300 (5 minutes). */
  authCodeTtlSeconds?: number;
  /** Accepted distance of a DPoP proof's `iat` from the emulator clock, either way. Default 300. */
  dpopIatWindowSeconds?: number;
  /**
   * The emulator's clock, in milliseconds: every expiry decision uses it, and every answer tells it
   * in its `Date` header (a clock apart from the client's models a skewed client clock). Default
   * `() => Date.now()`.
   */
  now?: () => number;
  /**
   * Port of the first region's listener. Default 0 (the system picks one). When not 0, the
   * region at index `i` listens on `port + i`.
   */
  port?: number;
  /** Receives one line per handled request (method, path, status); never secrets. */
  log?: (line: string) => void;
  /**
   * The base URL clients use for a region, e.g. `(r) => \`https://${r}.signin.aws.amazon.com\``
   * when a test's `fetch` routes the real regional host names to the listeners. It is what the
   * DPoP proof's `htu` and the cross-device `redirect_uri` must name; requests still arrive at the
   * listener. Default: the listener's own URL (`urlFor(region)`).
   */
  publicUrlFor?: (region: string) => string;
}

/** Request counters, updated live. */
export interface EmulatorCounts {
  /** `GET /v1/authorize` requests, including rejected and faulted ones. */
  authorize: number;
  /** `POST /v1/token` requests, including rejected and faulted ones. */
  token: number;
  /**
   * Successful token grants that issued new tokens, by grant type. Replays in `"window"` mode
   * issue nothing and are counted in `tokenReplays` only, so successful refresh answers are
   * `tokenByGrant.refresh_token + tokenReplays`.
   */
  tokenByGrant: { authorization_code: number; refresh_token: number };
  /** Refresh requests answered again with an earlier rotation's tokens (`"window"` mode). */
  tokenReplays: number;
  /** Token requests the emulator rejected (4xx/5xx of its own, not injected faults). */
  tokenErrors: number;
  /** `/v1/revoke` requests, including rejected and faulted ones. */
  revoke: number;
  /** Revocation requests the emulator refused (authentication, validation, permission). */
  revokeRejected: number;
  /** Login sessions a revocation ended (repeated revocations of one session count once). */
  revokedSessions: number;
  /** STS requests, including rejected and faulted ones. */
  sts: number;
  /** STS requests the emulator rejected (authentication or request errors, not injected faults). */
  stsRejected: number;
  /** STS `AssumeRole` requests (also counted in `sts`), including rejected and faulted ones. */
  assumeRole: number;
  /** `AssumeRole` requests the emulator rejected (also counted in `stsRejected`). */
  assumeRoleRejected: number;
  /** Successful `AssumeRole` calls, by role ARN. */
  assumeRoleByArn: Record<string, number>;
  /** `GET /v1/sessions/confirmation` requests (cross-device code pages). */
  confirmation: number;
  /** Injected faults that were applied. */
  faults: number;
}

/** The `error` codes of the Sign-In service model (`OAuth2ErrorCode`). */
export type OAuth2ErrorCode =
  | "TOKEN_EXPIRED"
  | "USER_CREDENTIALS_CHANGED"
  | "INSUFFICIENT_PERMISSIONS"
  | "AUTHCODE_EXPIRED"
  | "server_error"
  | "INVALID_REQUEST"
  | "RESOURCE_NOT_FOUND"
  | "CONFLICT"
  | "SERVICE_QUOTA_EXCEEDED";

/** The STS actions the emulator serves. */
export type StsAction = "GetCallerIdentity" | "AssumeRole";

/** Paths a {@link Fault} can target; `"/"` is the STS endpoint. */
export type FaultPath = "/v1/token" | "/v1/authorize" | "/v1/revoke" | "/";

/**
 * A fault to inject. Faults are queued and consumed in order by requests to their `path`
 * (any region). A fault applies its delay first, then drops the connection (`drop`) or answers
 * with an error (`status` and/or `error`); with neither it only delays.
 */
export interface Fault {
  path: FaultPath;
  /**
   * For `"/"` only: the fault applies only to STS requests with this `Action` (others pass it
   * by), so that e.g. an `AssumeRole` fault does not hit a `GetCallerIdentity` in between.
   */
  action?: StsAction;
  /**
   * HTTP status of the injected error, e.g. 500, 503, 429. On `"/"` and `"/v1/revoke"`, 403 is
   * an authorization failure answered after authentication (see {@link Fault.error}): STS says
   * `AccessDenied` "User: <caller> is not authorized to perform: sts:<Action> on resource: …".
   */
  status?: number;
  /**
   * For `/v1/token` and `/v1/revoke` only: the `error` code of the body; it also picks the
   * `X-Amzn-ErrorType` and the default status (e.g. `INSUFFICIENT_PERMISSIONS` → 403
   * `AccessDeniedException`).
   *
   * On `/v1/revoke`, `INSUFFICIENT_PERMISSIONS` (or `status` 403 without `error`) is an
   * authorization failure: the request is still authenticated and validated first (a bad
   * signature gets its own error), then answered `AccessDeniedException` naming the caller, as
   * `revokeAllowed: false` does. The fault is consumed by the next request to its path either way.
   */
  error?: OAuth2ErrorCode;
  /** Delay before answering, in milliseconds. */
  delayMs?: number;
  /** How many matching requests this fault applies to. Default 1. */
  times?: number;
  /** Close the connection without answering. */
  drop?: boolean;
  /**
   * Handle the request for real (a refresh rotates, a code is spent), then close the connection
   * without sending the answer: the answer was lost on the way back, as when a client times out
   * after the service answered.
   */
  loseAnswer?: boolean;
}

/** A running emulator. Dispose it (or call {@link Emulator.close}) to stop every listener. */
export interface Emulator extends AsyncDisposable {
  /** Base URL of the first region, `"http://127.0.0.1:PORT"`. */
  readonly url: string;
  /** Base URL of a served region; throws `RangeError` for a region not served. */
  urlFor(region: string): string;
  /** Live counters. */
  readonly counts: EmulatorCounts;
  /** Queues a fault. */
  injectFault(fault: Fault): void;
  /** Marks every refresh token issued so far as expired (next refresh → `TOKEN_EXPIRED`). */
  expireRefreshTokens(): void;
  /** Simulates a password change: the next refresh of any existing session → `USER_CREDENTIALS_CHANGED`. */
  changeUserCredentials(): void;
  /** Stops every listener and closes open connections. */
  close(): Promise<void>;
}
