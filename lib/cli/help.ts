/**
 * Help texts. Snapshot-tested: a change here is a change of the user interface.
 *
 * @module
 */

import { VERSION } from "../version.ts";

const MAIN =
  `aws-login ${VERSION}: short-lived AWS credentials from your console sign-in, no access keys

Usage: aws-login <command> [options]

Commands:
  login                Sign in with the browser and store a login session for a profile
  logout               Remove the cached login session of a profile (or all with --all)
  export-credentials   Print the credentials of a profile, refreshing them when needed
  status               Show the login sessions in the cache and when they expire
  configure credential-process
                       Write a profile whose credential_process uses this program
  exec                 Run a command with a profile's credentials, kept fresh
  serve                Serve a profile's credentials to containers and tools

Options:
  -h, --help           Show help (also "aws-login help <command>")
  -V, --version        Show the version

Environment: AWS_PROFILE, AWS_REGION, AWS_DEFAULT_REGION, AWS_CONFIG_FILE,
AWS_SHARED_CREDENTIALS_FILE, AWS_LOGIN_CACHE_DIRECTORY, AWS_ENDPOINT_URL_SIGNIN, AWS_USE_FIPS_ENDPOINT,
AWS_USE_DUALSTACK_ENDPOINT, BROWSER.

Exit codes: 0 ok, 1 internal error, 2 usage, 3 configuration, 4 sign-in not completed,
5 AWS Sign-In error, 6 sign in again, 7 network, 8 file system, 130 interrupted.
exec exits with the command's code (126 cannot run it, 127 not found).
`;

const LOGIN = `Usage: aws-login login [options]

Signs in with your AWS console identity in a browser (OAuth 2.0 with PKCE and DPoP), stores
15-minute credentials and a refresh token valid for up to 12 hours in ~/.aws/login/cache, and sets
login_session (and region, when the profile has none) in ~/.aws/config.

Options:
  --profile NAME         Profile to sign in (default: AWS_PROFILE, AWS_DEFAULT_PROFILE, "default")
  --region REGION        Sign-In region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's
                         region, else asked on a terminal)
  --endpoint-url URL     Sign-In endpoint to use instead of the regional one (http:// only for
                         loopback addresses)
  --redirect-port PORT   Port of the local callback listener on 127.0.0.1 (default: a free port);
                         useful with an SSH port forward (ssh -L PORT:127.0.0.1:PORT)
  --timeout DURATION     How long to wait for the browser, e.g. 300, 90s, 5m (default: 10m)
  --remote               Sign in on another device: open the printed URL anywhere and paste the
                         code it shows (chosen automatically when no browser can be reached)
  --no-remote            Use this machine's browser even where none seems reachable
  --browser COMMAND      Open the URL with COMMAND ("%s" is replaced by the URL) instead of the
                         default browser; implies --no-remote
  --no-browser           Do not open a browser: print the URL, then wait for the callback or for
                         the address the browser ended on, pasted here
  -h, --help             Show this help
`;

const LOGOUT = `Usage: aws-login logout [--profile NAME | --all]

Removes the cached login session of a profile, or every cached login session with --all.
~/.aws/config is left as it is. Tools that already loaded credentials may use them until they expire
(at most 15 minutes).

Options:
  --profile NAME   Profile whose session to remove (default: AWS_PROFILE, AWS_DEFAULT_PROFILE, "default")
  --all            Remove every cached login session
  -h, --help       Show this help
`;

const EXPORT = `Usage: aws-login export-credentials [--profile NAME] [--format FORMAT]

Prints the credentials of a login profile on stdout, refreshing them first when less than 5 minutes
remain. Never prompts and never opens a browser: when the session cannot be used it prints one line
on stderr saying what to run, and exits with a non-zero code.

Options:
  --profile NAME     Profile to read (default: AWS_PROFILE, AWS_DEFAULT_PROFILE, "default")
  --format FORMAT    process (default, for credential_process), env, env-no-export, powershell,
                     windows-cmd, fish
  -h, --help         Show this help
`;

const STATUS = `Usage: aws-login status [--profile NAME] [--json]

Lists every login session in the cache: the profiles that use it, the session ARN, the account, the
sign-in region, when the credentials expire and, when known, when the session ends.
With --profile, exits with code 6 when that profile has no usable session.

Options:
  --profile NAME   Show only the session of this profile
  --json           Print JSON for scripts
  -h, --help       Show this help
`;

const CONFIGURE =
  `Usage: aws-login configure credential-process --profile NAME --source-profile LOGIN [--region REGION]

Writes a profile for tools that cannot read login_session (older SDKs, boto3 without botocore[crt],
Terraform, IDE toolkits):

  [profile NAME]
  credential_process = <this program> export-credentials --profile LOGIN --format process
  region = <the region of LOGIN, or REGION>

Options:
  --profile NAME           The profile to write
  --source-profile LOGIN   The profile that holds the login session
  --region REGION          Region to write (default: the source profile's region)
  -h, --help               Show this help
`;

const EXEC = `Runs a command with the credentials of a profile, kept fresh while it runs.

Usage: aws-login exec [--profile NAME] [--no-server] -- COMMAND [ARGS...]

The command gets a credential endpoint on 127.0.0.1, which every AWS SDK and
CLI reads (AWS_CONTAINER_CREDENTIALS_FULL_URI and its token), and the profile's
region. Other credentials in the environment and in the shared files are hidden
from it. Exits with the command's exit code (127 when it does not exist, 128+N
when signal N ended it).

Options:
  --profile NAME   Profile to use (default: AWS_PROFILE, AWS_DEFAULT_PROFILE,
                   "default")
  --no-server      Pass the credentials in AWS_ACCESS_KEY_ID and the like
                   instead: not refreshed, they last at most 15 minutes
  -h, --help       Show this help

Examples:
  aws-login exec --profile dev -- terraform apply
  aws-login exec --profile dev --no-server -- aws s3 ls
`;

const SERVE = `Serves the credentials of a profile to containers, IDEs and other processes,
from a local credential endpoint, until stopped with Ctrl-C or SIGTERM.

Usage: aws-login serve [--profile NAME] [--port PORT] [--address ADDRESS]
                       [--token-file FILE]

As soon as it listens, it prints two lines on stdout for the programs to use:
AWS_CONTAINER_CREDENTIALS_FULL_URI=... and AWS_CONTAINER_AUTHORIZATION_TOKEN=...
Every request must carry the token.

Options:
  --profile NAME      Profile to serve (default: AWS_PROFILE,
                      AWS_DEFAULT_PROFILE, "default")
  --port PORT         Port to listen on (default: a free one)
  --address ADDRESS   IP address to listen on (default: 127.0.0.1); any other
                      than loopback can be reached from elsewhere (a warning)
  --token-file FILE   Read the token from FILE (mode 0600, at least 22
                      characters) instead of choosing a random one
  -h, --help          Show this help

Examples:
  (umask 077; aws-login serve --profile dev > endpoint.env &)
  docker run --network host --env-file endpoint.env amazon/aws-cli \\
    sts get-caller-identity
`;

const TOPICS: Readonly<Record<string, string>> = {
  login: LOGIN,
  logout: LOGOUT,
  "export-credentials": EXPORT,
  status: STATUS,
  configure: CONFIGURE,
  exec: EXEC,
  serve: SERVE,
};

/**
 * The help text of a topic (a command name), or the general help.
 *
 * @example
 * ```ts
 * helpText("login").startsWith("Usage: aws-login login"); // true
 * ```
 */
export function helpText(topic?: string): string {
  return (topic === undefined ? undefined : TOPICS[topic]) ?? MAIN;
}

/** Whether a help topic exists. */
export function isHelpTopic(topic: string): boolean {
  return topic in TOPICS;
}
