import { type Fault, startEmulator } from "../../scripts/emulator/mod.ts";
import { assertEquals, assertRejects, assertThrows, assertTrue } from "../support/assert.ts";
import {
  assertSigninError,
  authorizeCode,
  authorizeUrl,
  DPoPKey,
  getManual,
  json,
  login,
  pkce,
  postToken,
  refresh,
  SAME_DEVICE,
  sameDeviceParams,
  signedStsRequest,
  xmlText,
} from "./helpers.ts";

Deno.test("faults: token endpoint errors are consumed in order, then it recovers", async (t) => {
  await using emulator = await startEmulator();
  const base = emulator.url;
  const session = await login(base);

  await t.step("500 then 429 then success", async () => {
    emulator.injectFault({ path: "/v1/token", status: 500 });
    emulator.injectFault({ path: "/v1/token", status: 429 });
    await assertSigninError(
      await refresh(base, session.key, session.refreshToken),
      500,
      "InternalServerException",
      "server_error",
    );
    const message = await assertSigninError(
      await refresh(base, session.key, session.refreshToken),
      429,
      "TooManyRequestsError",
      "INVALID_REQUEST",
    );
    assertEquals(message, "Rate exceeded");
    const ok = await refresh(base, session.key, session.refreshToken);
    assertEquals(ok.status, 200);
    await ok.body?.cancel();
  });

  await t.step("times repeats a fault", async () => {
    emulator.injectFault({ path: "/v1/token", status: 503, times: 2 });
    for (let i = 0; i < 2; i++) {
      const response = await postToken(base, {}, null);
      assertEquals(response.status, 503);
      assertEquals(response.headers.get("x-amzn-errortype"), "InternalServerException");
      await response.body?.cancel();
    }
    const response = await postToken(base, {}, null);
    assertEquals(response.status, 400);
    await response.body?.cancel();
  });

  await t.step("an error code picks the modeled status and type", async () => {
    emulator.injectFault({ path: "/v1/token", error: "INSUFFICIENT_PERMISSIONS" });
    await assertSigninError(
      await postToken(base, {}, null),
      403,
      "AccessDeniedException",
      "INSUFFICIENT_PERMISSIONS",
    );
  });

  await t.step("counters separate faults from the emulator's own rejections", () => {
    assertEquals(emulator.counts.token, 8);
    assertEquals(emulator.counts.faults, 5);
    assertEquals(emulator.counts.tokenErrors, 1);
    assertEquals(emulator.counts.tokenByGrant, { authorization_code: 1, refresh_token: 1 });
  });
});

Deno.test("faults: a faulted token request leaves the code unused", async () => {
  await using emulator = await startEmulator();
  const base = emulator.url;
  const { verifier, challenge } = await pkce();
  const params = sameDeviceParams(challenge);
  const { code } = await authorizeCode(base, params);
  const key = await DPoPKey.generate();
  const body = {
    clientId: SAME_DEVICE,
    grantType: "authorization_code",
    code,
    codeVerifier: verifier,
    redirectUri: params.redirect_uri,
  };
  emulator.injectFault({ path: "/v1/token", status: 500 });
  const failed = await postToken(base, body, await key.proof({ htu: `${base}/v1/token` }));
  assertEquals(failed.status, 500);
  await failed.body?.cancel();
  const retried = await postToken(base, body, await key.proof({ htu: `${base}/v1/token` }));
  assertEquals(retried.status, 200);
  await retried.body?.cancel();
});

Deno.test("faults: delay, drop, authorize and STS", async (t) => {
  await using emulator = await startEmulator();
  const base = emulator.url;

  await t.step("delayMs delays the normal answer", async () => {
    emulator.injectFault({ path: "/v1/token", delayMs: 200 });
    const started = performance.now();
    const response = await postToken(base, {}, null);
    const elapsed = performance.now() - started;
    assertEquals(response.status, 400);
    await response.body?.cancel();
    assertTrue(elapsed >= 190, `answered after ${elapsed} ms`);
  });

  await t.step("drop closes the connection without an answer", async () => {
    emulator.injectFault({ path: "/v1/token", drop: true });
    // A raw connection shows exactly what happens: the request is read, nothing is written back.
    const { port } = new URL(base);
    const connection = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
    await connection.write(
      new TextEncoder().encode(
        `POST /v1/token HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`,
      ),
    );
    const received = await connection.read(new Uint8Array(1024)).catch(() => null);
    connection.close();
    assertEquals(received, null);
    // A fresh fetch connection sees a network error.
    emulator.injectFault({ path: "/v1/token", drop: true });
    const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
    try {
      await assertRejects(
        () => fetch(`${base}/v1/token`, { method: "POST", body: "{}", client }),
        TypeError,
      );
    } finally {
      client.close();
    }
    const next = await postToken(base, {}, null);
    assertEquals(next.status, 400);
    await next.body?.cancel();
  });

  await t.step("an authorize fault answers without redirecting", async () => {
    emulator.injectFault({ path: "/v1/authorize", status: 503 });
    const { challenge } = await pkce();
    const params = sameDeviceParams(challenge);
    const failed = await getManual(authorizeUrl(base, params));
    assertEquals(failed.status, 503);
    assertEquals(failed.headers.get("location"), null);
    await failed.body?.cancel();
    const ok = await getManual(authorizeUrl(base, params));
    assertEquals(ok.status, 302);
  });

  await t.step("an STS fault answers in XML", async () => {
    const { credentials } = await login(base);
    emulator.injectFault({ path: "/", status: 500 });
    const failed = await signedStsRequest(base, credentials);
    const xml = await failed.text();
    assertEquals(failed.status, 500);
    assertEquals(xmlText(xml, "Code"), "InternalFailure");
    emulator.injectFault({ path: "/", status: 400 });
    const throttled = await signedStsRequest(base, credentials);
    assertEquals(xmlText(await throttled.text(), "Code"), "Throttling");
    const ok = await signedStsRequest(base, credentials);
    assertEquals(ok.status, 200);
    await ok.body?.cancel();
    assertEquals(emulator.counts.sts, 3);
    assertEquals(emulator.counts.stsRejected, 0);
  });

  await t.step("invalid faults are refused", () => {
    const invalid: unknown[] = [
      { path: "/v1/other" },
      { path: "/v1/token", status: 200 },
      { path: "/v1/token", times: 0 },
      { path: "/v1/token", delayMs: -1 },
      { path: "/", error: "TOKEN_EXPIRED" },
      { path: "/v1/token", error: "NOPE" },
      { path: "/v1/token", extra: 1 },
    ];
    for (const fault of invalid) {
      assertThrows(() => emulator.injectFault(fault as Fault), TypeError, "Invalid fault");
    }
  });
});

Deno.test("faults: close() does not wait for a long delay", async () => {
  const emulator = await startEmulator();
  emulator.injectFault({ path: "/v1/token", delayMs: 60_000 });
  const pending = postToken(emulator.url, {}, null).then(
    (response) => response.body?.cancel(),
    () => undefined,
  );
  await new Promise((resolve) => setTimeout(resolve, 50));
  const started = performance.now();
  await emulator.close();
  await pending;
  assertTrue(performance.now() - started < 5_000);
});

Deno.test("admin API: state, faults, expiry", async (t) => {
  await using emulator = await startEmulator({ regions: ["us-east-1", "ap-southeast-2"] });
  const base = emulator.url;
  const session = await login(base);
  const post = (path: string, body?: unknown, contentType = "application/json") =>
    fetch(`${base}/_emulator/${path}`, {
      method: "POST",
      headers: { "content-type": contentType },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  await t.step("GET state reports counts and regions", async () => {
    const state = await json(await fetch(`${base}/_emulator/state`));
    assertEquals(state.regions, {
      "us-east-1": base,
      "ap-southeast-2": emulator.urlFor("ap-southeast-2"),
    });
    assertEquals((state.counts as { token: number }).token, 1);
    assertEquals(state.approval, "auto");
    assertEquals(state.pendingFaults, 0);
  });

  await t.step("the state is served by every regional listener", async () => {
    const state = await json(await fetch(`${emulator.urlFor("ap-southeast-2")}/_emulator/state`));
    assertEquals((state.counts as { authorize: number }).authorize, 1);
  });

  await t.step("POST faults queues a fault", async () => {
    const response = await post("faults", { path: "/v1/token", status: 500, times: 2 });
    assertEquals(response.status, 201);
    assertEquals((await json(response)).pendingFaults, 2);
    for (let i = 0; i < 2; i++) {
      const faulted = await postToken(base, {}, null);
      assertEquals(faulted.status, 500);
      await faulted.body?.cancel();
    }
  });

  await t.step("POST faults refuses invalid faults and non-JSON requests", async () => {
    const invalid = await post("faults", { path: "/nowhere" });
    assertEquals(invalid.status, 400);
    assertTrue(String((await json(invalid)).error).includes("path"));
    const form = await post("faults", { path: "/" }, "text/plain");
    assertEquals(form.status, 415);
    await form.body?.cancel();
  });

  await t.step("POST expire-refresh-tokens expires the session", async () => {
    const response = await post("expire-refresh-tokens");
    assertEquals(response.status, 204);
    await assertSigninError(
      await refresh(base, session.key, session.refreshToken),
      401,
      "AccessDeniedException",
      "TOKEN_EXPIRED",
    );
  });

  await t.step("POST change-user-credentials invalidates sessions", async () => {
    const fresh = await login(base);
    assertEquals((await post("change-user-credentials", {})).status, 204);
    await assertSigninError(
      await refresh(base, fresh.key, fresh.refreshToken),
      403,
      "AccessDeniedException",
      "USER_CREDENTIALS_CHANGED",
    );
  });

  await t.step("unknown admin routes and paths are 404", async () => {
    const admin = await fetch(`${base}/_emulator/nope`);
    assertEquals(admin.status, 404);
    await admin.body?.cancel();
    const other = await fetch(`${base}/v2/token`);
    assertEquals(other.status, 404);
    await other.body?.cancel();
  });

  await t.step("urlFor refuses a region not served", () => {
    assertThrows(() => emulator.urlFor("eu-central-1"), RangeError, "eu-central-1");
  });
});

Deno.test("startEmulator() validates options", async () => {
  await assertRejects(() => startEmulator({ regions: [] }), RangeError, "regions");
  await assertRejects(() => startEmulator({ regions: ["useast1"] }), RangeError, "useast1");
  await assertRejects(() => startEmulator({ regions: ["us-east-1", "us-east-1"] }), RangeError);
  await assertRejects(() => startEmulator({ sessionArn: "alice" }), RangeError, "sessionArn");
  await assertRejects(() => startEmulator({ accessTokenTtlSeconds: 0 }), RangeError);
  await assertRejects(() => startEmulator({ port: 70000 }), RangeError, "port");
});

Deno.test("startEmulator() uses consecutive ports from a fixed port and fails when taken", async () => {
  // Free ports are only known by taking one and giving it back; another process may take one in
  // between, and then another pair is tried.
  for (let attempt = 1;; attempt++) {
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (probe.addr as Deno.NetAddr).port;
    probe.close();
    let emulator;
    try {
      emulator = await startEmulator({ port, regions: ["us-east-1", "us-west-2"] });
    } catch (error) {
      if (attempt >= 5 || (error as { code?: string }).code !== "EADDRINUSE") throw error;
      continue;
    }
    await using _ = emulator;
    assertEquals(emulator.url, `http://127.0.0.1:${port}`);
    assertEquals(emulator.urlFor("us-west-2"), `http://127.0.0.1:${port + 1}`);
    // Taken by the emulator itself: a second one cannot start there.
    await assertRejects(() => startEmulator({ port }), Error);
    return;
  }
});

Deno.test("startEmulator() signs in the configured session ARN", async () => {
  await using emulator = await startEmulator({
    sessionArn: "arn:aws:iam::210987654321:user/bob",
    accessTokenTtlSeconds: 600,
  });
  const session = await login(emulator.url);
  assertEquals(session.body.expiresIn, 600);
  const response = await signedStsRequest(emulator.url, session.credentials);
  const xml = await response.text();
  assertEquals(xmlText(xml, "Arn"), "arn:aws:iam::210987654321:user/bob");
  assertEquals(xmlText(xml, "Account"), "210987654321");
  assertTrue(/^AIDA[A-Z2-7]{17}$/.test(xmlText(xml, "UserId") ?? ""));
});
