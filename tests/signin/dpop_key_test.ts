import { assertEquals, assertMatch, assertRejects, assertTrue } from "../support/assert.ts";
import {
  DPoPKeyError,
  exportSec1Pem,
  generateDPoPKeyPair,
  importDPoPKeyPem,
  jwkThumbprint,
} from "../../lib/signin/dpop_key.ts";
import { decodeBase64 } from "../../lib/signin/base64.ts";
import { createPrivateKey } from "node:crypto";

/** The fixed test key of aws-cli's tests/unit/conftest.py (spec §8.3). */
const FIXTURE = "-----BEGIN EC PRIVATE KEY-----\n" +
  "MHcCAQEEIHjt7c+VnkIkN6RW7QgZPFNLb/9AZEhqSYYMtwrlLb3WoAoGCCqGSM49\n" +
  "AwEHoUQDQgAEv2FjRpMtADMZ4zoZxshV9chEkembgzZnXSUNe+DA8dKqXN/7qTcZ\n" +
  "jYJHKIi+Rn88zUGqCJo3DWF/X+ufVfdU2g==\n" +
  "-----END EC PRIVATE KEY-----\n";

function derOf(pem: string): Uint8Array {
  return decodeBase64(pem.split("\n").filter((line) => !line.startsWith("-----")).join(""));
}

Deno.test("importDPoPKeyPem() reads aws-cli's SEC1 fixture and yields its public point", async () => {
  const { publicKey } = await importDPoPKeyPem(FIXTURE);
  const jwk = await crypto.subtle.exportKey("jwk", publicKey);
  assertEquals(jwk.x, "v2FjRpMtADMZ4zoZxshV9chEkembgzZnXSUNe-DA8dI");
  assertEquals(jwk.y, "qlzf-6k3GY2CRyiIvkZ_PM1BqgiaNw1hf1_rn1X3VNo");
});

Deno.test("exportSec1Pem() round-trips the fixture byte for byte", async () => {
  const { privateKey } = await importDPoPKeyPem(FIXTURE);
  assertEquals(await exportSec1Pem(privateKey), FIXTURE);
});

Deno.test("exportSec1Pem() writes the 121-byte SEC1 layout with the curve OID", async () => {
  const { privateKey, publicKey } = await generateDPoPKeyPair();
  const pem = await exportSec1Pem(privateKey);
  assertMatch(
    pem,
    /^-----BEGIN EC PRIVATE KEY-----\n([A-Za-z0-9+/=]{1,64}\n)+-----END EC PRIVATE KEY-----\n$/,
  );
  const der = derOf(pem);
  assertEquals(der.length, 121);
  assertEquals(Array.from(der.slice(0, 7)), [0x30, 0x77, 0x02, 0x01, 0x01, 0x04, 0x20]);
  assertEquals(
    Array.from(der.slice(39, 56)),
    [
      0xa0,
      0x0a,
      0x06,
      0x08,
      0x2a,
      0x86,
      0x48,
      0xce,
      0x3d,
      0x03,
      0x01,
      0x07,
      0xa1,
      0x44,
      0x03,
      0x42,
      0x00,
    ],
  );
  assertEquals(der[56], 0x04);
  // The re-imported key signs what the original public key verifies.
  const again = await importDPoPKeyPem(pem);
  const data = new TextEncoder().encode("proof");
  const signature = await crypto.subtle.sign(
    { name: "ECDSA", hash: "SHA-256" },
    again.privateKey,
    data,
  );
  assertTrue(
    await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, publicKey, signature, data),
  );
  assertEquals(await jwkThumbprint(again.publicKey), await jwkThumbprint(publicKey));
});

Deno.test("exportSec1Pem() is readable by OpenSSL-compatible parsers (node:crypto)", async () => {
  const { privateKey, publicKey } = await generateDPoPKeyPair();
  const key = createPrivateKey({ key: await exportSec1Pem(privateKey), format: "pem" });
  const jwk = key.export({ format: "jwk" });
  const expected = await crypto.subtle.exportKey("jwk", publicKey);
  assertEquals([jwk.crv, jwk.x, jwk.y], ["P-256", expected.x, expected.y]);
});

Deno.test("importDPoPKeyPem() also accepts PKCS#8, as botocore and the JS SDK do", async () => {
  const { privateKey, publicKey } = await generateDPoPKeyPair();
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", privateKey));
  const pem = `-----BEGIN PRIVATE KEY-----\n${
    btoa(String.fromCharCode(...pkcs8))
  }\n-----END PRIVATE KEY-----\n`;
  const imported = await importDPoPKeyPem(pem);
  assertEquals(await jwkThumbprint(imported.publicKey), await jwkThumbprint(publicKey));
});

Deno.test("importDPoPKeyPem() rejects what is not a P-256 private key", async () => {
  await assertRejects(() => importDPoPKeyPem("garbage"), DPoPKeyError, "not a PEM");
  await assertRejects(
    () =>
      importDPoPKeyPem("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"),
    DPoPKeyError,
    "Unsupported key type",
  );
  await assertRejects(
    () => importDPoPKeyPem(FIXTURE.replace("MHcCAQEEIHjt", "MHcCAQEEIXjt")),
    DPoPKeyError,
  );
  const truncated = FIXTURE.split("\n").slice(0, 2).join("\n") + "\n-----END EC PRIVATE KEY-----\n";
  await assertRejects(() => importDPoPKeyPem(truncated), DPoPKeyError, "Truncated");
  // P-384 key in SEC1 form
  const p384 = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, true, [
    "sign",
  ]);
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", p384.privateKey));
  const pem = `-----BEGIN PRIVATE KEY-----\n${
    btoa(String.fromCharCode(...pkcs8))
  }\n-----END PRIVATE KEY-----\n`;
  await assertRejects(() => importDPoPKeyPem(pem), DPoPKeyError, "P-256");
});
