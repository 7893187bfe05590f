/**
 * The MFA code prompt: a pure editor that never echoes, the terminal put back in cooked mode, and
 * no question at all without a terminal.
 */

import { assertEquals, assertRejects } from "../support/assert.ts";
import { captureOutput, rawKeysInput, scriptedInput } from "../support/fake_deps.ts";
import { askSecret, editSecret } from "../../lib/cli/secret_prompt.ts";
import { mfaCodePrompter } from "../../lib/cli/mfa_prompt.ts";
import { InterruptedError, UsageError } from "../../lib/errors.ts";
import type { Input } from "../../lib/runtime/deps.ts";

Deno.test("editSecret() edits the answer and ends it; nothing is echoed", () => {
  const type = (keys: string[]) => {
    let text = "";
    for (const key of keys) {
      const step = editSecret(text, key);
      text = step.text;
      if (step.done) return { text, done: step.done };
    }
    return { text, done: undefined };
  };
  const cases: [string[], { text: string; done: string | undefined }][] = [
    [["1", "2", "3", "\r"], { text: "123", done: "submit" }],
    [["1", "2", "\x7f", "3", "\n"], { text: "13", done: "submit" }],
    [["1", "2", "\x15", "9", "\r"], { text: "9", done: "submit" }],
    [["1", "\x1b[A", "\t", "2", "\r"], { text: "12", done: "submit" }],
    [["1", "\x03"], { text: "1", done: "cancel" }],
    [["\x04"], { text: "", done: "eof" }],
    [["1", "\x04", "2", "\r"], { text: "12", done: "submit" }],
  ];
  for (const [keys, expected] of cases) assertEquals(type(keys), expected, JSON.stringify(keys));
});

function terminal(stdin: Input) {
  return { stdin, stderr: captureOutput(true) };
}

Deno.test("askSecret() reads raw keys without echo and gives the terminal back", async () => {
  const stdin = rawKeysInput(["12", "34\x7f4", "56\rrest"]);
  const deps = terminal(stdin);
  assertEquals(await askSecret(deps, "Code: "), "123456");
  assertEquals(deps.stderr.text, "Code: \r\n");
  assertEquals(stdin.rawMode, false);
  // Without a terminal nothing is asked.
  const plain = { stdin: scriptedInput(["123456"]), stderr: captureOutput(false) };
  assertEquals(await askSecret(plain, "Code: "), undefined);
  assertEquals(plain.stderr.text, "");
  // Ctrl-C
  const cancelled = rawKeysInput(["1\x03"]);
  await assertRejects(() => askSecret(terminal(cancelled), "Code: "), InterruptedError);
  assertEquals(cancelled.rawMode, false);
});

Deno.test("mfaCodePrompter(): botocore's question, 6 digits, asked again after a bad one", async () => {
  assertEquals(
    mfaCodePrompter({ stdin: scriptedInput([]), stderr: captureOutput(true) }),
    undefined,
  );
  const deps = terminal(rawKeysInput(["12345\r", " 654321 \r"]));
  const ask = mfaCodePrompter(deps)!;
  assertEquals(await ask("arn:aws:iam::123456789012:mfa/alice"), "654321");
  assertEquals(
    deps.stderr.text,
    "Enter MFA code for arn:aws:iam::123456789012:mfa/alice: \r\n" +
      "The MFA code is the 6 digits your device shows; try again\n" +
      "Enter MFA code for arn:aws:iam::123456789012:mfa/alice: \r\n",
  );
  const wrong = mfaCodePrompter(terminal(rawKeysInput(["a\r", "b\r", "c\r"])))!;
  await assertRejects(() => wrong("x"), UsageError, "6 digits");
  const ended = mfaCodePrompter(terminal(rawKeysInput([])))!;
  await assertRejects(() => ended("x"), UsageError, "No MFA code was entered");
});
