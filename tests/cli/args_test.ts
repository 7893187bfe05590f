import { assertEquals, assertMatch, assertThrows, assertTrue } from "../support/assert.ts";
import { parseCommandLine, parseDuration, parsePort } from "../../lib/cli/args.ts";
import { UsageError } from "../../lib/errors.ts";

Deno.test("parseCommandLine() reads login flags like aws-cli plus ours", () => {
  assertEquals(parseCommandLine(["login"]), {
    name: "login",
    profile: undefined,
    region: undefined,
    endpointUrl: undefined,
    redirectPort: undefined,
    timeoutSeconds: 600,
    route: "auto",
    browser: undefined,
    qr: true,
    copy: false,
    yes: false,
  });
  assertEquals(
    parseCommandLine([
      "login",
      "--profile",
      "dev",
      "--region=eu-west-1",
      "--endpoint-url",
      "http://127.0.0.1:1",
      "--redirect-port",
      "8400",
      "--timeout",
      "2m",
      "--remote",
      "--no-qr",
      "--copy",
      "--yes",
    ]),
    {
      name: "login",
      profile: "dev",
      region: "eu-west-1",
      endpointUrl: "http://127.0.0.1:1",
      redirectPort: 8400,
      timeoutSeconds: 120,
      route: "remote",
      browser: undefined,
      qr: false,
      copy: true,
      yes: true,
    },
  );
  assertEquals((parseCommandLine(["login", "-y"]) as { yes: boolean }).yes, true);
  const browser = parseCommandLine(["login", "--browser", "firefox %s", "--no-remote"]);
  assertEquals([browser.name, (browser as { route: string }).route], ["login", "browser"]);
  assertEquals(
    (parseCommandLine(["login", "--no-browser"]) as { route: string }).route,
    "no-browser",
  );
});

Deno.test("parseCommandLine() turns every mistake into a UsageError", () => {
  const bad: [string[], string][] = [
    [["logn"], 'Unknown command "logn"'],
    [["login", "--profil", "x"], "--profil"],
    [["login", "--remote", "--no-browser"], "cannot be used together"],
    [["login", "--remote", "--no-remote"], "cannot be used together"],
    [["login", "--redirect-port", "70000"], "Invalid port"],
    [["login", "--redirect-port", "http"], "Invalid port"],
    [
      ["login", "--timeout", "-1"],
      'Option "--timeout" needs a value, and "-1" looks like an option',
    ],
    [["login", "--timeout=-1"], "Invalid timeout"],
    [["login", "--profile", ""], "needs a value"],
    [["login", "extra"], 'Unexpected argument "extra"'],
    [["logout", "--all", "--profile", "x"], "cannot be used together"],
    [["export-credentials", "--format", "yaml"], 'Invalid format "yaml"'],
    [["configure"], ""],
    [["configure", "credential-process", "--profile", "p"], "--source-profile"],
    [
      ["configure", "credential-process", "--profile", "p", "--source-profile", "p"],
      "its own source",
    ],
    [["configure", "sso"], 'Unknown configure command "sso"'],
    [["configure", "--profile", "x"], 'Unknown option "--profile"'],
    [["completions"], 'Command "completions" needs a shell'],
    [["completions", "bahs"], 'Unknown shell "bahs": did you mean "bash"?'],
    [["completions", "bsh"], 'Unknown shell "bsh": did you mean "bash" or "zsh"?'],
    [["completions", "cmd"], 'Unknown shell "cmd": choose one of bash, zsh, fish, powershell'],
    [["constructor"], 'Unknown command "constructor"'],
  ];
  for (const [args, message] of bad) {
    if (args.length === 1 && args[0] === "configure") {
      assertEquals(parseCommandLine(args).name, "help");
      continue;
    }
    assertThrows(() => parseCommandLine(args), UsageError, message);
  }
});

Deno.test("parseCommandLine() knows help and version everywhere", () => {
  assertEquals(parseCommandLine([]), { name: "help", topic: undefined });
  assertEquals(parseCommandLine(["--help"]), { name: "help", topic: undefined });
  assertEquals(parseCommandLine(["help", "login"]), { name: "help", topic: "login" });
  assertEquals(parseCommandLine(["--help", "login"]), { name: "help", topic: "login" });
  assertEquals(parseCommandLine(["-h", "status"]), { name: "help", topic: "status" });
  assertEquals(parseCommandLine(["completions", "--help"]), { name: "help", topic: "completions" });
  assertEquals(parseCommandLine(["completions", "zsh"]), {
    name: "completions",
    shell: "zsh",
    profiles: false,
  });
  assertEquals(parseCommandLine(["completions", "--profiles"]), {
    name: "completions",
    shell: undefined,
    profiles: true,
  });
  assertEquals(parseCommandLine(["login", "-h"]), { name: "help", topic: "login" });
  assertEquals(parseCommandLine(["status", "--help"]), { name: "help", topic: "status" });
  assertEquals(parseCommandLine(["--version"]), { name: "version" });
  assertEquals(parseCommandLine(["export-credentials"]), {
    name: "export-credentials",
    profile: undefined,
    format: "process",
  });
});

Deno.test("parsePort() and parseDuration() accept only sensible values", () => {
  assertEquals(parsePort("1"), 1);
  assertEquals(parsePort("65535"), 65535);
  assertThrows(() => parsePort("0"), UsageError);
  assertEquals(parseDuration("90"), 90);
  assertEquals(parseDuration("90s"), 90);
  assertEquals(parseDuration("1.5m"), 90);
  assertEquals(parseDuration("1h"), 3600);
  assertThrows(() => parseDuration("0"), UsageError);
  assertThrows(() => parseDuration("25h"), UsageError);
  assertThrows(() => parseDuration("soon"), UsageError);
});

Deno.test("parseCommandLine() suggests the command or option that was meant", () => {
  // [command line, message, hint]
  const table: [string[], string, string][] = [
    [["lgoin"], 'Unknown command "lgoin": did you mean "login"?', 'Run "aws-login --help"'],
    [["logn"], 'Unknown command "logn": did you mean "login"?', ""],
    [["stauts"], 'Unknown command "stauts": did you mean "status"?', ""],
    [["export"], 'Unknown command "export": did you mean "export-credentials"?', ""],
    [
      ["exprot-credentials"],
      'Unknown command "exprot-credentials": did you mean "export-credentials"?',
      "",
    ],
    [["completion"], 'Unknown command "completion": did you mean "completions"?', ""],
    [["frobnicate"], 'Unknown command "frobnicate"', 'Run "aws-login --help" for all commands'],
    [["login", "--profle", "x"], 'Unknown option "--profle": did you mean "--profile"?', ""],
    [["login", "-profile", "x"], 'Unknown option "-profile": did you mean "--profile"?', ""],
    [["login", "--regoin=x"], 'Unknown option "--regoin": did you mean "--region"?', ""],
    [["login", "--no-borwser"], 'Unknown option "--no-borwser": did you mean "--no-browser"?', ""],
    [["login", "--time", "5"], 'Unknown option "--time": did you mean "--timeout"?', ""],
    [["login", "--frobnicate"], 'Unknown option "--frobnicate"', "aws-login login --help"],
    [["status", "--jsno"], 'Unknown option "--jsno": did you mean "--json"?', ""],
    [["logout", "--al"], 'Unknown option "--al": did you mean "--all"?', ""],
    [["export-credentials", "--format", "evn"], 'Invalid format "evn": did you mean "env"?', ""],
    [["export-credentials", "--format", "yaml"], 'Invalid format "yaml": choose one of', ""],
    // An option where the command belongs is called an option, not a command.
    [["--profle"], 'Unknown option "--profle"', 'Run "aws-login --help"'],
    [["--verison"], 'Unknown option "--verison": did you mean "--version"?', ""],
    [
      ["--profile", "dev", "login"],
      'Option "--profile" goes after the command',
      "For example: aws-login login --profile dev",
    ],
    [["--remote"], 'Option "--remote" goes after the command', "For example: aws-login login"],
  ];
  for (const [args, message, hint] of table) {
    const error = assertThrows(() => parseCommandLine(args), UsageError);
    assertEquals(error.exitCode, 2);
    assertTrue(error.message.startsWith(message), `${args.join(" ")}: ${error.message}`);
    assertTrue((error.hint ?? "").includes(hint), `${args.join(" ")}: ${error.hint}`);
  }
});

Deno.test("CLI messages quote names in double quotes and start with a capital", () => {
  const mistakes: string[][] = [
    ["nope"],
    ["--nope"],
    ["login", "--nope"],
    ["login", "--profile"],
    ["login", "--remote=yes"],
    ["login", "--remote", "--no-browser"],
    ["login", "--redirect-port", "x"],
    ["login", "--timeout", "x"],
    ["login", "extra"],
    ["logout", "--all", "--profile", "p"],
    ["configure", "credential-process"],
    ["configure", "x"],
    ["completions", "x"],
  ];
  for (const args of mistakes) {
    const error = assertThrows(() => parseCommandLine(args), UsageError);
    assertMatch(error.message, /^[A-Z]/, error.message);
    assertEquals(/'/.test(error.message), false, error.message);
    assertEquals(/argument missing|ambiguous/.test(error.message), false, error.message);
    for (const flag of error.message.match(/(?<![\w"-])--?[a-z][a-z-]*/g) ?? []) {
      throw new Error(`Unquoted option ${flag} in: ${error.message}`);
    }
  }
  assertEquals(
    assertThrows(() => parseCommandLine(["login", "--profile"]), UsageError).message,
    'Option "--profile" needs a value',
  );
});

Deno.test("parseCommandLine() reads exec: its flags before --, the command after", () => {
  const cases: [string[], unknown][] = [
    [["exec", "--", "aws", "sts", "get-caller-identity"], {
      name: "exec",
      profile: undefined,
      server: true,
      argv: ["aws", "sts", "get-caller-identity"],
    }],
    [["exec", "--profile", "dev", "--no-server", "--", "terraform", "apply", "--auto-approve"], {
      name: "exec",
      profile: "dev",
      server: false,
      argv: ["terraform", "apply", "--auto-approve"],
    }],
    // After "--" everything is the command's, "--" and "--help" included.
    [["exec", "--", "sh", "-c", "echo -- --help", "--"], {
      name: "exec",
      profile: undefined,
      server: true,
      argv: ["sh", "-c", "echo -- --help", "--"],
    }],
    [["exec", "--help"], { name: "help", topic: "exec" }],
    [["exec", "-h", "aws"], { name: "help", topic: "exec" }],
    [["exec", "--profile", "dev", "--help", "--", "x"], { name: "help", topic: "exec" }],
  ];
  for (const [args, expected] of cases) {
    assertEquals(parseCommandLine(args), expected, args.join(" "));
  }
});

Deno.test("parseCommandLine() refuses an exec without -- or without a command", () => {
  const bad: [string[], string][] = [
    [["exec", "aws", "sts", "get-caller-identity"], 'Missing "--" before the command to run'],
    [["exec"], 'Missing "--" before the command to run'],
    [["exec", "--profile", "dev"], 'Missing "--"'],
    [["exec", "--"], 'Missing the command to run after "--"'],
    [["exec", "--", ""], "Missing the command"],
    [["exec", "aws", "--", "sts"], 'Unexpected argument "aws" before "--"'],
    [["exec", "--bogus", "--", "aws"], 'Unknown option "--bogus"'],
    [["exec", "--profile", "--", "aws"], "--profile"],
  ];
  for (const [args, message] of bad) {
    const error = assertThrows(() => parseCommandLine(args), UsageError, message);
    assertEquals(error.exitCode, 2);
  }
});

Deno.test("parseCommandLine() reads serve", () => {
  assertEquals(parseCommandLine(["serve"]), {
    name: "serve",
    profile: undefined,
    port: 0,
    address: "127.0.0.1",
    tokenFile: undefined,
  });
  assertEquals(
    parseCommandLine([
      "serve",
      "--profile=dev",
      "--port",
      "9911",
      "--address",
      "0.0.0.0",
      "--token-file",
      "/run/token",
    ]),
    { name: "serve", profile: "dev", port: 9911, address: "0.0.0.0", tokenFile: "/run/token" },
  );
  assertEquals(
    (parseCommandLine(["serve", "--address", "[::1]"]) as { address: string }).address,
    "::1",
  );
  const bad: [string[], string][] = [
    [["serve", "--port", "0"], "Invalid port"],
    [["serve", "--port", "http"], "Invalid port"],
    [["serve", "--address", "localhost"], 'Invalid address "localhost"'],
    [["serve", "--address", "1.2.3.256"], "Invalid address"],
    [["serve", "--token-file", ""], "needs a value"],
    [["serve", "extra"], 'Unexpected argument "extra"'],
    [["serve", "--no-server"], 'Unknown option "--no-server"'],
  ];
  for (const [args, message] of bad) {
    assertThrows(() => parseCommandLine(args), UsageError, message);
  }
});
