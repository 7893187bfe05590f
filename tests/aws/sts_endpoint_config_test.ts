/**
 * Which STS endpoint the settings pick (`stsEndpointFor`), as a table: the custom endpoint's
 * sources in botocore's order, the ignore switch, FIPS, dual-stack and `sts_regional_endpoints`
 * from the environment or the profile.
 */

import { assertEquals, assertThrows } from "../support/assert.ts";
import { stsEndpointFor } from "../../lib/aws/sts_endpoint_config.ts";
import { ConfigError } from "../../lib/errors.ts";

Deno.test("stsEndpointFor() reads the STS settings as botocore does", () => {
  const cases: [
    string,
    Record<string, string>,
    Record<string, string>,
    Record<string, string> | undefined,
    string | undefined,
    string,
  ][] = [
    [
      "nothing set: regional",
      {},
      {},
      undefined,
      "eu-west-1",
      "https://sts.eu-west-1.amazonaws.com/",
    ],
    ["no region: global", {}, {}, undefined, undefined, "https://sts.amazonaws.com/"],
    [
      "AWS_ENDPOINT_URL_STS first",
      { AWS_ENDPOINT_URL_STS: "http://127.0.0.1:1", AWS_ENDPOINT_URL: "http://127.0.0.1:2" },
      { endpoint_url: "http://127.0.0.1:3" },
      { endpoint_url: "http://127.0.0.1:4" },
      "eu-west-1",
      "http://127.0.0.1:1/",
    ],
    [
      "then the services section's sts block",
      { AWS_ENDPOINT_URL: "http://127.0.0.1:2" },
      { endpoint_url: "http://127.0.0.1:3" },
      { endpoint_url: "http://127.0.0.1:4" },
      "eu-west-1",
      "http://127.0.0.1:4/",
    ],
    [
      "then AWS_ENDPOINT_URL",
      { AWS_ENDPOINT_URL: "http://127.0.0.1:2" },
      { endpoint_url: "http://127.0.0.1:3" },
      undefined,
      "eu-west-1",
      "http://127.0.0.1:2/",
    ],
    [
      "then the profile's endpoint_url",
      {},
      { endpoint_url: "http://127.0.0.1:3" },
      undefined,
      "eu-west-1",
      "http://127.0.0.1:3/",
    ],
    [
      "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ignores them all",
      { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true", AWS_ENDPOINT_URL_STS: "http://127.0.0.1:1" },
      { endpoint_url: "http://127.0.0.1:3" },
      undefined,
      "eu-west-1",
      "https://sts.eu-west-1.amazonaws.com/",
    ],
    [
      "so does the profile's ignore_configured_endpoint_urls",
      {},
      { ignore_configured_endpoint_urls: "true", endpoint_url: "http://127.0.0.1:3" },
      undefined,
      "eu-west-1",
      "https://sts.eu-west-1.amazonaws.com/",
    ],
    [
      "FIPS from the environment",
      { AWS_USE_FIPS_ENDPOINT: "true" },
      {},
      undefined,
      "us-east-2",
      "https://sts-fips.us-east-2.amazonaws.com/",
    ],
    [
      "dual-stack from the profile",
      {},
      { use_dualstack_endpoint: "true" },
      undefined,
      "us-east-2",
      "https://sts.us-east-2.api.aws/",
    ],
    [
      "legacy from the environment",
      { AWS_STS_REGIONAL_ENDPOINTS: "legacy" },
      {},
      undefined,
      "eu-west-1",
      "https://sts.amazonaws.com/",
    ],
    [
      "legacy from the profile, a region that was never global",
      {},
      { sts_regional_endpoints: "legacy" },
      undefined,
      "eu-south-1",
      "https://sts.eu-south-1.amazonaws.com/",
    ],
  ];
  for (const [what, env, profile, servicesSts, region, url] of cases) {
    const deps = { env: (name: string) => env[name] };
    assertEquals(stsEndpointFor(deps, region, { profile, servicesSts }).url, url, what);
  }
  assertThrows(
    () =>
      stsEndpointFor({ env: () => undefined }, "eu-west-1", {
        profile: { sts_regional_endpoints: "global" },
      }),
    ConfigError,
    'STS regional endpoints option "global" is invalid',
  );
});
