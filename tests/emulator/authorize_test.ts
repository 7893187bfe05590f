import { startEmulator } from "../../scripts/emulator/mod.ts";
import { assertEquals, assertMatch, assertStringIncludes, assertTrue } from "../support/assert.ts";
import {
  type AuthorizeParams,
  authorizeUrl,
  CROSS_DEVICE,
  DPoPKey,
  getManual,
  json,
  pkce,
  postToken,
  sameDeviceParams,
} from "./helpers.ts";

/** Asserts a rejected authorization: 400, never a redirect, JSON with the error type. */
async function assertRejected(response: Response, fragment: string): Promise<void> {
  const body = await json(response);
  assertEquals(
    response.status,
    400,
    `expected 400, got ${response.status} ${JSON.stringify(body)}`,
  );
  assertEquals(response.headers.get("location"), null);
  assertEquals(response.headers.get("x-amzn-errortype"), "BadRequestException");
  assertStringIncludes(String(body.message), fragment);
}

Deno.test("authorize: same-device success redirects with code and state", async () => {
  await using emulator = await startEmulator();
  const { challenge } = await pkce();
  const params = sameDeviceParams(challenge, 61234);
  const response = await getManual(authorizeUrl(emulator.url, params));
  assertEquals(response.status, 302);
  const location = response.headers.get("location") ?? "";
  assertMatch(
    location,
    /^http:\/\/127\.0\.0\.1:61234\/oauth\/callback\?code=[A-Za-z0-9_-]{43}&state=/,
  );
  assertEquals(new URL(location).searchParams.get("state"), params.state);
  assertEquals(response.headers.get("cache-control"), "no-store");
  assertEquals(emulator.counts.authorize, 1);
});

Deno.test("authorize: state is percent-encoded in the redirect", async () => {
  await using emulator = await startEmulator();
  const { challenge } = await pkce();
  const params = { ...sameDeviceParams(challenge), state: "a b&c=d/é+" };
  const response = await getManual(authorizeUrl(emulator.url, params));
  const location = response.headers.get("location") ?? "";
  assertStringIncludes(location, "&state=a%20b%26c%3Dd%2F%C3%A9%2B");
  assertEquals(new URL(location).searchParams.get("state"), params.state);
});

Deno.test("authorize: parameter rules", async (t) => {
  await using emulator = await startEmulator();
  const base = emulator.url;
  const { challenge } = await pkce();
  const valid = sameDeviceParams(challenge);
  const cases: Array<[string, AuthorizeParams, string]> = [
    ["response_type token", { ...valid, response_type: "token" }, "response_type"],
    [
      "an unknown client_id",
      { ...valid, client_id: "arn:aws:signin:::devtools/other" },
      "client_id",
    ],
    ["a DCR-style client_id", { ...valid, client_id: "my-client" }, "client_id"],
    [
      "code_challenge_method S256",
      { ...valid, code_challenge_method: "S256" },
      "code_challenge_method",
    ],
    [
      "code_challenge_method plain",
      { ...valid, code_challenge_method: "plain" },
      "code_challenge_method",
    ],
    ["scope openid email", { ...valid, scope: "openid email" }, "scope"],
    ["an empty state", { ...valid, state: "" }, "state"],
    ["a 129-character state", { ...valid, state: "s".repeat(129) }, "state"],
    ["a 42-character challenge", { ...valid, code_challenge: "a".repeat(42) }, "code_challenge"],
    ["a 129-character challenge", { ...valid, code_challenge: "a".repeat(129) }, "code_challenge"],
    ["a challenge with '='", { ...valid, code_challenge: `${challenge}=` }, "code_challenge"],
    [
      "a challenge with '+'",
      { ...valid, code_challenge: `${"a".repeat(42)}%2B` },
      "code_challenge",
    ],
    [
      "redirect to localhost",
      { ...valid, redirect_uri: "http://localhost:54321/oauth/callback" },
      "redirect_uri",
    ],
    [
      "redirect over https",
      { ...valid, redirect_uri: "https://127.0.0.1:54321/oauth/callback" },
      "redirect_uri",
    ],
    [
      "redirect without port",
      { ...valid, redirect_uri: "http://127.0.0.1/oauth/callback" },
      "redirect_uri",
    ],
    [
      "redirect to port 0",
      { ...valid, redirect_uri: "http://127.0.0.1:0/oauth/callback" },
      "redirect_uri",
    ],
    [
      "redirect to port 65536",
      { ...valid, redirect_uri: "http://127.0.0.1:65536/oauth/callback" },
      "redirect_uri",
    ],
    [
      "redirect with another path",
      { ...valid, redirect_uri: "http://127.0.0.1:54321/callback" },
      "redirect_uri",
    ],
    ["redirect with a trailing slash", {
      ...valid,
      redirect_uri: "http://127.0.0.1:54321/oauth/callback/",
    }, "redirect_uri"],
    ["redirect with a query", {
      ...valid,
      redirect_uri: "http://127.0.0.1:54321/oauth/callback?x=1",
    }, "redirect_uri"],
    ["redirect with a fragment", {
      ...valid,
      redirect_uri: "http://127.0.0.1:54321/oauth/callback#x",
    }, "redirect_uri"],
    ["redirect with userinfo", {
      ...valid,
      redirect_uri: "http://a@127.0.0.1:54321/oauth/callback",
    }, "redirect_uri"],
    [
      "redirect to IPv6 loopback",
      { ...valid, redirect_uri: "http://[::1]:54321/oauth/callback" },
      "redirect_uri",
    ],
    [
      "redirect elsewhere",
      { ...valid, redirect_uri: "https://evil.example/oauth/callback" },
      "redirect_uri",
    ],
    [
      "same-device client with the confirmation URI",
      { ...valid, redirect_uri: `${base}/v1/sessions/confirmation` },
      "redirect_uri",
    ],
    [
      "cross-device client with a loopback URI",
      { ...valid, client_id: CROSS_DEVICE },
      "redirect_uri",
    ],
    [
      "cross-device client with the real AWS host",
      {
        ...valid,
        client_id: CROSS_DEVICE,
        redirect_uri: "https://us-east-1.signin.aws.amazon.com/v1/sessions/confirmation",
      },
      "redirect_uri",
    ],
    [
      "cross-device client with localhost",
      {
        ...valid,
        client_id: CROSS_DEVICE,
        redirect_uri: `${base.replace("127.0.0.1", "localhost")}/v1/sessions/confirmation`,
      },
      "redirect_uri",
    ],
  ];
  for (const name of Object.keys(valid) as Array<keyof AuthorizeParams>) {
    cases.push([`a missing ${name}`, { ...valid, [name]: undefined }, name]);
  }
  for (const [name, params, fragment] of cases) {
    await t.step(`rejects ${name}`, async () => {
      await assertRejected(await getManual(authorizeUrl(base, params)), fragment);
    });
  }

  await t.step("rejects a repeated parameter", async () => {
    await assertRejected(await getManual(authorizeUrl(base, valid, "&scope=openid")), "repeated");
  });
  await t.step("rejects an unknown parameter", async () => {
    await assertRejected(await getManual(authorizeUrl(base, valid, "&nonce=1")), "nonce");
    await assertRejected(await getManual(authorizeUrl(base, valid, "&resource=x")), "resource");
  });
  await t.step("rejects no query at all", async () => {
    await assertRejected(await getManual(`${base}/v1/authorize`), "no query");
  });
  await t.step("accepts a 128-character state and a 128-character challenge", async () => {
    const response = await getManual(
      authorizeUrl(base, { ...valid, state: "s".repeat(128), code_challenge: "a".repeat(128) }),
    );
    assertEquals(response.status, 302);
  });
  await t.step("browsers get an HTML error page, still without redirect", async () => {
    const response = await getManual(authorizeUrl(base, { ...valid, scope: "email" }), {
      accept: "text/html,application/xhtml+xml",
    });
    const html = await response.text();
    assertEquals(response.status, 400);
    assertEquals(response.headers.get("location"), null);
    assertStringIncludes(response.headers.get("content-type") ?? "", "text/html");
    assertStringIncludes(html, 'id="error-message"');
    assertStringIncludes(html, "scope");
  });
  await t.step("counts every authorize request", () => {
    assertEquals(emulator.counts.authorize, cases.length + 6);
  });
});

Deno.test("authorize: cross-device shows the code on the confirmation page", async (t) => {
  await using emulator = await startEmulator();
  const base = emulator.url;
  const { verifier, challenge } = await pkce();
  const params = {
    ...sameDeviceParams(challenge),
    client_id: CROSS_DEVICE,
    redirect_uri: `${base}/v1/sessions/confirmation`,
  };
  let location = "";
  let pasted = "";

  await t.step("authorize redirects to the confirmation page", async () => {
    const response = await getManual(authorizeUrl(base, params));
    assertEquals(response.status, 302);
    location = response.headers.get("location") ?? "";
    assertTrue(location.startsWith(`${base}/v1/sessions/confirmation?code=`));
  });

  await t.step("the page shows base64 of state=...&code=...", async () => {
    const response = await fetch(location);
    const html = await response.text();
    assertEquals(response.status, 200);
    const match = /id="verification-code">([^<]+)</.exec(html);
    assertTrue(match !== null, html);
    pasted = match[1] ?? "";
    assertMatch(pasted, /^[A-Za-z0-9+/]+=*$/);
    const decoded = new URLSearchParams(atob(pasted));
    assertEquals(decoded.get("state"), params.state);
    assertEquals(decoded.get("code"), new URL(location).searchParams.get("code"));
    assertEquals(emulator.counts.confirmation, 1);
  });

  await t.step("the pasted code redeems with the confirmation redirect URI", async () => {
    const code = new URLSearchParams(atob(pasted)).get("code") ?? "";
    const key = await DPoPKey.generate();
    const response = await postToken(base, {
      clientId: CROSS_DEVICE,
      grantType: "authorization_code",
      code,
      codeVerifier: verifier,
      redirectUri: params.redirect_uri,
    }, await key.proof({ htu: `${base}/v1/token` }));
    assertEquals(response.status, 200);
    await response.body?.cancel();
  });

  await t.step("the page refuses a used code, a wrong state and a same-device code", async () => {
    const used = await fetch(location);
    assertEquals(used.status, 400);
    await used.body?.cancel();
    const url = new URL(location);
    url.searchParams.set("state", "other");
    const wrongState = await fetch(url);
    assertEquals(wrongState.status, 400);
    await wrongState.body?.cancel();
    const sameDevice = await getManual(authorizeUrl(base, sameDeviceParams(challenge)));
    const sameCode = new URL(sameDevice.headers.get("location") ?? "").searchParams.get("code");
    const refused = await fetch(
      `${base}/v1/sessions/confirmation?code=${sameCode}&state=${params.state}`,
    );
    assertEquals(refused.status, 400);
    await refused.body?.cancel();
  });
});

Deno.test("authorize: page approval mode", async (t) => {
  await using emulator = await startEmulator({ approval: "page" });
  const base = emulator.url;
  const { challenge } = await pkce();

  async function consent(params: AuthorizeParams): Promise<string> {
    const response = await getManual(authorizeUrl(base, params));
    const html = await response.text();
    assertEquals(response.status, 200);
    assertStringIncludes(response.headers.get("content-type") ?? "", "text/html");
    assertEquals(response.headers.get("x-frame-options"), "DENY");
    assertStringIncludes(html, 'id="approve"');
    assertStringIncludes(html, 'id="deny"');
    assertStringIncludes(html, params.client_id ?? "");
    return /name="request" value="([0-9a-f]+)"/.exec(html)?.[1] ?? "";
  }

  function decide(request: string, decision: string): Promise<Response> {
    return fetch(`${base}/v1/authorize/decision`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `request=${request}&decision=${decision}`,
    });
  }

  await t.step("invalid requests are refused before any page is shown", async () => {
    const response = await getManual(
      authorizeUrl(base, { ...sameDeviceParams(challenge), scope: "x" }),
    );
    assertEquals(response.status, 400);
    await response.body?.cancel();
  });

  await t.step("approve redirects with a code", async () => {
    const params = sameDeviceParams(challenge);
    const response = await decide(await consent(params), "approve");
    assertEquals(response.status, 302);
    const location = new URL(response.headers.get("location") ?? "");
    assertEquals(location.origin + location.pathname, params.redirect_uri);
    assertEquals(location.searchParams.get("state"), params.state);
    assertMatch(location.searchParams.get("code") ?? "", /^[A-Za-z0-9_-]{43}$/);
  });

  await t.step("a decision cannot be replayed", async () => {
    const request = await consent(sameDeviceParams(challenge));
    const first = await decide(request, "approve");
    await first.body?.cancel();
    const second = await decide(request, "approve");
    assertEquals(second.status, 400);
    await second.body?.cancel();
  });

  await t.step("deny redirects same-device with access_denied and the state", async () => {
    const params = sameDeviceParams(challenge);
    const response = await decide(await consent(params), "deny");
    assertEquals(response.status, 302);
    const location = new URL(response.headers.get("location") ?? "");
    assertEquals(location.searchParams.get("error"), "access_denied");
    assertEquals(location.searchParams.get("state"), params.state);
    assertTrue((location.searchParams.get("error_description") ?? "").length > 0);
    assertEquals(location.searchParams.get("code"), null);
  });

  await t.step("deny shows an error for cross-device", async () => {
    const params = {
      ...sameDeviceParams(challenge),
      client_id: CROSS_DEVICE,
      redirect_uri: `${base}/v1/sessions/confirmation`,
    };
    const response = await decide(await consent(params), "deny");
    assertEquals(response.status, 403);
    assertEquals(response.headers.get("location"), null);
    assertStringIncludes(await response.text(), "denied");
  });

  await t.step("the consent page escapes what it shows", async () => {
    const params = { ...sameDeviceParams(challenge), state: "<script>x</script>" };
    const response = await getManual(authorizeUrl(base, params));
    const html = await response.text();
    assertEquals(html.includes("<script>"), false);
  });
});

Deno.test("authorize: only 127.0.0.1 and localhost Host headers are served", async () => {
  await using emulator = await startEmulator();
  const { port } = new URL(emulator.url);
  const connection = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
  await connection.write(
    new TextEncoder().encode(
      "GET /_emulator/state HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
    ),
  );
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(4096);
  for (;;) {
    const read = await connection.read(buffer);
    if (read === null) break;
    chunks.push(buffer.slice(0, read));
  }
  connection.close();
  const text = new TextDecoder().decode(
    chunks.reduce((all, chunk) => new Uint8Array([...all, ...chunk]), new Uint8Array()),
  );
  assertMatch(text, /^HTTP\/1\.1 400/);
});
