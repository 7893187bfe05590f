/**
 * `openBrowser()` against real processes. Each fake launcher in a temporary directory is a small
 * `#!/bin/sh` script that runs this very file as a program (the way Go's os/exec tests re-run
 * their test binary as a helper process): it records what the launcher would have opened.
 * `cmd.exe`, `powershell.exe` and `rundll32.exe` emulate how those Windows programs read their
 * command line, so a URL escaped the wrong way arrives changed and the test fails.
 *
 * @module
 */

import { assertEquals, assertStringIncludes, assertTrue } from "../support/assert.ts";
import { fakeDeps } from "../support/fake_deps.ts";
import { escapeForCmd } from "../../lib/platform/browser.ts";
import { openBrowser } from "../../lib/platform/launch.ts";
import type { OsName } from "../../lib/runtime/deps.ts";
import { localPath } from "../support/paths.ts";
import { killOwn, posixTest } from "../support/platform.ts";

const URL_ = "https://example.com/v1/authorize?a=1&b=%2F%25x^y=z&state=abc";
/** Everything cmd.exe cares about, plus what `start` and PowerShell would trip on. */
const HOSTILE_URL = "https://example.com/cb?q=a!b!c&p=(1)<2>|it's&v=%PATH%&w=%41:~0,1%&x=%%&y=^";

// ---------------------------------------------------------------------------------------------
// The fake launcher program

/** What a fake launcher writes to the record file, one JSON object per line. */
interface Launch {
  name: string;
  argv: string[];
  /** What the launcher would hand to the browser, `null` when it would not open anything. */
  opened: string | null;
  error?: string;
  pid: number;
}

type Mode = "plain" | "cmd" | "powershell" | "rundll32";

if (import.meta.main) await fakeLauncherMain();

async function fakeLauncherMain(): Promise<void> {
  const name = Deno.env.get("FAKE_NAME") ?? "?";
  const mode = (Deno.env.get("FAKE_MODE") ?? "plain") as Mode;
  const argv = Deno.args;
  let result: { opened: string | null; error?: string };
  try {
    result = emulate(mode, argv);
  } catch (error) {
    result = { opened: null, error: String(error) };
  }
  const launch: Launch = { name, argv, ...result, pid: Deno.pid };
  await Deno.writeTextFile(Deno.env.get("FAKE_RECORD")!, JSON.stringify(launch) + "\n", {
    append: true,
  });
  const hangMs = Number(Deno.env.get("FAKE_HANG_MS") ?? "0");
  if (hangMs > 0) await new Promise((resolve) => setTimeout(resolve, hangMs));
  Deno.exit(result.opened === null ? 2 : Number(Deno.env.get("FAKE_EXIT") ?? "0"));
}

function emulate(mode: Mode, args: readonly string[]): { opened: string | null; error?: string } {
  switch (mode) {
    case "plain":
      return { opened: args.at(-1) ?? null };
    case "cmd":
      return emulateCmd(args);
    case "powershell":
      return emulatePowerShell(args);
    case "rundll32":
      return emulateRundll32(args);
  }
}

// ---------------------------------------------------------------------------------------------
// Windows emulation

/**
 * The command line Windows gets from Deno's argv (libuv's `quote_cmd_arg`, which Deno's
 * `subprocess_windows` ports): verbatim without space, tab or `"`, otherwise quoted with `\"`.
 * WSL interop builds the same for the arguments used here.
 */
function windowsCommandLine(args: readonly string[]): string {
  return args.map((arg) => {
    if (arg === "") return '""';
    if (!/[ \t"]/.test(arg)) return arg;
    if (!/["\\]/.test(arg)) return `"${arg}"`;
    let quoted = "";
    let backslashes = 0;
    for (const char of arg) {
      if (char === "\\") {
        backslashes++;
        continue;
      }
      quoted += "\\".repeat(char === '"' ? backslashes * 2 + 1 : backslashes) + char;
      backslashes = 0;
    }
    return `"${quoted}${"\\".repeat(backslashes * 2)}"`;
  }).join(" ");
}

/**
 * The environment cmd.exe expands from. Worst case: every variable exists, except names with a
 * `^` in them (no real Windows environment has one). Defined variables expand to a visible marker.
 */
function variable(name: string): string | undefined {
  return name === "" || name.includes("^") ? undefined : `[VAR:${name}]`;
}

/**
 * Emulates `cmd.exe [switches] /c start "" <target>` far enough to say which target `start` would
 * open: the `/c` quote rule, phase 1 (`%var%` on the command line), phase 2 (`^`, quotes, `&`,
 * `|`, `<`, `>`), phase 5 (`!var!`, on unless `/v:off`, as a registry setting can turn it on),
 * then `start`'s own parsing of a quoted title and the target.
 */
function emulateCmd(args: readonly string[]): { opened: string | null; error?: string } {
  const line = windowsCommandLine(args);
  let rest = line;
  let delayed = true;
  for (;;) {
    rest = rest.trimStart();
    const switchMatch = /^\/(\S+)/.exec(rest);
    if (switchMatch === null) return { opened: null, error: `no /c in ${line}` };
    rest = rest.slice(switchMatch[0].length);
    const value = switchMatch[1]!.toLowerCase();
    if (value === "c") break;
    if (value === "v:off") delayed = false;
    else if (value === "v:on") delayed = true;
    else if (!["d", "e:on", "q"].includes(value)) {
      return { opened: null, error: `switch /${value}` };
    }
  }
  rest = rest.replace(/^[ \t]+/, "");
  // Quote rule 2 of `cmd /?`: a leading quote and the last quote of the line are removed.
  if (rest.startsWith('"')) {
    const last = rest.lastIndexOf('"');
    rest = rest.slice(1, last) + rest.slice(last + 1);
  }
  const phase1 = expandPercent(rest);
  const phase2 = specialCharacters(phase1);
  if ("error" in phase2) return { opened: null, error: phase2.error };
  const command = delayed && phase2.text.includes("!") ? expandDelayed(phase2.text) : phase2.text;
  return start(command);
}

/**
 * Phase 1 on the command line (not in a batch file): `%name%` (also `%name:~1,2%` and
 * `%name:a=b%`) expands when `name` is defined; otherwise the text stays, and the closing `%` may
 * open the next name (the harsher of the readings).
 */
function expandPercent(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    if (text[i] !== "%") {
      out += text[i];
      i++;
      continue;
    }
    const close = text.indexOf("%", i + 1);
    if (close < 0) {
      out += text.slice(i);
      break;
    }
    const body = text.slice(i + 1, close);
    const value = variable(body.split(":")[0]!);
    if (value === undefined) {
      out += "%";
      i++;
    } else {
      out += value;
      i = close + 1;
    }
  }
  return out;
}

/** Phase 2: `^` escapes outside quotes, `&` `|` end the command, `<` `>` redirect. */
function specialCharacters(text: string): { text: string } | { error: string } {
  let out = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '"') {
      quoted = !quoted;
      out += char;
    } else if (quoted) {
      out += char;
    } else if (char === "^") {
      i++;
      out += text[i] ?? "";
    } else if (char === "&" || char === "|") {
      return { error: `command cut at ${char}: ${JSON.stringify(out)}` };
    } else if (char === "<" || char === ">") {
      return { error: `redirection ${char}: ${JSON.stringify(out)}` };
    } else {
      out += char;
    }
  }
  return { text: out };
}

/** Phase 5 with delayed expansion on: `^` escapes once more, `!name!` expands, a lone `!` goes. */
function expandDelayed(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === "^") {
      i++;
      out += text[i] ?? "";
    } else if (char === "!") {
      const close = text.indexOf("!", i + 1);
      if (close < 0) continue;
      out += variable(text.slice(i + 1, close)) ?? "";
      i = close;
    } else {
      out += char;
    }
  }
  return out;
}

/** `start ["title"] target`: the first quoted word is the title; the target ends at whitespace. */
function start(command: string): { opened: string | null; error?: string } {
  const match = /^\s*start(?=\s)\s*/i.exec(command);
  if (match === null) return { opened: null, error: `not a start command: ${command}` };
  let rest = command.slice(match[0].length);
  const title = /^"[^"]*"\s*/.exec(rest);
  if (title !== null) rest = rest.slice(title[0].length);
  if (rest.startsWith('"')) return { opened: null, error: `second quoted word: ${rest}` };
  const target = /^\S+/.exec(rest)?.[0] ?? "";
  const parameters = rest.slice(target.length).trim();
  if (target === "") return { opened: null, error: "start got no target" };
  if (parameters !== "") return { opened: null, error: `start got parameters: ${parameters}` };
  return { opened: target };
}

/** `CommandLineToArgvW`: how PowerShell (and most Windows programs) split a command line. */
function commandLineToArgv(line: string): string[] {
  const argv: string[] = [];
  let arg = "";
  let inArg = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (char === "\\") {
      let count = 0;
      while (line[i] === "\\") {
        count++;
        i++;
      }
      if (line[i] === '"') {
        arg += "\\".repeat(Math.floor(count / 2));
        if (count % 2 === 1) arg += '"';
        else quoted = !quoted;
      } else {
        arg += "\\".repeat(count);
        i--;
      }
      inArg = true;
    } else if (char === '"') {
      if (quoted && line[i + 1] === '"') {
        arg += '"';
        i++;
      } else {
        quoted = !quoted;
      }
      inArg = true;
    } else if (!quoted && (char === " " || char === "\t")) {
      if (inArg) argv.push(arg);
      arg = "";
      inArg = false;
    } else {
      arg += char;
      inArg = true;
    }
  }
  if (inArg) argv.push(arg);
  return argv;
}

/** `powershell.exe ... -Command <words>`: the words after `-Command` joined by spaces are run. */
function emulatePowerShell(args: readonly string[]): { opened: string | null; error?: string } {
  const argv = commandLineToArgv(windowsCommandLine(args));
  const index = argv.findIndex((arg) => arg.toLowerCase() === "-command");
  if (index < 0) return { opened: null, error: "no -Command" };
  const script = argv.slice(index + 1).join(" ");
  const match = /^Start-Process '((?:[^'\u2018-\u201b]|['\u2018-\u201b]{2})*)'$/.exec(script);
  if (match === null) return { opened: null, error: `cannot run ${script}` };
  return { opened: match[1]!.replace(/(['\u2018-\u201b])\1/g, "$1") };
}

/** `rundll32.exe url.dll,FileProtocolHandler <rest>`: the rest of the line goes to ShellExecute. */
function emulateRundll32(args: readonly string[]): { opened: string | null; error?: string } {
  const line = windowsCommandLine(args);
  const prefix = "url.dll,FileProtocolHandler ";
  if (!line.startsWith(prefix)) return { opened: null, error: `unexpected ${line}` };
  return { opened: line.slice(prefix.length) };
}

// ---------------------------------------------------------------------------------------------
// Test fixtures

interface FakeOptions {
  mode?: Mode;
  exitCode?: number;
  hangMs?: number;
}

/** A directory of fake launchers and the file they record to. */
class Bench implements AsyncDisposable {
  readonly dir: string;
  readonly record: string;
  #selfPath = localPath(import.meta.url);

  constructor(dir: string) {
    this.dir = dir;
    this.record = `${dir}/record.jsonl`;
  }

  static async create(): Promise<Bench> {
    const bench = new Bench(await Deno.makeTempDir({ prefix: "aws-login-launch-" }));
    await Deno.mkdir(`${bench.dir}/bin`);
    return bench;
  }

  /** Writes a fake launcher; `path` is relative to the bench directory. */
  async fake(path: string, options: FakeOptions = {}): Promise<string> {
    const full = `${this.dir}/${path}`;
    await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
    const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
    const script = [
      "#!/bin/sh",
      `export FAKE_NAME=${quote(path.split("/").pop()!)} FAKE_MODE=${options.mode ?? "plain"}`,
      `export FAKE_RECORD=${quote(this.record)} FAKE_EXIT=${options.exitCode ?? 0}`,
      `export FAKE_HANG_MS=${options.hangMs ?? 0}`,
      `exec ${quote(Deno.execPath())} run --quiet --allow-all --no-lock ${
        quote(this.#selfPath)
      } "$@"`,
      "",
    ].join("\n");
    await Deno.writeTextFile(full, script, { mode: 0o755 });
    return full;
  }

  /** A `which` that finds executables in `bin/` only. */
  which = async (command: string): Promise<string | null> => {
    try {
      const info = await Deno.stat(`${this.dir}/bin/${command}`);
      return info.isFile ? `${this.dir}/bin/${command}` : null;
    } catch {
      return null;
    }
  };

  async launches(): Promise<Launch[]> {
    let text = "";
    try {
      text = await Deno.readTextFile(this.record);
    } catch {
      return [];
    }
    return text.split("\n").filter(Boolean).map((line) => JSON.parse(line) as Launch);
  }

  /** Deps for `openBrowser`: real spawn and file system, fake environment, `which` in `bin/`. */
  deps(os: OsName, env: Record<string, string> = {}) {
    return fakeDeps({ os, env, which: this.which });
  }

  /** Gather options that keep the real `/proc`, `/` and `/mnt/c` out of the test. */
  get factsOptions() {
    return {
      osReleasePath: `${this.dir}/osrelease`,
      dockerEnvPath: `${this.dir}/.dockerenv`,
      containerEnvPath: `${this.dir}/.containerenv`,
      wslSystem32Path: `${this.dir}/System32`,
    };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const launch of await this.launches()) {
      // Only a launcher still running: most ended long ago, and their pids may be another's now.
      killOwn(launch.pid, "SIGKILL", `FAKE_RECORD=${this.record}`);
    }
    await Deno.remove(this.dir, { recursive: true });
  }
}

const WSL_ENV = { WSL_DISTRO_NAME: "Ubuntu", WSL_INTEROP: "/run/WSL/8_interop" };

// ---------------------------------------------------------------------------------------------
// The emulator itself: it must catch wrong escaping, or the tests below prove nothing.

Deno.test("cmd.exe emulation opens what escapeForCmd() protects, and nothing else", () => {
  const cmd = (target: string, switches = ["/d", "/e:on", "/v:off"]) =>
    emulateCmd([...switches, "/c", "start", "", target]);
  for (const url of [URL_, HOSTILE_URL, "https://x/?a=%2F:b=c%", "https://x/%%41%"]) {
    assertEquals(cmd(escapeForCmd(url)), { opened: url }, url);
  }
  // Controls: the escaping that is commonly used, and near misses, change the URL.
  assertEquals(cmd(URL_).opened, null, "unescaped & cuts the command");
  assertEquals(
    cmd(URL_.replaceAll("&", "^&")).opened,
    "https://example.com/v1/authorize?a=1&b=[VAR:2F]25xy=z&state=abc",
  );
  const caretBeforeOnly = URL_.replaceAll("^", "^^").replaceAll("&", "^&").replaceAll("%", "^%");
  assertEquals(cmd(caretBeforeOnly), { opened: URL_ }, "enough here: no defined name ends in ^");
  assertTrue(
    cmd("https://x/?a=^%2F:b=c^%").opened !== "https://x/?a=%2F:b=c%",
    "but %name:a=b% looks up the name before the colon",
  );
  assertEquals(cmd(escapeForCmd(HOSTILE_URL), ["/d"]).opened !== HOSTILE_URL, true, "needs /v:off");
  assertEquals(cmd(`"${URL_}"`).opened, null, "a quoted URL gets \\\" from Deno's quoting");
});

Deno.test("PowerShell emulation reads the quoting browserCommands() writes", () => {
  const opened = emulatePowerShell([
    "-NoProfile",
    "-Command",
    "Start-Process 'https://x/?a=it''s'",
  ]);
  assertEquals(opened, { opened: "https://x/?a=it's" });
  assertEquals(emulatePowerShell(["-Command", "Start-Process 'https://x/?a=it's'"]).opened, null);
});

// ---------------------------------------------------------------------------------------------
// openBrowser() with real processes

interface LauncherCase {
  name: string;
  os: OsName;
  env?: Record<string, string>;
  /** Fakes to create, relative to the bench directory. */
  fakes: Record<string, FakeOptions>;
  /** The fake expected to open the URL. */
  expected: string;
}

const launcherCases: LauncherCase[] = [
  {
    name: "Linux: xdg-open",
    os: "linux",
    env: { DISPLAY: ":0" },
    fakes: { "bin/xdg-open": {}, "bin/gio": {} },
    expected: "xdg-open",
  },
  {
    name: "Linux: gio open",
    os: "linux",
    env: { DISPLAY: ":0" },
    fakes: { "bin/gio": {} },
    expected: "gio",
  },
  { name: "macOS: open", os: "darwin", fakes: { "bin/open": {} }, expected: "open" },
  {
    name: "WSL: wslview",
    os: "linux",
    env: WSL_ENV,
    fakes: { "bin/wslview": {}, "bin/cmd.exe": { mode: "cmd" } },
    expected: "wslview",
  },
  {
    name: "WSL: cmd.exe on PATH",
    os: "linux",
    env: WSL_ENV,
    fakes: { "bin/cmd.exe": { mode: "cmd" }, "bin/powershell.exe": { mode: "powershell" } },
    expected: "cmd.exe",
  },
  {
    name: "WSL: cmd.exe only under /mnt/c",
    os: "linux",
    env: WSL_ENV,
    fakes: { "System32/cmd.exe": { mode: "cmd" } },
    expected: "cmd.exe",
  },
  {
    name: "WSL: PowerShell",
    os: "linux",
    env: WSL_ENV,
    fakes: { "System32/WindowsPowerShell/v1.0/powershell.exe": { mode: "powershell" } },
    expected: "powershell.exe",
  },
  {
    name: "WSL: rundll32.exe",
    os: "linux",
    env: WSL_ENV,
    fakes: { "bin/rundll32.exe": { mode: "rundll32" } },
    expected: "rundll32.exe",
  },
  {
    name: "Windows: rundll32",
    os: "windows",
    fakes: { "bin/rundll32.exe": { mode: "rundll32" }, "bin/cmd.exe": { mode: "cmd" } },
    expected: "rundll32.exe",
  },
  {
    name: "Windows: cmd.exe when rundll32 fails",
    os: "windows",
    fakes: {
      "bin/rundll32.exe": { mode: "rundll32", exitCode: 1 },
      "bin/cmd.exe": { mode: "cmd" },
    },
    expected: "cmd.exe",
  },
];

for (const testCase of launcherCases) {
  for (const url of [URL_, HOSTILE_URL]) {
    const which = url === URL_ ? "the authorize URL" : "a hostile URL";
    posixTest(`openBrowser() ${testCase.name} gets ${which} intact`, async () => {
      await using bench = await Bench.create();
      for (const [path, options] of Object.entries(testCase.fakes)) await bench.fake(path, options);
      const deps = bench.deps(testCase.os, { ...testCase.env, SystemRoot: `${bench.dir}/nowhere` });
      const result = await openBrowser(deps, url, { factsOptions: bench.factsOptions });
      const launches = await bench.launches();
      const last = launches.at(-1);
      assertTrue(result.opened, JSON.stringify({ result, launches }));
      assertEquals(last?.name, testCase.expected);
      assertEquals(result.command?.[0]?.split("/").pop(), testCase.expected);
      assertEquals(last?.opened, url, JSON.stringify(last));
    });
  }
}

posixTest("openBrowser() tries the next launcher when one exits with an error", async () => {
  await using bench = await Bench.create();
  await bench.fake("bin/xdg-open", { exitCode: 3 });
  await bench.fake("bin/gio");
  const deps = bench.deps("linux", { DISPLAY: ":0" });
  const result = await openBrowser(deps, URL_, { factsOptions: bench.factsOptions });
  assertEquals(result.opened, true);
  assertEquals(result.command, [`${bench.dir}/bin/gio`, "open", "--", URL_]);
  assertEquals(result.errors, ['"xdg-open" exited with code 3']);
  assertEquals((await bench.launches()).map((launch) => launch.name), ["xdg-open", "gio"]);
});

posixTest("openBrowser() reports failure when every launcher fails", async () => {
  await using bench = await Bench.create();
  await bench.fake("bin/wslview", { exitCode: 1 });
  await bench.fake("bin/cmd.exe", { mode: "cmd", exitCode: 1 });
  const deps = bench.deps("linux", WSL_ENV);
  const result = await openBrowser(deps, URL_, { factsOptions: bench.factsOptions });
  assertEquals(result, {
    opened: false,
    errors: ['"wslview" exited with code 1', '"cmd.exe" exited with code 1'],
  });
});

posixTest(
  "openBrowser() with no launcher at all reports failure without running anything",
  async () => {
    await using bench = await Bench.create();
    const deps = bench.deps("linux", { DISPLAY: ":0" });
    const result = await openBrowser(deps, URL_, { factsOptions: bench.factsOptions });
    assertEquals(result, { opened: false, errors: [] });
    assertEquals(deps.spawned, []);
  },
);

posixTest("openBrowser() goes on when a launcher cannot be started", async () => {
  await using bench = await Bench.create();
  await bench.fake("bin/xdg-open");
  const deps = bench.deps("linux", { DISPLAY: ":0", BROWSER: `${bench.dir}/missing-browser` });
  const result = await openBrowser(deps, URL_, { factsOptions: bench.factsOptions });
  assertEquals(result.opened, true);
  assertEquals(result.command?.[0], `${bench.dir}/bin/xdg-open`);
  assertEquals(result.errors.length, 1);
  assertStringIncludes(result.errors[0]!, 'Cannot run "missing-browser"');
});

posixTest("openBrowser() moves on from a launcher that hangs", async () => {
  await using bench = await Bench.create();
  await bench.fake("bin/wslview", { hangMs: 3000 });
  await bench.fake("bin/cmd.exe", { mode: "cmd" });
  const deps = bench.deps("linux", WSL_ENV);
  const result = await openBrowser(deps, URL_, {
    factsOptions: bench.factsOptions,
    timeoutMs: 1000,
  });
  assertEquals(result.opened, true);
  assertEquals(result.command?.[0], `${bench.dir}/bin/cmd.exe`);
  assertEquals(result.errors, ['"wslview" did not finish within 1000 ms']);
  assertEquals((await bench.launches()).map((launch) => launch.opened), [URL_, URL_]);
});

posixTest(
  "openBrowser() takes a BROWSER command still running at the timeout as opened",
  async () => {
    await using bench = await Bench.create();
    const browser = await bench.fake("firefox", { hangMs: 3000 });
    await bench.fake("bin/xdg-open");
    const deps = bench.deps("linux", { DISPLAY: ":0", BROWSER: `${browser} --new-tab %s` });
    const result = await openBrowser(deps, URL_, {
      factsOptions: bench.factsOptions,
      timeoutMs: 1000,
    });
    assertEquals(result, { opened: true, command: [browser, "--new-tab", URL_], errors: [] });
    assertEquals((await bench.launches()).map((launch) => launch.name), ["firefox"]);
  },
);

posixTest(
  "openBrowser() with BROWSER=true and BROWSER=echo succeeds without a browser",
  async () => {
    await using bench = await Bench.create();
    await bench.fake("bin/xdg-open");
    for (const program of ["true", "echo"]) {
      const deps = bench.deps("linux", { BROWSER: program });
      const result = await openBrowser(deps, URL_, { factsOptions: bench.factsOptions });
      assertEquals(result, { opened: true, command: [program, URL_], errors: [] });
    }
    assertEquals(await bench.launches(), []);
  },
);

posixTest("openBrowser() with --browser does not fall back to the system browser", async () => {
  await using bench = await Bench.create();
  await bench.fake("bin/xdg-open");
  const failing = await bench.fake("work-browser", { exitCode: 4 });
  const deps = bench.deps("linux", { DISPLAY: ":0", BROWSER: "chromium" });
  const result = await openBrowser(deps, URL_, {
    browserFlag: `${failing} --profile work`,
    factsOptions: bench.factsOptions,
  });
  assertEquals(result.opened, false);
  assertEquals(result.errors[0], '"work-browser" exited with code 4');
  assertEquals((await bench.launches()).map((launch) => launch.argv), [[
    "--profile",
    "work",
    URL_,
  ]]);
});
