/**
 * Where AWS Sign-In lives for a region: the data-plane endpoint rules of the `signin` service
 * (spec §1.1), for every partition, with FIPS and dual-stack variants and custom endpoints; and
 * its OAuth endpoint (spec §1.2, §17), where `RevokeOAuth2TokenWithIAM` is served.
 *
 * @module
 */

import { ConfigError, UsageError } from "../errors.ts";

/** A partition: the region pattern that selects it and its DNS suffixes. */
export interface Partition {
  readonly id: string;
  readonly regionPattern: RegExp;
  readonly dnsSuffix: string;
  readonly dualStackDnsSuffix: string;
  readonly supportsDualStack: boolean;
  /** The non-FIPS, non-dual-stack Sign-In host for a region, when it has its own naming. */
  readonly signInHost?: (region: string) => string;
}

/**
 * The partitions, most specific first (a `us-gov-` region must not fall into `aws`).
 * Host names follow the Sign-In endpoint rule set of aws-cli 2.36.7.
 */
export const PARTITIONS: readonly Partition[] = [
  {
    id: "aws-us-gov",
    regionPattern: /^us-gov-\w+-\d+$/,
    dnsSuffix: "amazonaws.com",
    dualStackDnsSuffix: "api.aws",
    supportsDualStack: true,
    signInHost: (region) => `${region}.signin.amazonaws-us-gov.com`,
  },
  {
    id: "aws-iso",
    regionPattern: /^us-iso-\w+-\d+$/,
    dnsSuffix: "c2s.ic.gov",
    dualStackDnsSuffix: "c2s.ic.gov",
    supportsDualStack: false,
    signInHost: (region) => `${region}.signin.c2shome.ic.gov`,
  },
  {
    id: "aws-iso-b",
    regionPattern: /^us-isob-\w+-\d+$/,
    dnsSuffix: "sc2s.sgov.gov",
    dualStackDnsSuffix: "sc2s.sgov.gov",
    supportsDualStack: false,
    signInHost: (region) => `${region}.signin.sc2shome.sgov.gov`,
  },
  {
    id: "aws-iso-f",
    regionPattern: /^us-isof-\w+-\d+$/,
    dnsSuffix: "csp.hci.ic.gov",
    dualStackDnsSuffix: "csp.hci.ic.gov",
    supportsDualStack: false,
    signInHost: (region) => `${region}.signin.csphome.hci.ic.gov`,
  },
  {
    id: "aws-iso-e",
    regionPattern: /^eu-isoe-\w+-\d+$/,
    dnsSuffix: "cloud.adc-e.uk",
    dualStackDnsSuffix: "cloud.adc-e.uk",
    supportsDualStack: false,
    signInHost: (region) => `${region}.signin.csphome.adc-e.uk`,
  },
  {
    id: "aws-cn",
    regionPattern: /^cn-\w+-\d+$/,
    dnsSuffix: "amazonaws.com.cn",
    dualStackDnsSuffix: "api.amazonwebservices.com.cn",
    supportsDualStack: true,
    signInHost: (region) => `${region}.signin.amazonaws.cn`,
  },
  {
    id: "aws-eusc",
    regionPattern: /^eusc-(de)-\w+-\d+$/,
    dnsSuffix: "amazonaws.eu",
    dualStackDnsSuffix: "api.amazonwebservices.eu",
    supportsDualStack: true,
    signInHost: (region) => `${region}.signin.amazonaws-eusc.eu`,
  },
  {
    id: "aws",
    regionPattern: /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/,
    dnsSuffix: "amazonaws.com",
    dualStackDnsSuffix: "api.aws",
    supportsDualStack: true,
    signInHost: (region) => `${region}.signin.aws.amazon.com`,
  },
];

const AWS_PARTITION = PARTITIONS[PARTITIONS.length - 1]!;

/** A region name is a DNS label: lowercase letters, digits and dashes. */
const REGION_SYNTAX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Checks that `region` can be a host label and returns it.
 *
 * @example
 * ```ts
 * validateRegion("eu-west-1"); // "eu-west-1"
 * ```
 */
export function validateRegion(region: string): string {
  if (!REGION_SYNTAX.test(region)) {
    throw new UsageError(
      `Invalid region "${region}": a region is made of lowercase letters, digits and dashes, such as "us-east-1"`,
      { code: "INVALID_REGION" },
    );
  }
  return region;
}

/**
 * The partition of a region; regions that match no pattern belong to `aws`, as in botocore.
 *
 * @example
 * ```ts
 * partitionOf("cn-north-1").id; // "aws-cn"
 * ```
 */
export function partitionOf(region: string): Partition {
  return PARTITIONS.find((partition) => partition.regionPattern.test(region)) ?? AWS_PARTITION;
}

/** Inputs of {@link resolveSignInEndpoint}. */
export interface EndpointOptions {
  /** A custom endpoint (`--endpoint-url`, `AWS_ENDPOINT_URL_SIGNIN`, ...), used verbatim. */
  endpointUrl?: string | undefined;
  useFips?: boolean;
  useDualStack?: boolean;
}

/** The resolved Sign-In endpoint. */
export interface SignInEndpoint {
  /** `scheme://host[:port]`, no path: the base of every Sign-In URL. */
  readonly base: string;
  /** `{base}/v1/authorize`. */
  readonly authorizeUrl: string;
  /** `{base}/v1/token`. */
  readonly tokenUrl: string;
  /** `{base}/v1/sessions/confirmation`, the cross-device redirect URI. */
  readonly confirmationUrl: string;
  /** Whether plain `http://` is in use (only ever for a loopback host). */
  readonly insecure: boolean;
}

/**
 * Resolves the Sign-In endpoint for a region, per the `signin` data-plane endpoint rules.
 *
 * @example
 * ```ts
 * resolveSignInEndpoint("us-east-1").base; // "https://us-east-1.signin.aws.amazon.com"
 * resolveSignInEndpoint("us-east-1", { useFips: true }).base; // "https://signin-fips.us-east-1.amazonaws.com"
 * ```
 */
export function resolveSignInEndpoint(
  region: string | undefined,
  options: EndpointOptions = {},
): SignInEndpoint {
  if (options.endpointUrl !== undefined && options.endpointUrl !== "") {
    if (options.useFips) {
      throw new ConfigError("Invalid Configuration: FIPS and custom endpoint are not supported", {
        code: "FIPS_CUSTOM_ENDPOINT",
      });
    }
    if (options.useDualStack) {
      throw new ConfigError(
        "Invalid Configuration: Dualstack and custom endpoint are not supported",
        { code: "DUALSTACK_CUSTOM_ENDPOINT" },
      );
    }
    return endpointFromBase(customBase(options.endpointUrl));
  }
  if (region === undefined || region === "") {
    throw new ConfigError("Invalid Configuration: Missing Region", { code: "MISSING_REGION" });
  }
  validateRegion(region);
  return endpointFromBase(`https://${signInHost(region, options)}`);
}

function signInHost(region: string, options: EndpointOptions): string {
  const partition = partitionOf(region);
  if (options.useDualStack && !partition.supportsDualStack) {
    throw new ConfigError(
      `DualStack is enabled but the partition "${partition.id}" of region "${region}" does not support DualStack`,
      { code: "DUALSTACK_UNSUPPORTED" },
    );
  }
  if (options.useFips && options.useDualStack) {
    return `signin-fips.${region}.${partition.dualStackDnsSuffix}`;
  }
  if (options.useFips) {
    if (partition.id === "aws-us-gov") {
      return region === "us-gov-west-1"
        ? "signin-fips.amazonaws-us-gov.com"
        : `${region}.signin-fips.amazonaws-us-gov.com`;
    }
    return `signin-fips.${region}.${partition.dnsSuffix}`;
  }
  if (options.useDualStack) return `signin.${region}.${partition.dualStackDnsSuffix}`;
  return partition.signInHost?.(region) ?? `signin.${region}.${partition.dnsSuffix}`;
}

/**
 * Whether a host name is a loopback address (`127.0.0.0/8`, `::1`, `localhost`).
 *
 * @example
 * ```ts
 * isLoopbackHost("127.0.0.1"); // true
 * isLoopbackHost("example.com"); // false
 * ```
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Checks a custom endpoint URL (`--endpoint-url`, `AWS_ENDPOINT_URL_*`, `endpoint_url`): absolute,
 * `https://`, or `http://` to a loopback address only, no credentials in it. Returns it parsed.
 *
 * @example
 * ```ts
 * checkEndpointUrl("http://127.0.0.1:8787").host; // "127.0.0.1:8787"
 * ```
 */
export function checkEndpointUrl(endpointUrl: string): URL {
  let url: URL;
  try {
    url = new URL(endpointUrl);
  } catch {
    throw new UsageError(`Invalid endpoint URL "${endpointUrl}": it is not an absolute URL`, {
      code: "INVALID_ENDPOINT_URL",
    });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new UsageError(
      `Invalid endpoint URL "${endpointUrl}": only https:// (or http:// to a loopback address) is allowed`,
      { code: "INVALID_ENDPOINT_URL" },
    );
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    throw new UsageError(
      `Refusing plain http:// endpoint "${endpointUrl}": credentials would cross the network unencrypted; use https://, or http:// only for a loopback address such as 127.0.0.1`,
      { code: "INSECURE_ENDPOINT_URL" },
    );
  }
  if (url.username !== "" || url.password !== "") {
    throw new UsageError(`Invalid endpoint URL "${url.origin}": it must not contain credentials`, {
      code: "INVALID_ENDPOINT_URL",
    });
  }
  return url;
}

function customBase(endpointUrl: string): string {
  const url = checkEndpointUrl(endpointUrl);
  return `${url.protocol}//${url.host}`;
}

function endpointFromBase(base: string): SignInEndpoint {
  return {
    base,
    authorizeUrl: `${base}/v1/authorize`,
    tokenUrl: `${base}/v1/token`,
    confirmationUrl: `${base}/v1/sessions/confirmation`,
    insecure: base.startsWith("http:"),
  };
}

/** `code` of the error for an OAuth operation with FIPS endpoints on. */
export const OAUTH_FIPS_UNSUPPORTED = "OAUTH_FIPS_UNSUPPORTED";
/** `code` of the error for a partition without a known OAuth endpoint. */
export const OAUTH_UNAVAILABLE = "OAUTH_UNAVAILABLE";

/** The OAuth endpoint of AWS Sign-In for a region. */
export interface OAuthEndpoint {
  /** `scheme://host[:port]`, no path. */
  readonly base: string;
  /** `{base}/v1/revoke?x-amz-client-auth-method=iam`: `RevokeOAuth2TokenWithIAM`. */
  readonly revokeUrl: string;
  /** Whether plain `http://` is in use (only ever for a loopback host). */
  readonly insecure: boolean;
}

/**
 * Resolves the OAuth endpoint of AWS Sign-In (`IsOAuthEndpoint=true` in the `signin` endpoint
 * rules, spec §17): a custom endpoint is used as it is, as for the data-plane operations; in the
 * `aws` partition it is `https://{region}.oauth.signin.aws`. The rules say FIPS is not supported
 * for these operations. They name no dual-stack variant, so dual-stack settings change nothing
 * here. For the other partitions no OAuth host is known (UNVERIFIED in the spec): rather than
 * guess one, this is an error with {@link OAUTH_UNAVAILABLE}.
 *
 * @example
 * ```ts
 * resolveOAuthEndpoint("eu-west-1").revokeUrl;
 * // "https://eu-west-1.oauth.signin.aws/v1/revoke?x-amz-client-auth-method=iam"
 * resolveOAuthEndpoint("eu-west-1", { endpointUrl: "http://127.0.0.1:8787" }).base;
 * // "http://127.0.0.1:8787"
 * ```
 */
export function resolveOAuthEndpoint(
  region: string | undefined,
  options: EndpointOptions = {},
): OAuthEndpoint {
  if (options.endpointUrl !== undefined && options.endpointUrl !== "") {
    return oauthFromBase(resolveSignInEndpoint(region, options).base);
  }
  if (region === undefined || region === "") {
    throw new ConfigError("Invalid Configuration: Missing Region", { code: "MISSING_REGION" });
  }
  validateRegion(region);
  if (options.useFips) {
    throw new ConfigError(
      "FIPS endpoints are not supported for OAuth operations: disable FIPS (AWS_USE_FIPS_ENDPOINT, use_fips_endpoint) to use them",
      { code: OAUTH_FIPS_UNSUPPORTED },
    );
  }
  const partition = partitionOf(region);
  if (partition.id !== AWS_PARTITION.id) {
    throw new ConfigError(
      `AWS Sign-In has no known OAuth endpoint in the partition "${partition.id}" of region "${region}"`,
      { code: OAUTH_UNAVAILABLE },
    );
  }
  return oauthFromBase(`https://${region}.oauth.signin.aws`);
}

function oauthFromBase(base: string): OAuthEndpoint {
  return {
    base,
    revokeUrl: `${base}/v1/revoke?x-amz-client-auth-method=iam`,
    insecure: base.startsWith("http:"),
  };
}
