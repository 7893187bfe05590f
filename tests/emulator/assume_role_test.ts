import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { type EmulatorOptions, type Fault, startEmulator } from "../../scripts/emulator/mod.ts";
import {
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "../support/assert.ts";
import {
  assertStsError,
  type Credentials,
  json,
  login,
  signedRequest,
  xmlText,
} from "./helpers.ts";

const LOGIN_ARN = "arn:aws:sts::123456789012:assumed-role/Admin/alice";
const USER_ARN = "arn:aws:iam::123456789012:user/alice";
const ROLE = "arn:aws:iam::210987654321:role/Deploy";
const VERSION = "2011-06-15";

/** Sends an STS query-protocol call signed by `@smithy/signature-v4`, as the JS SDK signs it. */
async function sts(
  base: string,
  credentials: Credentials,
  parameters: Record<string, string>,
  options: { date: Date; region?: string; method?: "POST" | "GET" },
): Promise<Response> {
  const url = new URL(base);
  const form = new URLSearchParams({ Version: VERSION, ...parameters }).toString();
  const method = options.method ?? "POST";
  const signer = new SignatureV4({
    credentials,
    region: options.region ?? "us-east-1",
    service: "sts",
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method,
    protocol: "http:",
    hostname: url.hostname,
    port: Number(url.port),
    path: "/",
    query: method === "GET" ? Object.fromEntries(new URLSearchParams(form)) : {},
    headers: {
      host: url.host,
      ...(method === "POST" ? { "content-type": "application/x-www-form-urlencoded" } : {}),
    },
    ...(method === "POST" ? { body: form } : {}),
  }, { signingDate: options.date });
  const headers = { ...signed.headers } as Record<string, string>;
  delete headers.host;
  return await fetch(method === "GET" ? `${base}/?${form}` : `${base}/`, {
    method,
    headers,
    ...(method === "POST" ? { body: form } : {}),
  });
}

/** The parts of a successful AssumeRole answer. */
interface Assumed {
  xml: string;
  credentials: Credentials;
  expiration: string;
  assumedRoleId: string;
  arn: string;
}

async function assumed(response: Response): Promise<Assumed> {
  const xml = await response.text();
  assertEquals(response.status, 200, xml);
  return {
    xml,
    credentials: {
      accessKeyId: xmlText(xml, "AccessKeyId") ?? "",
      secretAccessKey: xmlText(xml, "SecretAccessKey") ?? "",
      sessionToken: xmlText(xml, "SessionToken") ?? "",
    },
    expiration: xmlText(xml, "Expiration") ?? "",
    assumedRoleId: xmlText(xml, "AssumedRoleId") ?? "",
    arn: xmlText(xml, "Arn") ?? "",
  };
}

/** STS's `Expiration` of a time: ISO 8601 without fractions. */
function stsTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** An emulator on a virtual clock with a signed-in session. */
async function setup(options: EmulatorOptions = {}) {
  let clock = Date.now();
  const emulator = await startEmulator({ ...options, now: () => clock });
  const session = await login(emulator.url);
  return {
    emulator,
    credentials: session.credentials,
    advance(ms: number) {
      clock += ms;
    },
    now: () => clock,
    call(
      credentials: Credentials,
      parameters: Record<string, string>,
      init: { method?: "POST" | "GET"; base?: string; region?: string } = {},
    ) {
      return sts(init.base ?? emulator.url, credentials, parameters, {
        date: new Date(clock),
        ...(init.method === undefined ? {} : { method: init.method }),
        ...(init.region === undefined ? {} : { region: init.region }),
      });
    },
    assumeRole(credentials: Credentials, parameters: Record<string, string> = {}) {
      return this.call(credentials, {
        Action: "AssumeRole",
        RoleArn: ROLE,
        RoleSessionName: "deploy-1",
        ...parameters,
      });
    },
    async [Symbol.asyncDispose]() {
      await emulator.close();
    },
  };
}

Deno.test("AssumeRole: login credentials assume a role; its credentials are a new principal", async (t) => {
  await using s = await setup({ regions: ["us-east-1", "eu-west-1"] });
  let role!: Assumed;

  await t.step("the answer is STS's AssumeRoleResponse", async () => {
    role = await assumed(await s.assumeRole(s.credentials));
    const requestId = xmlText(role.xml, "RequestId") ?? "";
    assertMatch(requestId, /^[0-9a-f-]{36}$/);
    assertMatch(role.credentials.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assertMatch(role.credentials.secretAccessKey, /^[A-Za-z0-9+/]{40}$/);
    assertMatch(role.credentials.sessionToken, /^[A-Za-z0-9+/=]{200,}$/);
    assertMatch(role.assumedRoleId, /^AROA[A-Z2-7]{17}:deploy-1$/);
    assertEquals(
      role.xml,
      `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>${role.credentials.accessKeyId}</AccessKeyId>
      <SecretAccessKey>${role.credentials.secretAccessKey}</SecretAccessKey>
      <SessionToken>${role.credentials.sessionToken}</SessionToken>
      <Expiration>${stsTime(s.now() + 3600_000)}</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <AssumedRoleId>${role.assumedRoleId}</AssumedRoleId>
      <Arn>arn:aws:sts::210987654321:assumed-role/Deploy/deploy-1</Arn>
    </AssumedRoleUser>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>${requestId}</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>
`,
    );
  });

  await t.step("GetCallerIdentity with them names the role session", async () => {
    const response = await s.call(role.credentials, { Action: "GetCallerIdentity" });
    const xml = await response.text();
    assertEquals(response.status, 200, xml);
    assertEquals(xmlText(xml, "Arn"), "arn:aws:sts::210987654321:assumed-role/Deploy/deploy-1");
    assertEquals(xmlText(xml, "UserId"), role.assumedRoleId);
    assertEquals(xmlText(xml, "Account"), "210987654321");
  });

  await t.step("the role's unique id does not depend on the session name", async () => {
    const other = await assumed(await s.assumeRole(s.credentials, { RoleSessionName: "other" }));
    assertEquals(other.assumedRoleId.split(":")[0], role.assumedRoleId.split(":")[0]);
    assertEquals(other.assumedRoleId.split(":")[1], "other");
  });

  await t.step("a GET with the action in the query works too, at any region", async () => {
    const response = await s.call(s.credentials, {
      Action: "AssumeRole",
      RoleArn: ROLE,
      RoleSessionName: "by-get",
    }, { method: "GET", base: s.emulator.urlFor("eu-west-1"), region: "eu-west-1" });
    assertEquals(
      (await assumed(response)).arn,
      "arn:aws:sts::210987654321:assumed-role/Deploy/by-get",
    );
  });

  await t.step("a role path is not part of the session ARN", async () => {
    const response = await s.assumeRole(s.credentials, {
      RoleArn: "arn:aws:iam::123456789012:role/ops/team/Builder",
    });
    assertEquals(
      (await assumed(response)).arn,
      "arn:aws:sts::123456789012:assumed-role/Builder/deploy-1",
    );
  });

  await t.step("a wrong signature is refused like any STS call", async () => {
    await assertStsError(
      await s.assumeRole({ ...s.credentials, secretAccessKey: "x".repeat(40) }),
      403,
      "SignatureDoesNotMatch",
    );
  });

  await t.step("role credentials work until they expire", async () => {
    const short = await assumed(await s.assumeRole(s.credentials, { DurationSeconds: "900" }));
    assertEquals(
      short.expiration,
      stsTime(s.now() + 900_000),
    );
    s.advance(899_000);
    const ok = await s.call(short.credentials, { Action: "GetCallerIdentity" });
    assertEquals(ok.status, 200, await ok.text());
    s.advance(1_000);
    const message = await assertStsError(
      await s.call(short.credentials, { Action: "GetCallerIdentity" }),
      403,
      "ExpiredToken",
    );
    assertEquals(message, "The security token included in the request is expired");
  });

  await t.step("counters", () => {
    const counts = s.emulator.counts;
    assertEquals(counts.assumeRole, 6);
    assertEquals(counts.assumeRoleRejected, 1);
    assertEquals(counts.assumeRoleByArn, {
      [ROLE]: 4,
      "arn:aws:iam::123456789012:role/ops/team/Builder": 1,
    });
    assertEquals(counts.sts, 9);
    assertEquals(counts.stsRejected, 2);
  });
});

Deno.test("AssumeRole: durations, role chaining and MaxSessionDuration", async (t) => {
  await t.step("a login session that is an assumed role is limited to one hour", async () => {
    await using s = await setup();
    await assumed(await s.assumeRole(s.credentials, { DurationSeconds: "3600" }));
    const message = await assertStsError(
      await s.assumeRole(s.credentials, { DurationSeconds: "3601" }),
      400,
      "ValidationError",
    );
    assertEquals(
      message,
      "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    );
  });

  await t.step("so are assumed-role credentials, which can assume further roles", async () => {
    await using s = await setup({ sessionArn: USER_ARN });
    const first = await assumed(await s.assumeRole(s.credentials, { DurationSeconds: "43200" }));
    const chained = await assumed(
      await s.assumeRole(first.credentials, {
        RoleArn: "arn:aws:iam::123456789012:role/Next",
        RoleSessionName: "chained",
      }),
    );
    assertEquals(chained.arn, "arn:aws:sts::123456789012:assumed-role/Next/chained");
    assertEquals(
      chained.expiration,
      stsTime(s.now() + 3600_000),
    );
    await assertStsError(
      await s.assumeRole(first.credentials, { DurationSeconds: "7200" }),
      400,
      "ValidationError",
    );
    const identity = await s.call(chained.credentials, { Action: "GetCallerIdentity" });
    assertEquals(xmlText(await identity.text(), "Arn"), chained.arn);
  });

  await t.step("an IAM user may ask for 12 hours of an unconfigured role", async () => {
    await using s = await setup({ sessionArn: USER_ARN });
    const role = await assumed(await s.assumeRole(s.credentials, { DurationSeconds: "43200" }));
    assertEquals(
      role.expiration,
      stsTime(s.now() + 43200_000),
    );
  });

  await t.step("a configured role's MaxSessionDuration, 3600 unless set", async () => {
    await using s = await setup({
      sessionArn: USER_ARN,
      roles: [
        { arn: ROLE, maxSessionDurationSeconds: 7200 },
        { arn: "arn:aws:iam::210987654321:role/Default" },
      ],
    });
    await assumed(await s.assumeRole(s.credentials, { DurationSeconds: "7200" }));
    const message = await assertStsError(
      await s.assumeRole(s.credentials, { DurationSeconds: "7201" }),
      400,
      "ValidationError",
    );
    assertEquals(
      message,
      "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    );
    await assertStsError(
      await s.assumeRole(s.credentials, {
        RoleArn: "arn:aws:iam::210987654321:role/Default",
        DurationSeconds: "3601",
      }),
      400,
      "ValidationError",
    );
    await assumed(
      await s.assumeRole(s.credentials, { RoleArn: "arn:aws:iam::210987654321:role/Default" }),
    );
  });
});

Deno.test("AssumeRole: requests outside the model are ValidationError", async (t) => {
  await using s = await setup();
  const cases: Array<[string, Record<string, string | undefined>, string]> = [
    [
      "no RoleArn",
      { RoleArn: undefined },
      "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null",
    ],
    [
      "neither RoleArn nor RoleSessionName",
      { RoleArn: undefined, RoleSessionName: undefined },
      "2 validation errors detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null; Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null",
    ],
    [
      "a RoleArn under 20 characters",
      { RoleArn: "arn:aws:iam::1:role" },
      "1 validation error detected: Value 'arn:aws:iam::1:role' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20",
    ],
    [
      "a RoleArn over 2048 characters",
      { RoleArn: `arn:aws:iam::123456789012:role/${"p/".repeat(1010)}x` },
      "at 'roleArn' failed to satisfy constraint: Member must have length less than or equal to 2048",
    ],
    [
      "a user ARN",
      { RoleArn: USER_ARN },
      `${USER_ARN} is invalid`,
    ],
    [
      "a role ARN with a region",
      { RoleArn: "arn:aws:iam:us-east-1:123456789012:role/Deploy" },
      "arn:aws:iam:us-east-1:123456789012:role/Deploy is invalid",
    ],
    [
      "a role ARN with an 11-digit account",
      { RoleArn: "arn:aws:iam::12345678901:role/Deploy" },
      "arn:aws:iam::12345678901:role/Deploy is invalid",
    ],
    [
      "an assumed-role ARN",
      { RoleArn: LOGIN_ARN },
      `${LOGIN_ARN} is invalid`,
    ],
    [
      "a one-character session name",
      { RoleSessionName: "a" },
      "1 validation error detected: Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2",
    ],
    [
      "a session name with a space",
      { RoleSessionName: "my session" },
      "1 validation error detected: Value 'my session' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    ],
    [
      "a 65-character session name",
      { RoleSessionName: "s".repeat(65) },
      "Member must have length less than or equal to 64",
    ],
    [
      "DurationSeconds 899",
      { DurationSeconds: "899" },
      "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    ],
    [
      "DurationSeconds 43201",
      { DurationSeconds: "43201" },
      "Member must have value less than or equal to 43200",
    ],
    ["DurationSeconds that is not a number", { DurationSeconds: "1h" }, "must be an integer"],
    [
      "a one-character ExternalId",
      { ExternalId: "x" },
      "at 'externalId' failed to satisfy constraint: Member must have length greater than or equal to 2",
    ],
    [
      "an ExternalId with a space",
      { ExternalId: "a b" },
      "at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern",
    ],
    [
      "a short SerialNumber",
      { SerialNumber: "arn:mfa", TokenCode: "123456" },
      "at 'serialNumber' failed to satisfy constraint: Member must have length greater than or equal to 9",
    ],
    [
      "a five-digit TokenCode",
      { SerialNumber: "arn:aws:iam::123456789012:mfa/alice", TokenCode: "12345" },
      "at 'tokenCode' failed to satisfy constraint: Member must have length greater than or equal to 6",
    ],
    [
      "a TokenCode with letters",
      { SerialNumber: "arn:aws:iam::123456789012:mfa/alice", TokenCode: "12345a" },
      "at 'tokenCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]*",
    ],
    [
      "a SourceIdentity with a space",
      { SourceIdentity: "a b" },
      "at 'sourceIdentity' failed to satisfy constraint",
    ],
  ];
  for (const [name, changes, fragment] of cases) {
    await t.step(`refuses ${name}`, async () => {
      const parameters: Record<string, string> = {
        Action: "AssumeRole",
        RoleArn: ROLE,
        RoleSessionName: "deploy-1",
      };
      for (const [key, value] of Object.entries(changes)) {
        if (value === undefined) delete parameters[key];
        else parameters[key] = value;
      }
      const message = await assertStsError(
        await s.call(s.credentials, parameters),
        400,
        "ValidationError",
      );
      assertStringIncludes(message, fragment);
    });
  }

  await t.step("a session policy must be a JSON object", async () => {
    await assertStsError(
      await s.assumeRole(s.credentials, { Policy: "Allow everything" }),
      400,
      "MalformedPolicyDocument",
    );
    const huge = JSON.stringify({ Version: "2012-10-17", Statement: [], Pad: "x".repeat(2100) });
    await assertStsError(
      await s.assumeRole(s.credentials, { Policy: huge }),
      400,
      "PackedPolicyTooLarge",
    );
  });

  await t.step("a session policy and a source identity appear in the answer", async () => {
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
    });
    const role = await assumed(
      await s.assumeRole(s.credentials, { Policy: policy, SourceIdentity: "alice@example.com" }),
    );
    assertMatch(xmlText(role.xml, "PackedPolicySize") ?? "", /^[1-9]\d?$/);
    assertEquals(xmlText(role.xml, "SourceIdentity"), "alice@example.com");
  });

  await t.step("counters: only the last call succeeded", () => {
    assertEquals(s.emulator.counts.assumeRole, cases.length + 3);
    assertEquals(s.emulator.counts.assumeRoleRejected, cases.length + 2);
    assertEquals(s.emulator.counts.assumeRoleByArn, { [ROLE]: 1 });
  });
});

Deno.test("AssumeRole: configured roles, external ids, MFA and denial", async (t) => {
  const mfaRole = "arn:aws:iam::210987654321:role/Sensitive";
  const mfaSerial = "arn:aws:iam::123456789012:mfa/alice";
  await using s = await setup({
    roles: [
      { arn: ROLE, externalId: "ext-7f3a" },
      { arn: mfaRole, mfaSerial, mfaCode: "492817" },
      { arn: "arn:aws:iam::210987654321:role/Locked", deny: true },
    ],
  });
  const notAuthorized = (role: string) =>
    `User: ${LOGIN_ARN} is not authorized to perform: sts:AssumeRole on resource: ${role}`;

  await t.step("a role that is not configured is AccessDenied", async () => {
    const other = "arn:aws:iam::210987654321:role/Unknown";
    const message = await assertStsError(
      await s.assumeRole(s.credentials, { RoleArn: other }),
      403,
      "AccessDenied",
    );
    assertEquals(message, notAuthorized(other));
  });

  await t.step("a denied role is AccessDenied", async () => {
    const locked = "arn:aws:iam::210987654321:role/Locked";
    const message = await assertStsError(
      await s.assumeRole(s.credentials, { RoleArn: locked }),
      403,
      "AccessDenied",
    );
    assertEquals(message, notAuthorized(locked));
  });

  await t.step("the external id must be sent and match", async () => {
    for (const parameters of [{}, { ExternalId: "ext-other" }]) {
      assertEquals(
        await assertStsError(await s.assumeRole(s.credentials, parameters), 403, "AccessDenied"),
        notAuthorized(ROLE),
      );
    }
    await assumed(await s.assumeRole(s.credentials, { ExternalId: "ext-7f3a" }));
  });

  await t.step("MFA: the device and the code must match", async () => {
    const base = { RoleArn: mfaRole };
    assertEquals(
      await assertStsError(await s.assumeRole(s.credentials, base), 403, "AccessDenied"),
      notAuthorized(mfaRole),
    );
    assertEquals(
      await assertStsError(
        await s.assumeRole(s.credentials, { ...base, SerialNumber: mfaSerial }),
        403,
        "AccessDenied",
      ),
      notAuthorized(mfaRole),
    );
    const wrongDevice = await assertStsError(
      await s.assumeRole(s.credentials, {
        ...base,
        SerialNumber: "arn:aws:iam::123456789012:mfa/bob",
        TokenCode: "492817",
      }),
      403,
      "AccessDenied",
    );
    assertStringIncludes(wrongDevice, "MFA serial number");
    const wrongCode = await assertStsError(
      await s.assumeRole(s.credentials, { ...base, SerialNumber: mfaSerial, TokenCode: "000000" }),
      403,
      "AccessDenied",
    );
    assertEquals(
      wrongCode,
      "MultiFactorAuthentication failed with invalid MFA one time pass code.",
    );
    await assumed(
      await s.assumeRole(s.credentials, { ...base, SerialNumber: mfaSerial, TokenCode: "492817" }),
    );
  });

  await t.step("GET /_emulator/state lists the roles without their secrets", async () => {
    const state = await json(await fetch(`${s.emulator.url}/_emulator/state`));
    assertEquals(state.roles, [
      {
        arn: ROLE,
        maxSessionDurationSeconds: 3600,
        requiresExternalId: true,
        requiresMfa: false,
        deny: false,
      },
      {
        arn: mfaRole,
        maxSessionDurationSeconds: 3600,
        requiresExternalId: false,
        requiresMfa: true,
        deny: false,
      },
      {
        arn: "arn:aws:iam::210987654321:role/Locked",
        maxSessionDurationSeconds: 3600,
        requiresExternalId: false,
        requiresMfa: false,
        deny: true,
      },
    ]);
    assertEquals(JSON.stringify(state).includes("492817"), false);
  });

  await t.step("counters", () => {
    assertEquals(s.emulator.counts.assumeRoleByArn, { [ROLE]: 1, [mfaRole]: 1 });
    assertEquals(s.emulator.counts.assumeRoleRejected, 8);
  });
});

Deno.test("AssumeRole: injected faults can target the action alone", async (t) => {
  await using s = await setup();

  await t.step(
    "an AccessDenied fault skips GetCallerIdentity and names caller and role",
    async () => {
      s.emulator.injectFault({ path: "/", action: "AssumeRole", status: 403 });
      const identity = await s.call(s.credentials, { Action: "GetCallerIdentity" });
      assertEquals(identity.status, 200, await identity.text());
      const message = await assertStsError(await s.assumeRole(s.credentials), 403, "AccessDenied");
      assertEquals(
        message,
        `User: ${LOGIN_ARN} is not authorized to perform: sts:AssumeRole on resource: ${ROLE}`,
      );
      await assumed(await s.assumeRole(s.credentials));
    },
  );

  await t.step(
    "it is answered after authentication: a bad signature gets its own error",
    async () => {
      s.emulator.injectFault({ path: "/", action: "AssumeRole", status: 403 });
      await assertStsError(
        await s.assumeRole({ ...s.credentials, secretAccessKey: "y".repeat(40) }),
        403,
        "SignatureDoesNotMatch",
      );
    },
  );

  await t.step("other faults answer at once, for that action only", async () => {
    s.emulator.injectFault({ path: "/", action: "AssumeRole", status: 503 });
    await (await s.call(s.credentials, { Action: "GetCallerIdentity" })).body?.cancel();
    await assertStsError(await s.assumeRole(s.credentials), 503, "ServiceUnavailable");
  });

  await t.step("a 403 without an action hits GetCallerIdentity too", async () => {
    s.emulator.injectFault({ path: "/", status: 403 });
    const message = await assertStsError(
      await s.call(s.credentials, { Action: "GetCallerIdentity" }),
      403,
      "AccessDenied",
    );
    assertStringIncludes(
      message,
      `User: ${LOGIN_ARN} is not authorized to perform: sts:GetCallerIdentity`,
    );
  });

  await t.step("faults are not counted as rejections", () => {
    const counts = s.emulator.counts;
    assertEquals(counts.faults, 4);
    assertEquals(counts.assumeRole, 4);
    assertEquals(counts.assumeRoleRejected, 1);
    assertEquals(counts.stsRejected, 1);
  });

  await t.step("an action fault is refused on other paths and for unknown actions", () => {
    const invalid: unknown[] = [
      { path: "/v1/token", action: "AssumeRole" },
      { path: "/", action: "GetSessionToken" },
    ];
    for (const fault of invalid) {
      assertThrows(() => s.emulator.injectFault(fault as Fault), TypeError, '"action"');
    }
  });
});

Deno.test("AssumeRole: assumed-role credentials can revoke a login's refresh token", async () => {
  await using s = await setup();
  const session = await login(s.emulator.url);
  const role = await assumed(await s.assumeRole(s.credentials));
  const response = await signedRequest(s.emulator.url, role.credentials, {
    service: "signin",
    path: "/v1/revoke",
    query: "x-amz-client-auth-method=iam",
    contentType: "application/json",
    body: JSON.stringify({ token: session.refreshToken }),
    date: new Date(s.now()),
  });
  assertEquals(response.status, 200, await response.text());
  assertEquals(s.emulator.counts.revokedSessions, 1);
});

Deno.test("startEmulator() validates roles", async () => {
  const bad: Array<[NonNullable<EmulatorOptions["roles"]>, string]> = [
    [[{ arn: "arn:aws:iam::123456789012:user/bob" }], "not an IAM role ARN"],
    [[{ arn: ROLE, maxSessionDurationSeconds: 3599 }], "3600-43200"],
    [[{ arn: ROLE, maxSessionDurationSeconds: 43201 }], "3600-43200"],
    [[{ arn: ROLE, externalId: "x" }], "externalId"],
    [[{ arn: ROLE, mfaSerial: "arn:aws:iam::123456789012:mfa/a" }], "together"],
    [[{ arn: ROLE, mfaSerial: "arn:aws:iam::123456789012:mfa/a", mfaCode: "12345" }], "6 digits"],
    [[{ arn: ROLE }, { arn: ROLE }], "twice"],
  ];
  for (const [roles, message] of bad) {
    await assertRejects(() => startEmulator({ roles }), RangeError, message);
  }
  await using open = await startEmulator();
  assertEquals((await json(await fetch(`${open.url}/_emulator/state`))).roles, null);
});

Deno.test("STS accepts long-term access keys of IAM users, without a session token", async (t) => {
  const key = {
    userArn: "arn:aws:iam::123456789012:user/bob",
    accessKeyId: "AKIAEXAMPLEBOB000001",
    secretAccessKey: "bob-secret-0123456789",
  };
  await using emulator = await startEmulator({ accessKeys: [key] });
  const credentials = {
    accessKeyId: key.accessKeyId,
    secretAccessKey: key.secretAccessKey,
    sessionToken: "",
  };

  await t.step("GetCallerIdentity: the user", async () => {
    const response = await signedRequest(emulator.url, credentials, { sessionToken: null });
    const xml = await response.text();
    assertEquals(response.status, 200, xml);
    assertEquals(xmlText(xml, "Arn"), key.userArn);
  });

  await t.step("a session token with a long-term key is refused", async () => {
    const response = await signedRequest(emulator.url, credentials, {
      sessionToken: "x".repeat(40),
    });
    await assertStsError(response, 403, "InvalidClientTokenId");
  });

  await t.step("AssumeRole for 12 hours: the user's call is not role chaining", async () => {
    const body = new URLSearchParams({
      Action: "AssumeRole",
      Version: VERSION,
      RoleArn: ROLE,
      RoleSessionName: "bob",
      DurationSeconds: "43200",
    }).toString();
    const response = await signedRequest(emulator.url, credentials, { sessionToken: null, body });
    const xml = await response.text();
    assertEquals(response.status, 200, xml);
    assertEquals(xmlText(xml, "Arn"), "arn:aws:sts::210987654321:assumed-role/Deploy/bob");
  });

  await t.step("the option is checked", async () => {
    for (
      const [bad, message] of [
        [{ ...key, userArn: "arn:aws:iam::123456789012:role/x" }, "userArn"],
        [{ ...key, accessKeyId: "ASIAEXAMPLE" }, "AKIA"],
        [{ ...key, secretAccessKey: "short" }, "secretAccessKey"],
      ] as const
    ) {
      await assertRejects(() => startEmulator({ accessKeys: [bad] }), RangeError, message);
    }
    await assertRejects(() => startEmulator({ accessKeys: [key, key] }), RangeError, "twice");
  });
});
