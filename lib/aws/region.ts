/**
 * The configured region (spec §9.1): `--region`, then `AWS_REGION`, `AWS_DEFAULT_REGION`, then the
 * profile, each checked against the known regions. Asking the user when none is set is the login
 * command's business (`lib/commands/login_region.ts`): nothing here prompts.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import { checkRegionName } from "../signin/regions.ts";

/** Where the region came from. */
export type RegionSource = "flag" | "AWS_REGION" | "AWS_DEFAULT_REGION" | "profile" | "prompt";

/** A resolved region. */
export interface ResolvedRegion {
  readonly region: string;
  readonly source: RegionSource;
  /** A line for stderr when the region is not a known one (AWS may have added it). */
  readonly warning?: string | undefined;
}

const SOURCE_LABELS: Readonly<Record<RegionSource, string | undefined>> = {
  flag: undefined,
  AWS_REGION: "AWS_REGION",
  AWS_DEFAULT_REGION: "AWS_DEFAULT_REGION",
  profile: "the profile's region",
  prompt: undefined,
};

/**
 * The region without asking: flag, environment, profile; `undefined` when none is set.
 *
 * @example
 * ```ts ignore
 * configuredRegion(deps, undefined, "eu-west-1"); // { region: "eu-west-1", source: "profile" }
 * ```
 */
export function configuredRegion(
  deps: Pick<Deps, "env">,
  flag: string | undefined,
  profileRegion: string | undefined,
): ResolvedRegion | undefined {
  const candidates: [string | undefined, RegionSource][] = [
    [flag, "flag"],
    [deps.env("AWS_REGION"), "AWS_REGION"],
    [deps.env("AWS_DEFAULT_REGION"), "AWS_DEFAULT_REGION"],
    [profileRegion, "profile"],
  ];
  for (const [value, source] of candidates) {
    if (value !== undefined && value.trim() !== "") {
      return { ...checkRegionName(value, SOURCE_LABELS[source]), source };
    }
  }
  return undefined;
}
