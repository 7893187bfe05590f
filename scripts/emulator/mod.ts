/**
 * An AWS Sign-In + STS emulator for `aws login` clients: the authorization endpoint (auto or
 * page approval), the cross-device code page, the DPoP-bound token endpoint, token revocation
 * (`RevokeOAuth2TokenWithIAM`) and STS `GetCallerIdentity` and `AssumeRole` with SigV4
 * verification, one loopback listener per region. It is written independently of `lib/` so
 * that it can serve as a strict test oracle.
 *
 * @example
 * ```ts
 * import { startEmulator } from "./scripts/emulator/mod.ts";
 *
 * await using emulator = await startEmulator({ regions: ["us-east-1"] });
 * // AWS_ENDPOINT_URL_SIGNIN=emulator.url AWS_ENDPOINT_URL_STS=emulator.url
 * emulator.injectFault({ path: "/v1/token", status: 500 });
 * ```
 *
 * @module
 */

export { startEmulator } from "./server.ts";
export { DEFAULT_SESSION_ARN } from "./config.ts";
export { parseFault } from "./faults.ts";
export type {
  AccessKeyOption,
  ApprovalMode,
  Emulator,
  EmulatorCounts,
  EmulatorOptions,
  Fault,
  FaultPath,
  OAuth2ErrorCode,
  RefreshIdempotency,
  RoleOption,
  StsAction,
} from "./types.ts";
