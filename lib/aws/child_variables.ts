/**
 * The environment variables `aws-login exec` takes away from its child, and the one it adds to mark
 * it. A leaf module (no imports), so that the permission list can name them without loading the
 * rest of `exec`; why each one goes is in `child_environment.ts`.
 *
 * @module
 */

/**
 * Inherited variables the child of `exec` does not get: they would give it other credentials, or
 * make its SDK look elsewhere before the credential endpoint.
 */
export const REMOVED_VARIABLES: readonly string[] = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_SECURITY_TOKEN",
  "AWS_CREDENTIAL_EXPIRATION",
  "AWS_ACCOUNT_ID",
  // Older names the AWS SDK for Java 1.x reads.
  "AWS_ACCESS_KEY",
  "AWS_SECRET_KEY",
  "AWS_ROLE_ARN",
  "AWS_ROLE_SESSION_NAME",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  // botocore prefers a relative URI to a full one, and a token file to a token.
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
];

/** Set in the child of `exec` to the profile it serves; an `exec` or `serve` inside reads it. */
export const EXEC_MARKER_VARIABLE = "_AWS_LOGIN_EXEC_PROFILE";
