import { assertEquals, assertThrows } from "../support/assert.ts";
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
    mode: "auto",
    browser: undefined,
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
    ]),
    {
      name: "login",
      profile: "dev",
      region: "eu-west-1",
      endpointUrl: "http://127.0.0.1:1",
      redirectPort: 8400,
      timeoutSeconds: 120,
      mode: "remote",
      browser: undefined,
    },
  );
  const browser = parseCommandLine(["login", "--browser", "firefox %s", "--no-remote"]);
  assertEquals([browser.name, (browser as { mode: string }).mode], ["login", "browser"]);
  assertEquals(
    (parseCommandLine(["login", "--no-browser"]) as { mode: string }).mode,
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
    [["login", "--timeout", "-1"], "ambiguous"],
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
    [["configure", "sso"], "Unknown configure command"],
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
    [["exec", "--bogus", "--", "aws"], "Unknown option '--bogus'"],
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
    [["serve", "--no-server"], "Unknown option '--no-server'"],
  ];
  for (const [args, message] of bad) {
    assertThrows(() => parseCommandLine(args), UsageError, message);
  }
});
