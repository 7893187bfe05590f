/**
 * The emulator's in-memory state, shared by every regional listener: authorization codes, pending
 * consents, login sessions with their current refresh token, issued credentials (logins' and
 * assumed roles'), the DPoP `jti` replay cache and the counters. It makes no protocol decisions;
 * the endpoint modules do.
 *
 * @module
 */

import {
  newAccessKeyId,
  newAuthorizationCode,
  newOpaqueId,
  newRefreshToken,
  newSecretAccessKey,
  newSessionToken,
} from "./ids.ts";
import type { EmulatorCounts } from "./types.ts";

/** The two public clients `aws login` uses. */
export type DevtoolsClientId =
  | "arn:aws:signin:::devtools/same-device"
  | "arn:aws:signin:::devtools/cross-device";

/** A validated authorization request. */
export interface AuthorizationParams {
  readonly clientId: DevtoolsClientId;
  readonly redirectUri: string;
  readonly codeChallenge: string;
  readonly state: string;
}

/** An issued authorization code. */
export interface AuthorizationCode extends AuthorizationParams {
  readonly code: string;
  /** Region of the listener that issued it; it can only be redeemed there. */
  readonly region: string;
  readonly issuedAt: number;
  /** Set at the first redemption attempt, successful or not: codes are single-use. */
  redeemed: boolean;
  /** The login session created from this code, if any. */
  sessionId: string | null;
}

/** A consent waiting for the user's decision (page approval mode). */
export interface PendingConsent extends AuthorizationParams {
  readonly id: string;
  readonly region: string;
  readonly createdAt: number;
}

/** One rotation of a session's refresh token: what the refresh grant answered. */
export interface Rotation {
  /** The refresh token that was presented (and rotated out). */
  readonly from: string;
  /** The refresh token the rotation issued. */
  readonly refreshToken: string;
  /** The credentials the rotation issued. */
  readonly credentials: IssuedCredentials;
  /** When it happened (ms). */
  readonly at: number;
}

/** A login: one chain of rotating refresh tokens bound to a DPoP key, client and region. */
export interface LoginSession {
  readonly id: string;
  readonly sessionArn: string;
  readonly clientId: DevtoolsClientId;
  readonly region: string;
  /** RFC 7638 SHA-256 thumbprint of the DPoP key used at login. */
  readonly jkt: string;
  readonly startedAt: number;
  /** Absolute end of the refresh tokens' validity (login + refresh TTL); rotation keeps it. */
  readonly expiresAt: number;
  /** The refresh token that currently works (and, in window mode, `lastRotation.from`). */
  refreshToken: string;
  /**
   * The latest rotation, `null` before the first refresh. Its `from` is the only rotated-out token
   * a replay may name: a later rotation replaces it, which is how "the successor was used" ends
   * the predecessor's window.
   */
  lastRotation: Rotation | null;
  forcedExpired: boolean;
  credentialsChanged: boolean;
  revoked: boolean;
}

/** Temporary credentials handed out by the token endpoint or by STS `AssumeRole`. */
export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** `""` for a long-term access key, which signs without a session token. */
  readonly sessionToken: string;
  /** The caller: a login session, an assumed-role session, or an IAM user (long-term key). */
  readonly sessionArn: string;
  /** `Infinity` for a long-term access key. */
  readonly expiresAt: number;
}

/** How long an unanswered consent page stays usable (the CLI itself waits 10 minutes). */
export const PENDING_CONSENT_TTL_MS = 600_000;

/**
 * Creates zeroed counters.
 *
 * @example
 * ```ts
 * newCounts().token; // 0
 * ```
 */
export function newCounts(): EmulatorCounts {
  return {
    authorize: 0,
    token: 0,
    tokenByGrant: { authorization_code: 0, refresh_token: 0 },
    tokenReplays: 0,
    tokenErrors: 0,
    revoke: 0,
    revokeRejected: 0,
    revokedSessions: 0,
    sts: 0,
    stsRejected: 0,
    assumeRole: 0,
    assumeRoleRejected: 0,
    assumeRoleByArn: {},
    confirmation: 0,
    faults: 0,
  };
}

/** All mutable state of one emulator. */
export class EmulatorStore {
  /** Live counters. */
  readonly counts: EmulatorCounts = newCounts();
  #codes = new Map<string, AuthorizationCode>();
  #pending = new Map<string, PendingConsent>();
  #sessions = new Map<string, LoginSession>();
  /** Every refresh token ever issued → its session; only `session.refreshToken` is valid. */
  #refreshTokens = new Map<string, string>();
  #credentials = new Map<string, IssuedCredentials>();
  /** DPoP `jti` → time (ms) after which it can be forgotten. */
  #seenJtis = new Map<string, number>();

  /** Issues an authorization code for validated parameters. */
  issueCode(params: AuthorizationParams, at: { region: string; now: number }): AuthorizationCode {
    const record: AuthorizationCode = {
      ...params,
      code: newAuthorizationCode(),
      region: at.region,
      issuedAt: at.now,
      redeemed: false,
      sessionId: null,
    };
    this.#codes.set(record.code, record);
    return record;
  }

  /** Looks an authorization code up. */
  findCode(code: string): AuthorizationCode | undefined {
    return this.#codes.get(code);
  }

  /** Stores a consent waiting for the user. */
  addPendingConsent(
    params: AuthorizationParams,
    at: { region: string; now: number },
  ): PendingConsent {
    const pending: PendingConsent = {
      ...params,
      id: newOpaqueId(),
      region: at.region,
      createdAt: at.now,
    };
    this.#pending.set(pending.id, pending);
    return pending;
  }

  /** Removes and returns a pending consent if it exists, is not stale and belongs to `region`. */
  takePendingConsent(id: string, at: { region: string; now: number }): PendingConsent | undefined {
    const pending = this.#pending.get(id);
    if (pending === undefined || pending.region !== at.region) return undefined;
    this.#pending.delete(id);
    if (at.now - pending.createdAt > PENDING_CONSENT_TTL_MS) return undefined;
    return pending;
  }

  /** Starts a login session and returns it with its first refresh token. */
  createSession(
    init: Pick<
      LoginSession,
      "sessionArn" | "clientId" | "region" | "jkt" | "startedAt" | "expiresAt"
    >,
  ): LoginSession {
    const session: LoginSession = {
      ...init,
      id: newOpaqueId(),
      refreshToken: newRefreshToken(),
      lastRotation: null,
      forcedExpired: false,
      credentialsChanged: false,
      revoked: false,
    };
    this.#sessions.set(session.id, session);
    this.#refreshTokens.set(session.refreshToken, session.id);
    return session;
  }

  /** Looks a session up by id. */
  session(id: string): LoginSession | undefined {
    return this.#sessions.get(id);
  }

  /** The session a refresh token was issued for, current or rotated out. */
  sessionOfRefreshToken(token: string): LoginSession | undefined {
    const id = this.#refreshTokens.get(token);
    return id === undefined ? undefined : this.#sessions.get(id);
  }

  /**
   * Replaces the session's refresh token and records the rotation with the credentials issued
   * alongside; the old token stops being current.
   */
  rotateRefreshToken(
    session: LoginSession,
    issued: { credentials: IssuedCredentials; now: number },
  ): Rotation {
    const rotation: Rotation = {
      from: session.refreshToken,
      refreshToken: newRefreshToken(),
      credentials: issued.credentials,
      at: issued.now,
    };
    session.refreshToken = rotation.refreshToken;
    session.lastRotation = rotation;
    this.#refreshTokens.set(rotation.refreshToken, session.id);
    return rotation;
  }

  /** Issues new temporary credentials. */
  issueCredentials(sessionArn: string, expiresAt: number): IssuedCredentials {
    const credentials: IssuedCredentials = {
      accessKeyId: newAccessKeyId(),
      secretAccessKey: newSecretAccessKey(),
      sessionToken: newSessionToken(),
      sessionArn,
      expiresAt,
    };
    this.#credentials.set(credentials.accessKeyId, credentials);
    return credentials;
  }

  /** Registers a long-term access key of an IAM user (no session token, no expiry). */
  addAccessKey(key: { userArn: string; accessKeyId: string; secretAccessKey: string }): void {
    this.#credentials.set(key.accessKeyId, {
      accessKeyId: key.accessKeyId,
      secretAccessKey: key.secretAccessKey,
      sessionToken: "",
      sessionArn: key.userArn,
      expiresAt: Number.POSITIVE_INFINITY,
    });
  }

  /** Looks issued credentials up by access key id. */
  credentials(accessKeyId: string): IssuedCredentials | undefined {
    return this.#credentials.get(accessKeyId);
  }

  /**
   * Records a DPoP `jti`; returns `false` when it was seen before (a replay).
   * Entries are forgotten after `forgetAt` (ms), when their `iat` is out of the window anyway.
   */
  rememberJti(jti: string, times: { forgetAt: number; now: number }): boolean {
    if (this.#seenJtis.size > 1000) {
      for (const [seen, until] of this.#seenJtis) {
        if (until < times.now) this.#seenJtis.delete(seen);
      }
    }
    if (this.#seenJtis.has(jti)) return false;
    this.#seenJtis.set(jti, times.forgetAt);
    return true;
  }

  /** Marks every existing session's refresh tokens as expired. */
  expireRefreshTokens(): void {
    for (const session of this.#sessions.values()) session.forcedExpired = true;
  }

  /** Marks every existing session as invalidated by a password change. */
  changeUserCredentials(): void {
    for (const session of this.#sessions.values()) session.credentialsChanged = true;
  }
}
