/**
 * Where STS lives for a region: the endpoint rule set of the `sts` service (botocore 1.43.11,
 * `data/sts/2011-06-15/endpoint-rule-set-1.json`) with the partition outputs of its
 * `partitions.json`, next to the Sign-In rules of `endpoints.ts` (same partitions, same regions).
 *
 * The rules, in order:
 *
 * - A custom endpoint (`AWS_ENDPOINT_URL_STS`, ...) is used as it is; with FIPS or dual-stack it is
 *   an error ("Invalid Configuration: FIPS and custom endpoint are not supported").
 * - `sts_regional_endpoints = legacy` (`AWS_STS_REGIONAL_ENDPOINTS`), no FIPS, no dual-stack, and
 *   one of the 16 regions STS once served only globally: `https://sts.amazonaws.com`, signed for
 *   `us-east-1`. The default is `regional` (botocore's default since the change of 2025).
 * - No region at all: botocore uses the region `aws-global`, which is `https://sts.amazonaws.com`,
 *   signed for `us-east-1`.
 * - FIPS and dual-stack: `https://sts-fips.{region}.{dualStackDnsSuffix}`; FIPS:
 *   `https://sts-fips.{region}.{dnsSuffix}`, except in `aws-us-gov`, whose STS is FIPS already
 *   (`https://sts.{region}.amazonaws.com`); dual-stack: `https://sts.{region}.{dualStackDnsSuffix}`;
 *   else `https://sts.{region}.{dnsSuffix}`.
 *
 * The partition outputs differ from the Sign-In table in `endpoints.ts` for the ISO partitions:
 * `partitions.json` of botocore 1.43.11 gives them dual-stack suffixes (`api.aws.ic.gov`, ...), the
 * Sign-In rules of aws-cli 2.36.7 none. botocore 1.43.11 itself still refuses dual-stack STS in
 * `aws-iso-e` and `aws-iso-f` from its older `endpoints.json`; the rule set (which the JS SDK and
 * the newer SDKs use alone) gives the hosts below, and so does aws-login.
 *
 * @module
 */

import { ConfigError } from "../errors.ts";
import { checkEndpointUrl, partitionOf, validateRegion } from "./endpoints.ts";

/** What `partitions.json` says of each partition, as the STS rules use it. */
export interface StsPartition {
  readonly dnsSuffix: string;
  readonly dualStackDnsSuffix: string;
}

/** The partition outputs of botocore 1.43.11's `partitions.json`, by partition id. */
export const STS_PARTITIONS: Readonly<Record<string, StsPartition>> = {
  "aws": { dnsSuffix: "amazonaws.com", dualStackDnsSuffix: "api.aws" },
  "aws-cn": { dnsSuffix: "amazonaws.com.cn", dualStackDnsSuffix: "api.amazonwebservices.com.cn" },
  "aws-eusc": { dnsSuffix: "amazonaws.eu", dualStackDnsSuffix: "api.amazonwebservices.eu" },
  "aws-iso": { dnsSuffix: "c2s.ic.gov", dualStackDnsSuffix: "api.aws.ic.gov" },
  "aws-iso-b": { dnsSuffix: "sc2s.sgov.gov", dualStackDnsSuffix: "api.aws.scloud" },
  "aws-iso-e": { dnsSuffix: "cloud.adc-e.uk", dualStackDnsSuffix: "api.cloud-aws.adc-e.uk" },
  "aws-iso-f": { dnsSuffix: "csp.hci.ic.gov", dualStackDnsSuffix: "api.aws.hci.ic.gov" },
  "aws-us-gov": { dnsSuffix: "amazonaws.com", dualStackDnsSuffix: "api.aws" },
};

/** The regions `sts_regional_endpoints = legacy` sends to the global endpoint. */
export const LEGACY_GLOBAL_STS_REGIONS: readonly string[] = [
  "ap-northeast-1",
  "ap-south-1",
  "ap-southeast-1",
  "ap-southeast-2",
  "aws-global",
  "ca-central-1",
  "eu-central-1",
  "eu-north-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "sa-east-1",
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
];

/** The global STS endpoint. */
export const GLOBAL_STS_URL = "https://sts.amazonaws.com";

/** `sts_regional_endpoints`: `regional` (the default) or `legacy`. */
export type StsRegionalEndpoints = "regional" | "legacy";

/** Inputs of {@link resolveStsEndpoint}. */
export interface StsEndpointOptions {
  /** A custom endpoint, used as it is. */
  readonly endpointUrl?: string | undefined;
  readonly useFips?: boolean;
  readonly useDualStack?: boolean;
  /** Default `regional`. */
  readonly regionalEndpoints?: StsRegionalEndpoints;
}

/** The resolved STS endpoint. */
export interface StsEndpoint {
  /** Where to POST, e.g. `https://sts.eu-west-1.amazonaws.com/`. */
  readonly url: string;
  /** The region of the SigV4 credential scope. */
  readonly signingRegion: string;
  /** Whether plain `http://` is in use (only ever for a loopback host). */
  readonly insecure: boolean;
}

function config(message: string, code: string): ConfigError {
  return new ConfigError(message, { code });
}

/**
 * Resolves the STS endpoint of a region (`undefined`: no region is configured).
 *
 * @example
 * ```ts
 * resolveStsEndpoint("eu-west-1").url; // "https://sts.eu-west-1.amazonaws.com/"
 * resolveStsEndpoint(undefined).url; // "https://sts.amazonaws.com/"
 * resolveStsEndpoint("us-gov-west-1", { useFips: true }).url; // "https://sts.us-gov-west-1.amazonaws.com/"
 * ```
 */
export function resolveStsEndpoint(
  region: string | undefined,
  options: StsEndpointOptions = {},
): StsEndpoint {
  const useFips = options.useFips === true;
  const useDualStack = options.useDualStack === true;
  const name = region === undefined || region === "" ? "aws-global" : validateRegion(region);
  if (options.endpointUrl !== undefined && options.endpointUrl !== "") {
    if (useFips) {
      throw config(
        "Invalid Configuration: FIPS and custom endpoint are not supported",
        "FIPS_CUSTOM_ENDPOINT",
      );
    }
    if (useDualStack) {
      throw config(
        "Invalid Configuration: Dualstack and custom endpoint are not supported",
        "DUALSTACK_CUSTOM_ENDPOINT",
      );
    }
    const url = checkEndpointUrl(options.endpointUrl);
    return {
      url: url.href,
      // botocore refuses to sign without a region; the global scope is what STS accepts anywhere.
      signingRegion: name === "aws-global" ? "us-east-1" : name,
      insecure: url.protocol === "http:",
    };
  }
  const global = { url: `${GLOBAL_STS_URL}/`, signingRegion: "us-east-1", insecure: false };
  if (!useFips && !useDualStack) {
    if (name === "aws-global") return global;
    if (options.regionalEndpoints === "legacy" && LEGACY_GLOBAL_STS_REGIONS.includes(name)) {
      return global;
    }
  }
  const partitionId = partitionOf(name).id;
  const partition = STS_PARTITIONS[partitionId] ?? STS_PARTITIONS.aws!;
  const host = useFips && useDualStack
    ? `sts-fips.${name}.${partition.dualStackDnsSuffix}`
    : useFips
    ? partitionId === "aws-us-gov"
      ? `sts.${name}.amazonaws.com`
      : `sts-fips.${name}.${partition.dnsSuffix}`
    : useDualStack
    ? `sts.${name}.${partition.dualStackDnsSuffix}`
    : `sts.${name}.${partition.dnsSuffix}`;
  // The signing region is the region, also for the odd `aws-global` FIPS and dual-stack hosts,
  // whose rule names no other.
  return {
    url: `https://${host}/`,
    signingRegion: name === "aws-global" ? "us-east-1" : name,
    insecure: false,
  };
}
