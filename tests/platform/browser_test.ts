import { assertEquals, assertThrows, assertTrue } from "../support/assert.ts";
import {
  browserCommands,
  browserEntryCommands,
  browserReachability,
  escapeForCmd,
  type LauncherName,
  launcherNames,
  type PlatformFacts,
  type Reachability,
} from "../../lib/platform/browser.ts";

const URL_ = "https://example.com/v1/authorize?a=1&b=%2F%25x^y=z&state=abc";
/** `escapeForCmd(URL_)`, written out by hand. */
const URL_FOR_CMD = "https://example.com/v1/authorize?a=1^&b=^%^2F^%^25x^^y=z^&state=abc";

const LINUX_LAUNCHERS = {
  "xdg-open": "/usr/bin/xdg-open",
  gio: "/usr/bin/gio",
  "sensible-browser": "/usr/bin/sensible-browser",
  "x-www-browser": "/usr/bin/x-www-browser",
} as const;
const WSL_CMD = "/mnt/c/Windows/system32/cmd.exe";
const WSL_POWERSHELL = "/mnt/c/Windows/System32/WindowsPowerShell/v1.0/powershell.exe";
const WSL_RUNDLL32 = "/mnt/c/Windows/system32/rundll32.exe";
const WSL_KERNEL = "5.15.167.4-microsoft-standard-WSL2";
const SSH = { SSH_CONNECTION: "192.0.2.10 50022 192.0.2.1 22" };

function facts(partial: Partial<PlatformFacts> = {}): PlatformFacts {
  return {
    os: "linux",
    env: {},
    kernelRelease: "6.8.0-45-generic",
    dockerEnvFile: false,
    containerEnvFile: false,
    launchers: {},
    ...partial,
  };
}

function wsl(
  launchers: Partial<Record<LauncherName, string>>,
  env: PlatformFacts["env"] = {},
): PlatformFacts {
  return facts({
    env: { WSL_DISTRO_NAME: "Ubuntu", WSL_INTEROP: "/run/WSL/1_interop", ...env },
    kernelRelease: WSL_KERNEL,
    launchers,
  });
}

const reachable: Reachability = { reachable: true };
function unreachable(reason: string): Reachability {
  return { reachable: false, reason };
}

const reachabilityCases: [string, PlatformFacts, Reachability, string?][] = [
  [
    "Linux with X11",
    facts({ env: { DISPLAY: ":0" }, launchers: LINUX_LAUNCHERS }),
    reachable,
  ],
  [
    "Linux with Wayland only",
    facts({ env: { WAYLAND_DISPLAY: "wayland-0" }, launchers: LINUX_LAUNCHERS }),
    reachable,
  ],
  [
    "Linux without a display",
    facts({ launchers: LINUX_LAUNCHERS }),
    unreachable("no display (DISPLAY and WAYLAND_DISPLAY are not set)"),
  ],
  [
    "Linux with a display but no launcher",
    facts({ env: { DISPLAY: ":0" } }),
    unreachable("no browser launcher found (install xdg-utils or set BROWSER)"),
  ],
  [
    "SSH without a display",
    facts({ env: SSH, launchers: LINUX_LAUNCHERS }),
    unreachable("no display in this SSH session"),
  ],
  [
    "SSH with only SSH_TTY set",
    facts({ env: { SSH_TTY: "/dev/pts/3" }, launchers: LINUX_LAUNCHERS }),
    unreachable("no display in this SSH session"),
  ],
  [
    "SSH with X11 forwarding",
    facts({ env: { ...SSH, DISPLAY: "localhost:10.0" }, launchers: LINUX_LAUNCHERS }),
    reachable,
  ],
  [
    "Docker container",
    facts({ dockerEnvFile: true, launchers: LINUX_LAUNCHERS }),
    unreachable("running in a container"),
  ],
  [
    "Podman container",
    facts({ containerEnvFile: true }),
    unreachable("running in a container"),
  ],
  [
    "container named by the container variable",
    facts({ env: { container: "systemd-nspawn" } }),
    unreachable("running in a container"),
  ],
  [
    "toolbox container sharing the host display",
    facts({
      containerEnvFile: true,
      env: { WAYLAND_DISPLAY: "wayland-0" },
      launchers: LINUX_LAUNCHERS,
    }),
    reachable,
  ],
  [
    "Docker container on Docker Desktop's WSL2 kernel",
    facts({ kernelRelease: WSL_KERNEL, dockerEnvFile: true, launchers: LINUX_LAUNCHERS }),
    unreachable("running in a container"),
  ],
  [
    "WSL distro carrying /.dockerenv",
    { ...wsl({ wslview: "/usr/bin/wslview" }), dockerEnvFile: true },
    reachable,
  ],
  [
    "WSL distro with /.dockerenv and a scrubbed environment (sudo -i)",
    facts({ kernelRelease: WSL_KERNEL, dockerEnvFile: true, launchers: { "cmd.exe": WSL_CMD } }),
    reachable,
  ],
  [
    "WSL known by its kernel only",
    facts({ kernelRelease: "4.4.0-19041-Microsoft", launchers: { "cmd.exe": WSL_CMD } }),
    reachable,
  ],
  [
    "CI",
    facts({ env: { CI: "true", DISPLAY: ":99" }, launchers: LINUX_LAUNCHERS }),
    unreachable("running in CI (CI is set)"),
  ],
  [
    "CI without CI (Azure Pipelines)",
    facts({ env: { TF_BUILD: "True" } }),
    unreachable("running in CI (TF_BUILD is set)"),
  ],
  [
    "CI=false is not CI",
    facts({ env: { CI: "false", DISPLAY: ":0" }, launchers: LINUX_LAUNCHERS }),
    reachable,
  ],
  [
    "GitHub Codespaces",
    facts({ env: { CODESPACES: "true", DISPLAY: ":1" }, launchers: LINUX_LAUNCHERS }),
    unreachable("running in GitHub Codespaces"),
  ],
  [
    "AWS CloudShell",
    facts({ env: { AWS_EXECUTION_ENV: "CloudShell" }, launchers: LINUX_LAUNCHERS }),
    unreachable("running in AWS CloudShell"),
  ],
  ["WSL with wslview", wsl({ wslview: "/usr/bin/wslview" }), reachable],
  ["WSL with cmd.exe on PATH", wsl({ "cmd.exe": WSL_CMD }), reachable],
  [
    "WSL with cmd.exe only under /mnt/c",
    wsl({ "cmd.exe": "/mnt/c/Windows/System32/cmd.exe" }),
    reachable,
  ],
  [
    "WSL with no way to Windows",
    wsl({}),
    unreachable("cannot reach Windows from WSL: no wslview, cmd.exe or powershell.exe"),
  ],
  [
    "WSL with no way to Windows but WSLg and xdg-open",
    wsl({ "xdg-open": "/usr/bin/xdg-open" }, { DISPLAY: ":0" }),
    reachable,
  ],
  [
    "WSL over SSH",
    wsl({ wslview: "/usr/bin/wslview" }, SSH),
    unreachable("connected over SSH: a browser would open on the remote Windows desktop"),
  ],
  ["macOS", facts({ os: "darwin", launchers: { open: "/usr/bin/open" } }), reachable],
  [
    "macOS over SSH",
    facts({ os: "darwin", env: SSH, launchers: { open: "/usr/bin/open" } }),
    unreachable("connected over SSH: a browser would open on the remote Mac's screen"),
  ],
  [
    "Windows",
    facts({ os: "windows", launchers: { "rundll32.exe": "C:\\Windows\\System32\\rundll32.exe" } }),
    reachable,
  ],
  [
    "Windows over SSH",
    facts({ os: "windows", env: SSH, launchers: { "cmd.exe": "C:\\Windows\\System32\\cmd.exe" } }),
    unreachable("connected over SSH: a browser would open on the remote Windows desktop"),
  ],
  [
    "BROWSER set in an SSH session without a display",
    facts({ env: { ...SSH, BROWSER: "echo" } }),
    reachable,
  ],
  [
    "BROWSER set by VS Code in Codespaces",
    facts({ env: { CODESPACES: "true", BROWSER: "/vscode/bin/helpers/browser.sh" } }),
    reachable,
  ],
  [
    "BROWSER=true in a container",
    facts({ dockerEnvFile: true, env: { BROWSER: "true" } }),
    reachable,
  ],
  ["--browser in CI", facts({ env: { CI: "1" } }), reachable, "firefox"],
];

for (const [name, input, expected, browserFlag] of reachabilityCases) {
  Deno.test(`browserReachability(): ${name}`, () => {
    const options = browserFlag === undefined ? {} : { browserFlag };
    assertEquals(browserReachability(input, options), expected);
  });
}

Deno.test("browserReachability() ignores an empty --browser", () => {
  assertEquals(
    browserReachability(facts({ env: SSH }), { browserFlag: "" }),
    unreachable("no display in this SSH session"),
  );
});

const WSL_CMD_ARGV = [WSL_CMD, "/d", "/e:on", "/v:off", "/c", "start", "", URL_FOR_CMD];
const WSL_POWERSHELL_ARGV = [
  WSL_POWERSHELL,
  "-NoProfile",
  "-NonInteractive",
  "-Command",
  `Start-Process '${URL_}'`,
];
const WSL_RUNDLL32_ARGV = [WSL_RUNDLL32, "url.dll,FileProtocolHandler", URL_];

const commandCases: [string, PlatformFacts, string[][], string?][] = [
  [
    "Linux: every launcher found, in order",
    facts({ env: { DISPLAY: ":0" }, launchers: LINUX_LAUNCHERS }),
    [
      ["/usr/bin/xdg-open", URL_],
      ["/usr/bin/gio", "open", "--", URL_],
      ["/usr/bin/sensible-browser", URL_],
      ["/usr/bin/x-www-browser", URL_],
    ],
  ],
  [
    "Linux: only the launchers that exist",
    facts({ env: { DISPLAY: ":0" }, launchers: { "x-www-browser": "/usr/bin/x-www-browser" } }),
    [["/usr/bin/x-www-browser", URL_]],
  ],
  ["Linux: nothing found", facts({ env: { DISPLAY: ":0" } }), []],
  ["macOS", facts({ os: "darwin", launchers: { open: "/usr/bin/open" } }), [[
    "/usr/bin/open",
    URL_,
  ]]],
  [
    "Windows: rundll32, then cmd.exe start",
    facts({
      os: "windows",
      launchers: {
        "rundll32.exe": "C:\\Windows\\System32\\rundll32.exe",
        "cmd.exe": "C:\\Windows\\System32\\cmd.exe",
        "powershell.exe": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
      },
    }),
    [
      ["C:\\Windows\\System32\\rundll32.exe", "url.dll,FileProtocolHandler", URL_],
      ["C:\\Windows\\System32\\cmd.exe", "/d", "/e:on", "/v:off", "/c", "start", "", URL_FOR_CMD],
    ],
  ],
  [
    "WSL with wslview first",
    wsl({
      wslview: "/usr/bin/wslview",
      "cmd.exe": WSL_CMD,
      "powershell.exe": WSL_POWERSHELL,
      "rundll32.exe": WSL_RUNDLL32,
      "xdg-open": "/usr/bin/xdg-open",
    }),
    [["/usr/bin/wslview", URL_], WSL_CMD_ARGV, WSL_POWERSHELL_ARGV, WSL_RUNDLL32_ARGV],
  ],
  [
    "WSL without wslview",
    wsl({ "cmd.exe": WSL_CMD, "powershell.exe": WSL_POWERSHELL }),
    [WSL_CMD_ARGV, WSL_POWERSHELL_ARGV],
  ],
  [
    "WSL with cmd.exe only at the /mnt/c path",
    wsl({ "cmd.exe": "/mnt/c/Windows/System32/cmd.exe" }),
    [["/mnt/c/Windows/System32/cmd.exe", ...WSL_CMD_ARGV.slice(1)]],
  ],
  ["WSL with PowerShell only", wsl({ "powershell.exe": WSL_POWERSHELL }), [WSL_POWERSHELL_ARGV]],
  ["WSL with nothing", wsl({ "xdg-open": "/usr/bin/xdg-open" }), []],
  [
    "WSL with WSLg: Windows first, then the Linux launchers",
    wsl({ "cmd.exe": WSL_CMD, "xdg-open": "/usr/bin/xdg-open" }, { DISPLAY: ":0" }),
    [WSL_CMD_ARGV, ["/usr/bin/xdg-open", URL_]],
  ],
  [
    "BROWSER: one command, then the system default",
    facts({ env: { BROWSER: "firefox" }, launchers: { "xdg-open": "/usr/bin/xdg-open" } }),
    [["firefox", URL_], ["/usr/bin/xdg-open", URL_]],
  ],
  [
    "BROWSER: %s is replaced by the URL",
    facts({ env: { BROWSER: "firefox --new-tab %s" } }),
    [["firefox", "--new-tab", URL_]],
  ],
  [
    "BROWSER: %s inside a word",
    facts({ env: { BROWSER: "my-browser --url=%s" } }),
    [["my-browser", `--url=${URL_}`]],
  ],
  [
    "BROWSER: %% is a literal percent sign",
    facts({ env: { BROWSER: "echo 100%% %s" } }),
    [["echo", "100%", URL_]],
  ],
  [
    "BROWSER: %%s is not a placeholder",
    facts({ env: { BROWSER: "printf %%s" } }),
    [["printf", "%s", URL_], ["printf %%s", URL_]],
  ],
  [
    "BROWSER: a list separated by the path separator",
    facts({ env: { BROWSER: "wslview:firefox %s::true" } }),
    [["wslview", URL_], ["firefox", URL_], ["true", URL_]],
  ],
  [
    "BROWSER: quoted arguments",
    facts({ env: { BROWSER: `my-browser --profile 'Work Account' --title "a \\"b\\" \\\\" %s` } }),
    [["my-browser", "--profile", "Work Account", "--title", 'a "b" \\', URL_]],
  ],
  [
    "BROWSER: a backslash-escaped space",
    facts({ env: { BROWSER: "/opt/My\\ Browser/run %s" } }),
    [["/opt/My Browser/run", URL_]],
  ],
  [
    "BROWSER: an unquoted path with spaces is also tried whole, as Python does",
    facts({ env: { BROWSER: "/mnt/c/Program Files/Mozilla Firefox/firefox.exe" } }),
    [
      ["/mnt/c/Program", "Files/Mozilla", "Firefox/firefox.exe", URL_],
      ["/mnt/c/Program Files/Mozilla Firefox/firefox.exe", URL_],
    ],
  ],
  [
    "BROWSER: Python's trailing & is dropped",
    facts({ env: { BROWSER: "firefox %s &" } }),
    [["firefox", URL_]],
  ],
  [
    "BROWSER: an entry with an unclosed quote is skipped",
    facts({ env: { BROWSER: "firefox 'oops %s:true" } }),
    [["true", URL_]],
  ],
  ["BROWSER=true", facts({ env: { BROWSER: "true" } }), [["true", URL_]]],
  ["BROWSER=echo", facts({ env: { BROWSER: "echo" } }), [["echo", URL_]]],
  [
    "BROWSER keeps a text-mode browser: it is the user's choice",
    facts({ env: { BROWSER: "lynx" } }),
    [["lynx", URL_]],
  ],
  [
    "BROWSER on Windows: ; separates, backslashes are literal",
    facts({
      os: "windows",
      env: {
        BROWSER: `"C:\\Program Files\\Mozilla Firefox\\firefox.exe" -private-window %s;chrome`,
      },
      launchers: { "rundll32.exe": "C:\\Windows\\System32\\rundll32.exe" },
    }),
    [
      ["C:\\Program Files\\Mozilla Firefox\\firefox.exe", "-private-window", URL_],
      ["chrome", URL_],
      ["C:\\Windows\\System32\\rundll32.exe", "url.dll,FileProtocolHandler", URL_],
    ],
  ],
  [
    "BROWSER naming the system launcher appears once",
    facts({
      env: { BROWSER: "/usr/bin/xdg-open", DISPLAY: ":0" },
      launchers: { "xdg-open": "/usr/bin/xdg-open" },
    }),
    [["/usr/bin/xdg-open", URL_]],
  ],
  [
    "--browser replaces BROWSER and the system default",
    facts({ env: { BROWSER: "chromium" }, launchers: LINUX_LAUNCHERS }),
    [["firefox", "-P", "work", URL_], ["firefox -P work", URL_]],
    "firefox -P work",
  ],
  [
    "--browser is a single entry: the path separator is not special",
    facts(),
    [["my:browser", URL_]],
    "my:browser %s",
  ],
];

for (const [name, input, expected, browserFlag] of commandCases) {
  Deno.test(`browserCommands(): ${name}`, () => {
    const options = browserFlag === undefined ? {} : { browserFlag };
    assertEquals(browserCommands(input, URL_, options), expected);
  });
}

Deno.test("browserCommands() refuses anything but http and https URLs", () => {
  const linux = facts({ launchers: LINUX_LAUNCHERS });
  assertThrows(
    () => browserCommands(linux, "file:///etc/passwd"),
    TypeError,
    "only http and https",
  );
  assertThrows(() => browserCommands(linux, "calc.exe"), TypeError, "it is not a URL");
  assertEquals(browserCommands(linux, "http://127.0.0.1:8080/x").length, 4);
});

Deno.test("browserCommands(): PowerShell gets single quotes doubled, spaces and quotes encoded", () => {
  const [argv] = browserCommands(
    wsl({ "powershell.exe": WSL_POWERSHELL }),
    'https://example.com/?q=it\'s ‘x’ "y"',
  );
  assertEquals(argv?.at(-1), "Start-Process 'https://example.com/?q=it''s%20‘‘x’’%20%22y%22'");
});

Deno.test("browserEntryCommands() gives nothing for an empty entry", () => {
  assertEquals(browserEntryCommands("", URL_), []);
  assertEquals(browserEntryCommands("   ", URL_), []);
  assertEquals(browserEntryCommands("&", URL_), []);
  assertEquals(browserEntryCommands("firefox \\", URL_), []);
});

const escapeCases: [string, string][] = [
  ["https://example.com/path", "https://example.com/path"],
  [URL_, URL_FOR_CMD],
  ["https://x/?a&b|c<d>e(f)g^h!i", "https://x/?a^&b^|c^<d^>e^(f^)g^^h^!i"],
  ["https://x/?p=%PATH%", "https://x/?p=^%^PATH^%"],
  ["https://x/?p=%PATH:a=b%", "https://x/?p=^%^PATH:a=b^%"],
  ["https://x/?p=%%", "https://x/?p=^%^%"],
  ["https://x/?p=100%", "https://x/?p=100^%"],
  ["https://x/?p=%&q", "https://x/?p=^%^&q"],
  ['https://x/?q=a b\t"c"', "https://x/?q=a^%^20b^%^09^%^22c^%^22"],
  ["https://x/?q=a\r\nb", "https://x/?q=a^%^0D^%^0Ab"],
];

for (const [input, expected] of escapeCases) {
  Deno.test(`escapeForCmd(${JSON.stringify(input)})`, () => {
    assertEquals(escapeForCmd(input), expected);
  });
}

Deno.test("escapeForCmd() output needs no quoting and hides every variable name", () => {
  const inputs = [URL_, ...escapeCases.map(([input]) => input), "https://x/%41%%42%"];
  for (const input of inputs) {
    const escaped = escapeForCmd(input);
    // Deno passes an argument without space, tab or quote to Windows verbatim.
    assertTrue(!/[\s"]/.test(escaped), escaped);
    for (let i = 0; i < escaped.length; i++) {
      if (escaped[i] !== "%") continue;
      assertEquals(escaped[i - 1], "^", `${escaped}: % at ${i} has no ^ before it`);
      if (i + 1 < escaped.length) {
        assertEquals(escaped[i + 1], "^", `${escaped}: % at ${i} has no ^ after it`);
      }
    }
  }
});

Deno.test("launcherNames() never includes a text-mode browser", () => {
  const all = (["linux", "darwin", "windows", "freebsd"] as const).flatMap(launcherNames);
  for (const text of ["lynx", "w3m", "links", "elinks", "browsh", "www-browser"]) {
    assertTrue(!all.includes(text as LauncherName), text);
  }
  assertEquals(launcherNames("darwin"), ["open"]);
});
