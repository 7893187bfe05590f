import { assertEquals } from "../support/assert.ts";
import { LineReader } from "../../lib/runtime/line_reader.ts";

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return ReadableStream.from(chunks.map((chunk) => encoder.encode(chunk)));
}

Deno.test("LineReader splits LF and CRLF lines across chunk borders", async () => {
  const reader = new LineReader(streamOf("fir", "st\r\nsec", "ond\n", "last"));
  assertEquals(await reader.readLine(), "first");
  assertEquals(await reader.readLine(), "second");
  assertEquals(await reader.readLine(), "last");
  assertEquals(await reader.readLine(), null);
  assertEquals(await reader.readLine(), null);
});

Deno.test("LineReader serves concurrent calls in order", async () => {
  const reader = new LineReader(streamOf("a\nb\n"));
  const [a, b, c] = await Promise.all([reader.readLine(), reader.readLine(), reader.readLine()]);
  assertEquals([a, b, c], ["a", "b", null]);
});
