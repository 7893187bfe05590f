/**
 * The region of a sign-in (spec §9.1): `--region`, then `AWS_REGION`, `AWS_DEFAULT_REGION`, then the
 * profile, then a question on a terminal; with no terminal, an error naming `--region`.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import { ConfigError, UsageError } from "../errors.ts";
import { checkRegionName, knownRegions } from "../signin/regions.ts";
import { canPrompt } from "../cli/prompt.ts";
import { askLine } from "../cli/line_editor.ts";

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

/** The default offered by the prompt, as in aws-cli. */
export const DEFAULT_PROMPT_REGION = "us-east-1";

const PROMPT_TEXT =
  "No AWS region has been configured. The AWS region is the geographic location of your AWS resources.\n\n" +
  "If you have used AWS before and already have resources in your account, specify which region they were created in. " +
  "If you have not created resources in your account before, you can pick the region closest to you: " +
  "https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html.\n\n" +
  "aws-login saves the region you choose to the profile.\n\n";

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

/**
 * Resolves the region of a sign-in, asking on a terminal when nothing configures it.
 *
 * @example
 * ```ts ignore
 * const { region } = await resolveRegionForLogin(deps, "--region value", profile.region);
 * ```
 */
export async function resolveRegionForLogin(
  deps: Pick<Deps, "env" | "stdin" | "stderr">,
  flag: string | undefined,
  profileRegion: string | undefined,
): Promise<ResolvedRegion> {
  const configured = configuredRegion(deps, flag, profileRegion);
  if (configured) {
    if (configured.warning) deps.stderr.write(configured.warning);
    return configured;
  }
  if (!canPrompt(deps)) {
    throw new ConfigError("No AWS region is configured for this sign-in", {
      code: "NO_REGION",
      hint:
        "Pass --region (for example --region us-east-1), set AWS_REGION, or add region to the profile",
    });
  }
  deps.stderr.write(PROMPT_TEXT);
  for (let attempt = 0; attempt < 3; attempt++) {
    const answer = await askLine(deps, `AWS Region [${DEFAULT_PROMPT_REGION}]: `, {
      completions: knownRegions(),
    });
    if (answer === null) break;
    const value = answer.trim() === "" ? DEFAULT_PROMPT_REGION : answer.trim();
    try {
      const checked = checkRegionName(value);
      if (checked.warning) deps.stderr.write(checked.warning);
      return { ...checked, source: "prompt" };
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      deps.stderr.write(`${error.message}\n`);
    }
  }
  throw new ConfigError("No AWS region was chosen", {
    code: "NO_REGION",
    hint: "Pass --region, for example --region us-east-1",
  });
}
