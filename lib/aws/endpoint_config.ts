/**
 * Which Sign-In or STS endpoint to call: a custom endpoint from the flag, the environment or the
 * profile (as the AWS SDKs read them), else the regional one with FIPS and dual-stack settings.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import { resolveSignInEndpoint, type SignInEndpoint } from "../signin/endpoints.ts";
import { resolveStsEndpoint, type StsEndpoint } from "../signin/sts_endpoints.ts";
import { ConfigError } from "../errors.ts";
import { booleanSetting } from "./shared_config.ts";

/** Options of {@link signInEndpointFor}. */
export interface EndpointConfigOptions {
  /** `--endpoint-url`. */
  endpointUrl?: string | undefined;
  /** The profile's config values (`endpoint_url`, `use_fips_endpoint`, `use_dualstack_endpoint`). */
  profile?: Readonly<Record<string, string>>;
}

/**
 * The custom endpoint in effect, if any: `--endpoint-url`, `AWS_ENDPOINT_URL_SIGNIN`,
 * `AWS_ENDPOINT_URL`, the profile's `endpoint_url`. Configured (not flag) values are ignored when
 * `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is true.
 *
 * @example
 * ```ts ignore
 * customEndpoint(deps, { endpointUrl: "http://127.0.0.1:8787" }); // "http://127.0.0.1:8787"
 * ```
 */
export function customEndpoint(
  deps: Pick<Deps, "env">,
  options: EndpointConfigOptions,
): string | undefined {
  if (options.endpointUrl) return options.endpointUrl;
  if (booleanSetting(deps, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", undefined)) return undefined;
  return deps.env("AWS_ENDPOINT_URL_SIGNIN") || deps.env("AWS_ENDPOINT_URL") ||
    options.profile?.endpoint_url || undefined;
}

/**
 * The Sign-In endpoint for a region under the current settings.
 *
 * @example
 * ```ts ignore
 * signInEndpointFor(deps, "eu-west-1", {}).tokenUrl; // "https://eu-west-1.signin.aws.amazon.com/v1/token"
 * ```
 */
export function signInEndpointFor(
  deps: Pick<Deps, "env">,
  region: string,
  options: EndpointConfigOptions,
): SignInEndpoint {
  return resolveSignInEndpoint(region, {
    endpointUrl: customEndpoint(deps, options),
    useFips: booleanSetting(deps, "AWS_USE_FIPS_ENDPOINT", options.profile?.use_fips_endpoint),
    useDualStack: booleanSetting(
      deps,
      "AWS_USE_DUALSTACK_ENDPOINT",
      options.profile?.use_dualstack_endpoint,
    ),
  });
}

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
