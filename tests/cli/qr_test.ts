import { assertEquals, assertNotEquals, assertTrue } from "../support/assert.ts";
import { qrDimensions, qrMatrix, QUIET_ZONE, renderQr } from "../../lib/cli/qr.ts";
import { createAuthorizationRequest } from "../../lib/signin/authorization.ts";
import { decodeModules, modulesFromText } from "../support/qr.ts";

async function authorizeUrl(region: string): Promise<string> {
  const base = `https://${region}.signin.aws.amazon.com`;
  const request = await createAuthorizationRequest(`${base}/v1/authorize`, {
    clientKind: "cross-device",
    redirectUri: `${base}/v1/sessions/confirmation`,
    state: crypto.randomUUID(),
  });
  return request.url;
}

/** The matrix with its quiet zone, as the drawing must show it. */
function withQuietZone(matrix: { size: number; get(x: number, y: number): boolean }): boolean[][] {
  const side = matrix.size + 2 * QUIET_ZONE;
  return Array.from({ length: side }, (_, y) =>
    Array.from({ length: side }, (_, x) => {
      const [mx, my] = [x - QUIET_ZONE, y - QUIET_ZONE];
      return mx >= 0 && my >= 0 && mx < matrix.size && my < matrix.size && matrix.get(mx, my);
    }));
}

Deno.test("renderQr() draws every module, and the drawing decodes back to the URL", async () => {
  const urls = [
    "https://example.com/",
    "http://127.0.0.1:8787/v1/authorize?a=1&b=%20x",
    await authorizeUrl("us-east-1"),
    await authorizeUrl("ap-southeast-2"),
  ];
  for (const url of urls) {
    const matrix = qrMatrix(url);
    for (const color of [true, false]) {
      const lines = renderQr(matrix, { color });
      const { columns, rows } = qrDimensions(matrix.size);
      assertEquals(lines.length, rows);
      for (const line of lines) {
        // deno-lint-ignore no-control-regex
        assertEquals([...line.replace(/\x1b\[[0-9;]*m/g, "")].length, columns);
      }
      const modules = modulesFromText(lines, { color });
      // An odd number of module rows: the last half-line is quiet zone too.
      assertEquals(modules.slice(0, columns), withQuietZone(matrix), `${url} color=${color}`);
      assertTrue(modules.slice(columns).every((row) => row.every((dark) => !dark)));
      assertEquals(decodeModules(modules), url, `${url} color=${color}`);
    }
  }
});

Deno.test("a wrong drawing does not decode: the test above would catch it", () => {
  const url = "https://us-east-1.signin.aws.amazon.com/v1/authorize?state=x";
  const lines = renderQr(qrMatrix(url), { color: true });
  const swapped = lines.map((line) => line.replace(/[▀▄]/g, (char) => char === "▀" ? "▄" : "▀"));
  assertNotEquals(decodeModules(modulesFromText(swapped, { color: true })), url);
  // Read with the other convention, the code is inverted: not read as dark-on-light.
  assertEquals(decodeModules(modulesFromText(lines, { color: false })), null);
});

Deno.test("qrDimensions() of an authorize URL fit a 100x60 terminal, not 80x24", async () => {
  const { columns, rows } = qrDimensions(qrMatrix(await authorizeUrl("us-east-1")).size);
  assertTrue(columns < 100 && rows < 60, `${columns}x${rows}`);
  assertTrue(columns > 40, `${columns}x${rows}`);
});
