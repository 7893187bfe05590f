/**
 * Which Sign-In endpoint to call: a custom endpoint from the flag, the environment or the profile
 * (as the AWS SDKs read them), else the regional one with FIPS and dual-stack settings.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import { resolveSignInEndpoint, type SignInEndpoint } from "../signin/endpoints.ts";
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
