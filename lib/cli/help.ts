/**
 * Help texts. Snapshot-tested: a change here is a change of the user interface.
 *
 * @module
 */

const MAIN = `aws-login signs you in to AWS with your console login, in a browser, and
gives your tools short-lived credentials: no access keys to store or rotate.

Usage: aws-login <command> [options]

Commands:
  login                Sign in with a browser and save a login session
  logout               End the login session of a profile, at AWS and here
  export-credentials   Print a profile's credentials, refreshed when needed
  status               Show the saved login sessions and when they expire
  doctor               Check what keeps this machine from using a login session
  configure credential-process
                       Write a profile for tools that cannot read login_session
  exec                 Run a command with a profile's credentials, kept fresh
  serve                Serve a profile's credentials to containers and tools
  completions SHELL    Print a completion script for bash, zsh, fish, powershell

Options:
  -h, --help           Show help ("aws-login help COMMAND" for a command)
  -V, --version        Show the version

Role profiles (role_arn and source_profile on top of a login session) work
with export-credentials, exec, serve and configure credential-process.

Environment: AWS_PROFILE, AWS_REGION, AWS_DEFAULT_REGION, AWS_CONFIG_FILE,
AWS_SHARED_CREDENTIALS_FILE, AWS_LOGIN_CACHE_DIRECTORY, AWS_ENDPOINT_URL_SIGNIN,
AWS_ENDPOINT_URL_STS, AWS_USE_FIPS_ENDPOINT, AWS_USE_DUALSTACK_ENDPOINT,
BROWSER.

Exit codes: 0 ok, 1 internal error (doctor: a check failed), 2 usage,
3 configuration, 4 sign-in not completed, 5 AWS Sign-In or STS error (such as
access denied to a role), 6 sign in again (or an MFA code is needed and there
is no terminal), 7 network, 8 file system, 130 interrupted. exec exits with
the command's code (126: cannot run it, 127: not found).

Examples:
  aws-login login --profile dev --region eu-west-1
  aws sts get-caller-identity --profile dev
  aws-login status
  aws-login help login
`;

const LOGIN = `Sign in to AWS in a browser and save a login session for a profile.

Usage: aws-login login [options]

You sign in to the AWS console as you always do. aws-login then stores
15-minute credentials and a refresh token (valid up to 12 hours) in
~/.aws/login/cache, and sets login_session (and region, when the profile has
none) in ~/.aws/config. The sign-in is OAuth 2.0 with PKCE; the refresh token
is bound to a DPoP key that never leaves this machine.

Options:
  --profile NAME        Profile to sign in (default: AWS_PROFILE,
                        AWS_DEFAULT_PROFILE, else "default")
  --region REGION       Sign-In region (default: AWS_REGION, AWS_DEFAULT_REGION,
                        the profile's region, else asked on a terminal)
  --endpoint-url URL    Sign-In endpoint instead of the regional one (http://
                        only for loopback addresses)
  --redirect-port PORT  Port of the callback listener on 127.0.0.1 (default: a
                        free port), for ssh -L PORT:127.0.0.1:PORT
  --timeout DURATION    How long to wait, e.g. 300, 90s, 5m (default: 10m)
  --remote              Sign in on another device: open the URL there (or scan
                        the QR code) and paste back the code it shows; chosen
                        by itself when no browser can be opened here
  --no-remote           Use this machine's browser even if none seems reachable
  --browser COMMAND     Open the URL with COMMAND ("%s" is the URL) instead of
                        the default browser; implies --no-remote
  --no-browser          Print the URL instead of opening it, then wait for the
                        callback or for the address the browser ended on
  --no-qr               Do not draw the --remote URL as a QR code
  --copy                Also copy the URL to the clipboard (terminals with
                        OSC 52, also over SSH)
  -y, --yes             Replace another login_session of the profile without
                        asking (for scripts; without a terminal it is refused)
  -h, --help            Show this help

Examples:
  aws-login login --profile dev --region eu-west-1
  aws-login login --remote
  ssh -L 8400:127.0.0.1:8400 server
  aws-login login --no-browser --redirect-port 8400
  aws-login login --browser "firefox --private-window %s"
`;

const LOGOUT = `End the login session of a profile, or every one with --all.

Usage: aws-login logout [--profile NAME | --all] [--no-revoke]

The session's refresh token is first revoked at AWS Sign-In, which ends the
session there for every copy of it; then the cached files are removed. This
needs the IAM permission signin:RevokeOAuth2TokenWithIAM (not in the
SignInLocalDevelopmentAccess policy). When the revocation fails, the files are
removed all the same and the reason is printed. ~/.aws/config is left as it
is. Credentials already issued stay valid until they expire (at most 15
minutes).

Options:
  --profile NAME   Profile whose session to end (default: AWS_PROFILE,
                   AWS_DEFAULT_PROFILE, else "default")
  --all            End every cached login session
  --no-revoke      Only remove the cached files, as aws-cli does
  -h, --help       Show this help

Examples:
  aws-login logout --profile dev
  aws-login logout --all
  aws-login logout --profile dev --no-revoke
`;

const EXPORT = `Print the credentials of a profile, refreshed first when they are about to
expire.

Usage: aws-login export-credentials [--profile NAME] [--format FORMAT]

The credentials go to stdout, refreshed when less than 5 minutes remain. It
never opens a browser: when the session cannot be used, it prints one line on
stderr saying what to run and exits with a non-zero code.

For a role profile (role_arn, source_profile), the role is assumed with STS
using the credentials of its source profile, and cached until 5 minutes before
it expires, in ~/.aws/login/cache/roles. For a role with mfa_serial, the code
is asked for on a terminal (without echo), and refused without one.

Options:
  --profile NAME    Profile to read (default: AWS_PROFILE, AWS_DEFAULT_PROFILE,
                    else "default")
  --format FORMAT   process (the default, for credential_process), env,
                    env-no-export, powershell, windows-cmd, fish
  -h, --help        Show this help

Examples:
  aws-login export-credentials --profile dev
  eval "$(aws-login export-credentials --profile dev --format env)"
  aws-login export-credentials --profile dev --format fish | source
  aws-login export-credentials --profile deploy
`;

const STATUS = `Show the saved login sessions, the profiles that use them and when they
expire.

Usage: aws-login status [--profile NAME] [--json] [--check]

For each session: the profiles, the role profiles on top of it, the session
ARN, the account, the sign-in region, when the credentials expire and, when
known, when the session ends. Profiles whose session is not cached are listed
too. "A refresh token is on disk" says nothing of whether AWS still accepts it:
--check tries a refresh for real. With --profile, the exit code is 6 when that
profile (or the source of a role profile) has no usable session; with --check,
the exit code of the first refresh that failed.

Options:
  --profile NAME   Show only the session of this profile
  --json           Print JSON on stdout, for scripts
  --check          Refresh each session now: does its refresh token still work?
  -h, --help       Show this help

Examples:
  aws-login status
  aws-login status --profile dev || aws-login login --profile dev
  aws-login status --check
  aws-login status --json
`;

const DOCTOR = `Check what keeps this machine from using the login session of a profile.

Usage: aws-login doctor [--profile NAME] [--json]

One line per check, ok, warn or fail, with the fix for each warning and
failure: the session (login_session, its cache file, its modes, its expiry);
what SDKs would use instead (credential variables, AWS_PROFILE, other keys in
the profile, named with file and line); the clock against AWS Sign-In; the
tools here that cannot read login_session (the AWS CLI, boto3, the JS SDK in
this directory), with the bridge command for each; and what login would do to
open a browser. It never prompts, opens a browser or changes a file; its only
request reads the time of the profile's Sign-In endpoint. The exit code is 0
when nothing failed, 1 otherwise. For a role profile, its chain of roles,
then the login profile at the end of it.

Options:
  --profile NAME   Profile to check (default: AWS_PROFILE, AWS_DEFAULT_PROFILE,
                   else "default")
  --json           Print {"checks": [{"id", "status", "message", "fix"}]}
  -h, --help       Show this help

Examples:
  aws-login doctor --profile dev
  aws-login doctor --json
`;

const CONFIGURE = `Write a profile for tools that cannot read login_session, such as older SDKs,
boto3 without botocore[crt], Terraform and IDE toolkits.

Usage: aws-login configure credential-process --profile NAME
         --source-profile LOGIN [--region REGION]

It writes, in ~/.aws/config:

  [profile NAME]
  credential_process = <aws-login> export-credentials --profile LOGIN
                       --format process
  region = <the region of LOGIN, or REGION>

<aws-login> is the aws-login on PATH when it is this same program, else the
whole command line that runs this program.

Options:
  --profile NAME           The profile to write
  --source-profile LOGIN   The profile that holds the login session, or a role
                           profile whose source profiles end in one
  --region REGION          Region to write (default: the source profile's)
  -h, --help               Show this help

Examples:
  aws-login configure credential-process --profile tf --source-profile dev
  AWS_PROFILE=tf terraform plan
  aws-login configure credential-process --profile tf-prod --source-profile prod
`;

const COMPLETIONS = `Print a shell completion script for commands, options, formats and profiles.

Usage: aws-login completions bash|zsh|fish|powershell

Profile names are read from your AWS config when you press Tab: the script runs
"aws-login completions --profiles", which prints them one a line.

Options:
  --profiles    Print the profile names, one a line
  -h, --help    Show this help

Examples:
  echo 'source <(aws-login completions bash)' >> ~/.bashrc
  aws-login completions zsh > "\${fpath[1]}/_aws-login"
  aws-login completions fish > ~/.config/fish/completions/aws-login.fish
  aws-login completions powershell >> $PROFILE
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
  aws-login serve --profile dev
  (umask 077; aws-login serve --profile dev > endpoint.env &)
  docker run --network host --env-file endpoint.env amazon/aws-cli s3 ls
`;

const TOPICS: Readonly<Record<string, string>> = {
  login: LOGIN,
  logout: LOGOUT,
  "export-credentials": EXPORT,
  status: STATUS,
  doctor: DOCTOR,
  configure: CONFIGURE,
  completions: COMPLETIONS,
  exec: EXEC,
  serve: SERVE,
};

/**
 * The help text of a topic (a command name), or the general help.
 *
 * @example
 * ```ts
 * helpText("login").includes("Usage: aws-login login"); // true
 * ```
 */
export function helpText(topic?: string): string {
  return topic !== undefined && isHelpTopic(topic) ? TOPICS[topic]! : MAIN;
}

/**
 * Whether a help topic exists.
 *
 * @example
 * ```ts
 * isHelpTopic("login"); // true
 * isHelpTopic("toString"); // false
 * ```
 */
export function isHelpTopic(topic: string): boolean {
  return Object.hasOwn(TOPICS, topic);
}

/**
 * The help topics: the commands that have their own help.
 *
 * @example
 * ```ts
 * helpTopics().includes("login"); // true
 * ```
 */
export function helpTopics(): string[] {
  return Object.keys(TOPICS);
}
