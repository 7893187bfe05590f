import { startEmulator } from "../../scripts/emulator/mod.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "../support/assert.ts";
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
} from "./helpers.ts";

const publicUrlFor = (region: string) => `https://${region}.signin.aws.amazon.com`;

Deno.test("publicUrlFor: DPoP htu must name the public URL of the region", async (t) => {
  await using emulator = await startEmulator({ regions: ["us-east-2"], publicUrlFor });
  const listener = emulator.urlFor("us-east-2");
  const publicUrl = "https://us-east-2.signin.aws.amazon.com";
  const key = await DPoPKey.generate();
  let refreshToken = "";

  await t.step("a login whose proofs name the public token URL succeeds", async () => {
    const { verifier, challenge } = await pkce();
    const params = sameDeviceParams(challenge);
    const { code } = await authorizeCode(listener, params);
    const response = await postToken(listener, {
      clientId: SAME_DEVICE,
      grantType: "authorization_code",
      code,
      codeVerifier: verifier,
      redirectUri: params.redirect_uri,
    }, await key.proof({ htu: `${publicUrl}/v1/token` }));
    const body = await json(response);
    assertEquals(response.status, 200, JSON.stringify(body));
    refreshToken = body.refreshToken as string;
  });

  await t.step("a proof naming the listener URL is refused", async () => {
    const response = await postToken(listener, {
      clientId: SAME_DEVICE,
      grantType: "refresh_token",
      refreshToken,
    }, await key.proof({ htu: `${listener}/v1/token` }));
    const message = await assertSigninError(
      response,
      400,
      "ValidationException",
      "INVALID_REQUEST",
    );
    assertStringIncludes(message, "htu");
  });

  await t.step("a refresh naming the public URL succeeds", async () => {
    const response = await postToken(listener, {
      clientId: SAME_DEVICE,
      grantType: "refresh_token",
      refreshToken,
    }, await key.proof({ htu: `${publicUrl}/v1/token` }));
    assertEquals(response.status, 200, JSON.stringify(await json(response.clone())));
    await response.body?.cancel();
  });
  assertEquals(emulator.counts.tokenByGrant.refresh_token, 1);
});

Deno.test("publicUrlFor: the cross-device redirect_uri must be the public confirmation URL", async () => {
  await using emulator = await startEmulator({ regions: ["eu-west-1"], publicUrlFor });
  const listener = emulator.urlFor("eu-west-1");
  const { challenge } = await pkce();

  const listenerParams = {
    ...sameDeviceParams(challenge),
    client_id: CROSS_DEVICE,
    redirect_uri: `${listener}/v1/sessions/confirmation`,
  };
  const refused = await fetch(
    `${listener}/v1/authorize?${new URLSearchParams(listenerParams)}`,
    { redirect: "manual" },
  );
  assertEquals(refused.status, 400);
  assertStringIncludes(
    String((await json(refused)).message),
    '"https://eu-west-1.signin.aws.amazon.com/v1/sessions/confirmation"',
  );

  const { location } = await authorizeCode(listener, {
    ...listenerParams,
    redirect_uri: "https://eu-west-1.signin.aws.amazon.com/v1/sessions/confirmation",
  });
  assertEquals(
    new URL(location).origin + new URL(location).pathname,
    "https://eu-west-1.signin.aws.amazon.com/v1/sessions/confirmation",
  );
});

Deno.test("publicUrlFor: a value that is not an http(s) origin is refused at start", async () => {
  for (const bad of ["us-east-1.example", "https://x.example/v1", "ftp://x.example"]) {
    await assertRejects(
      () => startEmulator({ regions: ["us-east-1"], publicUrlFor: () => bad }),
      RangeError,
      "publicUrlFor",
    );
  }
});
