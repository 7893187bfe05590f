import { assertEquals, assertThrows } from "../support/assert.ts";
import {
  isLoopbackHost,
  OAUTH_FIPS_UNSUPPORTED,
  OAUTH_UNAVAILABLE,
  partitionOf,
  resolveOAuthEndpoint,
  resolveSignInEndpoint,
} from "../../lib/signin/endpoints.ts";
import { ConfigError, UsageError } from "../../lib/errors.ts";

Deno.test("resolveSignInEndpoint() follows the Sign-In endpoint rules for every partition", () => {
  const table: [string, { useFips?: boolean; useDualStack?: boolean }, string][] = [
    ["us-east-1", {}, "https://us-east-1.signin.aws.amazon.com"],
    ["eu-west-1", {}, "https://eu-west-1.signin.aws.amazon.com"],
    ["mx-central-1", {}, "https://mx-central-1.signin.aws.amazon.com"],
    ["il-central-1", {}, "https://il-central-1.signin.aws.amazon.com"],
    ["cn-north-1", {}, "https://cn-north-1.signin.amazonaws.cn"],
    ["cn-northwest-1", {}, "https://cn-northwest-1.signin.amazonaws.cn"],
    ["us-gov-west-1", {}, "https://us-gov-west-1.signin.amazonaws-us-gov.com"],
    ["us-gov-east-1", {}, "https://us-gov-east-1.signin.amazonaws-us-gov.com"],
    ["us-iso-east-1", {}, "https://us-iso-east-1.signin.c2shome.ic.gov"],
    ["us-isob-east-1", {}, "https://us-isob-east-1.signin.sc2shome.sgov.gov"],
    ["us-isof-south-1", {}, "https://us-isof-south-1.signin.csphome.hci.ic.gov"],
    ["eu-isoe-west-1", {}, "https://eu-isoe-west-1.signin.csphome.adc-e.uk"],
    ["eusc-de-east-1", {}, "https://eusc-de-east-1.signin.amazonaws-eusc.eu"],
    // FIPS
    ["us-east-1", { useFips: true }, "https://signin-fips.us-east-1.amazonaws.com"],
    ["cn-north-1", { useFips: true }, "https://signin-fips.cn-north-1.amazonaws.com.cn"],
    ["us-gov-west-1", { useFips: true }, "https://signin-fips.amazonaws-us-gov.com"],
    ["us-gov-east-1", { useFips: true }, "https://us-gov-east-1.signin-fips.amazonaws-us-gov.com"],
    // Dual-stack
    ["us-east-1", { useDualStack: true }, "https://signin.us-east-1.api.aws"],
    [
      "cn-north-1",
      { useDualStack: true },
      "https://signin.cn-north-1.api.amazonwebservices.com.cn",
    ],
    ["us-gov-west-1", { useDualStack: true }, "https://signin.us-gov-west-1.api.aws"],
    // Both
    ["us-east-1", { useFips: true, useDualStack: true }, "https://signin-fips.us-east-1.api.aws"],
  ];
  for (const [region, options, expected] of table) {
    assertEquals(
      resolveSignInEndpoint(region, options).base,
      expected,
      `${region} ${JSON.stringify(options)}`,
    );
  }
});

Deno.test("resolveSignInEndpoint() derives every URL from the base", () => {
  const endpoint = resolveSignInEndpoint("eu-central-1");
  assertEquals(endpoint.authorizeUrl, "https://eu-central-1.signin.aws.amazon.com/v1/authorize");
  assertEquals(endpoint.tokenUrl, "https://eu-central-1.signin.aws.amazon.com/v1/token");
  assertEquals(
    endpoint.confirmationUrl,
    "https://eu-central-1.signin.aws.amazon.com/v1/sessions/confirmation",
  );
  assertEquals(endpoint.insecure, false);
});

Deno.test("resolveSignInEndpoint() uses a custom endpoint verbatim, keeping only scheme and host", () => {
  const endpoint = resolveSignInEndpoint("us-east-1", {
    endpointUrl: "http://127.0.0.1:8787/ignored/path?q=1",
  });
  assertEquals(endpoint.base, "http://127.0.0.1:8787");
  assertEquals(endpoint.insecure, true);
  assertEquals(
    resolveSignInEndpoint(undefined, { endpointUrl: "https://signin.example.com" }).tokenUrl,
    "https://signin.example.com/v1/token",
  );
});

Deno.test("resolveSignInEndpoint() refuses what the rule set refuses", () => {
  assertThrows(() => resolveSignInEndpoint(undefined), ConfigError, "Missing Region");
  assertThrows(
    () => resolveSignInEndpoint("us-east-1", { endpointUrl: "https://x", useFips: true }),
    ConfigError,
    "FIPS and custom endpoint are not supported",
  );
  assertThrows(
    () => resolveSignInEndpoint("us-east-1", { endpointUrl: "https://x", useDualStack: true }),
    ConfigError,
    "Dualstack and custom endpoint are not supported",
  );
  assertThrows(
    () => resolveSignInEndpoint("us-iso-east-1", { useDualStack: true }),
    ConfigError,
    "DualStack",
  );
  assertThrows(() => resolveSignInEndpoint("US_EAST_1"), UsageError, "Invalid region");
  assertThrows(() => resolveSignInEndpoint("us-east-1.evil.com"), UsageError, "Invalid region");
});

Deno.test("resolveSignInEndpoint() allows plain http:// only for loopback hosts", () => {
  for (const url of ["http://example.com", "http://10.0.0.1:80", "http://127.0.0.1.nip.io"]) {
    assertThrows(
      () => resolveSignInEndpoint("us-east-1", { endpointUrl: url }),
      UsageError,
      "http://",
    );
  }
  for (
    const url of ["http://127.0.0.1:1", "http://localhost:2", "http://[::1]:3", "http://127.1.2.3"]
  ) {
    assertEquals(resolveSignInEndpoint("us-east-1", { endpointUrl: url }).insecure, true);
  }
  assertThrows(() => resolveSignInEndpoint("us-east-1", { endpointUrl: "ftp://x" }), UsageError);
  assertThrows(() => resolveSignInEndpoint("us-east-1", { endpointUrl: "not a url" }), UsageError);
  assertThrows(
    () => resolveSignInEndpoint("us-east-1", { endpointUrl: "https://user:pw@x" }),
    UsageError,
    "credentials",
  );
});

Deno.test("partitionOf() checks the specific partitions before aws", () => {
  assertEquals(partitionOf("us-gov-west-1").id, "aws-us-gov");
  assertEquals(partitionOf("us-isob-east-1").id, "aws-iso-b");
  assertEquals(partitionOf("us-west-2").id, "aws");
  assertEquals(partitionOf("xx-unknown-1").id, "aws");
  assertEquals(isLoopbackHost("[::1]"), true);
  assertEquals(isLoopbackHost("128.0.0.1"), false);
});

Deno.test("resolveOAuthEndpoint(): {region}.oauth.signin.aws in aws, a custom endpoint as is", () => {
  const table: [string, { endpointUrl?: string; useDualStack?: boolean }, string][] = [
    ["us-east-1", {}, "https://us-east-1.oauth.signin.aws"],
    ["ap-southeast-2", {}, "https://ap-southeast-2.oauth.signin.aws"],
    ["mx-central-1", {}, "https://mx-central-1.oauth.signin.aws"],
    // The rules name no dual-stack OAuth host.
    ["eu-west-1", { useDualStack: true }, "https://eu-west-1.oauth.signin.aws"],
    ["eu-west-1", { endpointUrl: "http://127.0.0.1:8787/x?y" }, "http://127.0.0.1:8787"],
    // A custom endpoint is used in every partition, as for the data-plane operations.
    ["cn-north-1", { endpointUrl: "https://signin.example.cn" }, "https://signin.example.cn"],
  ];
  for (const [region, options, base] of table) {
    const endpoint = resolveOAuthEndpoint(region, options);
    assertEquals(
      [endpoint.base, endpoint.revokeUrl, endpoint.insecure],
      [base, `${base}/v1/revoke?x-amz-client-auth-method=iam`, base.startsWith("http:")],
      `${region} ${JSON.stringify(options)}`,
    );
  }
});

Deno.test("resolveOAuthEndpoint(): FIPS is refused, other partitions have no known host", () => {
  const fips = assertThrows(
    () => resolveOAuthEndpoint("us-east-1", { useFips: true }),
    ConfigError,
  );
  assertEquals(fips.code, OAUTH_FIPS_UNSUPPORTED);
  assertEquals(
    fips.message.startsWith("FIPS endpoints are not supported for OAuth operations"),
    true,
  );
  for (const region of ["cn-north-1", "us-gov-west-1", "us-iso-east-1", "eusc-de-east-1"]) {
    const error = assertThrows(() => resolveOAuthEndpoint(region), ConfigError);
    assertEquals(error.code, OAUTH_UNAVAILABLE, region);
    assertEquals(error.message.includes(`"${partitionOf(region).id}"`), true, error.message);
  }
  assertEquals(
    assertThrows(() => resolveOAuthEndpoint(undefined), ConfigError).code,
    "MISSING_REGION",
  );
});
