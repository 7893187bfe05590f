import { assertEquals, assertRejects, assertStringIncludes } from "../support/assert.ts";
import { fakeDeps } from "../support/fake_deps.ts";
import { startCallbackServer } from "../../lib/signin/callback_server.ts";
import { AuthorizationError, UsageError } from "../../lib/errors.ts";

/** A raw HTTP/1.1 GET, so that the Host header can be anything. */
async function rawGet(
  port: number,
  path: string,
  host = `127.0.0.1:${port}`,
): Promise<{ status: number; body: string }> {
  const connection = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await connection.write(
      new TextEncoder().encode(
        `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      ),
    );
    let text = "";
    const buffer = new Uint8Array(4096);
    while (true) {
      const n = await connection.read(buffer);
      if (n === null) break;
      text += new TextDecoder().decode(buffer.subarray(0, n));
    }
    return { status: Number(text.split(" ")[1]), body: text.slice(text.indexOf("\r\n\r\n") + 4) };
  } finally {
    try {
      connection.close();
    } catch {
      // already closed by the server
    }
  }
}

Deno.test("callback server: one valid callback on 127.0.0.1", async (t) => {
  const deps = fakeDeps();
  await using server = await startCallbackServer(deps, { expectedState: "s1" });

  await t.step("advertises the aws-cli redirect URI", () => {
    assertEquals(server.redirectUri, `http://127.0.0.1:${server.port}/oauth/callback`);
  });
  await t.step("answers other paths with 404 and keeps waiting", async () => {
    assertEquals((await rawGet(server.port, "/favicon.ico")).status, 404);
    assertEquals((await rawGet(server.port, "/oauth/callback/x?code=a&state=s1")).status, 404);
  });
  await t.step("refuses a foreign Host (DNS rebinding) and keeps waiting", async () => {
    const response = await rawGet(
      server.port,
      "/oauth/callback?code=a&state=s1",
      "evil.example:80",
    );
    assertEquals(response.status, 421);
  });
  await t.step("accepts the callback and shows the success page", async () => {
    const response = await fetch(`${server.redirectUri}?code=the-code&state=s1`);
    assertEquals(response.status, 200);
    assertEquals(response.headers.get("cache-control"), "no-store");
    assertStringIncludes(await response.text(), "Signed in to AWS");
    assertEquals((await server.result).code, "the-code");
  });
  await t.step("refuses a second callback without changing the result", async () => {
    const response = await fetch(`${server.redirectUri}?code=other&state=s1`);
    assertEquals(response.status, 409);
    await response.body?.cancel();
    assertEquals((await server.result).code, "the-code");
  });
});

Deno.test("callback server: error callbacks end the wait with a clear error", async () => {
  const cases: [string, string][] = [
    ["error=access_denied&error_description=User+denied&state=s1", "access_denied"],
    ["state=s1", "Failed to retrieve an authorization code"],
  ];
  for (const [query, message] of cases) {
    const deps = fakeDeps();
    await using server = await startCallbackServer(deps, { expectedState: "s1" });
    const response = await fetch(`${server.redirectUri}?${query}`);
    assertEquals(response.status, 400);
    assertStringIncludes(await response.text(), "Sign-in failed");
    await assertRejects(() => server.result, AuthorizationError, message);
  }
});

Deno.test("callback server: a callback without this sign-in's state gets an error page, and the wait goes on", async () => {
  const deps = fakeDeps();
  await using server = await startCallbackServer(deps, { expectedState: "s1" });
  for (const query of ["", "code=a&state=wrong", "error=access_denied", "error=x&state=s2"]) {
    const response = await fetch(`${server.redirectUri}?${query}`);
    assertEquals(response.status, 400, query);
    const html = await response.text();
    assertStringIncludes(html, "does not belong to the sign-in");
    // The page never shows the state this sign-in expects.
    assertEquals(html.includes("s1"), false);
  }
  const response = await fetch(`${server.redirectUri}?code=real&state=s1`);
  assertEquals(response.status, 200);
  await response.body?.cancel();
  assertEquals((await server.result).code, "real");
});

Deno.test("callback server: the page escapes what the query carried", async () => {
  const deps = fakeDeps();
  await using server = await startCallbackServer(deps, { expectedState: "s1" });
  const response = await fetch(
    `${server.redirectUri}?error=x&error_description=${
      encodeURIComponent("<script>x</script>")
    }&state=s1`,
  );
  const html = await response.text();
  assertEquals(html.includes("<script>x"), false);
  assertStringIncludes(html, "&lt;script&gt;");
  await assertRejects(() => server.result, AuthorizationError);
});

Deno.test("callback server: a pasted response settles it too; the first one wins", async () => {
  const deps = fakeDeps();
  await using server = await startCallbackServer(deps, { expectedState: "s1" });
  server.submit(new URLSearchParams({ code: "pasted", state: "s1" }));
  assertEquals((await server.result).code, "pasted");
  const response = await fetch(`${server.redirectUri}?code=late&state=s1`);
  assertEquals(response.status, 409);
  await response.body?.cancel();
});

Deno.test("callback server: a taken --redirect-port is a usage error naming it", async () => {
  const deps = fakeDeps();
  // The port stays taken for the whole test.
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (taken.addr as Deno.NetAddr).port;
  await assertRejects(
    () => startCallbackServer(deps, { expectedState: "s", port }),
    UsageError,
    `127.0.0.1:${port}`,
  );
});

Deno.test("callback server: --redirect-port binds that very port", async () => {
  const deps = fakeDeps();
  // A free port is only known by taking one and giving it back, and another process may take it
  // in between: then the listener fails with the usage error, and another port is tried.
  for (let attempt = 1;; attempt++) {
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (probe.addr as Deno.NetAddr).port;
    probe.close();
    try {
      await using server = await startCallbackServer(deps, { expectedState: "s", port });
      assertEquals(server.port, port);
      assertEquals(server.redirectUri, `http://127.0.0.1:${port}/oauth/callback`);
      return;
    } catch (error) {
      if (!(error instanceof UsageError) || attempt >= 5) throw error;
    }
  }
});

Deno.test("callback server: closing before a callback rejects the result and frees the port", async () => {
  const deps = fakeDeps();
  const server = await startCallbackServer(deps, { expectedState: "s" });
  await server.close();
  await assertRejects(() => server.result, AuthorizationError, "abandoned");
  const again = Deno.listen({ hostname: "127.0.0.1", port: server.port });
  again.close();
});
