import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { startEmulator } from "../../scripts/emulator/mod.ts";
import { assertEquals, assertMatch, assertStringIncludes } from "../support/assert.ts";
import { assertStsError, login, signedStsRequest, xmlText } from "./helpers.ts";

Deno.test("STS: GetCallerIdentity with issued credentials", async (t) => {
  let clock = Date.now();
  await using emulator = await startEmulator({
    regions: ["us-east-1", "eu-west-1"],
    now: () => clock,
  });
  const base = emulator.url;
  const { credentials } = await login(base);

  await t.step("a correctly signed query-protocol POST succeeds", async () => {
    const response = await signedStsRequest(base, credentials, { date: new Date(clock) });
    const xml = await response.text();
    assertEquals(response.status, 200, xml);
    assertEquals(response.headers.get("content-type"), "text/xml");
    const requestId = xmlText(xml, "RequestId") ?? "";
    assertMatch(requestId, /^[0-9a-f-]{36}$/);
    assertEquals(response.headers.get("x-amzn-requestid"), requestId);
    assertEquals(
      xml,
      `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:sts::123456789012:assumed-role/Admin/alice</Arn>
    <UserId>${xmlText(xml, "UserId")}</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>${requestId}</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>
`,
    );
    assertMatch(xmlText(xml, "UserId") ?? "", /^AROA[A-Z2-7]{17}:alice$/);
  });

  await t.step("a signed GET with the action in the query succeeds", async () => {
    const response = await signedStsRequest(base, credentials, {
      method: "GET",
      query: "Action=GetCallerIdentity&Version=2011-06-15",
      date: new Date(clock),
    });
    assertEquals(response.status, 200, await response.text());
  });

  await t.step("a request signed by @smithy/signature-v4 succeeds", async () => {
    const url = new URL(base);
    const signer = new SignatureV4({
      credentials,
      region: "us-east-1",
      service: "sts",
      sha256: Sha256,
    });
    const body = "Action=GetCallerIdentity&Version=2011-06-15";
    const signed = await signer.sign({
      method: "POST",
      protocol: "http:",
      hostname: url.hostname,
      port: Number(url.port),
      path: "/",
      query: {},
      headers: {
        host: url.host,
        "content-type": "application/x-www-form-urlencoded",
      },
      body,
    }, { signingDate: new Date(clock) });
    const headers = { ...signed.headers } as Record<string, string>;
    delete headers.host;
    const response = await fetch(`${base}/`, { method: "POST", headers, body });
    assertEquals(response.status, 200, await response.text());
  });

  await t.step("credentials work at every regional listener", async () => {
    const response = await signedStsRequest(emulator.urlFor("eu-west-1"), credentials, {
      region: "eu-west-1",
      date: new Date(clock),
    });
    assertEquals(response.status, 200, await response.text());
  });

  await t.step("a wrong secret is SignatureDoesNotMatch", async () => {
    const message = await assertStsError(
      await signedStsRequest(base, { ...credentials, secretAccessKey: "x".repeat(40) }, {
        date: new Date(clock),
      }),
      403,
      "SignatureDoesNotMatch",
    );
    assertStringIncludes(message, "does not match the signature you provided");
  });

  await t.step("a body changed after signing is SignatureDoesNotMatch", async () => {
    await assertStsError(
      await signedStsRequest(base, credentials, {
        date: new Date(clock),
        sendBody: "Action=GetCallerIdentity&Version=2011-06-15&X=1",
      }),
      403,
      "SignatureDoesNotMatch",
    );
  });

  await t.step("a missing session token is InvalidClientTokenId", async () => {
    await assertStsError(
      await signedStsRequest(base, credentials, { sessionToken: null, date: new Date(clock) }),
      403,
      "InvalidClientTokenId",
    );
  });

  await t.step("another session token is InvalidClientTokenId", async () => {
    await assertStsError(
      await signedStsRequest(base, credentials, { sessionToken: "x", date: new Date(clock) }),
      403,
      "InvalidClientTokenId",
    );
  });

  await t.step("an unknown access key is InvalidClientTokenId", async () => {
    await assertStsError(
      await signedStsRequest(base, { ...credentials, accessKeyId: "ASIAAAAAAAAAAAAAAAAA" }, {
        date: new Date(clock),
      }),
      403,
      "InvalidClientTokenId",
    );
  });

  await t.step("a scope for another region or service is SignatureDoesNotMatch", async () => {
    await assertStsError(
      await signedStsRequest(base, credentials, { region: "eu-west-1", date: new Date(clock) }),
      403,
      "SignatureDoesNotMatch",
    );
    await assertStsError(
      await signedStsRequest(base, credentials, { service: "iam", date: new Date(clock) }),
      403,
      "SignatureDoesNotMatch",
    );
  });

  await t.step("a date more than 15 minutes off is SignatureDoesNotMatch", async () => {
    const message = await assertStsError(
      await signedStsRequest(base, credentials, { date: new Date(clock - 16 * 60_000) }),
      403,
      "SignatureDoesNotMatch",
    );
    assertStringIncludes(message, "Signature expired");
    await assertStsError(
      await signedStsRequest(base, credentials, { date: new Date(clock + 16 * 60_000) }),
      403,
      "SignatureDoesNotMatch",
    );
  });

  await t.step("no Authorization header is MissingAuthenticationToken", async () => {
    const response = await fetch(`${base}/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Action=GetCallerIdentity&Version=2011-06-15",
    });
    await assertStsError(response, 403, "MissingAuthenticationToken");
  });

  await t.step("a malformed Authorization header is IncompleteSignature", async () => {
    await assertStsError(
      await signedStsRequest(base, credentials, {
        date: new Date(clock),
        authorization: (value) => value.replace(/, Signature=.*$/, ""),
      }),
      400,
      "IncompleteSignature",
    );
    await assertStsError(
      await signedStsRequest(base, credentials, {
        date: new Date(clock),
        authorization: (value) => value.replace("SignedHeaders=", "SignedHeaders=zzz;"),
      }),
      400,
      "IncompleteSignature",
    );
  });

  await t.step("an action the emulator does not serve is InvalidAction", async () => {
    const message = await assertStsError(
      await signedStsRequest(base, credentials, {
        date: new Date(clock),
        body: "Action=GetSessionToken&Version=2011-06-15",
      }),
      400,
      "InvalidAction",
    );
    assertEquals(message, "Could not find operation GetSessionToken for version 2011-06-15");
  });

  await t.step("expired credentials are ExpiredToken", async () => {
    clock += 901_000;
    const message = await assertStsError(
      await signedStsRequest(base, credentials, { date: new Date(clock) }),
      403,
      "ExpiredToken",
    );
    assertEquals(message, "The security token included in the request is expired");
  });

  await t.step("counters", () => {
    assertEquals(emulator.counts.sts, 18);
    assertEquals(emulator.counts.stsRejected, 14);
  });
});
