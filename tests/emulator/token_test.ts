import { startEmulator } from "../../scripts/emulator/mod.ts";
import {
  assertEquals,
  assertMatch,
  assertNotEquals,
  assertStringIncludes,
  assertTrue,
} from "../support/assert.ts";
import {
  assertSigninError,
  authorizeCode,
  b64url,
  CROSS_DEVICE,
  DPoPKey,
  json,
  jwtHeader,
  jwtPayload,
  login,
  pkce,
  postToken,
  refresh,
  SAME_DEVICE,
  sameDeviceParams,
} from "./helpers.ts";

const INVALID_GRANT = "The provided authorization grant is invalid, expired, revoked, or malformed";

/** A fresh code plus the token request body that redeems it. */
async function codeRequest(base: string) {
  const { verifier, challenge } = await pkce();
  const params = sameDeviceParams(challenge);
  const { code } = await authorizeCode(base, params);
  return {
    clientId: SAME_DEVICE,
    grantType: "authorization_code",
    code,
    codeVerifier: verifier,
    redirectUri: params.redirect_uri,
  } as Record<string, string>;
}

Deno.test("token endpoint: same-device login, refresh rotation and binding", async (t) => {
  await using emulator = await startEmulator({
    regions: ["us-east-1", "eu-west-1"],
    refreshIdempotency: "strict",
  });
  const base = emulator.url;
  let session!: Awaited<ReturnType<typeof login>>;

  await t.step(
    "authorization_code grant returns credentials, refresh token and id token",
    async () => {
      session = await login(base);
      const { body, credentials } = session;
      assertEquals(Object.keys(body), [
        "accessToken",
        "tokenType",
        "expiresIn",
        "refreshToken",
        "idToken",
      ]);
      assertEquals(Object.keys(credentials), ["accessKeyId", "secretAccessKey", "sessionToken"]);
      assertMatch(credentials.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
      assertMatch(credentials.secretAccessKey, /^[A-Za-z0-9+/]{40}$/);
      assertMatch(credentials.sessionToken, /^[A-Za-z0-9+/=]{200,}$/);
      assertEquals(body.tokenType, "aws_sigv4");
      assertEquals(body.expiresIn, 900);
      assertMatch(session.refreshToken, /^ASOR[A-Za-z0-9_-]+$/);
      assertTrue(session.refreshToken.length <= 2048);
    },
  );

  await t.step("the id token is an ES384 JWT naming the session", async () => {
    const idToken = session.body.idToken as string;
    assertEquals(idToken.split(".").length, 3);
    const header = jwtHeader(idToken);
    assertEquals(header.alg, "ES384");
    assertEquals(header.typ, "JWT");
    assertMatch(String(header.kid), /^[0-9a-f-]{36}$/);
    const claims = jwtPayload(idToken);
    assertEquals(claims.sub, "arn:aws:sts::123456789012:assumed-role/Admin/alice");
    assertEquals(claims.session_arn, claims.sub);
    assertEquals(claims.aud, "arn:aws:signin:::cli/same-device");
    assertEquals(claims.iss, "https://signin.aws.amazon.com/signin");
    assertEquals((claims.exp as number) - (claims.iat as number), 900);
    // The signature verifies with the published key.
    const jwks = await json(await fetch(`${base}/_emulator/jwks`));
    const jwk =
      (jwks.keys as Array<{ kid: string; kty: string; crv: string; x: string; y: string }>)[0];
    assertTrue(jwk !== undefined);
    assertEquals(jwk.kid, header.kid);
    const key = await crypto.subtle.importKey(
      "jwk",
      { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y },
      { name: "ECDSA", namedCurve: "P-384" },
      false,
      ["verify"],
    );
    const [h = "", p = "", s = ""] = idToken.split(".");
    const signature = Uint8Array.from(
      atob(s.replaceAll("-", "+").replaceAll("_", "/") + "=".repeat((4 - (s.length % 4)) % 4)),
      (c) => c.charCodeAt(0),
    );
    assertTrue(
      await crypto.subtle.verify(
        { name: "ECDSA", hash: "SHA-384" },
        key,
        signature,
        new TextEncoder().encode(`${h}.${p}`),
      ),
    );
  });

  let rotated = "";
  await t.step("refresh returns new credentials and a rotated token, no id token", async () => {
    const response = await refresh(base, session.key, session.refreshToken);
    const body = await json(response);
    assertEquals(response.status, 200, JSON.stringify(body));
    assertEquals(response.headers.get("cache-control"), "no-store");
    assertEquals(Object.keys(body), ["accessToken", "tokenType", "expiresIn", "refreshToken"]);
    const credentials = body.accessToken as { accessKeyId: string };
    assertNotEquals(credentials.accessKeyId, session.credentials.accessKeyId);
    rotated = body.refreshToken as string;
    assertNotEquals(rotated, session.refreshToken);
    assertMatch(rotated, /^ASOR/);
  });

  await t.step("in strict mode the rotated-out refresh token no longer works", async () => {
    const message = await assertSigninError(
      await refresh(base, session.key, session.refreshToken),
      400,
      "ValidationException",
      "INVALID_REQUEST",
    );
    assertEquals(message, INVALID_GRANT);
  });

  await t.step("a refresh signed with another DPoP key is rejected", async () => {
    const other = await DPoPKey.generate();
    await assertSigninError(
      await refresh(base, other, rotated),
      400,
      "ValidationException",
      "INVALID_REQUEST",
    );
  });

  await t.step("a refresh sent to another region's endpoint is rejected", async () => {
    const message = await assertSigninError(
      await refresh(emulator.urlFor("eu-west-1"), session.key, rotated),
      400,
      "ValidationException",
      "INVALID_REQUEST",
    );
    assertEquals(message, INVALID_GRANT);
  });

  await t.step("a refresh with the other client id is rejected", async () => {
    await assertSigninError(
      await refresh(base, session.key, rotated, CROSS_DEVICE),
      400,
      "ValidationException",
      "INVALID_REQUEST",
    );
  });

  await t.step("failed attempts do not consume the current token", async () => {
    const response = await refresh(base, session.key, rotated);
    assertEquals(response.status, 200);
    rotated = (await json(response)).refreshToken as string;
  });

  await t.step("expireRefreshTokens() makes the next refresh TOKEN_EXPIRED", async () => {
    emulator.expireRefreshTokens();
    const message = await assertSigninError(
      await refresh(base, session.key, rotated),
      401,
      "AccessDeniedException",
      "TOKEN_EXPIRED",
    );
    assertEquals(message, "The refresh token has expired.");
  });

  await t.step("a login after expiry works again", async () => {
    const fresh = await login(base);
    assertEquals((await refresh(base, fresh.key, fresh.refreshToken)).status, 200);
  });

  await t.step(
    "changeUserCredentials() makes the next refresh USER_CREDENTIALS_CHANGED",
    async () => {
      const fresh = await login(base);
      emulator.changeUserCredentials();
      await assertSigninError(
        await refresh(base, fresh.key, fresh.refreshToken),
        403,
        "AccessDeniedException",
        "USER_CREDENTIALS_CHANGED",
      );
    },
  );

  await t.step("a login in the second region refreshes there", async () => {
    const eu = emulator.urlFor("eu-west-1");
    const fresh = await login(eu);
    assertEquals((await refresh(eu, fresh.key, fresh.refreshToken)).status, 200);
  });
});

Deno.test("token endpoint: cross-device login", async () => {
  await using emulator = await startEmulator();
  const session = await login(emulator.url, { clientId: CROSS_DEVICE });
  assertEquals(jwtPayload(session.body.idToken as string).aud, "arn:aws:signin:::cli/cross-device");
  const response = await refresh(emulator.url, session.key, session.refreshToken, CROSS_DEVICE);
  assertEquals(response.status, 200);
  await response.body?.cancel();
});

Deno.test("token endpoint: authorization code rules", async (t) => {
  let clock = Date.now();
  await using emulator = await startEmulator({
    regions: ["us-east-1", "us-west-2"],
    now: () => clock,
    authCodeTtlSeconds: 60,
  });
  const base = emulator.url;
  const key = await DPoPKey.generate();
  const proof = () => key.proof({ htu: `${base}/v1/token`, iat: Math.floor(clock / 1000) });

  await t.step("PKCE mismatch is rejected", async () => {
    const body = await codeRequest(base);
    body.codeVerifier = "b".repeat(64);
    const message = await assertSigninError(
      await postToken(base, body, await proof()),
      400,
      "ValidationException",
      "INVALID_REQUEST",
    );
    assertStringIncludes(message, "code verifier");
  });

  await t.step("a malformed code verifier is rejected", async () => {
    for (const verifier of ["a".repeat(42), "a".repeat(129), `${"a".repeat(50)}+/`]) {
      const body = await codeRequest(base);
      body.codeVerifier = verifier;
      await assertSigninError(
        await postToken(base, body, await proof()),
        400,
        "ValidationException",
        "INVALID_REQUEST",
      );
    }
  });

  await t.step("a second use of a code fails and revokes the first grant", async () => {
    const body = await codeRequest(base);
    const first = await postToken(base, body, await proof());
    assertEquals(first.status, 200);
    const issued = await json(first);
    await assertSigninError(
      await postToken(base, body, await proof()),
      400,
      "ValidationException",
      "INVALID_REQUEST",
    );
    await assertSigninError(
      await refresh(base, key, issued.refreshToken as string),
      400,
      "ValidationException",
      "INVALID_REQUEST",
    );
  });

  await t.step("a code is consumed by a failed redemption too", async () => {
    const body = await codeRequest(base);
    const wrong = { ...body, codeVerifier: "c".repeat(64) };
    await assertSigninError(
      await postToken(base, wrong, await proof()),
      400,
      "ValidationException",
      "INVALID_REQUEST",
    );
    await assertSigninError(
      await postToken(base, body, await proof()),
      400,
      "ValidationException",
      "INVALID_REQUEST",
    );
  });

  await t.step("an expired code gives AUTHCODE_EXPIRED", async () => {
    const body = await codeRequest(base);
    clock += 61_000;
    await assertSigninError(
      await postToken(base, body, await proof()),
      401,
      "AccessDeniedException",
      "AUTHCODE_EXPIRED",
    );
  });

  await t.step("redirectUri must equal the authorization request's", async () => {
    const body = await codeRequest(base);
    body.redirectUri = "http://127.0.0.1:54322/oauth/callback";
    const message = await assertSigninError(
      await postToken(base, body, await proof()),
      400,
      "ValidationException",
      "INVALID_REQUEST",
    );
    assertStringIncludes(message, "redirectUri");
  });

  await t.step("clientId must equal the authorization request's", async () => {
    const body = await codeRequest(base);
    body.clientId = CROSS_DEVICE;
    await assertSigninError(
      await postToken(base, body, await proof()),
      400,
      "ValidationException",
      "INVALID_REQUEST",
    );
  });

  await t.step("an unknown code is rejected", async () => {
    const body = await codeRequest(base);
    body.code = "not-a-code";
    assertEquals(
      await assertSigninError(
        await postToken(base, body, await proof()),
        400,
        "ValidationException",
        "INVALID_REQUEST",
      ),
      INVALID_GRANT,
    );
  });

  await t.step("a code is only redeemable in its region", async () => {
    const body = await codeRequest(base);
    const west = emulator.urlFor("us-west-2");
    const westProof = await key.proof({ htu: `${west}/v1/token`, iat: Math.floor(clock / 1000) });
    await assertSigninError(
      await postToken(west, body, westProof),
      400,
      "ValidationException",
      "INVALID_REQUEST",
    );
  });
});

Deno.test("token endpoint: refresh token absolute lifetime is the session's", async () => {
  let clock = Date.now();
  await using emulator = await startEmulator({
    now: () => clock,
    refreshTokenTtlSeconds: 3600,
    dpopIatWindowSeconds: 60,
  });
  const base = emulator.url;
  const key = await DPoPKey.generate();
  const { verifier, challenge } = await pkce();
  const params = sameDeviceParams(challenge);
  const { code } = await authorizeCode(base, params);
  const proof = () => key.proof({ htu: `${base}/v1/token`, iat: Math.floor(clock / 1000) });
  const first = await json(
    await postToken(base, {
      clientId: SAME_DEVICE,
      grantType: "authorization_code",
      code,
      codeVerifier: verifier,
      redirectUri: params.redirect_uri,
    }, await proof()),
  );
  let token = first.refreshToken as string;
  // Rotating every 50 minutes does not extend the one-hour session.
  clock += 50 * 60_000;
  const second = await postToken(base, {
    clientId: SAME_DEVICE,
    refreshToken: token,
    grantType: "refresh_token",
  }, await proof());
  assertEquals(second.status, 200);
  token = (await json(second)).refreshToken as string;
  clock += 11 * 60_000;
  await assertSigninError(
    await postToken(base, {
      clientId: SAME_DEVICE,
      refreshToken: token,
      grantType: "refresh_token",
    }, await proof()),
    401,
    "AccessDeniedException",
    "TOKEN_EXPIRED",
  );
});

Deno.test("token endpoint: accepts a proof byte-for-byte like the AWS CLI's (spec §6 vector)", async () => {
  // The SEC1 test key of the AWS CLI's unit tests (spec §8.3): d at bytes 7-38, X 57-88, Y 89-120.
  const der = Uint8Array.from(
    atob(
      "MHcCAQEEIHjt7c+VnkIkN6RW7QgZPFNLb/9AZEhqSYYMtwrlLb3WoAoGCCqGSM49AwEHoUQDQgAEv2FjRpMtADMZ4zoZxshV9chEkembgzZnXSUNe+DA8dKqXN/7qTcZjYJHKIi+Rn88zUGqCJo3DWF/X+ufVfdU2g==",
    ),
    (char) => char.charCodeAt(0),
  );
  const key = await DPoPKey.fromPrivateJwk({
    kty: "EC",
    crv: "P-256",
    d: b64url(der.slice(7, 39)),
    x: b64url(der.slice(57, 89)),
    y: b64url(der.slice(89, 121)),
  });
  assertEquals(key.publicJwk.x, "v2FjRpMtADMZ4zoZxshV9chEkembgzZnXSUNe-DA8dI");
  assertEquals(key.publicJwk.y, "qlzf-6k3GY2CRyiIvkZ_PM1BqgiaNw1hf1_rn1X3VNo");
  // The helper's header is the CLI's header, byte for byte.
  const vector = await key.proof({
    htu: "https://foobar/v1/token",
    iat: 1760014198,
    jti: "uniqueid",
  });
  assertEquals(
    vector.split(".").slice(0, 2).join("."),
    "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6InYyRmpScE10QURNWjR6b1p4c2hWOWNoRWtlbWJnelpuWFNVTmUtREE4ZEkiLCJ5IjoicWx6Zi02azNHWTJDUnlpSXZrWl9QTTFCcWdpYU53MWhmMV9ybjFYM1ZObyIsImNydiI6IlAtMjU2In19.eyJodG0iOiJQT1NUIiwiaHR1IjoiaHR0cHM6Ly9mb29iYXIvdjEvdG9rZW4iLCJpYXQiOjE3NjAwMTQxOTgsImp0aSI6InVuaXF1ZWlkIn0",
  );
  await using emulator = await startEmulator();
  const session = await login(emulator.url, { key });
  assertEquals((await refresh(emulator.url, key, session.refreshToken)).status, 200);
});

Deno.test("token endpoint: DPoP proof rules", async (t) => {
  await using emulator = await startEmulator();
  const base = emulator.url;
  const htu = `${base}/v1/token`;
  const session = await login(base);
  const key = session.key;
  const now = Math.floor(Date.now() / 1000);
  const body = {
    clientId: SAME_DEVICE,
    refreshToken: session.refreshToken,
    grantType: "refresh_token",
  };
  const otherKey = await DPoPKey.generate();

  const cases: Array<[string, () => Promise<string | null>, string]> = [
    ["a missing DPoP header", () => Promise.resolve(null), "DPoP header is required"],
    ["a non-JWS value", () => Promise.resolve("not.a.jws!"), "compact JWS"],
    ["a bad signature", () => key.proof({ htu, corruptSignature: true }), "signature"],
    [
      "a signature by another key",
      () => key.proof({ htu, signWith: otherKey.privateKey }),
      "signature",
    ],
    [
      "a wrong htu (localhost)",
      () => key.proof({ htu: htu.replace("127.0.0.1", "localhost") }),
      '"htu"',
    ],
    ["an htu with a query", () => key.proof({ htu: `${htu}?x=1` }), '"htu"'],
    ["a wrong htm", () => key.proof({ htu, htm: "GET" }), '"htm"'],
    // Far outside the 300 s window, so that a slow machine (seconds pass between `now` and the
    // request) cannot bring a proof back inside it.
    ["an old iat", () => key.proof({ htu, iat: now - 900 }), '"iat"'],
    ["an iat in the future", () => key.proof({ htu, iat: now + 900 }), '"iat"'],
    ["a string iat", () => key.proof({ htu, iat: String(now) }), '"iat"'],
    ["a fractional iat", () => key.proof({ htu, iat: now + 0.5 }), '"iat"'],
    ["a missing jti", () => key.proof({ htu, jti: undefined }), '"jti"'],
    ["an empty jti", () => key.proof({ htu, jti: "" }), '"jti"'],
    ["typ JWT", () => key.proof({ htu, header: { typ: "JWT" } }), '"typ"'],
    ["no typ", () => key.proof({ htu, header: { typ: undefined } }), '"typ"'],
    ["alg ES384", () => key.proof({ htu, header: { alg: "ES384" } }), '"alg"'],
    ["alg none", () => key.proof({ htu, header: { alg: "none" } }), '"alg"'],
    [
      "a private key in the jwk",
      () => key.proof({ htu, header: { jwk: key.privateJwk } }),
      "private",
    ],
    ["no jwk", () => key.proof({ htu, header: { jwk: undefined } }), '"jwk"'],
    [
      "a P-384 curve name",
      () => key.proof({ htu, header: { jwk: { ...key.publicJwk, crv: "P-384" } } }),
      '"jwk.crv"',
    ],
    [
      "a point off the curve",
      () => key.proof({ htu, header: { jwk: { ...key.publicJwk, y: key.publicJwk.x } } }),
      "P-256",
    ],
    ["a crit header", () => key.proof({ htu, header: { crit: ["exp"] } }), '"crit"'],
  ];
  for (const [name, makeProof, fragment] of cases) {
    await t.step(`rejects ${name}`, async () => {
      const message = await assertSigninError(
        await postToken(base, body, await makeProof()),
        400,
        "ValidationException",
        "INVALID_REQUEST",
      );
      assertStringIncludes(message, fragment);
    });
  }

  await t.step("rejects two DPoP headers", async () => {
    const headers = new Headers({ "content-type": "application/json" });
    headers.append("DPoP", await key.proof({ htu }));
    headers.append("dpop", await key.proof({ htu }));
    const response = await fetch(htu, { method: "POST", headers, body: JSON.stringify(body) });
    await assertSigninError(response, 400, "ValidationException", "INVALID_REQUEST");
  });

  await t.step("rejects a replayed jti, even with a fresh signature", async () => {
    const jti = crypto.randomUUID();
    const first = await postToken(base, body, await key.proof({ htu, jti }));
    assertEquals(first.status, 200);
    const next = (await json(first)).refreshToken as string;
    const message = await assertSigninError(
      await postToken(base, { ...body, refreshToken: next }, await key.proof({ htu, jti })),
      400,
      "ValidationException",
      "INVALID_REQUEST",
    );
    assertStringIncludes(message, "used before");
  });

  await t.step("accepts a lower-case header name and any JSON member order", async () => {
    const fresh = await login(base);
    const proof = await fresh.key.proof({
      htu,
      header: {
        jwk: { crv: "P-256", y: fresh.key.publicJwk.y, x: fresh.key.publicJwk.x, kty: "EC" },
      },
    });
    const response = await fetch(htu, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", dpop: proof },
      body: JSON.stringify({
        grantType: "refresh_token",
        refreshToken: fresh.refreshToken,
        clientId: SAME_DEVICE,
      }),
    });
    assertEquals(response.status, 200);
    await response.body?.cancel();
  });
});

Deno.test("token endpoint: body dialect errors", async (t) => {
  await using emulator = await startEmulator();
  const base = emulator.url;
  const key = await DPoPKey.generate();
  const proof = () => key.proof({ htu: `${base}/v1/token` });

  async function assertOauthError(response: Response, error: string): Promise<void> {
    const body = await json(response);
    assertEquals(response.status, 400);
    assertEquals(response.headers.get("x-amzn-errortype"), null);
    assertEquals(response.headers.get("cache-control"), "no-store");
    assertEquals(body.error, error);
    assertTrue(typeof body.error_description === "string");
  }

  await t.step("a form body is refused RFC-style", async () => {
    await assertOauthError(
      await postToken(base, null, await proof(), {
        contentType: "application/x-www-form-urlencoded",
        rawBody: "grant_type=refresh_token&client_id=x&refresh_token=y",
      }),
      "invalid_request",
    );
  });

  await t.step("malformed JSON is refused RFC-style", async () => {
    await assertOauthError(
      await postToken(base, null, await proof(), { rawBody: "{" }),
      "invalid_request",
    );
    await assertOauthError(
      await postToken(base, null, await proof(), { rawBody: "[]" }),
      "invalid_request",
    );
  });

  await t.step("an unknown or missing grant type is unsupported_grant_type", async () => {
    await assertOauthError(
      await postToken(base, { clientId: SAME_DEVICE, grantType: "password" }, await proof()),
      "unsupported_grant_type",
    );
    await assertOauthError(
      await postToken(base, {
        client_id: SAME_DEVICE,
        grant_type: "refresh_token",
        refresh_token: "x",
      }, await proof()),
      "unsupported_grant_type",
    );
  });

  await t.step("missing, unexpected and mistyped members are ValidationException", async () => {
    const bodies = [
      { clientId: SAME_DEVICE, grantType: "refresh_token" },
      { clientId: SAME_DEVICE, grantType: "refresh_token", refreshToken: "ASORx", code: "c" },
      { clientId: SAME_DEVICE, grantType: "refresh_token", refreshToken: 5 },
      {
        clientId: "arn:aws:signin:::devtools/other",
        grantType: "refresh_token",
        refreshToken: "ASORx",
      },
      {
        grantType: "authorization_code",
        clientId: SAME_DEVICE,
        code: "c",
        codeVerifier: "a".repeat(43),
      },
      { clientId: SAME_DEVICE, grantType: "refresh_token", refreshToken: "" },
    ];
    for (const body of bodies) {
      await assertSigninError(
        await postToken(base, body, await proof()),
        400,
        "ValidationException",
        "INVALID_REQUEST",
      );
    }
  });

  await t.step("a query string on the token URL is refused", async () => {
    const response = await postToken(base, {}, await proof(), { url: `${base}/v1/token?x=1` });
    await assertOauthError(response, "invalid_request");
  });

  await t.step("GET is not allowed", async () => {
    const response = await fetch(`${base}/v1/token`);
    assertEquals(response.status, 405);
    await response.body?.cancel();
  });

  await t.step("counters saw every request", () => {
    assertEquals(emulator.counts.token, 13);
    assertEquals(emulator.counts.tokenErrors, 13);
    assertEquals(emulator.counts.tokenByGrant, { authorization_code: 0, refresh_token: 0 });
  });
});
