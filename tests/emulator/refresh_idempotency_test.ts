import { type Emulator, type EmulatorOptions, startEmulator } from "../../scripts/emulator/mod.ts";
import { parseFault } from "../../scripts/emulator/faults.ts";
import {
  assertEquals,
  assertNotEquals,
  assertRejects,
  assertStringIncludes,
} from "../support/assert.ts";
import {
  assertSigninError,
  authorizeCode,
  CROSS_DEVICE,
  DPoPKey,
  json,
  pkce,
  postToken,
  SAME_DEVICE,
  sameDeviceParams,
  signedStsRequest,
} from "./helpers.ts";

const INVALID_GRANT = "The provided authorization grant is invalid, expired, revoked, or malformed";

/** An emulator on a virtual clock, with proofs whose `iat` follows that clock. */
async function emulatorOnClock(options: EmulatorOptions = {}) {
  let clock = Date.now();
  const emulator = await startEmulator({ ...options, now: () => clock });
  const tokenRequest = async (
    body: Record<string, string>,
    init: { key: DPoPKey; base?: string; jti?: string },
  ): Promise<Response> => {
    const base = init.base ?? emulator.url;
    const proof = await init.key.proof({
      htu: `${base}/v1/token`,
      iat: Math.floor(clock / 1000),
      ...(init.jti === undefined ? {} : { jti: init.jti }),
    });
    return postToken(base, body, proof);
  };
  return {
    emulator,
    advance(ms: number) {
      clock += ms;
    },
    now: () => clock,
    tokenRequest,
    /** Signs in (same-device) and returns the first token response. */
    async login(key: DPoPKey, base = emulator.url) {
      const { verifier, challenge } = await pkce();
      const params = sameDeviceParams(challenge);
      const { code } = await authorizeCode(base, params);
      const codeBody = {
        clientId: SAME_DEVICE,
        grantType: "authorization_code",
        code,
        codeVerifier: verifier,
        redirectUri: params.redirect_uri,
      };
      const response = await tokenRequest(codeBody, { key, base });
      const body = await json(response);
      assertEquals(response.status, 200, JSON.stringify(body));
      return { body, codeBody };
    },
    refresh(
      key: DPoPKey,
      refreshToken: string,
      init: { base?: string; clientId?: string; jti?: string } = {},
    ): Promise<Response> {
      return tokenRequest({
        clientId: init.clientId ?? SAME_DEVICE,
        refreshToken,
        grantType: "refresh_token",
      }, { key, ...init });
    },
    async [Symbol.asyncDispose]() {
      await emulator.close();
    },
  };
}

/** The credentials of a token response, for signing. */
function credentialsOf(body: Record<string, unknown>) {
  return body.accessToken as { accessKeyId: string; secretAccessKey: string; sessionToken: string };
}

async function okBody(response: Response): Promise<Record<string, unknown>> {
  const body = await json(response);
  assertEquals(response.status, 200, JSON.stringify(body));
  return body;
}

Deno.test("refresh idempotency (window, the default): a retry with the predecessor gets the same answer", async (t) => {
  await using e = await emulatorOnClock({ regions: ["us-east-1", "eu-west-1"] });
  const key = await DPoPKey.generate();
  const { body: first } = await e.login(key);
  const r1 = first.refreshToken as string;
  const rotated = await okBody(await e.refresh(key, r1));
  const r2 = rotated.refreshToken as string;
  assertNotEquals(r2, r1);

  await t.step("a replay inside the window returns identical tokens and credentials", async () => {
    e.advance(120_000);
    const replay = await okBody(await e.refresh(key, r1));
    assertEquals(Object.keys(replay), ["accessToken", "tokenType", "expiresIn", "refreshToken"]);
    assertEquals(replay.refreshToken, r2);
    assertEquals(replay.accessToken, rotated.accessToken);
    assertEquals(replay.tokenType, "aws_sigv4");
    // expiresIn is what the credentials have left, not a fresh lifetime.
    assertEquals(rotated.expiresIn, 900);
    assertEquals(replay.expiresIn, 780);
  });

  await t.step("the replayed credentials are the issued ones: STS accepts them", async () => {
    const response = await signedStsRequest(
      e.emulator.url,
      credentialsOf(rotated),
      { date: new Date(e.now()) },
    );
    assertEquals(response.status, 200, await response.text());
  });

  await t.step("it can be replayed again; each replay needs a fresh DPoP jti", async () => {
    const jti = crypto.randomUUID();
    assertEquals((await okBody(await e.refresh(key, r1, { jti }))).refreshToken, r2);
    const message = await assertSigninError(
      await e.refresh(key, r1, { jti }),
      400,
      "ValidationException",
      "INVALID_REQUEST",
    );
    assertStringIncludes(message, "used before");
  });

  await t.step("a replay with another DPoP key, client or region is refused", async () => {
    const other = await DPoPKey.generate();
    const keyMessage = await assertSigninError(
      await e.refresh(other, r1),
      400,
      "ValidationException",
      "INVALID_REQUEST",
    );
    assertStringIncludes(keyMessage, "DPoP");
    await assertSigninError(
      await e.refresh(key, r1, { clientId: CROSS_DEVICE }),
      400,
      "ValidationException",
      "INVALID_REQUEST",
    );
    assertEquals(
      await assertSigninError(
        await e.refresh(key, r1, { base: e.emulator.urlFor("eu-west-1") }),
        400,
        "ValidationException",
        "INVALID_REQUEST",
      ),
      INVALID_GRANT,
    );
  });

  await t.step("counters: replays are counted apart from grants", () => {
    assertEquals(e.emulator.counts.tokenReplays, 2);
    assertEquals(e.emulator.counts.tokenByGrant, { authorization_code: 1, refresh_token: 1 });
  });

  let r3 = "";
  await t.step("once the successor was used, the predecessor is refused", async () => {
    const next = await okBody(await e.refresh(key, r2));
    r3 = next.refreshToken as string;
    assertNotEquals(next.accessToken, rotated.accessToken);
    assertEquals(
      await assertSigninError(
        await e.refresh(key, r1),
        400,
        "ValidationException",
        "INVALID_REQUEST",
      ),
      INVALID_GRANT,
    );
  });

  await t.step("the successor becomes the replayable predecessor", async () => {
    assertEquals((await okBody(await e.refresh(key, r2))).refreshToken, r3);
    assertEquals(e.emulator.counts.tokenReplays, 3);
  });

  await t.step("after the window the predecessor is refused", async () => {
    e.advance(900_000);
    assertEquals(
      await assertSigninError(
        await e.refresh(key, r2),
        400,
        "ValidationException",
        "INVALID_REQUEST",
      ),
      INVALID_GRANT,
    );
    // The current token still works.
    await okBody(await e.refresh(key, r3));
  });

  await t.step("GET /_emulator/state names the mode and window", async () => {
    const state = await json(await fetch(`${e.emulator.url}/_emulator/state`));
    assertEquals(state.refreshIdempotency, "window");
    assertEquals(state.refreshIdempotencyWindowSeconds, 900);
  });
});

Deno.test("refresh idempotency: the window length is configurable and ends exactly", async () => {
  await using e = await emulatorOnClock({ refreshIdempotencyWindowSeconds: 60 });
  const key = await DPoPKey.generate();
  const r1 = (await e.login(key)).body.refreshToken as string;
  const r2 = (await okBody(await e.refresh(key, r1))).refreshToken as string;
  e.advance(59_999);
  const inside = await okBody(await e.refresh(key, r1));
  assertEquals(inside.refreshToken, r2);
  assertEquals(inside.expiresIn, 841);
  e.advance(1);
  await assertSigninError(
    await e.refresh(key, r1),
    400,
    "ValidationException",
    "INVALID_REQUEST",
  );
  assertEquals(e.emulator.counts.tokenReplays, 1);
});

Deno.test("refresh idempotency: expired and changed sessions fail before a replay", async (t) => {
  const cases: Array<[string, (emulator: Emulator) => void, number, string]> = [
    [
      "expireRefreshTokens() is TOKEN_EXPIRED",
      (emulator) => emulator.expireRefreshTokens(),
      401,
      "TOKEN_EXPIRED",
    ],
    [
      "a password change is USER_CREDENTIALS_CHANGED",
      (emulator) => emulator.changeUserCredentials(),
      403,
      "USER_CREDENTIALS_CHANGED",
    ],
  ];
  for (const [name, change, status, code] of cases) {
    await t.step(name, async () => {
      await using e = await emulatorOnClock();
      const key = await DPoPKey.generate();
      const r1 = (await e.login(key)).body.refreshToken as string;
      await okBody(await e.refresh(key, r1));
      change(e.emulator);
      await assertSigninError(await e.refresh(key, r1), status, "AccessDeniedException", code);
    });
  }

  await t.step("the session's absolute end is TOKEN_EXPIRED, even inside the window", async () => {
    await using e = await emulatorOnClock({ refreshTokenTtlSeconds: 600 });
    const key = await DPoPKey.generate();
    const r1 = (await e.login(key)).body.refreshToken as string;
    e.advance(500_000);
    await okBody(await e.refresh(key, r1));
    e.advance(100_000);
    await assertSigninError(
      await e.refresh(key, r1),
      401,
      "AccessDeniedException",
      "TOKEN_EXPIRED",
    );
  });
});

Deno.test("refresh idempotency (strict): a rotated-out token is refused at once", async () => {
  await using e = await emulatorOnClock({ refreshIdempotency: "strict" });
  const key = await DPoPKey.generate();
  const r1 = (await e.login(key)).body.refreshToken as string;
  const r2 = (await okBody(await e.refresh(key, r1))).refreshToken as string;
  assertEquals(
    await assertSigninError(
      await e.refresh(key, r1),
      400,
      "ValidationException",
      "INVALID_REQUEST",
    ),
    INVALID_GRANT,
  );
  await okBody(await e.refresh(key, r2));
  assertEquals(e.emulator.counts.tokenReplays, 0);
  const state = await json(await fetch(`${e.emulator.url}/_emulator/state`));
  assertEquals(state.refreshIdempotency, "strict");
});

Deno.test("refresh idempotency: a code redemption is never replayable", async () => {
  await using e = await emulatorOnClock();
  const key = await DPoPKey.generate();
  const { body, codeBody } = await e.login(key);
  const again = await e.tokenRequest(codeBody, { key });
  assertEquals(
    await assertSigninError(again, 400, "ValidationException", "INVALID_REQUEST"),
    "The authorization code was already used",
  );
  // The second use revoked what the first one issued, replays included.
  const r1 = body.refreshToken as string;
  await assertSigninError(
    await e.refresh(key, r1),
    400,
    "ValidationException",
    "INVALID_REQUEST",
  );
  assertEquals(e.emulator.counts.tokenByGrant, { authorization_code: 1, refresh_token: 0 });
  assertEquals(e.emulator.counts.tokenReplays, 0);
});

Deno.test("refresh idempotency: startEmulator() validates the options", async () => {
  await assertRejects(
    () => startEmulator({ refreshIdempotency: "lax" as "strict" }),
    RangeError,
    "refreshIdempotency",
  );
  await assertRejects(
    () => startEmulator({ refreshIdempotencyWindowSeconds: 0 }),
    RangeError,
    "refreshIdempotencyWindowSeconds",
  );
  await assertRejects(
    () => startEmulator({ accessTokenTtlSeconds: 600, refreshIdempotencyWindowSeconds: 601 }),
    RangeError,
    "longer than accessTokenTtlSeconds",
  );
  await using emulator = await startEmulator({ accessTokenTtlSeconds: 600 });
  const state = await json(await fetch(`${emulator.url}/_emulator/state`));
  assertEquals(state.refreshIdempotencyWindowSeconds, 600);
  assertEquals(state.refreshIdempotency, "window");
});

/**
 * A refresh on a connection of its own: on a pooled connection, the HTTP client would resend the
 * request by itself after the drop, and the test would not see the loss.
 */
async function refreshAlone(
  s: Awaited<ReturnType<typeof emulatorOnClock>>,
  key: DPoPKey,
  refreshToken: string,
): Promise<Response> {
  using client = Deno.createHttpClient({});
  const proof = await key.proof({
    htu: `${s.emulator.url}/v1/token`,
    iat: Math.floor(s.now() / 1000),
  });
  return await fetch(`${s.emulator.url}/v1/token`, {
    method: "POST",
    client,
    headers: { "content-type": "application/json", DPoP: proof },
    body: JSON.stringify({ clientId: SAME_DEVICE, refreshToken, grantType: "refresh_token" }),
  });
}

Deno.test("a loseAnswer fault rotates for real and drops the answer; the retry is answered in window mode", async () => {
  await using s = await emulatorOnClock();
  const key = await DPoPKey.generate();
  const { body } = await s.login(key);
  s.emulator.injectFault({ path: "/v1/token", loseAnswer: true });
  await assertRejects(() => refreshAlone(s, key, body.refreshToken as string), TypeError);
  // The rotation happened: only the answer got lost.
  assertEquals(s.emulator.counts.tokenByGrant.refresh_token, 1);
  const retry = await s.refresh(key, body.refreshToken as string);
  assertEquals(retry.status, 200);
  await retry.body?.cancel();
  assertEquals(s.emulator.counts.tokenReplays, 1);
});

Deno.test("a loseAnswer fault in strict mode: the retry is refused", async () => {
  await using s = await emulatorOnClock({ refreshIdempotency: "strict" });
  const key = await DPoPKey.generate();
  const { body } = await s.login(key);
  s.emulator.injectFault({ path: "/v1/token", loseAnswer: true });
  await assertRejects(() => refreshAlone(s, key, body.refreshToken as string), TypeError);
  const retry = await s.refresh(key, body.refreshToken as string);
  await assertSigninError(retry, 400, "ValidationException", "INVALID_REQUEST");
});

Deno.test("loseAnswer cannot be combined with an answer of its own", () => {
  for (const fault of [{ drop: true }, { status: 500 }, { error: "TOKEN_EXPIRED" }]) {
    let failed = false;
    try {
      parseFault({ path: "/v1/token", loseAnswer: true, ...fault });
    } catch (error) {
      failed = error instanceof TypeError;
    }
    assertEquals(failed, true, JSON.stringify(fault));
  }
});
