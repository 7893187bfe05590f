/**
 * `RevokeOAuth2TokenWithIAM` against the emulator, which verifies the signature with
 * `@smithy/signature-v4` while aws-login signs with `aws4fetch`.
 */

import { assertEquals, assertRejects, assertStringIncludes } from "../support/assert.ts";
import { fakeDeps } from "../support/fake_deps.ts";
import { startEmulator } from "../../scripts/emulator/mod.ts";
import { assertSigninError, login, refresh } from "../emulator/helpers.ts";
import { resolveOAuthEndpoint } from "../../lib/signin/endpoints.ts";
import {
  processRevokeResponse,
  revokeFailureReason,
  revokeRefreshToken,
} from "../../lib/signin/revoke.ts";
import { NetworkError, ServiceError } from "../../lib/errors.ts";
import { TIMEOUT, UNREACHABLE } from "../../lib/signin/token_policy.ts";

function contextFor(base: string, credentials: Awaited<ReturnType<typeof login>>["credentials"]) {
  return {
    endpoint: resolveOAuthEndpoint("us-east-1", { endpointUrl: base }),
    region: "us-east-1",
    credentials,
  };
}

Deno.test("revokeRefreshToken(): the emulator accepts the signature and ends the chain", async () => {
  await using emulator = await startEmulator();
  const session = await login(emulator.url);
  const deps = fakeDeps();
  await revokeRefreshToken(
    deps,
    contextFor(emulator.url, session.credentials),
    session.refreshToken,
  );
  assertEquals([emulator.counts.revoke, emulator.counts.revokedSessions], [1, 1]);
  await assertSigninError(
    await refresh(emulator.url, session.key, session.refreshToken),
    400,
    "ValidationException",
    "INVALID_REQUEST",
  );
  // Idempotent: a second revocation is answered 200 too.
  await revokeRefreshToken(
    deps,
    contextFor(emulator.url, session.credentials),
    session.refreshToken,
  );
  assertEquals([emulator.counts.revokeRejected, emulator.counts.revokedSessions], [0, 1]);
});

Deno.test("revokeRefreshToken(): access denied names the IAM permission, nothing revoked", async () => {
  await using emulator = await startEmulator({ revokeAllowed: false });
  const session = await login(emulator.url);
  const error = await assertRejects(
    () =>
      revokeRefreshToken(
        fakeDeps(),
        contextFor(emulator.url, session.credentials),
        session.refreshToken,
      ),
    ServiceError,
  );
  assertEquals([error.status, error.errorType], [403, "AccessDeniedException"]);
  const reason = revokeFailureReason(error);
  assertStringIncludes(reason, "the IAM permission signin:RevokeOAuth2TokenWithIAM is missing");
  assertStringIncludes(reason, "is not authorized to perform: signin:RevokeOAuth2TokenWithIAM");
  assertEquals(emulator.counts.revokedSessions, 0);
  const response = await refresh(emulator.url, session.key, session.refreshToken);
  assertEquals(response.status, 200);
  await response.body?.cancel();
});

Deno.test("revokeRefreshToken(): a 503 is retried after a pause, a 403 fault is not", async () => {
  await using emulator = await startEmulator();
  const session = await login(emulator.url);
  emulator.injectFault({ path: "/v1/revoke", status: 503 });
  await revokeRefreshToken(
    fakeDeps({ clock: "auto" }),
    contextFor(emulator.url, session.credentials),
    session.refreshToken,
  );
  assertEquals([emulator.counts.revoke, emulator.counts.revokedSessions], [2, 1]);

  const other = await login(emulator.url);
  emulator.injectFault({ path: "/v1/revoke", status: 403 });
  const error = await assertRejects(
    () =>
      revokeRefreshToken(
        fakeDeps({ clock: "auto" }),
        contextFor(emulator.url, other.credentials),
        other.refreshToken,
      ),
    ServiceError,
  );
  assertEquals(error.errorType, "AccessDeniedException");
  assertEquals(emulator.counts.revoke, 3);
});

Deno.test("revokeRefreshToken(): an endpoint that is not there, or never answers", async (t) => {
  await t.step("a closed port: UNREACHABLE at once, not retried", async () => {
    const emulator = await startEmulator();
    const session = await login(emulator.url);
    const base = emulator.url;
    await emulator.close();
    const error = await assertRejects(
      () => revokeRefreshToken(fakeDeps(), contextFor(base, session.credentials), "ASORx"),
      NetworkError,
    );
    assertEquals(error.code, UNREACHABLE);
    assertStringIncludes(revokeFailureReason(error), `Unable to reach AWS Sign-In at ${base}`);
  });

  await t.step(
    "no answer: TIMEOUT after the token policy's limit, on the virtual clock",
    async () => {
      await using emulator = await startEmulator();
      const session = await login(emulator.url);
      emulator.injectFault({ path: "/v1/revoke", delayMs: 120_000 });
      const deps = fakeDeps();
      const pending = revokeRefreshToken(
        deps,
        contextFor(emulator.url, session.credentials),
        session.refreshToken,
      );
      const outcome = assertRejects(() => pending, NetworkError);
      // Wait until the request is on its way (its timeout is registered), then let 15 s pass.
      while (deps.clock!.pending === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      await deps.advance(15_000);
      const error = await outcome;
      assertEquals(error.code, TIMEOUT);
      assertStringIncludes(error.message, "did not answer within 15 s");
    },
  );
});

Deno.test("processRevokeResponse(): the service's text is sanitized and never echoes a secret", async () => {
  const token = `ASOR${"s".repeat(40)}`;
  const response = new Response(
    JSON.stringify({ error: "INVALID_REQUEST", message: `bad \x1b[31mtoken\x1b[0m ${token}\n!` }),
    { status: 400, headers: { "x-amzn-errortype": "ValidationException" } },
  );
  const error = await assertRejects(() => processRevokeResponse(response, [token]), ServiceError);
  assertEquals(
    [error.code, error.errorType, error.message],
    ["INVALID_REQUEST", "ValidationException", "bad token [redacted] !"],
  );
  assertEquals(
    revokeFailureReason(error),
    "AWS Sign-In refused the request (ValidationException: bad token [redacted] !)",
  );
  // A SigV4 failure spells its member "Message".
  const signature = await assertRejects(
    () =>
      processRevokeResponse(
        new Response('{"Message":"The security token included in the request is expired"}', {
          status: 403,
          headers: { "x-amzn-errortype": "ExpiredTokenException:http://internal" },
        }),
        [],
      ),
    ServiceError,
  );
  assertEquals(
    revokeFailureReason(signature),
    "AWS Sign-In did not accept the session's signature (ExpiredTokenException: The security token included in the request is expired)",
  );
});
