/**
 * The container credential endpoint: its pure pieces as tables (Host check, token check, answers,
 * addresses), every request rule through `handleEndpointRequest`, and the real listener on a
 * loopback socket for what only a socket shows (a forged Host, sizes, a body, a port in use).
 */

import { assertEquals, assertMatch, assertRejects, assertTrue } from "../support/assert.ts";
import {
  credentialsAnswer,
  ENDPOINT_PATH,
  endpointUri,
  errorAnswer,
  handleEndpointRequest,
  isAllowedHost,
  newToken,
  startCredentialEndpoint,
  STATIC_KEYS_LIFETIME_MS,
  tokenProblem,
  tokensMatch,
} from "../../lib/aws/container_endpoint.ts";
import type { ProfileCredentials } from "../../lib/aws/profile_credentials.ts";
import {
  ConfigError,
  FileSystemError,
  LoginRequiredError,
  NetworkError,
  ServiceError,
  UsageError,
} from "../../lib/errors.ts";
import { realDeps } from "../../lib/runtime/real.ts";
import { isLoopbackHost } from "../../lib/signin/endpoints.ts";

const NOW = new Date("2026-12-01T10:00:00Z");
const TOKEN = "k3y-of-at-least-22-characters_ok";

const LOGIN: ProfileCredentials = {
  accessKeyId: "ASIAEXAMPLE",
  secretAccessKey: "secret",
  sessionToken: "token",
  expiration: new Date("2026-12-01T10:15:00Z"),
  accountId: "123456789012",
  source: "login-session",
  cacheFile: "/home/me/.aws/login/cache/x.json",
};

Deno.test("isAllowedHost() accepts addresses and names DNS cannot rebind, any port", () => {
  const cases: [string | null, boolean][] = [
    ["127.0.0.1:8080", true],
    ["127.0.0.1", true],
    ["localhost:8080", true],
    ["LOCALHOST:8080", true],
    ["localhost.:8080", true],
    ["app.localhost:8080", true],
    ["[::1]:8080", true],
    ["[::ffff:127.0.0.1]:8080", true],
    ["172.17.0.1:9911", true], // a Docker bridge address
    ["10.0.0.5", true],
    ["host.docker.internal:9911", true],
    ["gateway.docker.internal:9911", true],
    ["host.containers.internal:9911", true],
    ["evil.example:8080", false], // a rebound name
    ["127.0.0.1.nip.io:8080", false],
    ["localhost.evil.example:8080", false],
    ["docker.internal:8080", false],
    ["256.0.0.1:8080", false],
    ["127.0.0.1:8080:1", false],
    ["127.0.0.1:port", false],
    ["", false],
    [null, false],
  ];
  for (const [host, allowed] of cases) assertEquals(isAllowedHost(host), allowed, String(host));
});

Deno.test("tokensMatch() is exact; tokenProblem() wants 22 visible characters", () => {
  assertTrue(tokensMatch(TOKEN, TOKEN));
  for (
    const other of ["", TOKEN.slice(0, -1), `${TOKEN}x`, TOKEN.toUpperCase(), `Bearer ${TOKEN}`]
  ) {
    assertTrue(!tokensMatch(other, TOKEN), other);
  }
  assertEquals(tokenProblem(TOKEN), undefined);
  assertEquals(tokenProblem("a".repeat(22)), undefined);
  assertMatch(tokenProblem("a".repeat(21))!, /21 characters; at least 22/);
  assertMatch(tokenProblem(`${TOKEN} x`)!, /spaces/);
  assertMatch(tokenProblem(`${TOKEN}é`)!, /not ASCII/);
});

Deno.test("newToken() is 256 random bits in base64url", () => {
  const deps = realDeps();
  const tokens = new Set(Array.from({ length: 20 }, () => newToken(deps)));
  assertEquals(tokens.size, 20);
  for (const token of tokens) assertMatch(token, /^[A-Za-z0-9_-]{43}$/);
});

Deno.test("credentialsAnswer() gives the SDK fields and the true expiry", () => {
  assertEquals(credentialsAnswer(LOGIN, NOW), {
    status: 200,
    body: {
      AccessKeyId: "ASIAEXAMPLE",
      SecretAccessKey: "secret",
      Token: "token",
      Expiration: "2026-12-01T10:15:00Z",
      AccountId: "123456789012",
    },
  });
  const longTerm: ProfileCredentials = {
    accessKeyId: "AKIAEXAMPLE",
    secretAccessKey: "secret",
    sessionToken: undefined,
    expiration: undefined,
    accountId: undefined,
    source: "static-keys",
  };
  assertEquals(credentialsAnswer(longTerm, NOW).body, {
    AccessKeyId: "AKIAEXAMPLE",
    SecretAccessKey: "secret",
    Token: "",
    Expiration: new Date(NOW.getTime() + STATIC_KEYS_LIFETIME_MS).toISOString().replace(
      ".000Z",
      "Z",
    ),
  });
});

Deno.test("errorAnswer() says what to do, with a status that tells whether to ask again", () => {
  const signIn = 'Run "aws-login login --profile dev" to sign in again';
  const cases: [unknown, number, string, string][] = [
    [
      new LoginRequiredError("Your session has expired", { hint: signIn }),
      403,
      "LoginRequired",
      `Your session has expired. ${signIn}`,
    ],
    [
      new ServiceError("AWS Sign-In refused", { status: 400, code: "X" }),
      502,
      "SignInError",
      "AWS Sign-In refused",
    ],
    [new NetworkError("unreachable"), 503, "SignInUnreachable", "unreachable"],
    [
      new ConfigError("bad", { code: "BAD_CREDENTIAL_PROCESS" }),
      500,
      "BAD_CREDENTIAL_PROCESS",
      "bad",
    ],
    [new FileSystemError("disk"), 500, "FILE_SYSTEM", "disk"],
    [
      new TypeError("secret detail"),
      500,
      "InternalError",
      "aws-login failed unexpectedly; see its own output",
    ],
  ];
  for (const [error, status, code, message] of cases) {
    assertEquals(errorAnswer(error), { status, body: { code, message } }, String(error));
  }
});

Deno.test("endpointUri(), and isLoopbackHost() on the addresses serve takes", () => {
  assertEquals(endpointUri("127.0.0.1", 9911), `http://127.0.0.1:9911${ENDPOINT_PATH}`);
  assertEquals(endpointUri("0.0.0.0", 9911), `http://127.0.0.1:9911${ENDPOINT_PATH}`);
  assertEquals(endpointUri("::", 9911), `http://[::1]:9911${ENDPOINT_PATH}`);
  assertEquals(endpointUri("172.17.0.1", 9911), `http://172.17.0.1:9911${ENDPOINT_PATH}`);
  for (
    const [address, loopback] of [["127.0.0.1", true], ["127.1.2.3", true], ["::1", true], [
      "0.0.0.0",
      false,
    ], ["172.17.0.1", false]] as const
  ) {
    assertEquals(isLoopbackHost(address), loopback, address);
  }
});

Deno.test("handleEndpointRequest() follows the rules in order", async () => {
  let served = 0;
  const context = {
    token: TOKEN,
    credentials: () => {
      served++;
      return Promise.resolve(LOGIN);
    },
    now: () => NOW,
  };
  const good = { host: "127.0.0.1:9911", authorization: TOKEN };
  const cases: [string, string, string, Record<string, string>, number, string][] = [
    ["the request of an SDK", "GET", ENDPOINT_PATH, good, 200, ""],
    ["a query string is fine", "GET", `${ENDPOINT_PATH}?x=1`, good, 200, ""],
    [
      "a forged Host",
      "GET",
      ENDPOINT_PATH,
      { ...good, host: "evil.example:9911" },
      421,
      "MisdirectedRequest",
    ],
    ["another path", "GET", "/", good, 404, "NotFound"],
    ["a path below", "GET", `${ENDPOINT_PATH}/x`, good, 404, "NotFound"],
    ["POST", "POST", ENDPOINT_PATH, good, 405, "MethodNotAllowed"],
    ["a CORS preflight", "OPTIONS", ENDPOINT_PATH, { host: good.host }, 405, "MethodNotAllowed"],
    ["HEAD", "HEAD", ENDPOINT_PATH, good, 405, "MethodNotAllowed"],
    [
      "a body announced",
      "GET",
      ENDPOINT_PATH,
      { ...good, "content-length": "5" },
      400,
      "BodyNotAllowed",
    ],
    [
      "a chunked body",
      "GET",
      ENDPOINT_PATH,
      { ...good, "transfer-encoding": "chunked" },
      400,
      "BodyNotAllowed",
    ],
    ["no token", "GET", ENDPOINT_PATH, { host: good.host }, 401, "MissingToken"],
    ["an empty token", "GET", ENDPOINT_PATH, { ...good, authorization: "" }, 401, "MissingToken"],
    [
      "a wrong token",
      "GET",
      ENDPOINT_PATH,
      { ...good, authorization: "x".repeat(32) },
      403,
      "InvalidToken",
    ],
    [
      "a Bearer token",
      "GET",
      ENDPOINT_PATH,
      { ...good, authorization: `Bearer ${TOKEN}` },
      403,
      "InvalidToken",
    ],
    ["a long address", "GET", `${ENDPOINT_PATH}?${"x".repeat(3000)}`, good, 414, "URITooLong"],
    [
      "big headers",
      "GET",
      ENDPOINT_PATH,
      { ...good, "x-filler": "x".repeat(9000) },
      431,
      "HeadersTooLarge",
    ],
  ];
  for (const [what, method, path, headers, status, code] of cases) {
    const before = served;
    const request = new Request(`http://127.0.0.1:9911${path}`, { method, headers });
    const answer = await handleEndpointRequest(request, context);
    assertEquals(answer.status, status, what);
    if (status === 200) {
      assertEquals(answer.body.AccessKeyId, LOGIN.accessKeyId, what);
      assertEquals(served, before + 1, what);
    } else {
      assertEquals(answer.body.code, code, what);
      assertEquals(Object.keys(answer.body).sort(), ["code", "message"], what);
      assertTrue(!JSON.stringify(answer.body).includes(LOGIN.secretAccessKey), what);
      assertEquals(served, before, `${what}: credentials were looked up`);
    }
  }
  const failing = { ...context, credentials: () => Promise.reject(new NetworkError("down")) };
  const answer = await handleEndpointRequest(
    new Request(`http://127.0.0.1:9911${ENDPOINT_PATH}`, { headers: good }),
    failing,
  );
  assertEquals(answer, { status: 503, body: { code: "SignInUnreachable", message: "down" } });
});

/** Sends raw HTTP/1.1 bytes and returns the status line and the body. */
async function rawRequest(port: number, text: string): Promise<{ status: number; body: string }> {
  const connection = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await connection.write(new TextEncoder().encode(text));
    let received = "";
    const buffer = new Uint8Array(65536);
    while (true) {
      const n = await connection.read(buffer);
      if (n === null) break;
      received += new TextDecoder().decode(buffer.subarray(0, n));
      const end = received.indexOf("\r\n\r\n");
      const length = /content-length: (\d+)/i.exec(received)?.[1];
      if (end >= 0 && length !== undefined && received.length >= end + 4 + Number(length)) break;
    }
    return {
      status: Number(received.split(" ")[1]),
      body: received.slice(received.indexOf("\r\n\r\n") + 4),
    };
  } finally {
    connection.close();
  }
}

Deno.test("the endpoint on a real socket: the answers, a forged Host, a body, a port in use", async (t) => {
  const deps = realDeps();
  await using endpoint = await startCredentialEndpoint(deps, {
    address: "127.0.0.1",
    port: 0,
    token: TOKEN,
    credentials: () => Promise.resolve(LOGIN),
  });
  assertEquals(endpoint.uri, `http://127.0.0.1:${endpoint.port}${ENDPOINT_PATH}`);

  await t.step("an SDK's request gets the credentials as JSON, not to be cached", async () => {
    const response = await fetch(endpoint.uri, { headers: { authorization: TOKEN } });
    assertEquals(response.status, 200);
    assertEquals(response.headers.get("content-type"), "application/json");
    assertEquals(response.headers.get("cache-control"), "no-store");
    assertEquals((await response.json()).Token, "token");
  });

  await t.step("a forged Host, as a rebound name sends it: 421", async () => {
    const answer = await rawRequest(
      endpoint.port,
      `GET ${ENDPOINT_PATH} HTTP/1.1\r\nHost: evil.example:${endpoint.port}\r\nAuthorization: ${TOKEN}\r\nConnection: close\r\n\r\n`,
    );
    assertEquals(answer.status, 421);
    assertTrue(!answer.body.includes("secret"));
  });

  await t.step("a request with a body: 400, and the body is not read", async () => {
    const answer = await rawRequest(
      endpoint.port,
      `GET ${ENDPOINT_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${TOKEN}\r\nContent-Length: 4\r\nConnection: close\r\n\r\nabcd`,
    );
    assertEquals(answer.status, 400);
  });

  await t.step("the port in use: a UsageError naming it", async () => {
    const error = await assertRejects(
      () =>
        startCredentialEndpoint(deps, {
          address: "127.0.0.1",
          port: endpoint.port,
          token: TOKEN,
          credentials: () => Promise.resolve(LOGIN),
        }),
      UsageError,
      `Cannot listen on 127.0.0.1:${endpoint.port}: the port is in use`,
    );
    assertEquals(error.code, "PORT_IN_USE");
    assertEquals(error.exitCode, 2);
  });
});
