/**
 * Which STS endpoint role profiles call, from the environment and the profile as botocore reads
 * them; the rules themselves are `lib/signin/sts_endpoints.ts`. Loaded with the role code only, so
 * that serving a login session does not load it.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import { resolveStsEndpoint, type StsEndpoint } from "../signin/sts_endpoints.ts";
import { ConfigError } from "../errors.ts";
import { booleanSetting } from "./shared_config.ts";

/** Options of {@link stsEndpointFor}. */
export interface StsEndpointConfigOptions {
  /** The config values of the profile whose settings apply (`endpoint_url`, `services`, ...). */
  readonly profile: Readonly<Record<string, string>>;
  /** The `sts` block of the profile's `[services NAME]` section, when it has one. */
  readonly servicesSts?: Readonly<Record<string, string>> | undefined;
}

/**
 * The STS endpoint for a region under the current settings, read as botocore reads them: the
 * custom endpoint from `AWS_ENDPOINT_URL_STS`, the `sts` block of the profile's `services`
 * section, `AWS_ENDPOINT_URL`, the profile's `endpoint_url` (configured ones ignored when
 * `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` or the profile's `ignore_configured_endpoint_urls` is
 * true); FIPS and dual-stack from `AWS_USE_FIPS_ENDPOINT`, `AWS_USE_DUALSTACK_ENDPOINT` or the
 * profile; `AWS_STS_REGIONAL_ENDPOINTS` or `sts_regional_endpoints` (`regional`, the default, or
 * `legacy`).
 *
 * @example
 * ```ts ignore
 * stsEndpointFor(deps, "eu-west-1", { profile: {} }).url; // "https://sts.eu-west-1.amazonaws.com/"
 * ```
 */
export function stsEndpointFor(
  deps: Pick<Deps, "env">,
  region: string | undefined,
  options: StsEndpointConfigOptions,
): StsEndpoint {
  const profile = options.profile;
  const ignore = booleanSetting(
    deps,
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    profile.ignore_configured_endpoint_urls,
  );
  const endpointUrl = ignore ? undefined : deps.env("AWS_ENDPOINT_URL_STS") ||
    options.servicesSts?.endpoint_url || deps.env("AWS_ENDPOINT_URL") ||
    profile.endpoint_url || undefined;
  const mode = (deps.env("AWS_STS_REGIONAL_ENDPOINTS") || profile.sts_regional_endpoints || "")
    .trim();
  if (mode !== "" && mode !== "regional" && mode !== "legacy") {
    throw new ConfigError(
      `STS regional endpoints option "${mode}" is invalid: use "legacy" or "regional"`,
      { code: "INVALID_SETTING" },
    );
  }
  return resolveStsEndpoint(region, {
    endpointUrl,
    useFips: booleanSetting(deps, "AWS_USE_FIPS_ENDPOINT", profile.use_fips_endpoint),
    useDualStack: booleanSetting(
      deps,
      "AWS_USE_DUALSTACK_ENDPOINT",
      profile.use_dualstack_endpoint,
    ),
    ...(mode === "" ? {} : { regionalEndpoints: mode }),
  });
}
