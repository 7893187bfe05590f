/**
 * Asking for a secret on the terminal, such as an MFA code: the terminal is put in raw mode so
 * that nothing typed is echoed (not even as `*`), and only a terminal is ever asked. A pure
 * editor ({@link editSecret}) turns keys into the answer; {@link askSecret} feeds it.
 *
 * @module
 */

import type { Deps } from "../runtime/deps.ts";
import { UsageError } from "../errors.ts";
import { canPrompt } from "./prompt.ts";
import { readKeys } from "./line_editor.ts";

/** What a key did to the secret being typed. */
export interface SecretStep {
  readonly text: string;
  /** Set when the answer is over: Enter, Ctrl-C, or Ctrl-D on an empty answer. */
  readonly done?: "submit" | "cancel" | "eof";
}

/**
 * Applies one key (pure): printable characters are appended, Backspace deletes the last one,
 * Ctrl-U everything; Enter submits, Ctrl-C cancels, Ctrl-D on an empty answer ends the input.
 * Escape sequences and other control keys are ignored. Nothing is ever echoed.
 *
 * @example
 * ```ts
 * editSecret("12", "3"); // { text: "123" }
 * editSecret("123", "\r"); // { text: "123", done: "submit" }
 * ```
 */
export function editSecret(text: string, key: string): SecretStep {
  switch (key) {
    case "\r":
    case "\n":
      return { text, done: "submit" };
    case "\x03":
      return { text, done: "cancel" };
    case "\x04":
      return text === "" ? { text, done: "eof" } : { text };
    case "\x7f":
    case "\b":
      return { text: [...text].slice(0, -1).join("") };
    case "\x15":
      return { text: "" };
  }
  const code = key.codePointAt(0) ?? 0;
  if (key.startsWith("\x1b") || code < 0x20 || code === 0x7f) return { text };
  return { text: text + key };
}

/**
 * Writes the question to stderr and reads an answer from the terminal without echoing it;
 * `null` at end of input, `undefined` when there is no terminal to ask (or it cannot be put in
 * raw mode, where typing would show). Ctrl-C rejects with an {@link InterruptedError}; the
 * terminal is always put back as it was.
 *
 * @example
 * ```ts ignore
 * const code = await askSecret(deps, "Enter MFA code for arn:aws:iam::123456789012:mfa/alice: ");
 * ```
 */
export async function askSecret(
  deps: Pick<Deps, "stdin" | "stderr">,
  question: string,
): Promise<string | null | undefined> {
  const raw = canPrompt(deps) ? deps.stdin.raw() : undefined;
  if (raw === undefined) return undefined;
  using keys = raw;
  deps.stderr.write(question);
  const end = await readKeys(keys, deps.stderr, "", (text, key) => {
    const step = editSecret(text, key);
    // Nothing typed is echoed; the answer ends its line.
    if (step.done === undefined) return { state: step.text, echo: "" };
    return { state: step.text, echo: "\r\n", done: step.done };
  });
  if (end.done === "eof" || (end.done === "end" && end.state === "")) return null;
  return end.state;
}

/** How many times a malformed MFA code is asked for again. */
export const MFA_ATTEMPTS = 3;

/**
 * Asks `Enter MFA code for <serial>: ` (botocore's words) on the terminal, without echo, and takes
 * a code of 6 digits, asking again after a malformed one (at most {@link MFA_ATTEMPTS} times).
 *
 * @example
 * ```ts ignore
 * const code = await askMfaCode(deps, "arn:aws:iam::123456789012:mfa/alice"); // "123456"
 * ```
 */
export async function askMfaCode(
  deps: Pick<Deps, "stdin" | "stderr">,
  serial: string,
): Promise<string> {
  for (let attempt = 1;; attempt++) {
    const answer = await askSecret(deps, `Enter MFA code for ${serial}: `);
    if (answer === undefined) {
      throw new UsageError("Cannot ask for the MFA code: the terminal cannot hide what is typed", {
        code: "MFA_NO_RAW_TERMINAL",
      });
    }
    if (answer === null) {
      throw new UsageError("No MFA code was entered", { code: "MFA_CODE_MISSING" });
    }
    const code = answer.trim();
    if (/^\d{6}$/.test(code)) return code;
    if (attempt >= MFA_ATTEMPTS) {
      throw new UsageError("The MFA code must be the 6 digits your device shows", {
        code: "MFA_CODE_INVALID",
      });
    }
    deps.stderr.write("The MFA code is the 6 digits your device shows; try again\n");
  }
}
