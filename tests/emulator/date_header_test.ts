/**
 * The `Date` header of every answer tells the emulator's clock (`now`), so that a test can show a
 * client the clock skew it would see against a server whose clock differs from its own.
 */

import { startEmulator } from "../../scripts/emulator/mod.ts";
import { assertEquals } from "../support/assert.ts";

Deno.test("emulator: the Date header follows the emulator's clock, on every route", async () => {
  let clock = Date.parse("2026-11-26T10:00:00Z");
  await using emulator = await startEmulator({ now: () => clock });
  const dates: string[] = [];
  for (
    const [path, init] of [
      ["/", { method: "GET" }],
      ["/v1/token", { method: "POST", body: "{}" }],
      ["/v1/revoke?x-amz-client-auth-method=iam", { method: "POST", body: "{}" }],
      ["/no-such-path", { method: "GET" }],
    ] as const
  ) {
    const response = await fetch(`${emulator.url}${path}`, init);
    await response.body?.cancel();
    dates.push(response.headers.get("date") ?? "");
  }
  assertEquals(dates, Array(4).fill("Thu, 26 Nov 2026 10:00:00 GMT"));
  clock += 10 * 60_000 + 1_500;
  const response = await fetch(`${emulator.url}/`);
  await response.body?.cancel();
  assertEquals(response.headers.get("date"), "Thu, 26 Nov 2026 10:10:01 GMT");
});
