/**
 * A real AWS SDK for JavaScript v3 client for the interop tests: resolves credentials with
 * `fromLoginCredentials()` (which reads, and when needed refreshes and rewrites, the login cache),
 * then calls STS `GetCallerIdentity` with them.
 *
 * Usage: `node tests/interop/js_sdk_client.mjs --profile P --region R --sts-endpoint URL`, plus
 * `--provider default` to let the STS client's default credential chain find the login profile
 * instead of calling `fromLoginCredentials()`. With `--provider default` and no `--profile`, the
 * chain runs as in any program: the profile from `AWS_PROFILE`, then the container endpoint
 * (`AWS_CONTAINER_CREDENTIALS_FULL_URI`). The SDK finds the config and the cache through
 * `HOME` / `AWS_CONFIG_FILE`, and the Sign-In endpoint through `AWS_ENDPOINT_URL_SIGNIN`.
 *
 * Prints one JSON object on stdout: `{ credentials: {...}, identity: { Arn, Account, UserId } }`.
 * On failure prints `js-sdk-client: <error name>: <message>` on stderr and exits 1.
 *
 * @module
 */

import { createRequire } from "node:module";
import { parseArgs } from "node:util";

// Loaded with require(), not import: `deno check`, part of the project's gate, would try to
// resolve static imports of this folder's npm packages, which are not Deno dependencies.
const require = createRequire(import.meta.url);
const { fromLoginCredentials } = require("@aws-sdk/credential-providers");
const { GetCallerIdentityCommand, STSClient } = require("@aws-sdk/client-sts");

const { values } = parseArgs({
  options: {
    profile: { type: "string" },
    region: { type: "string" },
    "sts-endpoint": { type: "string" },
    provider: { type: "string", default: "login" },
  },
});

/**
 * Resolves the profile's credentials and checks them against STS.
 *
 * @param {{ profile?: string, region?: string, "sts-endpoint"?: string, provider?: string }} options
 * @returns {Promise<object>} what is printed
 */
async function main(options) {
  if (!options.region || !options["sts-endpoint"]) {
    throw new TypeError("Options --region and --sts-endpoint are required");
  }
  if (!options.profile && options.provider !== "default") {
    throw new TypeError(
      "Option --profile is required, except with --provider default",
    );
  }
  const common = {
    endpoint: options["sts-endpoint"],
    region: options.region,
    // One attempt, so that the emulator's counters show exactly what the SDK sent.
    maxAttempts: 1,
  };
  let sts;
  let credentials;
  if (options.provider === "login") {
    credentials = await fromLoginCredentials({ profile: options.profile })();
    sts = new STSClient({ ...common, credentials });
  } else if (options.provider === "default") {
    sts = new STSClient(
      options.profile ? { ...common, profile: options.profile } : common,
    );
  } else {
    throw new TypeError(
      `Option --provider is "${options.provider}", not "login" or "default"`,
    );
  }
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  // What the default chain resolved for that request (the client keeps it).
  credentials ??= await sts.config.credentials();
  return {
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
      accountId: credentials.accountId,
      expiration: credentials.expiration?.toISOString(),
    },
    identity: {
      Arn: identity.Arn,
      Account: identity.Account,
      UserId: identity.UserId,
    },
  };
}

try {
  process.stdout.write(JSON.stringify(await main(values)) + "\n");
} catch (error) {
  const name = error instanceof Error ? error.name : "Error";
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`js-sdk-client: ${name}: ${message}\n`);
  process.exitCode = 1;
}
