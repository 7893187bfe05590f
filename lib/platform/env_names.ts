/**
 * The environment variables the browser decisions read, in a module of their own (no imports) so
 * that the permission list can name them without loading the browser code.
 *
 * @module
 */

/** CI systems that do not all set `CI`; any of these being set means a CI job. */
export const CI_VARIABLES = [
  "CI",
  "GITHUB_ACTIONS",
  "GITLAB_CI",
  "BUILDKITE",
  "CIRCLECI",
  "TRAVIS",
  "JENKINS_URL",
  "TF_BUILD",
  "CODEBUILD_BUILD_ID",
  "TEAMCITY_VERSION",
  "BITBUCKET_BUILD_NUMBER",
] as const;

/** The environment variables the decisions read. `facts.ts` snapshots exactly these. */
export const ENV_NAMES = [
  "BROWSER",
  "DISPLAY",
  "WAYLAND_DISPLAY",
  "SSH_CONNECTION",
  "SSH_CLIENT",
  "SSH_TTY",
  "WSL_DISTRO_NAME",
  "WSL_INTEROP",
  "container",
  "CODESPACES",
  "AWS_EXECUTION_ENV",
  ...CI_VARIABLES,
] as const;

/** One of {@link ENV_NAMES}. */
export type EnvName = typeof ENV_NAMES[number];
