import {
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
  assertTrue,
} from "../support/assert.ts";
import { type FakeDeps, fakeDeps } from "../support/fake_deps.ts";
import {
  redeemAuthorizationCode,
  refreshWithToken,
  requestTokens,
} from "../../lib/signin/token.ts";
import {
  RETRY_DELAYS_MS,
  TOKEN_REQUEST_TIMEOUT_MS,
  TOKEN_RETRY_BUDGET_MS,
} from "../../lib/signin/token_policy.ts";
import { resolveSignInEndpoint } from "../../lib/signin/endpoints.ts";
import { generateDPoPKeyPair, jwkThumbprint } from "../../lib/signin/dpop_key.ts";
import { decodeBase64Url } from "../../lib/signin/base64.ts";
import {
  accountIdFromArn,
  identityFromIdToken,
  processAwsTokenResponse,
  toJsonBody,
} from "../../lib/signin/aws_dialect.ts";
import { NetworkError, ServiceError } from "../../lib/errors.ts";
import { checkAuthorizationResponse } from "../../lib/signin/authorization.ts";

const OK_BODY = {
  accessToken: { accessKeyId: "ASIAEXAMPLE", secretAccessKey: "secret", sessionToken: "token" },
  tokenType: "aws_sigv4",
  expiresIn: 900,
  refreshToken: "ASORnext",
  idToken:
    "e30.eyJzdWIiOiJhcm46YXdzOnN0czo6MTIzNDU2Nzg5MDEyOmFzc3VtZWQtcm9sZS9BZG1pbi9hbGljZSJ9.sig",
};

interface Captured {
  url: string;
  headers: Headers;
  body: Record<string, string>;
}

function capturingDeps(answer: () => Response) {
  const captured: Captured[] = [];
  const deps = fakeDeps({
    fetch: (input, init) => {
      captured.push({
        url: String(input),
        headers: new Headers(init?.headers),
        body: JSON.parse(String(init?.body)),
      });
      return Promise.resolve(answer());
    },
  });
  return { deps, captured };
}

function decodePart(part: string): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(decodeBase64Url(part)));
}

Deno.test("redeemAuthorizationCode() sends aws-cli's JSON body with a valid DPoP proof", async () => {
  const { deps, captured } = capturingDeps(() => Response.json(OK_BODY));
  const keyPair = await generateDPoPKeyPair();
  const endpoint = resolveSignInEndpoint("eu-west-1");
  const before = Math.floor(Date.now() / 1000);
  const tokens = await redeemAuthorizationCode(deps, {
    endpoint,
    clientId: "arn:aws:signin:::devtools/same-device",
    keyPair,
  }, {
    response: checkAuthorizationResponse(
      new URLSearchParams({ code: "the-code", state: "s" }),
      "s",
    ),
    codeVerifier: "v".repeat(43),
    redirectUri: "http://127.0.0.1:4242/oauth/callback",
  });

  assertEquals(tokens.accessToken.accessKeyId, "ASIAEXAMPLE");
  assertEquals(captured.length, 1);
  const [request] = captured;
  assertEquals(request!.url, "https://eu-west-1.signin.aws.amazon.com/v1/token");
  assertEquals(request!.headers.get("content-type"), "application/json");
  assertMatch(request!.headers.get("user-agent") ?? "", /^aws-login\//);
  assertEquals(request!.body, {
    clientId: "arn:aws:signin:::devtools/same-device",
    grantType: "authorization_code",
    code: "the-code",
    codeVerifier: "v".repeat(43),
    redirectUri: "http://127.0.0.1:4242/oauth/callback",
  });

  const proof = request!.headers.get("dpop") ?? "";
  const [header, payload, signature] = proof.split(".");
  const jose = decodePart(header!);
  assertEquals(jose.typ, "dpop+jwt");
  assertEquals(jose.alg, "ES256");
  const jwk = jose.jwk as JsonWebKey;
  assertEquals([jwk.kty, jwk.crv, "d" in jwk], ["EC", "P-256", false]);
  const claims = decodePart(payload!);
  assertEquals(claims.htm, "POST");
  assertEquals(claims.htu, "https://eu-west-1.signin.aws.amazon.com/v1/token");
  assertMatch(
    String(claims.jti),
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
  assertTrue(typeof claims.iat === "number" && claims.iat >= before && claims.iat <= before + 5);
  assertEquals("nonce" in claims || "ath" in claims, false);

  const publicKey = await crypto.subtle.importKey(
    "jwk",
    jwk,
    { name: "ECDSA", namedCurve: "P-256" },
    true,
    ["verify"],
  );
  assertEquals(await jwkThumbprint(publicKey), await jwkThumbprint(keyPair.publicKey));
  const raw = decodeBase64Url(signature!);
  assertEquals(raw.length, 64);
  assertTrue(
    await crypto.subtle.verify(
      { name: "ECDSA", hash: "SHA-256" },
      keyPair.publicKey,
      raw,
      new TextEncoder().encode(`${header}.${payload}`),
    ),
  );
});

Deno.test("refreshWithToken() sends the refresh grant; a loopback http endpoint is allowed", async () => {
  const { deps, captured } = capturingDeps(() => Response.json({ ...OK_BODY, idToken: undefined }));
  const keyPair = await generateDPoPKeyPair();
  const endpoint = resolveSignInEndpoint(undefined, { endpointUrl: "http://127.0.0.1:9/x" });
  const tokens = await refreshWithToken(deps, {
    endpoint,
    clientId: "arn:aws:signin:::devtools/cross-device",
    keyPair,
  }, "ASORold");
  assertEquals(tokens.refreshToken, "ASORnext");
  assertEquals(tokens.idToken, undefined);
  assertEquals(captured[0]!.body, {
    clientId: "arn:aws:signin:::devtools/cross-device",
    grantType: "refresh_token",
    refreshToken: "ASORold",
  });
  const claims = decodePart(captured[0]!.headers.get("dpop")!.split(".")[1]!);
  assertEquals(claims.htu, "http://127.0.0.1:9/v1/token");
  // Each proof has its own jti.
  await refreshWithToken(deps, { endpoint, clientId: "c", keyPair }, "ASORold");
  const second = decodePart(captured[1]!.headers.get("dpop")!.split(".")[1]!);
  assertEquals(second.jti === claims.jti, false);
});

Deno.test("token requests turn service errors into ServiceError with the service's code", async () => {
  const keyPair = await generateDPoPKeyPair();
  const endpoint = resolveSignInEndpoint("us-east-1");
  const cases: [Response, string, number, string | undefined][] = [
    [
      new Response(
        JSON.stringify({ error: "TOKEN_EXPIRED", message: "The refresh token has expired." }),
        {
          status: 401,
          headers: { "x-amzn-errortype": "AccessDeniedException:http://internal.amazon.com/" },
        },
      ),
      "TOKEN_EXPIRED",
      401,
      "AccessDeniedException",
    ],
    [
      new Response(JSON.stringify({ error: "INVALID_REQUEST", message: "bad" }), {
        status: 400,
        headers: { "x-amzn-errortype": "ValidationException" },
      }),
      "INVALID_REQUEST",
      400,
      "ValidationException",
    ],
    [new Response("oops", { status: 503 }), "HTTP_503", 503, undefined],
    [new Response("{}", { status: 429 }), "THROTTLED", 429, undefined],
    [
      new Response(JSON.stringify({ error: "unsupported_grant_type", error_description: "no" }), {
        status: 400,
      }),
      "unsupported_grant_type",
      400,
      undefined,
    ],
  ];
  for (const [response, code, status, errorType] of cases) {
    const { deps } = capturingDeps(() => response);
    const error = await assertRejects(
      () => refreshWithToken(deps, { endpoint, clientId: "c", keyPair }, "r"),
      ServiceError,
    );
    assertEquals([error.code, error.status, error.errorType], [code, status, errorType]);
  }
});

Deno.test("processAwsTokenResponse() rejects answers that are not a complete token", async () => {
  for (
    const body of [
      "not json",
      "[]",
      JSON.stringify({ ...OK_BODY, accessToken: "bearer-string" }),
      JSON.stringify({ ...OK_BODY, accessToken: { accessKeyId: "A", secretAccessKey: "S" } }),
      JSON.stringify({ ...OK_BODY, refreshToken: "" }),
      JSON.stringify({ ...OK_BODY, expiresIn: "900" }),
      JSON.stringify({ ...OK_BODY, expiresIn: 0 }),
      JSON.stringify({ ...OK_BODY, expiresIn: -900 }),
      JSON.stringify({ ...OK_BODY, expiresIn: 43_201 }),
      JSON.stringify({ ...OK_BODY, expiresIn: 1e12 }),
      JSON.stringify({ ...OK_BODY, idToken: 5 }),
      JSON.stringify({ ...OK_BODY, refreshToken: undefined }),
    ]
  ) {
    const error = await assertRejects(
      () => processAwsTokenResponse(new Response(body), { grant: "authorization_code" }),
      ServiceError,
    );
    assertEquals(error.code, "INVALID_RESPONSE", body);
  }
});

Deno.test("processAwsTokenResponse() takes a refresh answer without refreshToken (the current one stays)", async () => {
  const { refreshToken: _, idToken: __, ...body } = OK_BODY;
  const tokens = await processAwsTokenResponse(Response.json(body), { grant: "refresh_token" });
  assertEquals(tokens.refreshToken, undefined);
  assertEquals(tokens.expiresIn, 900);
  for (const expiresIn of [1, 43_200]) {
    const ok = await processAwsTokenResponse(Response.json({ ...body, expiresIn }), {
      grant: "refresh_token",
    });
    assertEquals(ok.expiresIn, expiresIn);
  }
});

Deno.test("processAwsTokenResponse() prints no escape sequence and no secret from an error", async () => {
  const echo = Response.json({
    error: "INVALID_REQUEST",
    message: "\x1b[2J\x1b]0;pwned\x07Bad token ASORsecretrefreshtoken in body " + "x".repeat(2000),
  }, { status: 400, headers: { "x-amzn-errortype": "ValidationException\x1b[31m" } });
  const error = await assertRejects(
    () =>
      processAwsTokenResponse(echo, {
        grant: "refresh_token",
        secrets: ["ASORsecretrefreshtoken"],
      }),
    ServiceError,
  );
  assertEquals(error.code, "INVALID_REQUEST");
  assertEquals(error.message.includes("\x1b"), false);
  assertEquals(error.message.includes("ASORsecretrefreshtoken"), false);
  assertStringIncludes(error.message, "Bad token [redacted] in body");
  assertTrue(error.message.length <= 300, `${error.message.length}`);
  assertEquals(error.errorType, undefined);
  // A body that is not JSON is never shown.
  const html = await assertRejects(
    () =>
      processAwsTokenResponse(new Response("<html>refreshToken=ASORx</html>", { status: 502 }), {
        grant: "refresh_token",
      }),
    ServiceError,
  );
  assertEquals(html.message, "AWS Sign-In answered HTTP 502");
});

Deno.test("a network failure is a NetworkError naming the endpoint", async () => {
  const deps = fakeDeps({
    fetch: () => Promise.reject(new TypeError("error sending request: connection refused")),
  });
  const keyPair = await generateDPoPKeyPair();
  await assertRejects(
    () =>
      refreshWithToken(deps, {
        endpoint: resolveSignInEndpoint("us-east-2"),
        clientId: "c",
        keyPair,
      }, "r"),
    NetworkError,
    "https://us-east-2.signin.aws.amazon.com",
  );
});

Deno.test("identityFromIdToken() reads sub and the account as aws-cli does", () => {
  assertEquals(identityFromIdToken(OK_BODY.idToken), {
    loginSession: "arn:aws:sts::123456789012:assumed-role/Admin/alice",
    accountId: "123456789012",
  });
  // JSON may escape "/" as "\/"
  const escaped = `e30.${
    btoa('{"sub":"arn:aws:iam::0123456789012:user\\/Admin"}').replace(/=+$/, "")
  }.s`;
  assertEquals(identityFromIdToken(escaped).loginSession, "arn:aws:iam::0123456789012:user/Admin");
  assertEquals(accountIdFromArn("arn:aws:iam::0123456789012:user/Admin"), "0123456789012");
  for (const bad of ["a.b", "e30.e30.s", "e30.!!!.s"]) {
    let failed = false;
    try {
      identityFromIdToken(bad);
    } catch (error) {
      failed = error instanceof TypeError;
    }
    assertTrue(failed, bad);
  }
});

Deno.test("toJsonBody() refuses parameters the AWS dialect does not know", () => {
  let failed = false;
  try {
    toJsonBody(new URLSearchParams({ grant_type: "x", resource: "y" }));
  } catch (error) {
    failed = error instanceof TypeError;
  }
  assertTrue(failed);
});

/** A token endpoint scripted per request: an answer, or silence until the request times out. */
function scriptedEndpoint(
  deps: () => FakeDeps,
  script: readonly ("silent" | "stall-body" | number)[],
): { fetch: FakeDeps["fetch"]; calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    fetch: (_input, init) => {
      const step = script[calls.length] ?? 200;
      calls.push(deps().now().getTime());
      const signal = init?.signal ?? undefined;
      if (step === "silent") {
        return new Promise((_, reject) => {
          signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
          // The endpoint says nothing while the whole timeout passes.
          setTimeout(() => void deps().advance(TOKEN_REQUEST_TIMEOUT_MS), 0);
        });
      }
      if (step === "stall-body") {
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"accessToken": {'));
            signal?.addEventListener("abort", () => controller.error(signal.reason), {
              once: true,
            });
            setTimeout(() => void deps().advance(TOKEN_REQUEST_TIMEOUT_MS), 0);
          },
        });
        return Promise.resolve(
          new Response(body, { headers: { "content-type": "application/json" } }),
        );
      }
      if (step === 200) return Promise.resolve(Response.json(OK_BODY));
      return Promise.resolve(
        Response.json({ error: step === 429 ? "INVALID_REQUEST" : "server_error", message: "x" }, {
          status: step,
        }),
      );
    },
  };
}

async function refreshOnce(
  script: readonly ("silent" | "stall-body" | number)[],
  random: number[] = [0],
) {
  const endpoint = scriptedEndpoint(() => deps, script);
  const deps = fakeDeps({ clock: "auto", fetch: endpoint.fetch, random });
  const started = deps.now().getTime();
  const context = {
    endpoint: resolveSignInEndpoint("us-east-1"),
    clientId: "arn:aws:signin:::devtools/same-device",
    keyPair: await generateDPoPKeyPair(),
  };
  const outcome = await requestTokens(deps, context, { grant: "refresh_token", refreshToken: "r" })
    .then((tokens) => ({ tokens }), (error: unknown) => ({ error }));
  return {
    outcome,
    calls: endpoint.calls.map((at) => at - started),
    elapsed: deps.now().getTime() - started,
  };
}

Deno.test("requestTokens() retries a refresh after a 5xx or a timeout, with growing pauses", async () => {
  const { outcome, calls } = await refreshOnce([503, 500, 200]);
  assertEquals("tokens" in outcome, true);
  assertEquals(calls, [0, RETRY_DELAYS_MS[0]!, RETRY_DELAYS_MS[0]! + RETRY_DELAYS_MS[1]!]);
  const timedOut = await refreshOnce(["silent", 200]);
  assertEquals("tokens" in timedOut.outcome, true);
  assertEquals(timedOut.calls, [0, TOKEN_REQUEST_TIMEOUT_MS + RETRY_DELAYS_MS[0]!]);
});

Deno.test("requestTokens() jitters its pauses with Deps.random", async () => {
  const { calls } = await refreshOnce([503, 200], [0.999]);
  assertEquals(calls[1], RETRY_DELAYS_MS[0]! + Math.floor(0.999 * RETRY_DELAYS_MS[0]! * 0.25));
});

Deno.test("requestTokens() stops at the retry budget: a silent endpoint costs 30 s, not minutes", async () => {
  const { outcome, calls, elapsed } = await refreshOnce(["silent", "silent", "silent", "silent"]);
  assertTrue("error" in outcome && outcome.error instanceof NetworkError);
  assertEquals((outcome as { error: NetworkError }).error.code, "TIMEOUT");
  assertEquals(calls.length, 2);
  assertTrue(elapsed <= TOKEN_RETRY_BUDGET_MS, `${elapsed}`);
  assertTrue(elapsed >= TOKEN_RETRY_BUDGET_MS - 1000, `${elapsed}`);
});

Deno.test("a body that stalls after the headers is the unreachable error, not a crash", async () => {
  const { outcome } = await refreshOnce(["stall-body", "stall-body", "stall-body", "stall-body"]);
  assertTrue("error" in outcome);
  const error = (outcome as { error: unknown }).error;
  assertTrue(error instanceof NetworkError, String(error));
  assertEquals((error as NetworkError).exitCode, 7);
  assertStringIncludes((error as NetworkError).message, "did not answer within");
});

Deno.test("requestTokens() never retries a code redemption but for throttling", async () => {
  for (const [script, calls] of [[[500, 200], 1], [["silent", 200], 1], [[429, 200], 2]] as const) {
    const endpoint = scriptedEndpoint(() => deps, script);
    const deps = fakeDeps({ clock: "auto", fetch: endpoint.fetch });
    const parameters = new URLSearchParams("code=c&state=s");
    await requestTokens(deps, {
      endpoint: resolveSignInEndpoint("us-east-1"),
      clientId: "arn:aws:signin:::devtools/same-device",
      keyPair: await generateDPoPKeyPair(),
    }, {
      grant: "authorization_code",
      response: checkAuthorizationResponse(parameters, "s"),
      codeVerifier: "v".repeat(43),
      redirectUri: "http://127.0.0.1:1/oauth/callback",
    }).catch(() => {});
    assertEquals(endpoint.calls.length, calls, JSON.stringify(script));
  }
});

Deno.test("TOKEN_RETRY_BUDGET_MS bounds a refresh to two silent attempts", () => {
  assertTrue(2 * TOKEN_REQUEST_TIMEOUT_MS >= TOKEN_RETRY_BUDGET_MS);
});
