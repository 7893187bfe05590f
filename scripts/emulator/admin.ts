/**
 * The admin API under `/_emulator/`, for driving the emulator from another process:
 *
 * | Request | Effect |
 * |---|---|
 * | `GET /_emulator/state` | JSON: `counts`, `regions`, `approval`, `sessionArn`, `refreshIdempotency`, `refreshIdempotencyWindowSeconds`, `revokeAllowed`, `roles`, `pendingFaults` |
 * | `POST /_emulator/faults` (JSON {@link Fault}) | queues the fault, 201 |
 * | `POST /_emulator/expire-refresh-tokens` | like {@link Emulator.expireRefreshTokens}, 204 |
 * | `POST /_emulator/change-user-credentials` | like {@link Emulator.changeUserCredentials}, 204 |
 * | `GET /_emulator/jwks` | the ID-token verification keys |
 *
 * POSTs must carry `Content-Type: application/json` (which a web page cannot send cross-origin
 * without a preflight this API never answers).
 *
 * @module
 */

import type { EmulatorConfig } from "./config.ts";
import { fromUtf8 } from "./encoding.ts";
import type { FaultQueue } from "./faults.ts";
import { type IncomingRequest, jsonResponse, mediaType } from "./http.ts";
import type { IdTokenSigner } from "./id_token.ts";
import type { EmulatorStore } from "./store.ts";

/** Path prefix of the admin API. */
export const ADMIN_PREFIX = "/_emulator/";

/** Emulator-wide state the admin API reads and changes. */
export interface AdminContext {
  readonly config: EmulatorConfig;
  readonly store: EmulatorStore;
  readonly faults: FaultQueue;
  readonly idTokens: IdTokenSigner;
  /** Base URL of each region. */
  readonly urls: Readonly<Record<string, string>>;
}

/** The configured roles without their secrets (external ids, MFA codes); `null`: any role. */
function rolesState(config: EmulatorConfig) {
  if (config.roles === null) return null;
  return [...config.roles.values()].map((role) => ({
    arn: role.arn,
    maxSessionDurationSeconds: role.maxSessionDurationSeconds,
    requiresExternalId: role.externalId !== null,
    requiresMfa: role.mfa !== null,
    deny: role.deny,
  }));
}

function adminError(status: number, message: string): Response {
  return jsonResponse(status, { error: message });
}

function readJson(request: IncomingRequest): { value: unknown } | Response {
  if (mediaType(request.headers.get("content-type")) !== "application/json") {
    return adminError(415, "Admin requests must be application/json");
  }
  const text = fromUtf8(request.body);
  if (text === null) return adminError(400, "The body is not UTF-8");
  if (text.trim() === "") return { value: undefined };
  try {
    return { value: JSON.parse(text) };
  } catch {
    return adminError(400, "The body is not valid JSON");
  }
}

/**
 * Handles a request under {@link ADMIN_PREFIX}.
 *
 * @example
 * ```ts
 * const response = handleAdmin(request, adminContext);
 * ```
 */
export function handleAdmin(request: IncomingRequest, context: AdminContext): Response {
  const route = `${request.method} ${request.path}`;
  switch (route) {
    case "GET /_emulator/state":
      return jsonResponse(200, {
        counts: context.store.counts,
        regions: context.urls,
        approval: context.config.approval,
        sessionArn: context.config.sessionArn,
        refreshIdempotency: context.config.refreshIdempotency,
        refreshIdempotencyWindowSeconds: context.config.refreshIdempotencyWindowSeconds,
        revokeAllowed: context.config.revokeAllowed,
        roles: rolesState(context.config),
        pendingFaults: context.faults.pending,
      });
    case "GET /_emulator/jwks":
      return jsonResponse(200, context.idTokens.jwks());
    case "POST /_emulator/faults": {
      const body = readJson(request);
      if (body instanceof Response) return body;
      try {
        context.faults.push(body.value);
      } catch (error) {
        return adminError(400, error instanceof Error ? error.message : String(error));
      }
      return jsonResponse(201, { pendingFaults: context.faults.pending });
    }
    case "POST /_emulator/expire-refresh-tokens":
    case "POST /_emulator/change-user-credentials": {
      const body = readJson(request);
      if (body instanceof Response) return body;
      if (route === "POST /_emulator/expire-refresh-tokens") context.store.expireRefreshTokens();
      else context.store.changeUserCredentials();
      return new Response(null, { status: 204 });
    }
    default:
      return adminError(404, `No admin route "${route}"`);
  }
}
