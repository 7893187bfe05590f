import { assertEquals, assertTrue } from "../support/assert.ts";
import {
  displayWidth,
  fitColumns,
  formatClock,
  renderWaitLine,
  SPINNER_FRAMES,
  type WaitLineState,
} from "../../lib/cli/wait_line.ts";

const SAME_DEVICE: WaitLineState = {
  frame: 0,
  label: "Waiting for the browser sign-in",
  shortLabel: "Waiting for sign-in",
  secondsLeft: 598,
};

Deno.test("renderWaitLine() fits in width - 1 columns at every width from 20 to 200", () => {
  const states: WaitLineState[] = [
    SAME_DEVICE,
    { ...SAME_DEVICE, secondsLeft: 24 * 3600 }, // the longest clock: 1440:00
    { ...SAME_DEVICE, secondsLeft: 0 },
    { frame: 7, label: "Waiting for the authorization code", secondsLeft: 61 },
    { frame: 3, label: "Warte auf die Anmeldung im Browser", secondsLeft: 5 },
    { frame: 4, label: "ブラウザでのサインインを待っています", secondsLeft: 300 }, // wide characters
  ];
  for (const state of states) {
    let previous = -1;
    for (let width = 20; width <= 200; width++) {
      const line = renderWaitLine(state, width);
      assertTrue(
        displayWidth(line) <= width - 1,
        `${displayWidth(line)} columns at width ${width}: ${line}`,
      );
      // deno-lint-ignore no-control-regex
      assertEquals(/[\r\n\x1b]/.test(line), false);
      // The spinner and the time left are always there; wider never says less.
      assertTrue(line.startsWith(SPINNER_FRAMES[state.frame % SPINNER_FRAMES.length]!));
      assertTrue(line.includes(formatClock(state.secondsLeft)), line);
      assertTrue(
        displayWidth(line) >= previous,
        `width ${width} says less than width ${width - 1}`,
      );
      previous = displayWidth(line);
    }
  }
});

Deno.test("renderWaitLine() says less when narrow", () => {
  const table: [number, string][] = [
    [200, "⠋ Waiting for the browser sign-in: 9:58 left (Ctrl-C to cancel)"],
    [64, "⠋ Waiting for the browser sign-in: 9:58 left (Ctrl-C to cancel)"],
    [63, "⠋ Waiting for the browser sign-in: 9:58 left"],
    [45, "⠋ Waiting for the browser sign-in: 9:58 left"],
    [44, "⠋ Waiting for sign-in: 9:58 left"],
    [40, "⠋ Waiting for sign-in: 9:58 left"],
    [33, "⠋ Waiting for sign-in: 9:58 left"],
    [32, "⠋ Waiting: 9:58 left"],
    [21, "⠋ Waiting: 9:58 left"],
    [20, "⠋ 9:58 left"],
    [12, "⠋ 9:58 left"],
    [11, "⠋ 9:58"],
    [7, "⠋ 9:58"],
    [6, "⠋"],
    [1, ""],
    [0, ""],
  ];
  for (const [width, line] of table) {
    assertEquals(renderWaitLine(SAME_DEVICE, width), line, `${width}`);
  }
  assertEquals(renderWaitLine({ ...SAME_DEVICE, frame: 11 }, 20), "⠙ 9:58 left");
});

Deno.test("displayWidth() counts columns, not code units", () => {
  const table: [string, number][] = [
    ["", 0],
    ["abc", 3],
    ["⠋", 1],
    ["é", 1],
    ["e\u0301", 1], // e and a combining accent
    ["日本語", 6],
    ["한국", 4],
    ["🙂", 2],
    ["\x1b", 0],
  ];
  for (const [text, width] of table) assertEquals(displayWidth(text), width, JSON.stringify(text));
  assertEquals(fitColumns("日本語", 5), "日本");
  assertEquals(fitColumns("abc", 10), "abc");
});
