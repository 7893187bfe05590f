import { assertEquals, assertMatch, assertRejects, assertTrue } from "../support/assert.ts";
import { fakeDeps } from "../support/fake_deps.ts";
import { redeemAuthorizationCode, refreshWithToken } from "../../lib/signin/token.ts";
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
      JSON.stringify({ ...OK_BODY, idToken: 5 }),
    ]
  ) {
    const error = await assertRejects(
      () => processAwsTokenResponse(new Response(body)),
      ServiceError,
    );
    assertEquals(error.code, "INVALID_RESPONSE");
  }
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
