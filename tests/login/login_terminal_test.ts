/**
 * `login --remote` as a terminal shows it, run in process against the emulator: the QR code (read
 * back from what was written), the hyperlink and the clipboard, the deadline, and the prompt's
 * line ended before a timeout or Ctrl-C error.
 */

import { assertEquals, assertStringIncludes, assertTrue } from "../support/assert.ts";
import { type FakeDeps, fakeDeps, pushInput } from "../support/fake_deps.ts";
import { sandbox } from "../support/cli.ts";
import { run } from "../../lib/run.ts";
import { startEmulator } from "../../scripts/emulator/mod.ts";
import { decodeModules, modulesFromText } from "../support/qr.ts";
import type { ConsoleSize } from "../../lib/runtime/deps.ts";

// deno-lint-ignore no-control-regex
const URL_LINE = /^(?:\x1b\]8;;\S+\x1b\\)?(http:\/\/127\.0\.0\.1:\d+\/v1\/authorize\?[^\s\x1b]+)/m;
const PROMPT = "Enter the authorization code displayed in your browser: ";

async function until<T>(probe: () => T | undefined | false, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const value = probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

interface Terminal {
  deps: FakeDeps;
  stdin: ReturnType<typeof pushInput>;
  interrupt: () => void;
}

function terminal(
  home: string,
  endpoint: string,
  options: { size?: ConsoleSize; env?: Record<string, string>; stderrIsTerminal?: boolean } = {},
): Terminal {
  const stdin = pushInput(true);
  let handler: (() => void) | undefined;
  const base = fakeDeps({
    env: { HOME: home, AWS_ENDPOINT_URL_SIGNIN: endpoint, ...options.env },
    stdin,
    stderrIsTerminal: options.stderrIsTerminal ?? true,
    ...(options.size === undefined ? {} : { stderrSize: options.size }),
  });
  const deps: FakeDeps = {
    ...base,
    onInterrupt(h) {
      handler = h;
      return () => handler = undefined;
    },
  };
  return { deps, stdin, interrupt: () => handler?.() };
}

/** The lines of half-block characters in a text, as drawn. */
function qrLines(text: string): string[] {
  // deno-lint-ignore no-control-regex
  return text.split("\n").filter((line) => /^(\x1b\[[0-9;]*m)?[█▀▄ ]+(\x1b\[0m)?$/.test(line));
}

Deno.test("--remote on a big terminal draws the URL as a QR code that decodes to it", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const { deps, stdin } = terminal(box.home, emulator.url, { size: { columns: 120, rows: 60 } });
  const login = run(["login", "--remote", "--region", "us-east-1"], deps);
  await until(() => deps.stderr.text.includes(PROMPT), "the prompt");
  stdin.end();
  assertEquals(await login, 4);
  const text = deps.stderr.text;
  const url = text.match(URL_LINE)![1]!;
  const lines = qrLines(text);
  assertTrue(lines.length > 20, text);
  assertEquals(decodeModules(modulesFromText(lines, { color: true })), url);
  // The QR code first, then the URL in full on a line of its own, then the deadline and prompt.
  assertStringIncludes(text, "Scan the QR code with a phone, or visit the following URL:\n\n");
  assertTrue(text.indexOf(lines.at(-1)!) < text.indexOf(url));
  assertTrue(new RegExp(`\\n${url.replace(/[?.*+^$()[\]{}|\\]/g, "\\$&")}\\n`).test(text));
  assertTrue(/Sign in and paste the code within 10 minutes \(by \d\d:\d\d\)\.\n/.test(text), text);
});

Deno.test("--remote without colours draws the light modules, for a dark terminal", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const { deps, stdin } = terminal(box.home, emulator.url, {
    size: { columns: 100, rows: 60 },
    env: { NO_COLOR: "1" },
  });
  const login = run(["login", "--remote", "--region", "us-east-1"], deps);
  await until(() => deps.stderr.text.includes(PROMPT), "the prompt");
  stdin.end();
  assertEquals(await login, 4);
  const url = deps.stderr.text.match(URL_LINE)![1]!;
  assertEquals(deps.stderr.text.includes("\x1b["), false, "no colour");
  const lines = qrLines(deps.stderr.text);
  assertEquals(decodeModules(modulesFromText(lines, { color: false })), url);
});

Deno.test("--remote draws no QR code with --no-qr, off a terminal, or when it does not fit", async (t) => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const cases: [string, string[], Parameters<typeof terminal>[2], string | undefined][] = [
    ["--no-qr", ["--no-qr"], { size: { columns: 200, rows: 100 } }, undefined],
    ["not a terminal", [], { stderrIsTerminal: false }, undefined],
    ["size unknown", [], {}, undefined],
    ["TERM=dumb", [], { size: { columns: 200, rows: 100 }, env: { TERM: "dumb" } }, undefined],
    ["too narrow", [], { size: { columns: 40, rows: 100 } }, "this one is 40x100.)\n"],
    ["too short", [], { size: { columns: 200, rows: 30 } }, "this one is 200x30.)\n"],
  ];
  for (const [name, flags, options, note] of cases) {
    await t.step(name, async () => {
      const { deps, stdin } = terminal(box.home, emulator.url, options);
      const login = run(["login", "--remote", "--region", "us-east-1", ...flags], deps);
      await until(() => deps.stderr.text.includes(PROMPT), "the prompt");
      stdin.end();
      assertEquals(await login, 4);
      assertEquals(qrLines(deps.stderr.text), []);
      assertStringIncludes(deps.stderr.text, "Please visit the following URL:\n\n");
      if (note === undefined) assertEquals(deps.stderr.text.includes("QR code"), false);
      else assertStringIncludes(deps.stderr.text, note);
    });
  }
});

Deno.test("--copy sends the URL to the clipboard with OSC 52; hyperlinks where supported", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const { deps, stdin } = terminal(box.home, emulator.url, {
    env: { TERM_PROGRAM: "WezTerm" },
  });
  const login = run(["login", "--remote", "--copy", "--region", "us-east-1"], deps);
  await until(() => deps.stderr.text.includes(PROMPT), "the prompt");
  stdin.end();
  assertEquals(await login, 4);
  const url = deps.stderr.text.match(URL_LINE)![1]!;
  assertStringIncludes(deps.stderr.text, `\n\x1b]8;;${url}\x1b\\${url}\x1b]8;;\x1b\\\n`);
  const copied = btoa(url);
  assertStringIncludes(deps.stderr.text, `\x1b]52;c;${copied}\x07Sent the URL to the clipboard`);

  const piped = terminal(box.home, emulator.url, {
    stderrIsTerminal: false,
    env: { TERM_PROGRAM: "WezTerm" },
  });
  const plain = run(["login", "--remote", "--copy", "--region", "us-east-1"], piped.deps);
  await until(() => piped.deps.stderr.text.includes(PROMPT), "the prompt");
  piped.stdin.end();
  assertEquals(await plain, 4);
  assertEquals(piped.deps.stderr.text.includes("\x1b"), false, "no escape sequence off a terminal");
  assertStringIncludes(piped.deps.stderr.text, "--copy needs a terminal");
});

Deno.test("--remote: a timeout at the prompt lands on its own line and does not suggest --remote", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const { deps } = terminal(box.home, emulator.url);
  const login = run(["login", "--remote", "--region", "us-east-1", "--timeout", "0.3"], deps);
  await until(() => deps.stderr.text.includes(PROMPT), "the prompt");
  await deps.advance(300);
  assertEquals(await login, 4);
  assertStringIncludes(
    deps.stderr.text,
    `${PROMPT}\naws-login: Timed out after 0.3 seconds waiting for the sign-in to complete\n` +
      "Run the command again (use --timeout to wait longer)\n",
  );
});

Deno.test("--remote: Ctrl-C at the prompt starts the error on a new line", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const { deps, interrupt } = terminal(box.home, emulator.url);
  const login = run(["login", "--remote", "--region", "us-east-1"], deps);
  await until(() => deps.stderr.text.includes(PROMPT), "the prompt");
  interrupt();
  assertEquals(await login, 130);
  assertTrue(
    deps.stderr.text.endsWith(`${PROMPT}\naws-login: Sign-in cancelled\n`),
    deps.stderr.text,
  );
});

Deno.test("the switch to --remote says once that no browser is opened", async () => {
  await using emulator = await startEmulator();
  await using box = await sandbox();
  const { deps, stdin } = terminal(box.home, emulator.url, {
    env: { SSH_CONNECTION: "10.0.0.2 50000 10.0.0.1 22" },
  });
  const login = run(["login", "--region", "us-east-1"], deps);
  await until(() => deps.stderr.text.includes(PROMPT), "the prompt");
  stdin.end();
  assertEquals(await login, 4);
  assertStringIncludes(deps.stderr.text, "No browser can be opened here");
  assertEquals(deps.stderr.text.includes("Browser will not be automatically opened"), false);
});
