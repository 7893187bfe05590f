import { assertEquals, assertRejects, assertThrows, assertTrue } from "../support/assert.ts";
import { fakeDeps } from "../support/fake_deps.ts";
import {
  cacheFileName,
  cacheFilePath,
  formatExpiresAt,
  locationInDirectory,
  loginCacheDirectory,
  type LoginCacheEntry,
  parseCacheFile,
  parseExpiresAt,
  pythonJson,
  writeSession,
} from "../../lib/aws/login_cache.ts";
import { FileSystemError, LoginRequiredError } from "../../lib/errors.ts";

const ENTRY: LoginCacheEntry = {
  accessToken: {
    accessKeyId: "ASIAEXAMPLE",
    secretAccessKey: "secret/+=",
    sessionToken: "token",
    accountId: "012345678901",
    expiresAt: "2025-09-01T18:39:33Z",
  },
  tokenType: "aws_sigv4",
  clientId: "arn:aws:signin:::devtools/same-device",
  refreshToken: "ASORrefresh",
  idToken: "a.b.c",
  dpopKey: "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n",
  signInRegion: "eu-west-1",
};

Deno.test("cacheFileName() is the sha256 of the session ARN (spec §8.1 examples)", async () => {
  assertEquals(
    await cacheFileName("arn:aws:sts::012345678910:assumed-role/Admin/admin"),
    "4b0ba8f99f075c0633e122fd73346ce203a3faf18ea0310eb2d29df1bab2e255.json",
  );
  assertEquals(
    await cacheFileName("arn:aws:iam::0123456789012:user/Admin"),
    "36db1d138ff460920374e4c3d8e01f53f9f73537e89c88d639f68393df0e2726.json",
  );
});

Deno.test("loginCacheDirectory() honours AWS_LOGIN_CACHE_DIRECTORY with ~ and $VAR expansion", () => {
  assertEquals(
    loginCacheDirectory(fakeDeps({ env: { HOME: "/home/me" } })),
    "/home/me/.aws/login/cache",
  );
  assertEquals(
    loginCacheDirectory(
      fakeDeps({ env: { HOME: "/home/me", AWS_LOGIN_CACHE_DIRECTORY: "~/c/$USER", USER: "me" } }),
    ),
    "/home/me/c/me",
  );
  assertEquals(
    loginCacheDirectory(
      fakeDeps({
        env: { HOME: "/h", AWS_LOGIN_CACHE_DIRECTORY: "${A=B}/$UNSET/${}/c", UNSET: "" },
      }),
    ),
    "${A=B}//${}/c",
  );
  assertEquals(
    loginCacheDirectory(fakeDeps({ os: "windows", env: { USERPROFILE: "C:\\Users\\me" } })),
    "C:\\Users\\me\\.aws\\login\\cache",
  );
  assertThrows(() => loginCacheDirectory(fakeDeps({ env: {} })), FileSystemError, "home directory");
});

Deno.test("cacheFilePath() trims the session like the SDKs", async () => {
  const deps = fakeDeps({ env: { AWS_LOGIN_CACHE_DIRECTORY: "/c" } });
  assertEquals(
    await cacheFilePath(deps, " arn:aws:iam::0123456789012:user/Admin "),
    "/c/36db1d138ff460920374e4c3d8e01f53f9f73537e89c88d639f68393df0e2726.json",
  );
});

Deno.test("formatExpiresAt() and parseExpiresAt() speak every writer's timestamps", () => {
  assertEquals(formatExpiresAt(new Date("2025-09-01T18:39:33.999Z")), "2025-09-01T18:39:33Z");
  const cases: [string, string | undefined][] = [
    ["2025-09-01T18:39:33Z", "2025-09-01T18:39:33.000Z"],
    ["2025-09-01T18:39:33.5Z", "2025-09-01T18:39:33.500Z"],
    ["2025-09-01T18:39:33.123456789Z", "2025-09-01T18:39:33.123Z"],
    ["2025-09-01T20:39:33+02:00", "2025-09-01T18:39:33.000Z"],
    ["2025-09-01T18:39:33+0000", "2025-09-01T18:39:33.000Z"],
    ["2025-09-01 18:39:33z", "2025-09-01T18:39:33.000Z"],
    ["yesterday", undefined],
    ["2025-13-01T00:00:00Z", undefined],
  ];
  for (const [text, iso] of cases) assertEquals(parseExpiresAt(text)?.toISOString(), iso, text);
});

Deno.test("pythonJson() writes what aws-cli's json.dumps writes", () => {
  assertEquals(
    pythonJson({ a: 'é/"', b: [1, true, null], c: { d: "x" } }),
    '{"a": "\\u00e9/\\"", "b": [1, true, null], "c": {"d": "x"}}',
  );
  assertTrue(
    pythonJson(ENTRY).startsWith(
      '{"accessToken": {"accessKeyId": "ASIAEXAMPLE", "secretAccessKey": "secret/+="',
    ),
  );
  assertEquals(JSON.parse(pythonJson(ENTRY)), ENTRY);
});

Deno.test("parseCacheFile() names the file and the missing fields", () => {
  assertEquals(parseCacheFile(JSON.stringify(ENTRY), "/c/x.json").refreshToken, "ASORrefresh");
  const { refreshToken: _, ...noRefresh } = ENTRY;
  assertThrows(
    () => parseCacheFile(JSON.stringify(noRefresh), "/c/x.json"),
    LoginRequiredError,
    "refreshToken",
  );
  assertThrows(
    () =>
      parseCacheFile(
        JSON.stringify({ ...ENTRY, accessToken: { ...ENTRY.accessToken, accountId: "" } }),
        "/c/x.json",
      ),
    LoginRequiredError,
    "accessToken.accountId",
  );
  assertThrows(
    () => parseCacheFile(JSON.stringify(ENTRY).slice(0, 80), "/c/x.json"),
    LoginRequiredError,
    "truncated",
  );
  assertThrows(() => parseCacheFile("", "/c/x.json"), LoginRequiredError, "empty");
  assertThrows(() => parseCacheFile("[]", "/c/x.json"), LoginRequiredError, "not a JSON object");
  assertThrows(
    () =>
      parseCacheFile(
        JSON.stringify({ ...ENTRY, accessToken: { ...ENTRY.accessToken, expiresAt: "soon" } }),
        "/c/x.json",
      ),
    LoginRequiredError,
    "expiresAt",
  );
  // Files written by Go without idToken, with extra fields, are fine.
  const { idToken: __, ...goStyle } = ENTRY;
  assertEquals(
    parseCacheFile(JSON.stringify({ ...goStyle, identityToken: "x" }), "/c/x.json").identityToken,
    "x",
  );
});

Deno.test("writeSession() writes 0600 in a new 0700 directory, atomically, and reads back", async () => {
  const root = await Deno.makeTempDir();
  try {
    const deps = fakeDeps();
    const path = `${root}/a/b/cache.json`;
    await writeSession(deps, locationInDirectory(`${root}/a/b`, "cache.json"), ENTRY);
    assertEquals(parseCacheFile(await Deno.readTextFile(path), path), ENTRY);
    if (Deno.build.os !== "windows") {
      assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
      assertEquals((await Deno.stat(`${root}/a/b`)).mode! & 0o777, 0o700);
    }
    assertEquals([...Deno.readDirSync(`${root}/a/b`)].map((e) => e.name), ["cache.json"]);
    await Deno.writeTextFile(`${root}/file`, "");
    const error = await assertRejects(
      () => writeSession(deps, locationInDirectory(`${root}/file`, "x.json"), ENTRY),
      FileSystemError,
      "Cannot write cache file",
    );
    assertTrue(error.hint?.includes("AWS_LOGIN_CACHE_DIRECTORY"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("expandPath() also expands %NAME% on Windows, as Python's ntpath does", () => {
  const deps = fakeDeps({
    os: "windows",
    env: {
      USERPROFILE: "C:\\Users\\me",
      AWS_LOGIN_CACHE_DIRECTORY: "%LOCALAPPDATA%\\aws\\%NOPE%",
      LOCALAPPDATA: "C:\\Local",
    },
  });
  assertEquals(loginCacheDirectory(deps), "C:\\Local\\aws\\%NOPE%");
  const posix = fakeDeps({
    os: "linux",
    env: { HOME: "/h", AWS_LOGIN_CACHE_DIRECTORY: "%HOME%/c" },
  });
  assertEquals(loginCacheDirectory(posix), "%HOME%/c");
});
