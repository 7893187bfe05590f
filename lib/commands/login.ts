/**
 * `aws-login login`: orchestration only. The protocol is in `lib/signin/`, the files in `lib/aws/`,
 * the browser in `lib/platform/`.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import type { LoginCommand, SignInRoute } from "../cli/args.ts";
import {
  AuthorizationError,
  AwsLoginError,
  ConfigError,
  FileSystemError,
  ServiceError,
  UsageError,
} from "../errors.ts";
import { ask, canPrompt, confirm } from "../cli/prompt.ts";
import { formatClock, waitWithProgress } from "../cli/progress.ts";
import { copyText, deadlineLine, qrSection, shownUrl, urlTerminal } from "../cli/url_display.ts";
import {
  loadSharedConfig,
  otherCredentials,
  profileValues,
  resolveProfileName,
  type SharedConfig,
  writeConfigEdit,
} from "../aws/shared_config.ts";
import { configSectionName } from "../aws/profiles.ts";
import { sanitizeOutsideText } from "../runtime/sanitize.ts";
import {
  CACHE_NOT_WRITABLE_HINT,
  checkWritable,
  lockSession,
  loginCacheDirectory,
  type LoginCacheEntry,
  newEntry,
  readSessionText,
  restoreSession,
  sessionLocation,
  writeSession,
} from "../aws/login_cache.ts";
import { dirnameOf } from "../runtime/paths.ts";
import { resolveRegionForLogin } from "./login_region.ts";
import { signInEndpointFor } from "../aws/endpoint_config.ts";
import type { SignInEndpoint } from "../signin/endpoints.ts";
import {
  type AuthorizationRequest,
  type AuthorizationResponse,
  checkAuthorizationResponse,
  createAuthorizationRequest,
  parsePastedRedirect,
  readRemoteCode,
} from "../signin/authorization.ts";
import { startCallbackServer } from "../signin/callback_server.ts";
import { exportSec1Pem, generateDPoPKeyPair } from "../signin/dpop_key.ts";
import {
  type AwsTokenResponse,
  identityFromIdToken,
  type LoginIdentity,
} from "../signin/aws_dialect.ts";
import { requestTokens } from "../signin/token.ts";
import { explainTokenError } from "../signin/token_policy.ts";
import { gatherFacts } from "../platform/facts.ts";
import { browserReachability, type PlatformFacts } from "../platform/browser.ts";
import { openBrowser } from "../platform/launch.ts";

/** How many times a user on a terminal may paste again after a bad paste. */
const PASTE_ATTEMPTS = 3;

/**
 * Runs the whole sign-in. Nothing is written unless every step succeeded; on failure the config and
 * cache are exactly as they were.
 *
 * @example
 * ```ts ignore
 * await login(deps, parseCommandLine(["login", "--profile", "dev"]) as LoginCommand);
 * ```
 */
export async function login(deps: Deps, command: LoginCommand): Promise<void> {
  const profile = resolveProfileName(deps, command.profile);
  checkProfileName(profile);
  const shared = await loadSharedConfig(deps);
  for (const problem of shared.problems) deps.stderr.write(`warning: ignoring ${problem}\n`);
  refuseOtherCredentials(shared, profile, deps.homeDir());

  const own = profileValues(shared, profile);
  const region = await resolveRegionForLogin(deps, command.region, own.region);
  const endpoint = signInEndpointFor(deps, region.region, {
    endpointUrl: command.endpointUrl,
    profile: own,
  });

  await checkWritable(deps, loginCacheDirectory(deps), {
    what: "the login cache directory",
    hint: CACHE_NOT_WRITABLE_HINT,
  });
  await checkWritable(deps, dirnameOf(shared.configPath), {
    what: "the directory of the config file",
    hint: "Fix its permissions, or choose another file with AWS_CONFIG_FILE",
  });

  const { route, facts } = await chooseRoute(deps, command);
  const keyPair = await generateDPoPKeyPair();
  const state = deps.randomUUID();
  const { request, response } = route === "remote"
    ? await crossDeviceAuthorization(deps, command, endpoint, state)
    : await sameDeviceAuthorization(deps, command, endpoint, state, route, facts);

  const tokens = await redeem(deps, endpoint, keyPair, request, response);
  if (tokens.idToken === undefined || tokens.refreshToken === undefined) {
    throw new ServiceError("Failed to retrieve an access token: the answer has no id_token", {
      code: "INVALID_RESPONSE",
      status: 200,
    });
  }
  let identity: LoginIdentity;
  try {
    identity = identityFromIdToken(tokens.idToken);
  } catch (error) {
    throw new ServiceError(`Cannot read the identity of the sign-in: ${(error as Error).message}`, {
      code: "INVALID_RESPONSE",
      status: 200,
      cause: error,
    });
  }

  await confirmOverwrite(deps, profile, own.login_session, identity.loginSession, command.yes);

  const entry = newEntry({
    tokens: { ...tokens, refreshToken: tokens.refreshToken },
    accountId: identity.accountId,
    clientId: request.clientId,
    dpopKey: await exportSec1Pem(keyPair.privateKey),
    signInRegion: region.region,
    now: deps.now(),
  });
  const settings: Record<string, string> = { login_session: identity.loginSession };
  if (!own.region) settings.region = region.region;
  await saveSession(deps, shared.configPath, profile, entry, identity.loginSession, settings);

  deps.stderr.write(`\nUpdated profile ${profile} to use ${identity.loginSession} credentials.\n`);
  if (settings.region) {
    deps.stderr.write(`Saved region ${settings.region} to profile ${profile}.\n`);
  }
  if (profile !== "default") {
    deps.stderr.write(
      `Use "--profile ${profile}" to use the new credentials, such as "aws sts get-caller-identity --profile ${profile}"\n`,
    );
  }
  await warnShadowed(deps, shared, profile);
}

/** One line when environment keys or another source would be used instead of this login. */
async function warnShadowed(deps: Deps, shared: SharedConfig, profile: string): Promise<void> {
  // Loaded here: the rules are no part of the credential path that shares this module graph.
  const { precedenceFacts, shadowingSources } = await import("../aws/precedence.ts");
  const [first, ...more] = shadowingSources(precedenceFacts(deps, shared, profile));
  if (first === undefined) return;
  const others = more.length === 0
    ? ""
    : ` (${more.length} more: run "aws-login doctor${
      profile === "default" ? "" : ` --profile ${profile}`
    }")`;
  deps.stderr.write(`warning: ${first.message}; ${first.fix}${others}\n`);
}

function refuseOtherCredentials(
  shared: SharedConfig,
  profile: string,
  home: string | undefined,
): void {
  const other = otherCredentials(shared, profile, home);
  if (other === undefined) return;
  throw new ConfigError(
    `Profile '${profile}' is already configured with ${other.style} credentials (${other.key} in ${other.file}).\n\nYou may run 'aws-login login --profile new-profile-name' to create a new profile with the specified name. Otherwise you must first manually remove the existing credentials from '${profile}'`,
    { code: "PROFILE_HAS_CREDENTIALS" },
  );
}

/**
 * A profile name that cannot be written to the config file is refused before anything else, not
 * after the browser sign-in.
 */
function checkProfileName(profile: string): void {
  try {
    configSectionName(profile);
  } catch (error) {
    throw new UsageError((error as Error).message, { code: "INVALID_PROFILE" });
  }
}

interface RouteChoice {
  readonly route: SignInRoute;
  /** The platform facts, when they were gathered to choose. */
  readonly facts?: PlatformFacts;
}

async function chooseRoute(deps: Deps, command: LoginCommand): Promise<RouteChoice> {
  if (command.route !== "auto") return { route: command.route };
  const facts = await gatherFacts(deps);
  const reach = browserReachability(facts, {});
  if (reach.reachable) return { route: "browser", facts };
  deps.stderr.write(
    `No browser can be opened here (${reach.reason}): signing in with --remote. Use --no-remote to try a browser anyway.\n`,
  );
  return { route: "remote", facts };
}

interface Authorized {
  request: AuthorizationRequest;
  response: AuthorizationResponse;
}

async function sameDeviceAuthorization(
  deps: Deps,
  command: LoginCommand,
  endpoint: SignInEndpoint,
  state: string,
  route: "browser" | "no-browser",
  facts: PlatformFacts | undefined,
): Promise<Authorized> {
  await using server = await startCallbackServer(deps, {
    expectedState: state,
    port: command.redirectPort,
  });
  const request = await createAuthorizationRequest(endpoint.authorizeUrl, {
    clientKind: "same-device",
    redirectUri: server.redirectUri,
    state,
  });

  let readPastes = route === "no-browser";
  const terminal = urlTerminal(deps);
  const url = shownUrl(request.url, terminal);
  const copied = command.copy ? copyText(request.url, terminal) : "";
  if (route === "no-browser") {
    deps.stderr.write(
      `Open the following URL in a browser to sign in:\n\n${url}\n\n${copied}` +
        `If that browser is on another machine, it ends on an address starting with ${server.redirectUri}\n` +
        `that cannot load there: copy that whole address from its address bar and paste it here.\n\n`,
    );
  } else {
    deps.stderr.write(
      "Attempting to open your default browser. If the browser does not open, open the following URL.\n" +
        "If you are unable to open the URL on this device, run this command again with the '--remote' option.\n\n" +
        `${url}\n\n${copied}`,
    );
    const launched = await openBrowser(deps, request.url, {
      ...(command.browser === undefined ? {} : { browserFlag: command.browser }),
      ...(facts === undefined ? {} : { facts }),
    });
    if (!launched.opened) {
      deps.stderr.write(
        `Could not open a browser (${
          launchFailure(launched.errors, request.url)
        }). Open the URL above yourself; you may also paste here the address the browser ends on.\n\n`,
      );
      readPastes = true;
    }
  }

  const stopReading = new AbortController();
  if (readPastes) void readPastedRedirects(deps, server, state, stopReading.signal);
  const response = await waitWithProgress(deps, server.result, {
    label: "Waiting for the browser sign-in",
    shortLabel: "Waiting for sign-in",
    timeoutSeconds: command.timeoutSeconds,
    hint:
      "Still waiting. If the browser is on another device, press Ctrl-C and run again with --remote.",
    animate: !(readPastes && deps.stdin.isTerminal),
    onEnd: () => stopReading.abort(),
  });
  return { request, response };
}

/** One short reason for a failed launch: the first launcher's error, without the URL or colours. */
function launchFailure(errors: readonly string[], url: string): string {
  const [first] = errors;
  if (first === undefined) return "no browser launcher found";
  const text = sanitizeOutsideText(first.replaceAll(url, "<url>"), { maxLength: 160 });
  const others = errors.length - 1;
  return others === 0
    ? text
    : `${text}; ${others} other launcher${others === 1 ? "" : "s"} failed too`;
}

async function readPastedRedirects(
  deps: Deps,
  server: { submit(parameters: URLSearchParams): void },
  state: string,
  signal: AbortSignal,
): Promise<void> {
  let attempts = 0;
  while (!signal.aborted) {
    const line = await deps.stdin.readLine();
    if (line === null || signal.aborted) return;
    const parameters = parsePastedRedirect(line);
    if (parameters === undefined) {
      if (line.trim() !== "") {
        deps.stderr.write(
          "That is not a sign-in address: paste the whole address from the browser's address bar (it contains code= and state=).\n",
        );
      }
      continue;
    }
    attempts++;
    if (deps.stdin.isTerminal && attempts < PASTE_ATTEMPTS) {
      try {
        checkAuthorizationResponse(parameters, state);
      } catch (error) {
        deps.stderr.write(`${(error as Error).message}. Paste the address again.\n`);
        continue;
      }
    }
    server.submit(parameters);
    return;
  }
}

async function crossDeviceAuthorization(
  deps: Deps,
  command: LoginCommand,
  endpoint: SignInEndpoint,
  state: string,
): Promise<Authorized> {
  const request = await createAuthorizationRequest(endpoint.authorizeUrl, {
    clientKind: "cross-device",
    redirectUri: endpoint.confirmationUrl,
    state,
  });
  // After the automatic switch, its own line has said that no browser will be opened.
  const terminal = urlTerminal(deps);
  const qr = command.qr ? qrSection(request.url, terminal) : undefined;
  deps.stderr.write(
    (command.route === "remote" ? "Browser will not be automatically opened.\n" : "") +
      (qr?.kind === "code" ? qr.text : `${qr?.text ?? ""}Please visit the following URL:\n`) +
      `\n${shownUrl(request.url, terminal)}\n\n` +
      (command.copy ? copyText(request.url, terminal) : "") +
      deadlineLine(deps.now(), command.timeoutSeconds),
  );
  const attempts = deps.stdin.isTerminal ? PASTE_ATTEMPTS : 1;
  const deadline = deps.now().getTime() + command.timeoutSeconds * 1000;
  let promptOpen = false;
  const response = waitWithProgress(
    deps,
    (async () => {
      for (let attempt = 1;; attempt++) {
        promptOpen = true;
        const line = await ask(deps, "Enter the authorization code displayed in your browser: ");
        promptOpen = false;
        if (line === null) {
          throw new AuthorizationError("No authorization code was entered (end of input)", {
            code: "NO_CODE",
            hint: "Paste the code shown in the browser after signing in, or run the command again",
          });
        }
        try {
          return readRemoteCode(line, state);
        } catch (error) {
          if (!(error instanceof AuthorizationError) || attempt >= attempts) throw error;
          const left = formatClock((deadline - deps.now().getTime()) / 1000);
          const tries = attempts - attempt;
          deps.stderr.write(
            `${error.message}. Try again (${tries} ${
              tries === 1 ? "try" : "tries"
            } and ${left} left).\n`,
          );
        }
      }
    })(),
    {
      label: "Waiting for the authorization code",
      timeoutSeconds: command.timeoutSeconds,
      animate: false,
      quiet: true,
      timeoutHint: "Run the command again (use --timeout to wait longer)",
      promptOpen: () => promptOpen,
    },
  );
  return { request, response: await response };
}

async function redeem(
  deps: Deps,
  endpoint: SignInEndpoint,
  keyPair: CryptoKeyPair,
  request: AuthorizationRequest,
  response: AuthorizationResponse,
): Promise<AwsTokenResponse> {
  try {
    return await requestTokens(deps, { endpoint, clientId: request.clientId, keyPair }, {
      grant: "authorization_code",
      response,
      codeVerifier: request.codeVerifier,
      redirectUri: request.redirectUri,
    });
  } catch (error) {
    throw explainTokenError(error, { grant: "authorization_code" });
  }
}

async function confirmOverwrite(
  deps: Deps,
  profile: string,
  existing: string | undefined,
  next: string,
  assumeYes: boolean,
): Promise<void> {
  if (existing === undefined || existing === "" || existing === next) return;
  if (assumeYes) {
    deps.stderr.write(`Profile ${profile} used session ${existing}; replacing it (--yes).\n`);
    return;
  }
  if (!canPrompt(deps)) {
    throw new ConfigError(
      `Profile ${profile} is already configured to use session ${existing}, not ${next}; nothing was saved`,
      {
        code: "OVERWRITE_NEEDS_CONFIRMATION",
        hint:
          `Run the command on a terminal to confirm the change, add --yes to replace it, or sign in to another profile with --profile`,
      },
    );
  }
  const yes = await confirm(
    deps,
    `\nProfile ${profile} is already configured to use session ${existing}. Do you want to overwrite it to use ${next} instead? (y/n): `,
  );
  if (!yes) {
    throw new ConfigError(`Kept session ${existing} for profile ${profile}; nothing was saved`, {
      code: "OVERWRITE_DECLINED",
    });
  }
}

/**
 * Writes the cache file, then the config, holding the session's lock throughout: a refresh in
 * another process can neither overwrite the new sign-in nor be undone by a rollback. When the config
 * cannot be written, the cache file is put back as it was, so that a failed login changes nothing.
 */
async function saveSession(
  deps: Deps,
  configPath: string,
  profile: string,
  entry: LoginCacheEntry,
  loginSession: string,
  settings: Record<string, string>,
): Promise<void> {
  const location = await sessionLocation(deps, loginSession);
  await using _lock = await lockSession(deps, location);
  const previous = await readSessionText(deps, location).catch(() => undefined);
  await writeSession(deps, location, entry);
  try {
    await writeConfigEdit(deps, configPath, { profile, set: settings });
  } catch (error) {
    try {
      await restoreSession(deps, location, previous);
    } catch (rollback) {
      deps.stderr.write(
        `warning: could not restore "${location.path}" after the failure: ${
          (rollback as Error).message
        }\n`,
      );
    }
    throw error instanceof AwsLoginError
      ? error
      : new FileSystemError(String(error), { cause: error });
  }
}
