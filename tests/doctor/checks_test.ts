/**
 * The decisions of `aws-login doctor` as tables: each check is a pure function of the facts.
 */

import { assertEquals, assertStringIncludes } from "../support/assert.ts";
import {
  browserCheck,
  type BrowserFacts,
  type Check,
  clockCheck,
  type ClockFacts,
  precedenceChecks,
  roleCheck,
  sessionChecks,
  type SessionFacts,
} from "../../lib/doctor/checks.ts";
import type { PlatformFacts } from "../../lib/platform/browser.ts";
import type { Shadow } from "../../lib/aws/precedence.ts";

const NOW = new Date("2026-11-26T10:00:00Z");
const ARN = "arn:aws:iam::123456789012:user/alice";

const SESSION: SessionFacts = {
  profile: "dev",
  loginSession: ARN,
  other: undefined,
  cachePath: "/home/me/.aws/login/cache/x.json",
  cacheDirectory: "/home/me/.aws/login/cache",
  cache: {
    state: "ok",
    expiresAt: new Date("2026-11-26T10:12:00Z"),
    endsAtLatest: new Date("2026-11-26T21:00:00Z"),
  },
  fileMode: 0o600,
  directoryMode: 0o700,
  now: NOW,
};

function summary(checks: readonly Check[]): string[] {
  return checks.map((c) => `${c.status} ${c.id}: ${c.message}${c.fix ? ` | ${c.fix}` : ""}`);
}

Deno.test("sessionChecks() from the profile to the end of the session", () => {
  const table: [string, Partial<SessionFacts>, string[]][] = [
    ["a healthy session", {}, [
      `ok session: Profile dev uses the login session ${ARN}`,
      'ok session.cache: The cache file "/home/me/.aws/login/cache/x.json" holds the session',
      "ok session.permissions: The cache file is 0600 in a 0700 directory",
      "ok session.credentials: The credentials are valid for 12 minutes (until 2026-11-26 10:12 UTC)",
      "ok session.end: The session ends at the latest 2026-11-26 21:00 UTC, in 11 hours",
    ]],
    ["no login_session", { loginSession: undefined, cache: { state: "missing" } }, [
      "fail session: Profile dev has no login_session | aws-login login --profile dev",
    ]],
    ["other credentials instead", {
      loginSession: undefined,
      other: { style: "Access Key", key: "aws_access_key_id", file: "~/.aws/credentials" },
    }, [
      "fail session: Profile dev has no login_session: it holds Access Key credentials (aws_access_key_id in ~/.aws/credentials), so aws-login cannot sign it in | sign in to a profile of its own: aws-login login --profile dev-login",
    ]],
    ["no cache file", { cache: { state: "missing" } }, [
      `ok session: Profile dev uses the login session ${ARN}`,
      'fail session.cache: No cached session: "/home/me/.aws/login/cache/x.json" is missing | aws-login login --profile dev',
    ]],
    ["a cache file that does not parse", {
      cache: { state: "invalid", problem: 'Cannot use cache file "x": it is empty' },
    }, [
      `ok session: Profile dev uses the login session ${ARN}`,
      'fail session.cache: Cannot use cache file "x": it is empty | aws-login login --profile dev',
    ]],
  ];
  for (const [name, change, expected] of table) {
    assertEquals(summary(sessionChecks({ ...SESSION, ...change })), expected, name);
  }
});

Deno.test("sessionChecks(): modes, expired credentials, an ended session, an unknown end", () => {
  const pick = (change: Partial<SessionFacts>, id: string) =>
    summary(sessionChecks({ ...SESSION, ...change }).filter((c) => c.id === id));
  assertEquals(pick({ fileMode: 0o644, directoryMode: 0o755 }, "session.permissions"), [
    'warn session.permissions: The cache file can be read by other users (mode 644), and its directory can be read by other users (mode 755) | chmod 600 "/home/me/.aws/login/cache/x.json"; chmod 700 "/home/me/.aws/login/cache"',
  ]);
  assertEquals(pick({ directoryMode: 0o750 }, "session.permissions"), [
    'warn session.permissions: Its directory can be read by other users (mode 750) | chmod 700 "/home/me/.aws/login/cache"',
  ]);
  assertEquals(pick({ fileMode: null, directoryMode: null }, "session.permissions"), [
    "ok session.permissions: File modes do not apply here: the files inherit your profile's ACL",
  ]);
  const expired = {
    cache: {
      state: "ok" as const,
      expiresAt: new Date("2026-11-26T09:57:00Z"),
      endsAtLatest: new Date("2026-11-26T21:00:00Z"),
    },
  };
  assertEquals(pick(expired, "session.credentials"), [
    'ok session.credentials: The credentials expired 3 minutes ago; a refresh token is on disk, so the next use refreshes them (not tried here: "aws-login status --check" tries it)',
  ]);
  const ended = {
    cache: {
      state: "ok" as const,
      expiresAt: new Date("2026-11-25T21:00:00Z"),
      endsAtLatest: new Date("2026-11-26T08:45:00Z"),
    },
  };
  assertEquals(summary(sessionChecks({ ...SESSION, ...ended })).slice(-1), [
    "fail session.credentials: The session ended 75 minutes ago (2026-11-26 08:45 UTC) | aws-login login --profile dev",
  ]);
  // The last credentials of a session outlive its end: a warning, as status calls them valid.
  const last = {
    cache: {
      state: "ok" as const,
      expiresAt: new Date("2026-11-26T10:04:00Z"),
      endsAtLatest: new Date("2026-11-26T09:58:00Z"),
    },
  };
  assertEquals(summary(sessionChecks({ ...SESSION, ...last })).slice(-1), [
    "warn session.credentials: The credentials are valid for 4 minutes (until 2026-11-26 10:04 UTC), but the session ended 2 minutes ago (2026-11-26 09:58 UTC): they cannot be refreshed | aws-login login --profile dev",
  ]);
  const unknown = { cache: { ...SESSION.cache, endsAtLatest: undefined } as SessionFacts["cache"] };
  assertEquals(pick(unknown, "session.end"), [
    "ok session.end: When the session ends is not known (the cache file has no id_token)",
  ]);
  assertEquals(
    summary(sessionChecks({ ...SESSION, profile: "default" })).filter((c) => c.startsWith("fail")),
    [],
  );
});

Deno.test("precedenceChecks(): one check per kind of source, each warning with its fix", () => {
  const shadows: Shadow[] = [
    { kind: "environment", message: "A is set", fix: "unset A" },
    { kind: "environment", message: "B is set", fix: "unset B" },
    { kind: "profile", message: "role_arn in ~/.aws/config line 3", fix: "remove it" },
  ];
  assertEquals(summary(precedenceChecks(shadows, "dev")), [
    "warn precedence.environment: A is set; B is set | unset A; unset B",
    "ok precedence.aws-profile: AWS_PROFILE and AWS_DEFAULT_PROFILE name no other profile than dev",
    "warn precedence.profile: role_arn in ~/.aws/config line 3 | remove it",
  ]);
});

Deno.test("precedenceChecks(): for a role profile, the profile check names the login profile", () => {
  assertEquals(
    summary(precedenceChecks([], "deploy", "dev")).at(-1),
    "ok precedence.profile: Profile dev holds no other kind of credentials",
  );
});

Deno.test("roleCheck(): the role, the chain, the base, MFA, and a chain that cannot work", () => {
  const deploy = {
    profile: "deploy",
    roleArn: "arn:aws:iam::210987654321:role/Deploy",
    mfaSerial: undefined,
  };
  const audit = {
    profile: "audit",
    roleArn: "arn:aws:iam::210987654321:role/Audit",
    mfaSerial: undefined,
  };
  const login = { profile: "dev", kind: "login-session" } as const;
  const table: [Parameters<typeof roleCheck>[0], string][] = [
    [
      { kind: "chain", profile: "deploy", roles: [deploy], base: login },
      "ok role: Profile deploy assumes role arn:aws:iam::210987654321:role/Deploy with the login session of profile dev",
    ],
    [
      { kind: "chain", profile: "audit", roles: [deploy, audit], base: login },
      "ok role: Profile audit assumes role arn:aws:iam::210987654321:role/Audit through 1 other role (deploy) with the login session of profile dev",
    ],
    [
      {
        kind: "chain",
        profile: "deploy",
        roles: [deploy],
        base: { profile: "keys", kind: "static-keys" },
      },
      "ok role: Profile deploy assumes role arn:aws:iam::210987654321:role/Deploy with the static keys of profile keys",
    ],
    [
      {
        kind: "chain",
        profile: "deploy",
        roles: [{ ...deploy, mfaSerial: "arn:aws:iam::123456789012:mfa/alice" }],
        base: login,
      },
      'ok role: Profile deploy assumes role arn:aws:iam::210987654321:role/Deploy with the login session of profile dev; an MFA code is asked for on a terminal (mfa_serial in deploy), so run "aws-login export-credentials --profile deploy" once in a terminal before tools without one use it',
    ],
    [
      {
        kind: "broken",
        profile: "deploy",
        problem: 'The source_profile "nowhere" of profile "deploy" does not exist',
        hint: undefined,
      },
      'fail role: Profile deploy is a role profile that cannot work: the source_profile "nowhere" of profile "deploy" does not exist | fix the role settings of profile deploy, or of the profiles its source_profile names',
    ],
    [
      {
        kind: "broken",
        profile: "deploy",
        problem: "Too long",
        hint: "Set duration_seconds to 3600 or less",
      },
      "fail role: Profile deploy is a role profile that cannot work: too long | Set duration_seconds to 3600 or less",
    ],
  ];
  for (const [facts, expected] of table) assertEquals(summary([roleCheck(facts)])[0], expected);
});

const CLOCK: ClockFacts = {
  endpoint: "https://eu-west-1.signin.aws.amazon.com",
  outcome: {
    kind: "answered",
    serverDate: new Date("2026-11-26T10:00:02Z"),
    localDate: new Date("2026-11-26T10:00:00Z"),
  },
  proxy: undefined,
  notAllowed: false,
  os: "linux",
  wsl: false,
};

Deno.test("clockCheck(): within 5 minutes, beyond, and every way the request can fail", () => {
  const answered = (seconds: number): ClockFacts["outcome"] => ({
    kind: "answered",
    serverDate: new Date(NOW.getTime() + seconds * 1000),
    localDate: NOW,
  });
  const failed = (error: string, timedOut = false): ClockFacts["outcome"] => ({
    kind: "failed",
    error,
    timedOut,
  });
  const table: [string, Partial<ClockFacts>, string][] = [
    [
      "2 s",
      {},
      "ok clock: This computer's clock is within 2 seconds of AWS Sign-In (the Date header of https://eu-west-1.signin.aws.amazon.com)",
    ],
    [
      "exactly 5 minutes is fine",
      { outcome: answered(300) },
      "ok clock: This computer's clock is within 5 minutes of AWS Sign-In (the Date header of https://eu-west-1.signin.aws.amazon.com)",
    ],
    [
      "10 minutes behind",
      { outcome: answered(600) },
      "warn clock: This computer's clock is 10 minutes behind AWS Sign-In (the Date header of https://eu-west-1.signin.aws.amazon.com): DPoP proofs and SigV4 signatures fail with more than 5 minutes of skew | sync the clock: sudo timedatectl set-ntp true (or start chronyd/ntpd)",
    ],
    [
      "7 minutes ahead, on WSL",
      { outcome: answered(-420), wsl: true },
      "warn clock: This computer's clock is 7 minutes ahead of AWS Sign-In (the Date header of https://eu-west-1.signin.aws.amazon.com): DPoP proofs and SigV4 signatures fail with more than 5 minutes of skew | sync the clock: sudo hwclock -s (WSL), or restart WSL (wsl --shutdown)",
    ],
    [
      "macOS",
      { outcome: answered(-420), os: "darwin" },
      "warn clock: This computer's clock is 7 minutes ahead of AWS Sign-In (the Date header of https://eu-west-1.signin.aws.amazon.com): DPoP proofs and SigV4 signatures fail with more than 5 minutes of skew | sync the clock: sudo sntp -sS time.apple.com",
    ],
    [
      "DNS",
      {
        outcome: failed(
          "client error (Connect): dns error: failed to lookup address information: Name or service not known",
        ),
      },
      "fail clock: Cannot reach https://eu-west-1.signin.aws.amazon.com: the host name does not resolve (DNS): client error (Connect): dns error: failed to lookup address information: Name or service not known | check the network connection, the region and the endpoint settings (AWS_ENDPOINT_URL_SIGNIN, endpoint_url)",
    ],
    [
      "TLS",
      { outcome: failed("invalid peer certificate: UnknownIssuer") },
      "fail clock: Cannot reach https://eu-west-1.signin.aws.amazon.com: the TLS connection failed: invalid peer certificate: UnknownIssuer | a proxy or firewall may intercept TLS here: set HTTPS_PROXY, or ask your network administrator",
    ],
    [
      "refused, through a proxy",
      { outcome: failed("Connection refused (os error 111)"), proxy: "http://proxy:3128" },
      "fail clock: Cannot reach https://eu-west-1.signin.aws.amazon.com: the connection was refused (through the proxy http://proxy:3128 of HTTPS_PROXY): Connection refused (os error 111) | check the proxy in HTTPS_PROXY (http://proxy:3128), or set NO_PROXY for this host",
    ],
    [
      "a timeout",
      { outcome: failed("Signal timed out.", true) },
      "fail clock: Cannot reach https://eu-west-1.signin.aws.amazon.com: no answer within 5 seconds | check the network connection, the region and the endpoint settings (AWS_ENDPOINT_URL_SIGNIN, endpoint_url)",
    ],
    [
      "outside --allow-net",
      { outcome: failed("Requires net access"), notAllowed: true },
      "fail clock: Cannot reach https://eu-west-1.signin.aws.amazon.com: the program's --allow-net does not include this host | run aws-login from source with a wider --allow-net for this endpoint",
    ],
    [
      "no Date header",
      { outcome: { kind: "no-date", status: 404 } },
      "warn clock: https://eu-west-1.signin.aws.amazon.com answered HTTP 404 without a Date header: the clock was not compared | check that nothing between here and AWS (a proxy) rewrites the answers",
    ],
    [
      "no region",
      { outcome: { kind: "no-region" }, endpoint: undefined },
      "warn clock: The clock was not compared: no region is known for this profile, so no Sign-In endpoint either | set region in the profile, or sign in first",
    ],
  ];
  for (const [name, change, expected] of table) {
    assertEquals(summary([clockCheck({ ...CLOCK, ...change })])[0], expected, name);
  }
});

const LINUX: PlatformFacts = {
  os: "linux",
  env: { DISPLAY: ":0" },
  kernelRelease: "6.8.0-45-generic",
  dockerEnvFile: false,
  containerEnvFile: false,
  launchers: { "xdg-open": "/usr/bin/xdg-open" },
};
const WSL: PlatformFacts = {
  ...LINUX,
  env: { WSL_DISTRO_NAME: "Ubuntu" },
  kernelRelease: "5.15.153.1-microsoft-standard-WSL2",
  launchers: { "cmd.exe": "/mnt/c/Windows/System32/cmd.exe" },
};

Deno.test("browserCheck(): what login would do here, the launcher, WSL's reachability", () => {
  const table: [string, BrowserFacts, string][] = [
    ["a desktop", {
      platform: LINUX,
      reachability: { reachable: true },
      launcher: ["/usr/bin/xdg-open", "https://example.com/"],
      cmdRuns: undefined,
    }, "ok browser: login opens the browser with /usr/bin/xdg-open"],
    ["BROWSER", {
      platform: { ...LINUX, env: { BROWSER: "firefox" } },
      reachability: { reachable: true },
      launcher: ["firefox", "https://example.com/"],
      cmdRuns: undefined,
    }, "ok browser: login opens the browser with firefox (from BROWSER)"],
    [
      "SSH without a display",
      {
        platform: { ...LINUX, env: { SSH_CONNECTION: "1 2 3 4" } },
        reachability: { reachable: false, reason: "no display in this SSH session" },
        launcher: undefined,
        cmdRuns: undefined,
      },
      "ok browser: login signs in with --remote here (no display in this SSH session): open the URL it prints on any device",
    ],
    [
      "WSL with interop",
      {
        platform: WSL,
        reachability: { reachable: true },
        launcher: ["/mnt/c/Windows/System32/cmd.exe", "/d"],
        cmdRuns: true,
      },
      "ok browser: login opens the browser with /mnt/c/Windows/System32/cmd.exe. WSL: wslview is not installed; cmd.exe is /mnt/c/Windows/System32/cmd.exe",
    ],
    [
      "WSL where cmd.exe does not run",
      {
        platform: WSL,
        reachability: { reachable: true },
        launcher: ["/mnt/c/Windows/System32/cmd.exe", "/d"],
        cmdRuns: false,
      },
      "warn browser: login would open the browser with /mnt/c/Windows/System32/cmd.exe, but it does not run. WSL: wslview is not installed; cmd.exe (/mnt/c/Windows/System32/cmd.exe) does not run | check that WSL interop is on, or install wslu (for wslview)",
    ],
    [
      "WSL without any launcher",
      {
        platform: { ...WSL, launchers: {} },
        reachability: {
          reachable: false,
          reason: "cannot reach Windows from WSL: no wslview, cmd.exe or powershell.exe",
        },
        launcher: undefined,
        cmdRuns: undefined,
      },
      "warn browser: login signs in with --remote here: cannot reach Windows from WSL: no wslview, cmd.exe or powershell.exe. WSL: wslview is not installed; cmd.exe is not reachable | install wslu (for wslview), or check that WSL interop is on (/proc/sys/fs/binfmt_misc/WSLInterop)",
    ],
  ];
  for (const [name, facts, expected] of table) {
    assertEquals(summary([browserCheck(facts)])[0], expected, name);
  }
  assertStringIncludes(summary([browserCheck(table[0]![1])])[0]!, "xdg-open");
});
