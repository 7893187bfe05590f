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
