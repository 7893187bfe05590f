/**
 * What the id_token of a cached session tells (read, never verified): the session ARN and the
 * sign-in time, hence the latest end of the session. For the commands that describe sessions
 * (`status`, `logout`, `doctor`); serving credentials never reads it, so it does not load the
 * JWT code.
 *
 * @module
 */

import { decodeJwtPayload } from "../signin/aws_dialect.ts";

/** The longest a login session lasts: refresh tokens live up to 12 hours. */
export const MAX_SESSION_MS = 12 * 3600 * 1000;

/** What the id_token of a cache entry tells, when it is there and readable. */
export interface SessionClaims {
  /** The session ARN (`sub`). */
  readonly loginSession: string | undefined;
  /** The sign-in time (`iat`). */
  readonly signedInAt: Date | undefined;
  /** The latest end of the session: sign-in time + {@link MAX_SESSION_MS}. */
  readonly endsAtLatest: Date | undefined;
}

/**
 * Reads the id_token of a cache entry without verifying it (spec §7): the session ARN and the
 * sign-in time, hence the latest end of the session. An entry without a readable id_token (the Go
 * SDK writes `identityToken`) tells nothing.
 *
 * @example
 * ```ts ignore
 * sessionClaims(entry).endsAtLatest; // sign-in time + 12 hours
 * ```
 */
export function sessionClaims(entry: { readonly idToken?: unknown }): SessionClaims {
  let loginSession: string | undefined;
  let signedInAt: Date | undefined;
  if (typeof entry.idToken === "string") {
    try {
      const claims = decodeJwtPayload(entry.idToken);
      if (typeof claims.iat === "number") signedInAt = new Date(claims.iat * 1000);
      if (typeof claims.sub === "string") loginSession = claims.sub;
    } catch {
      // an unreadable id_token tells nothing
    }
  }
  return {
    loginSession,
    signedInAt,
    endsAtLatest: signedInAt === undefined
      ? undefined
      : new Date(signedInAt.getTime() + MAX_SESSION_MS),
  };
}
