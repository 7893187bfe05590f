import { assertEquals, assertMatch, assertThrows } from "../support/assert.ts";
import {
  buildAuthorizeUrl,
  checkAuthorizationResponse,
  createAuthorizationRequest,
  decodeRemoteCode,
  INCOMPLETE_CODE_MESSAGE,
  parsePastedRedirect,
  percentEncode,
  readRemoteCode,
} from "../../lib/signin/authorization.ts";
import { AuthorizationError } from "../../lib/errors.ts";
import { encodeBase64 } from "../../lib/signin/base64.ts";

const SPEC_STATE = "12345678-1234-4234-8234-123456789abc";

Deno.test("createAuthorizationRequest() reproduces aws-cli's URL byte for byte (spec §2.1 example)", async () => {
  const request = await createAuthorizationRequest(
    "https://us-east-1.signin.aws.amazon.com/v1/authorize",
    {
      clientKind: "same-device",
      redirectUri: "http://127.0.0.1:54321/oauth/callback",
      state: SPEC_STATE,
      codeVerifier: "a".repeat(64),
    },
  );
  assertEquals(
    request.url,
    "https://us-east-1.signin.aws.amazon.com/v1/authorize?response_type=code&client_id=arn%3Aaws%3Asignin%3A%3A%3Adevtools%2Fsame-device&state=12345678-1234-4234-8234-123456789abc&code_challenge_method=SHA-256&scope=openid&redirect_uri=http%3A%2F%2F127.0.0.1%3A54321%2Foauth%2Fcallback&code_challenge=_-BU_nrgy23GXDr5th1SCfQ5hR20PQulmXM33xVGaOs",
  );
  assertEquals(request.codeChallenge, "_-BU_nrgy23GXDr5th1SCfQ5hR20PQulmXM33xVGaOs");
});

Deno.test("createAuthorizationRequest() uses the cross-device client and confirmation page", async () => {
  const request = await createAuthorizationRequest(
    "https://us-east-1.signin.aws.amazon.com/v1/authorize",
    {
      clientKind: "cross-device",
      redirectUri: "https://us-east-1.signin.aws.amazon.com/v1/sessions/confirmation",
      state: SPEC_STATE,
    },
  );
  assertEquals(request.clientId, "arn:aws:signin:::devtools/cross-device");
  const url = new URL(request.url);
  assertEquals(url.searchParams.get("client_id"), "arn:aws:signin:::devtools/cross-device");
  assertEquals(
    url.searchParams.get("redirect_uri"),
    "https://us-east-1.signin.aws.amazon.com/v1/sessions/confirmation",
  );
});

Deno.test("createAuthorizationRequest() makes a fresh RFC 7636 verifier and matching S256 challenge", async () => {
  const a = await createAuthorizationRequest("https://h/v1/authorize", {
    clientKind: "same-device",
    redirectUri: "r",
    state: "s",
  });
  const b = await createAuthorizationRequest("https://h/v1/authorize", {
    clientKind: "same-device",
    redirectUri: "r",
    state: "s",
  });
  assertMatch(a.codeVerifier, /^[A-Za-z0-9\-._~]{43,128}$/);
  assertMatch(a.codeChallenge, /^[A-Za-z0-9_-]{43}$/);
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(a.codeVerifier)),
  );
  assertEquals(
    a.codeChallenge,
    encodeBase64(digest).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""),
  );
  assertEquals(a.codeVerifier === b.codeVerifier, false);
});

Deno.test("percentEncode() keeps only unreserved characters", () => {
  assertEquals(percentEncode("a-b_c.d~e!*'() /:"), "a-b_c.d~e%21%2A%27%28%29%20%2F%3A");
  assertEquals(
    buildAuthorizeUrl("https://h/v1/authorize", {
      clientId: "c d",
      state: "s",
      redirectUri: "r",
      codeChallenge: "x",
    }),
    "https://h/v1/authorize?response_type=code&client_id=c%20d&state=s&code_challenge_method=SHA-256&scope=openid&redirect_uri=r&code_challenge=x",
  );
});

Deno.test("checkAuthorizationResponse() returns the code and rejects what aws-cli rejects", () => {
  assertEquals(
    checkAuthorizationResponse(new URLSearchParams({ code: "c1", state: "s1" }), "s1").code,
    "c1",
  );
  const mismatch = assertThrows(
    () => checkAuthorizationResponse(new URLSearchParams({ code: "c1", state: "other" }), "s1"),
    AuthorizationError,
    "State parameter other does not match expected value s1",
  );
  assertEquals(mismatch.code, "STATE_MISMATCH");
  assertThrows(
    () => checkAuthorizationResponse(new URLSearchParams({ code: "c1" }), "s1"),
    AuthorizationError,
    "no state",
  );
  const denied = assertThrows(
    () =>
      checkAuthorizationResponse(
        new URLSearchParams({
          error: "access_denied",
          error_description: "User said no",
          state: "s1",
        }),
        "s1",
      ),
    AuthorizationError,
    "access_denied",
  );
  assertEquals(denied.code, "ACCESS_DENIED");
  assertEquals(
    assertThrows(
      () => checkAuthorizationResponse(new URLSearchParams({ state: "s1" }), "s1"),
      AuthorizationError,
    ).code,
    "MISSING_CODE",
  );
});

Deno.test("decodeRemoteCode() reads the base64 code of the confirmation page (spec §4 example)", () => {
  const parameters = decodeRemoteCode(
    "  c3RhdGU9MTIzNDU2NzgtMTIzNC00MjM0LTgyMzQtMTIzNDU2Nzg5YWJjJmNvZGU9QVVUSENPREUxMjM=\n",
  );
  assertEquals(parameters.get("state"), SPEC_STATE);
  assertEquals(parameters.get("code"), "AUTHCODE123");
  // a paste broken over lines by a terminal
  assertEquals(
    decodeRemoteCode(
      "c3RhdGU9MTIzNDU2NzgtMTIzNC00MjM0LTgy\nMzQtMTIzNDU2Nzg5YWJjJmNvZGU9QVVUSENPREUxMjM=",
    ).get("code"),
    "AUTHCODE123",
  );
});

Deno.test("decodeRemoteCode() explains empty, undecodable and incomplete pastes", () => {
  assertEquals(assertThrows(() => decodeRemoteCode("   "), AuthorizationError).code, "EMPTY_CODE");
  assertThrows(
    () => decodeRemoteCode("not base64 at all!"),
    AuthorizationError,
    "Failed to decode",
  );
  assertThrows(() => decodeRemoteCode(btoa("\xff\xfe")), AuthorizationError, "Failed to decode");
  assertThrows(() => decodeRemoteCode(btoa("x=1&y=2")), AuthorizationError, "auth_code or state");
});

Deno.test("readRemoteCode() says a code cut short is incomplete", () => {
  const whole = btoa(`state=${SPEC_STATE}&code=AUTHCODE123`);
  assertEquals(readRemoteCode(whole, SPEC_STATE).code, "AUTHCODE123");
  const cuts = [
    whole.slice(0, -1), // the padding
    whole.slice(0, -5), // the end of the code
    whole.slice(0, 40), // a multiple of 4: into the state
    btoa(`state=${SPEC_STATE}`), // the whole code part
    btoa(`state=${SPEC_STATE.slice(0, 20)}`),
  ];
  for (const cut of cuts) {
    const error = assertThrows(() => readRemoteCode(cut, SPEC_STATE), AuthorizationError);
    assertEquals(
      [error.message, error.code],
      [INCOMPLETE_CODE_MESSAGE, "INCOMPLETE_CODE"],
      `${cut}: ${error.message}`,
    );
  }
  assertEquals(INCOMPLETE_CODE_MESSAGE, "That code looks incomplete: copy the whole code");
  // Another sign-in's whole code is a mismatch, not an incomplete code.
  const other = btoa("state=00000000-1234-4234-8234-123456789abc&code=AUTHCODE123");
  assertEquals(
    assertThrows(() => readRemoteCode(other, SPEC_STATE), AuthorizationError).code,
    "STATE_MISMATCH",
  );
});

Deno.test("parsePastedRedirect() accepts a whole address or a query", () => {
  assertEquals(
    parsePastedRedirect("http://127.0.0.1:4321/oauth/callback?code=a&state=b")?.get("state"),
    "b",
  );
  assertEquals(parsePastedRedirect("?code=a&state=b")?.get("code"), "a");
  assertEquals(parsePastedRedirect("code=a&state=b")?.get("code"), "a");
  assertEquals(parsePastedRedirect(""), undefined);
  assertEquals(parsePastedRedirect("hello"), undefined);
});
