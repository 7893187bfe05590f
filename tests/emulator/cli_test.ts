import { banner, parseEmulatorArgs, UsageError } from "../../scripts/emulator/args.ts";
import {
  assertEquals,
  assertMatch,
  assertStringIncludes,
  assertThrows,
} from "../support/assert.ts";
import { repoPath } from "../support/paths.ts";

Deno.test("parseEmulatorArgs() defaults", () => {
  assertEquals(parseEmulatorArgs([]), {
    kind: "run",
    options: { port: 8787, regions: ["us-east-1"], approval: "page" },
  });
});

Deno.test("parseEmulatorArgs() reads every option in both spellings", () => {
  assertEquals(
    parseEmulatorArgs([
      "--port=9000",
      "--region",
      "us-east-1,eu-west-1",
      "--region=ap-south-1",
      "--approval",
      "auto",
      "--session-arn",
      "arn:aws:iam::123456789012:user/bob",
      "--refresh-idempotency=strict",
    ]),
    {
      kind: "run",
      options: {
        port: 9000,
        regions: ["us-east-1", "eu-west-1", "ap-south-1"],
        approval: "auto",
        sessionArn: "arn:aws:iam::123456789012:user/bob",
        refreshIdempotency: "strict",
      },
    },
  );
  assertEquals(parseEmulatorArgs(["--refresh-idempotency", "window"]), {
    kind: "run",
    options: {
      port: 8787,
      regions: ["us-east-1"],
      approval: "page",
      refreshIdempotency: "window",
    },
  });
  assertEquals(parseEmulatorArgs(["--help"]), { kind: "help" });
  assertEquals(parseEmulatorArgs(["-h", "--bogus"]), { kind: "help" });
});

Deno.test("parseEmulatorArgs() refuses mistakes", () => {
  const cases: Array<[string[], string]> = [
    [["--port"], "needs a value"],
    [["--port", "http"], "port number"],
    [["--port", "65536"], "port number"],
    [["--port", "65535", "--region", "us-east-1,us-west-2"], "no room"],
    [["--region", "US-EAST-1"], "not a region name"],
    [["--region", "us-east-1,us-east-1"], "twice"],
    [["--approval", "manual"], '"auto" or "page"'],
    [["--refresh-idempotency", "lax"], '"window" or "strict"'],
    [["--refresh-idempotency"], "needs a value"],
    [["--verbose"], 'Unknown argument "--verbose"'],
  ];
  for (const [args, message] of cases) {
    assertThrows(() => parseEmulatorArgs(args), UsageError, message);
  }
});

Deno.test("banner() tells how to point clients at the emulator", () => {
  const text = banner(
    { "us-east-1": "http://127.0.0.1:8787", "eu-west-1": "http://127.0.0.1:8788" },
    {
      approval: "page",
      refreshIdempotency: "strict",
      sessionArn: "arn:aws:sts::123456789012:assumed-role/Admin/alice",
    },
  );
  assertStringIncludes(text, "(approval: page, refresh idempotency: strict)");
  assertStringIncludes(text, "export AWS_ENDPOINT_URL_SIGNIN=http://127.0.0.1:8787\n");
  assertStringIncludes(text, "export AWS_ENDPOINT_URL_STS=http://127.0.0.1:8787\n");
  assertStringIncludes(text, "export AWS_REGION=us-east-1\n");
  assertStringIncludes(text, "  eu-west-1  http://127.0.0.1:8788\n");
});

const SCRIPT = repoPath("scripts/emulator.ts");

function emulatorCommand(args: string[]): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-env", SCRIPT, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

Deno.test("scripts/emulator.ts prints usage errors and help on stderr", async () => {
  const bad = await emulatorCommand(["--approval", "maybe"]).output();
  assertEquals(bad.code, 2);
  assertEquals(bad.stdout.length, 0);
  assertStringIncludes(new TextDecoder().decode(bad.stderr), "Usage: deno task emulator");
  const help = await emulatorCommand(["--help"]).output();
  assertEquals(help.code, 0);
  assertEquals(help.stdout.length, 0);
  assertStringIncludes(new TextDecoder().decode(help.stderr), "--approval MODE");
  assertStringIncludes(new TextDecoder().decode(help.stderr), "--refresh-idempotency MODE");
});

Deno.test("scripts/emulator.ts serves until SIGTERM", {
  ignore: Deno.build.os === "windows",
}, async () => {
  const child = emulatorCommand([
    "--port",
    "0",
    "--region",
    "us-east-1,eu-west-1",
    "--approval",
    "auto",
    "--refresh-idempotency",
    "strict",
  ])
    .spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("Press Ctrl-C to stop.")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  const url = /AWS_ENDPOINT_URL_SIGNIN=(http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1] ?? "";
  assertMatch(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assertStringIncludes(text, "approval: auto");
  const state = await (await fetch(`${url}/_emulator/state`)).json() as {
    regions: Record<string, string>;
    refreshIdempotency: string;
  };
  assertEquals(Object.keys(state.regions), ["us-east-1", "eu-west-1"]);
  assertEquals(state.refreshIdempotency, "strict");
  child.kill("SIGTERM");
  while (true) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  const status = await child.status;
  assertEquals(status.code, 0);
  assertStringIncludes(text, "us-east-1 GET /_emulator/state -> 200");
  assertEquals((await new Response(child.stdout).arrayBuffer()).byteLength, 0);
});
