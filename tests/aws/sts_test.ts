/**
 * STS `AssumeRole` on the wire: the form body, reading answers and errors (sanitized), the retry
 * policy against the emulator's faults and an endpoint that never answers (on the virtual clock),
 * and what each error tells the user.
 */

import {
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertTrue,
} from "../support/assert.ts";
import { fakeDeps } from "../support/fake_deps.ts";
import { silentEndpoint } from "../support/endpoints.ts";
import { startEmulator } from "../../scripts/emulator/mod.ts";
import { login } from "../emulator/helpers.ts";
import {
  assumeRole,
  assumeRoleBody,
  processAssumeRoleResponse,
  xmlElementText,
} from "../../lib/aws/sts.ts";
import { deniedIdentity, explainStsError, STS_RETRY_BUDGET_MS } from "../../lib/aws/sts_policy.ts";
import { resolveStsEndpoint } from "../../lib/signin/sts_endpoints.ts";
import { ConfigError, NetworkError, ServiceError } from "../../lib/errors.ts";

const ROLE = "arn:aws:iam::210987654321:role/Deploy";

Deno.test("assumeRoleBody() is the query protocol's form, members only when set", () => {
  assertEquals(
    assumeRoleBody({
      roleArn: ROLE,
      roleSessionName: "me",
      durationSeconds: 900,
      externalId: "x/y",
      serialNumber: "arn:aws:iam::123456789012:mfa/alice",
      tokenCode: "123456",
    }),
    "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A210987654321%3Arole%2FDeploy" +
      "&RoleSessionName=me&DurationSeconds=900&ExternalId=x%2Fy" +
      "&SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Falice&TokenCode=123456",
  );
});

Deno.test("xmlElementText() reads leaf elements and decodes entities", () => {
  assertEquals(xmlElementText("<a><b x='1'>A&amp;B &#x41;&#65;&lt;</b></a>", "b"), "A&B AA<");
  assertEquals(xmlElementText("<a></a>", "b"), undefined);
});

function answer(status: number, xml: string): Response {
  return new Response(xml, { status, headers: { "content-type": "text/xml" } });
}

Deno.test("processAssumeRoleResponse() reads credentials, or the STS error, sanitized", async () => {
  const ok = await processAssumeRoleResponse(answer(
    200,
    `<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIA1</AccessKeyId>
<SecretAccessKey>s/+</SecretAccessKey><SessionToken>t&amp;t</SessionToken>
<Expiration>2026-12-01T10:00:00Z</Expiration></Credentials><AssumedRoleUser>
<AssumedRoleId>AROA:me</AssumedRoleId><Arn>arn:aws:sts::210987654321:assumed-role/Deploy/me</Arn>
</AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>`,
  ));
  assertEquals(ok, {
    accessKeyId: "ASIA1",
    secretAccessKey: "s/+",
    sessionToken: "t&t",
    expiration: new Date("2026-12-01T10:00:00Z"),
    assumedRoleArn: "arn:aws:sts::210987654321:assumed-role/Deploy/me",
    accountId: "210987654321",
  });
  const error = await assertRejects(
    () =>
      processAssumeRoleResponse(
        answer(
          403,
          "<ErrorResponse><Error><Code>AccessDenied</Code><Message>bad \x1b[31mred\nline</Message></Error></ErrorResponse>",
        ),
      ),
    ServiceError,
  );
  assertEquals([error.status, error.errorType, error.message], [
    403,
    "AccessDenied",
    "bad red line",
  ]);
  const html = await assertRejects(
    () => processAssumeRoleResponse(answer(502, "<html>Bad gateway</html>")),
    ServiceError,
  );
  assertEquals([html.status, html.errorType, html.code], [502, undefined, "STS_ERROR"]);
  for (
    const xml of [
      "<AssumeRoleResponse/>",
      "<Credentials><AccessKeyId>A</AccessKeyId></Credentials>",
      "<Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>S</SecretAccessKey><SessionToken>T</SessionToken><Expiration>soon</Expiration></Credentials>",
    ]
  ) {
    await assertRejects(
      () => processAssumeRoleResponse(answer(200, xml)),
      ServiceError,
      "could not be used",
    );
  }
});

Deno.test("assumeRole(): passing faults are retried within the budget, others are not", async (t) => {
  await using emulator = await startEmulator({
    sessionArn: "arn:aws:iam::123456789012:user/alice",
  });
  const { credentials } = await login(emulator.url);
  const context = {
    endpoint: resolveStsEndpoint("us-east-1", { endpointUrl: emulator.url }),
    credentials,
  };
  const parameters = { roleArn: ROLE, roleSessionName: "retry" };

  await t.step("two 503s and a throttle, then the answer", async () => {
    const deps = fakeDeps({ clock: "auto" });
    emulator.injectFault({ path: "/", action: "AssumeRole", status: 503, times: 2 });
    emulator.injectFault({ path: "/", action: "AssumeRole", status: 400 });
    const role = await assumeRole(deps, context, parameters);
    assertEquals(emulator.counts.assumeRole, 4);
    assertEquals(emulator.counts.assumeRoleByArn[ROLE], 1);
    assertTrue(role.assumedRoleArn.endsWith("/Deploy/retry"));
  });

  await t.step("AccessDenied: one request, explained with the role and the caller", async () => {
    const deps = fakeDeps({ clock: "auto" });
    const calls = emulator.counts.assumeRole;
    emulator.injectFault({ path: "/", action: "AssumeRole", status: 403 });
    const error = await assertRejects(() => assumeRole(deps, context, parameters), ServiceError);
    assertEquals(emulator.counts.assumeRole, calls + 1);
    const explained = explainStsError(error, {
      profile: "deploy",
      roleArn: ROLE,
      caller: undefined,
      durationSeconds: 3600,
    }) as ServiceError;
    assertEquals(
      explained.message,
      `Access denied: "arn:aws:iam::123456789012:user/alice" may not assume role "${ROLE}" (profile "deploy")`,
    );
    assertEquals(explained.exitCode, 5);
  });

  await t.step("a silent endpoint: timeouts, retried, over after the budget", async () => {
    const silent = silentEndpoint(() => deps);
    const deps = fakeDeps({ clock: "auto", fetch: silent.fetch });
    const started = deps.now().getTime();
    const error = await assertRejects(
      () => assumeRole(deps, context, parameters),
      NetworkError,
      "did not answer within",
    );
    assertEquals(error.code, "TIMEOUT");
    assertEquals(silent.calls(), 2);
    assertTrue(deps.now().getTime() - started <= STS_RETRY_BUDGET_MS + 100);
  });

  await t.step("a connection refused: unreachable, naming the endpoint", async () => {
    const deps = fakeDeps({
      clock: "auto",
      fetch: () => Promise.reject(new TypeError("error sending request: Connection refused")),
    });
    const error = await assertRejects(
      () => assumeRole(deps, context, parameters),
      NetworkError,
      `Unable to reach AWS STS at ${emulator.url}`,
    );
    assertEquals(error.code, "UNREACHABLE");
  });
});

Deno.test("explainStsError() says what to change, on one line", () => {
  const context = {
    profile: "p",
    roleArn: ROLE,
    caller: "arn:aws:iam::1:user/x",
    durationSeconds: 7200,
  };
  const sts = (code: string, message: string, status = 400) =>
    explainStsError(new ServiceError(message, { status, errorType: code }), context) as Error;
  const chaining = sts(
    "ValidationError",
    "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
  );
  assertTrue(chaining instanceof ConfigError);
  assertStringIncludes(chaining.message, 'Profile "p" asks for duration_seconds 7200');
  const max = sts(
    "ValidationError",
    "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
  );
  assertStringIncludes(max.message, "more than the maximum session duration");
  const mfa = sts(
    "AccessDenied",
    "MultiFactorAuthentication failed with invalid MFA one time pass code.",
    403,
  );
  assertEquals(
    mfa.message,
    `Access denied: "arn:aws:iam::1:user/x" may not assume role "${ROLE}" (profile "p"): MultiFactorAuthentication failed with invalid MFA one time pass code.`,
  );
  assertStringIncludes(sts("InternalFailure", "oops", 500).message, "try again later");
  assertStringIncludes(sts("InvalidClientTokenId", "bad", 403).message, "(InvalidClientTokenId)");
  assertEquals(deniedIdentity("nothing"), undefined);
  const network = new NetworkError("x");
  assertEquals(explainStsError(network, context), network);
});
