/**
 * The regions aws-login knows, per partition, and what to make of a region name it does not know:
 * a typo of a known one ("did you mean ...?"), a region AWS may have added since (accepted with a
 * warning), or a name that cannot be a region. Pure data and functions.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import { closestNames, didYouMean } from "../runtime/suggest.ts";
import { validateRegion } from "./endpoints.ts";

/** Where {@link KNOWN_REGIONS} comes from. */
export const REGIONS_SOURCE = "botocore 1.43.11 (data/partitions.json, format 1.1)";

/**
 * The regions of each partition, from botocore 1.43.11 `data/partitions.json`, without the
 * `*-global` pseudo-regions (they have no Sign-In endpoint). To refresh:
 *
 * ```sh
 * python3 -c "import botocore, json, os; d = json.load(open(os.path.join(os.path.dirname(botocore.__file__), 'data', 'partitions.json'))); print({p['id']: sorted(r for r in p['regions'] if not r.endswith('-global')) for p in d['partitions']})"
 * ```
 */
export const KNOWN_REGIONS: Readonly<Record<string, readonly string[]>> = {
  "aws": [
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
  ],
  "aws-cn": ["cn-north-1", "cn-northwest-1"],
  "aws-eusc": ["eusc-de-east-1"],
  "aws-iso": ["us-iso-east-1", "us-iso-west-1"],
  "aws-iso-b": ["us-isob-east-1", "us-isob-west-1"],
  "aws-iso-e": ["eu-isoe-west-1"],
  "aws-iso-f": ["us-isof-east-1", "us-isof-south-1"],
  "aws-us-gov": ["us-gov-east-1", "us-gov-west-1"],
};

/**
 * Every known region, sorted.
 *
 * @example
 * ```ts
 * knownRegions().includes("eu-west-1"); // true
 * ```
 */
export function knownRegions(): string[] {
  return Object.values(KNOWN_REGIONS).flat().sort();
}

const ALL = new Set(knownRegions());
const FIRST_WORDS = new Set([...ALL].map((region) => region.split("-")[0]!));
const MIDDLE_WORDS = new Set([...ALL].flatMap((region) => region.split("-").slice(1, -1)));

/** What a region name is, as far as aws-login can tell. */
export type RegionKind =
  /** In {@link KNOWN_REGIONS}. */
  | "known"
  /** Not known but made of the words known regions are made of (`eu-west-4`): maybe a new one. */
  | "new"
  /** One or two edits from a known region and not made of known words (`eu-wset-1`). */
  | "typo"
  /** Not known and not close to anything known. */
  | "unknown"
  /** Cannot be a region: not a DNS label of lowercase letters, digits and dashes. */
  | "invalid";

/** The verdict of {@link classifyRegion}. */
export interface RegionClass {
  /** The name trimmed and in lower case. */
  readonly region: string;
  readonly kind: RegionKind;
  /** For `typo` and `invalid`: the known regions it is closest to. */
  readonly suggestions: readonly string[];
}

/**
 * Classifies a region name (pure). Upper case is lowered first: `EU-WEST-1` is `eu-west-1`. A name
 * made of known words whose number differs (`us-east-3`, `ap-southeast-8`) is `new`, not a typo,
 * because that is how AWS names the regions it adds.
 *
 * @example
 * ```ts
 * classifyRegion("EU-West-1").kind; // "known"
 * classifyRegion("eu-wset-1"); // { region: "eu-wset-1", kind: "typo", suggestions: ["eu-west-1"] }
 * classifyRegion("eu-west-4").kind; // "new"
 * classifyRegion("local").kind; // "unknown"
 * ```
 */
export function classifyRegion(name: string): RegionClass {
  const region = name.trim().toLowerCase();
  const near = () => closestNames(region, [...ALL], { maxDistance: 2 });
  try {
    validateRegion(region);
  } catch {
    return { region, kind: "invalid", suggestions: near() };
  }
  if (ALL.has(region)) return { region, kind: "known", suggestions: [] };
  const words = region.split("-");
  const madeOfKnownWords = words.length >= 3 && FIRST_WORDS.has(words[0]!) &&
    words.slice(1, -1).every((word) => MIDDLE_WORDS.has(word)) && /^\d+$/.test(words.at(-1)!);
  if (madeOfKnownWords) return { region, kind: "new", suggestions: [] };
  const suggestions = near();
  return { region, kind: suggestions.length > 0 ? "typo" : "unknown", suggestions };
}

/** A region name checked by {@link checkRegionName}. */
export interface CheckedRegion {
  /** The region to use, in lower case. */
  readonly region: string;
  /** Set when the region is not a known one: a line for stderr. */
  readonly warning: string | undefined;
}

/**
 * Checks a region name the user gave (`--region`, `AWS_REGION`, a profile, the prompt): refuses a
 * typo of a known region and a name that cannot be a region ({@link UsageError}), accepts the rest
 * in lower case, with a warning when the region is not a known one.
 *
 * @param from Where the name comes from, for the message, e.g. `AWS_REGION`; omit for `--region`.
 * @example
 * ```ts
 * checkRegionName("US-EAST-1"); // { region: "us-east-1", warning: undefined }
 * checkRegionName("eu-wset-1"); // throws: Unknown region "eu-wset-1": did you mean "eu-west-1"?
 * checkRegionName("eu-west-4").warning; // 'warning: region "eu-west-4" is not in aws-login\'s list...'
 * ```
 */
export function checkRegionName(name: string, from?: string): CheckedRegion {
  const { region, kind, suggestions } = classifyRegion(name);
  const where = from === undefined ? "" : ` (from ${from})`;
  const suggestion = didYouMean(suggestions);
  switch (kind) {
    case "known":
      return { region, warning: undefined };
    case "typo":
      throw new UsageError(`Unknown region "${region}"${where}: ${suggestion}`, {
        code: "INVALID_REGION",
        hint: "Fix the spelling, or give the region with --region",
      });
    case "invalid":
      throw new UsageError(
        `Invalid region "${name.trim()}"${where}: ${
          suggestion ??
            'a region is made of lowercase letters, digits and dashes, such as "us-east-1"'
        }`,
        { code: "INVALID_REGION" },
      );
    case "new":
    case "unknown":
      return {
        region,
        warning: `warning: region "${region}"${where} is not in aws-login's list of regions; ` +
          `using it anyway, in case AWS added it since\n`,
      };
  }
}
