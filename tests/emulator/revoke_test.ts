import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { startEmulator } from "../../scripts/emulator/mod.ts";
import { assertEquals, assertMatch, assertStringIncludes } from "../support/assert.ts";
import {
  assertSigninError,
  type Credentials,
  DPoPKey,
  json,
  login,
  refresh,
  signedRequest,
  type SignedRequestOptions,
  signedStsRequest,
} from "./helpers.ts";

const QUERY = "x-amz-client-auth-method=iam";
const SESSION = "arn:aws:sts::123456789012:assumed-role/Admin/alice";

/** Sends `RevokeOAuth2TokenWithIAM`, SigV4-signed for `signin` like botocore signs rest-json. */
function revoke(
  base: string,
  credentials: Credentials,
  token: unknown,
  options: SignedRequestOptions = {},
): Promise<Response> {
  return signedRequest(base, credentials, {
    service: "signin",
    path: "/v1/revoke",
    query: QUERY,
    contentType: "application/json",
    body: JSON.stringify({ token }),
    ...options,
  });
}

/** Asserts the empty 200 of a revocation. */
async function assertRevoked(response: Response): Promise<void> {
  const text = await response.text();
  assertEquals({ status: response.status, body: text }, { status: 200, body: "" });
  assertMatch(response.headers.get("x-amzn-requestid") ?? "", /^[0-9a-f-]{36}$/);
}

/** Asserts a rest-json SigV4 failure: `X-Amzn-ErrorType` and a body of only `message`. */
async function assertAuthError(response: Response, status: number, type: string): Promise<string> {
  const body = await json(response);
  assertEquals(
    { status: response.status, type: response.headers.get("x-amzn-errortype") },
    { status, type },
    JSON.stringify(body),
  );
  assertEquals(Object.keys(body), ["message"]);
  return body.message as string;
}

Deno.test("revoke: RevokeOAuth2TokenWithIAM ends the whole refresh-token chain", async (t) => {
  await using emulator = await startEmulator({ regions: ["us-east-1", "eu-west-1"] });
  const base = emulator.url;
  const session = await login(base);
  const first = await json(await refresh(base, session.key, session.refreshToken));
  const current = first.refreshToken as string;

  await t.step("a signed revocation of the current token is an empty 200", async () => {
    await assertRevoked(await revoke(base, session.credentials, current));
    assertEquals(emulator.counts.revokedSessions, 1);
  });

  await t.step("no token of the chain refreshes any more, replays included", async () => {
    for (const token of [current, session.refreshToken]) {
      await assertSigninError(
        await refresh(base, session.key, token),
        400,
        "ValidationException",
        "INVALID_REQUEST",
      );
    }
  });

  await t.step("credentials already issued stay valid until they expire", async () => {
    const response = await signedStsRequest(base, session.credentials);
    assertEquals(response.status, 200, await response.text());
  });

  await t.step("it is idempotent: revoked, rotated-out and unknown tokens get 200", async () => {
    await assertRevoked(await revoke(base, session.credentials, current));
    await assertRevoked(await revoke(base, session.credentials, session.refreshToken));
    await assertRevoked(await revoke(base, session.credentials, `ASOR${"A".repeat(100)}`));
    // The longest token the model allows is still only unknown.
    await assertRevoked(await revoke(base, session.credentials, `ASOR${"x".repeat(4092)}`));
    assertEquals(emulator.counts.revokedSessions, 1);
  });

  await t.step("an expired session's token gets 200 too", async () => {
    const other = await login(base);
    emulator.expireRefreshTokens();
    await assertRevoked(await revoke(base, other.credentials, other.refreshToken));
  });

  await t.step("a token of another region is unknown here and stays valid", async () => {
    const eu = emulator.urlFor("eu-west-1");
    const other = await login(eu);
    await assertRevoked(await revoke(base, session.credentials, other.refreshToken));
    const response = await refresh(eu, other.key, other.refreshToken);
    assertEquals(response.status, 200);
    await response.body?.cancel();
    // At its own region's listener it is revoked.
    const next = (await json(await refresh(eu, other.key, other.refreshToken))).refreshToken;
    await assertRevoked(
      await revoke(eu, other.credentials, next, { region: "eu-west-1" }),
    );
    await assertSigninError(
      await refresh(eu, other.key, next as string),
      400,
      "ValidationException",
      "INVALID_REQUEST",
    );
  });

  await t.step("a request signed by @smithy/signature-v4 is accepted", async () => {
    const fresh = await login(base);
    const url = new URL(base);
    const body = JSON.stringify({ token: fresh.refreshToken });
    const signed = await new SignatureV4({
      credentials: fresh.credentials,
      region: "us-east-1",
      service: "signin",
      sha256: Sha256,
    }).sign({
      method: "POST",
      protocol: "http:",
      hostname: url.hostname,
      port: Number(url.port),
      path: "/v1/revoke",
      query: { "x-amz-client-auth-method": "iam" },
      headers: { host: url.host, "content-type": "application/json" },
      body,
    });
    const headers = { ...signed.headers } as Record<string, string>;
    delete headers.host;
    await assertRevoked(
      await fetch(`${base}/v1/revoke?${QUERY}`, { method: "POST", headers, body }),
    );
    await assertSigninError(
      await refresh(base, fresh.key, fresh.refreshToken),
      400,
      "ValidationException",
      "INVALID_REQUEST",
    );
  });

  await t.step("counters", () => {
    assertEquals(emulator.counts.revoke, 9);
    assertEquals(emulator.counts.revokeRejected, 0);
    assertEquals(emulator.counts.revokedSessions, 4);
  });
});

Deno.test("revoke: requests outside the model are ValidationException", async (t) => {
  await using emulator = await startEmulator();
  const base = emulator.url;
  const session = await login(base);
  const token = session.refreshToken;

  const cases: Array<[string, SignedRequestOptions, string]> = [
    ["no query", { query: "" }, "x-amz-client-auth-method=iam"],
    ["another auth method", { query: "x-amz-client-auth-method=none" }, "x-amz-client-auth-method"],
    ["an extra query parameter", { query: `${QUERY}&x=1` }, "x-amz-client-auth-method"],
    ["a form body", { contentType: "application/x-www-form-urlencoded" }, "application/json"],
    ["a body that is not JSON", { body: "{" }, "not a JSON object"],
    ["a JSON array", { body: "[]" }, "not a JSON object"],
    ["no token", { body: "{}" }, '"token" is required'],
    ["a token that is not a string", { body: '{"token":5}' }, "must be a string"],
    ["an empty token", { body: '{"token":""}' }, "must not be empty"],
    ["a token over 4096 characters", {
      body: JSON.stringify({ token: `ASOR${"x".repeat(4093)}` }),
    }, "longer than 4096"],
    ["an unexpected member", {
      body: JSON.stringify({ token, tokenTypeHint: "refresh_token" }),
    }, '"tokenTypeHint"'],
    ["an access key id", {
      body: JSON.stringify({ token: session.credentials.accessKeyId }),
    }, "access tokens are not accepted"],
    ["a session token", {
      body: JSON.stringify({ token: session.credentials.sessionToken }),
    }, "access tokens are not accepted"],
  ];
  for (const [name, options, fragment] of cases) {
    await t.step(`refuses ${name}`, async () => {
      const message = await assertSigninError(
        await revoke(base, session.credentials, token, options),
        400,
        "ValidationException",
        "INVALID_REQUEST",
      );
      assertStringIncludes(message, fragment);
    });
  }

  await t.step("only POST is allowed", async () => {
    const response = await revoke(base, session.credentials, token, { method: "GET" });
    assertEquals(response.status, 405);
    assertEquals(response.headers.get("allow"), "POST");
    await response.body?.cancel();
  });

  await t.step("nothing was revoked", async () => {
    const response = await refresh(base, session.key, token);
    assertEquals(response.status, 200);
    await response.body?.cancel();
    assertEquals(emulator.counts.revokeRejected, cases.length + 1);
    assertEquals(emulator.counts.revokedSessions, 0);
  });
});

Deno.test("revoke: SigV4 failures in the rest-json shape", async (t) => {
  let clock = Date.now();
  await using emulator = await startEmulator({ now: () => clock });
  const base = emulator.url;
  const session = await login(base);
  const token = session.refreshToken;
  const at = () => new Date(clock);

  await t.step("unsigned is MissingAuthenticationTokenException", async () => {
    const response = await fetch(`${base}/v1/revoke?${QUERY}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token }),
    });
    await assertAuthError(response, 403, "MissingAuthenticationTokenException");
  });

  await t.step("a wrong secret is InvalidSignatureException", async () => {
    const message = await assertAuthError(
      await revoke(base, { ...session.credentials, secretAccessKey: "x".repeat(40) }, token, {
        date: at(),
      }),
      403,
      "InvalidSignatureException",
    );
    assertStringIncludes(message, "does not match the signature you provided");
  });

  await t.step("signed for sts or another region is InvalidSignatureException", async () => {
    await assertAuthError(
      await revoke(base, session.credentials, token, { service: "sts", date: at() }),
      403,
      "InvalidSignatureException",
    );
    await assertAuthError(
      await revoke(base, session.credentials, token, { region: "eu-west-1", date: at() }),
      403,
      "InvalidSignatureException",
    );
  });

  await t.step("a body changed after signing is InvalidSignatureException", async () => {
    await assertAuthError(
      await revoke(base, session.credentials, token, {
        date: at(),
        sendBody: JSON.stringify({ token: `ASOR${"B".repeat(40)}` }),
      }),
      403,
      "InvalidSignatureException",
    );
  });

  await t.step("an unknown key or session token is UnrecognizedClientException", async () => {
    await assertAuthError(
      await revoke(base, { ...session.credentials, accessKeyId: "ASIAAAAAAAAAAAAAAAAA" }, token, {
        date: at(),
      }),
      403,
      "UnrecognizedClientException",
    );
    await assertAuthError(
      await revoke(base, session.credentials, token, { sessionToken: null, date: at() }),
      403,
      "UnrecognizedClientException",
    );
  });

  await t.step("a malformed Authorization is IncompleteSignatureException", async () => {
    await assertAuthError(
      await revoke(base, session.credentials, token, {
        date: at(),
        authorization: (value) => value.replace(/, Signature=.*$/, ""),
      }),
      400,
      "IncompleteSignatureException",
    );
  });

  await t.step("expired credentials are ExpiredTokenException", async () => {
    clock += 901_000;
    await assertAuthError(
      await revoke(base, session.credentials, token, { date: at() }),
      403,
      "ExpiredTokenException",
    );
  });

  await t.step("none of it revoked the session", () => {
    assertEquals(emulator.counts.revokeRejected, 9);
    assertEquals(emulator.counts.revokedSessions, 0);
  });
});

Deno.test("revoke: a principal without signin:RevokeOAuth2TokenWithIAM (revokeAllowed: false)", async () => {
  await using emulator = await startEmulator({ revokeAllowed: false });
  const base = emulator.url;
  const session = await login(base);
  const message = await assertSigninError(
    await revoke(base, session.credentials, session.refreshToken),
    403,
    "AccessDeniedException",
    "INSUFFICIENT_PERMISSIONS",
  );
  assertEquals(
    message,
    `User: ${SESSION} is not authorized to perform: signin:RevokeOAuth2TokenWithIAM on resource: arn:aws:signin:us-east-1:123456789012:oauth2/public-client/*`,
  );
  // Authentication and validation still come first.
  await assertSigninError(
    await revoke(base, session.credentials, ""),
    400,
    "ValidationException",
    "INVALID_REQUEST",
  );
  const response = await refresh(base, session.key, session.refreshToken);
  assertEquals(response.status, 200);
  await response.body?.cancel();
  assertEquals(emulator.counts.revokeRejected, 2);
  const state = await json(await fetch(`${base}/_emulator/state`));
  assertEquals(state.revokeAllowed, false);
});

Deno.test("revoke: injected faults", async (t) => {
  await using emulator = await startEmulator();
  const base = emulator.url;
  const session = await login(base);

  await t.step(
    "an AccessDenied fault is answered after authentication, naming the caller",
    async () => {
      emulator.injectFault({ path: "/v1/revoke", status: 403 });
      const message = await assertSigninError(
        await revoke(base, session.credentials, session.refreshToken),
        403,
        "AccessDeniedException",
        "INSUFFICIENT_PERMISSIONS",
      );
      assertStringIncludes(message, `User: ${SESSION} is not authorized to perform: signin:Revoke`);
      emulator.injectFault({ path: "/v1/revoke", error: "INSUFFICIENT_PERMISSIONS" });
      const unsigned = await fetch(`${base}/v1/revoke?${QUERY}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token: session.refreshToken }),
      });
      await assertAuthError(unsigned, 403, "MissingAuthenticationTokenException");
      assertEquals(emulator.counts.revokeRejected, 1);
    },
  );

  await t.step("5xx and 429 faults answer in the modeled shapes", async () => {
    emulator.injectFault({ path: "/v1/revoke", status: 500 });
    emulator.injectFault({ path: "/v1/revoke", status: 429 });
    await assertSigninError(
      await revoke(base, session.credentials, session.refreshToken),
      500,
      "InternalServerException",
      "server_error",
    );
    await assertSigninError(
      await revoke(base, session.credentials, session.refreshToken),
      429,
      "TooManyRequestsError",
      "INVALID_REQUEST",
    );
  });

  await t.step("the session survived every fault, then a revocation ends it", async () => {
    const key = session.key;
    const next = (await json(await refresh(base, key, session.refreshToken))).refreshToken;
    await assertRevoked(await revoke(base, session.credentials, next));
    await assertSigninError(
      await refresh(base, key, next as string),
      400,
      "ValidationException",
      "INVALID_REQUEST",
    );
    assertEquals(emulator.counts.faults, 4);
    assertEquals(emulator.counts.revoke, 5);
  });

  await t.step("a DPoP key is not needed to revoke", async () => {
    // Revocation is authorized by SigV4 alone: the token's DPoP binding does not apply.
    const other = await login(base, { key: await DPoPKey.generate() });
    await assertRevoked(await revoke(base, session.credentials, other.refreshToken));
  });
});
