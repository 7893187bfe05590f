/**
 * The configured region (spec §9.1): `--region`, then `AWS_REGION`, `AWS_DEFAULT_REGION`, then the
 * profile. Asking the user when none is set is the login command's business
 * (`lib/commands/login_region.ts`): nothing here prompts.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import { validateRegion } from "../signin/endpoints.ts";

/** Where the region came from. */
export type RegionSource = "flag" | "AWS_REGION" | "AWS_DEFAULT_REGION" | "profile" | "prompt";

/** A resolved region. */
export interface ResolvedRegion {
  readonly region: string;
  readonly source: RegionSource;
}

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
      return { region: validateRegion(value.trim()), source };
    }
  }
  return undefined;
}
