/**
 * The region of a sign-in: the configured one (`lib/aws/region.ts`), else a question on a
 * terminal, as aws-cli asks it, with Tab completion of the known regions; with no terminal, an
 * error naming `--region`.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import { ConfigError, UsageError } from "../errors.ts";
import { checkRegionName, knownRegions } from "../signin/regions.ts";
import { canPrompt } from "../cli/prompt.ts";
import { askLine } from "../cli/line_editor.ts";
import { configuredRegion, type ResolvedRegion } from "../aws/region.ts";

/** The default offered by the prompt, as in aws-cli. */
export const DEFAULT_PROMPT_REGION = "us-east-1";

const PROMPT_TEXT =
  "No AWS region has been configured. The AWS region is the geographic location of your AWS resources.\n\n" +
  "If you have used AWS before and already have resources in your account, specify which region they were created in. " +
  "If you have not created resources in your account before, you can pick the region closest to you: " +
  "https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html.\n\n" +
  "aws-login saves the region you choose to the profile.\n\n";

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
