/**
 * The memo of `export-credentials` (`lib/aws/export_memo.ts`, `export_memo_writer.ts`): what a run records, when it counts
 * as a pure read, the digest, the file format and where it lives.
 */

import { assertEquals, assertTrue } from "../support/assert.ts";
import { fakeDeps } from "../support/fake_deps.ts";
import type { Deps } from "../../lib/runtime/deps.ts";
import {
  memoDirectory,
  type Observation,
  observationDigest,
  parseMemo,
  statValue,
} from "../../lib/aws/export_memo.ts";
import { recording, saveMemo } from "../../lib/aws/export_memo_writer.ts";

const ARGS = ["export-credentials", "--profile", "dev"];
const SEEN: Observation[] = [
  ["env", "AWS_PROFILE", null],
  ["home", "", "/home/me"],
  ["stat", "/home/me/.aws/config", "[true,false,false,384,1]"],
  ["read", "/home/me/.aws/config", "[profile dev]\nlogin_session = arn\n"],
];

Deno.test("observationDigest(): 16 hex digits that change with any argument, value or order", () => {
  const run = { args: ARGS, session: 3, format: "process" } as const;
  const digest = observationDigest(run, "linux", SEEN);
  assertTrue(/^[0-9a-f]{16}$/.test(digest), digest);
  assertEquals(
    observationDigest({ ...run, args: [...ARGS] }, "linux", SEEN.map((o) => [...o] as const)),
    digest,
  );
  const others = [
    observationDigest({ ...run, args: ["export-credentials", "--profile", "dew"] }, "linux", SEEN),
    observationDigest({ ...run, session: 2 }, "linux", SEEN),
    observationDigest({ ...run, format: "env" }, "linux", SEEN),
    observationDigest(run, "darwin", SEEN),
    observationDigest(run, "linux", [["env", "AWS_PROFILE", ""], ...SEEN.slice(1)]),
    observationDigest(run, "linux", [...SEEN.slice(0, 3), [
      "read",
      "/home/me/.aws/config",
      "[profile dev]\nlogin_session = arm\n",
    ]]),
    observationDigest(run, "linux", [SEEN[1]!, SEEN[0]!, ...SEEN.slice(2)]),
    observationDigest(run, "linux", SEEN.slice(0, 3)),
  ];
  assertEquals(new Set([digest, ...others]).size, others.length + 1);
});

Deno.test("statValue(): the kind, the mode and a file's time; not a directory's", () => {
  const file = {
    isFile: true,
    isDirectory: false,
    isSymlink: false,
    mode: 0o600,
    mtime: new Date(5),
  };
  assertEquals(statValue(file), "[true,false,false,384,5]");
  assertEquals(statValue(null), null);
  const dir = { ...file, isFile: false, isDirectory: true, mode: 0o700 };
  assertEquals(statValue(dir), statValue({ ...dir, mtime: new Date(9) }));
});

Deno.test("memoDirectory(): the login cache directory, unless only the program can expand it", () => {
  const env = (record: Record<string, string>) => (name: string) => record[name];
  assertEquals(memoDirectory(env({ HOME: "/home/me" }), "linux"), "/home/me/.aws/login/cache");
  assertEquals(
    memoDirectory(env({ USERPROFILE: "C:\\Users\\me", HOME: "/x" }), "windows"),
    "C:\\Users\\me\\.aws\\login\\cache",
  );
  assertEquals(
    memoDirectory(env({ HOME: "/h", AWS_LOGIN_CACHE_DIRECTORY: "/c" }), "linux"),
    "/c",
  );
  for (const configured of ["~/c", "~", "$HOME/c", "${HOME}/c"]) {
    assertEquals(
      memoDirectory(env({ HOME: "/h", AWS_LOGIN_CACHE_DIRECTORY: configured }), "linux"),
      undefined,
    );
  }
  // What the program leaves as it is: a tilde inside a name, %VAR% outside Windows.
  for (const [configured, os] of [["C:\\RUNNER~1\\c", "windows"], ["/h/%X%", "linux"]]) {
    assertEquals(
      memoDirectory(env({ HOME: "/h", AWS_LOGIN_CACHE_DIRECTORY: configured! }), os!),
      configured,
    );
  }
  assertEquals(
    memoDirectory(env({ AWS_LOGIN_CACHE_DIRECTORY: "%USERPROFILE%\\c" }), "windows"),
    undefined,
  );
  assertEquals(memoDirectory(env({}), "linux"), undefined);
});

Deno.test("parseMemo(): another format, a torn file or a bad entry counts as no memo", () => {
  const good = {
    args: ["export-credentials"],
    digest: "0123456789abcdef",
    reads: [["env", "AWS_PROFILE"], ["read", "/c/x.json"]],
    session: 1,
    format: "process",
  };
  assertEquals(parseMemo(JSON.stringify({ format: 2, entries: [good] })), [good]);
  for (
    const text of [
      "",
      "{",
      "[]",
      JSON.stringify({ format: 1, entries: [good] }),
      JSON.stringify({ format: 2, entries: {} }),
    ]
  ) {
    assertEquals(parseMemo(text), [], text);
  }
  const bad = [
    { ...good, digest: "short" },
    { ...good, session: 0 }, // not a read
    { ...good, session: 5 },
    { ...good, format: "yaml" },
    { ...good, reads: [["exec", "rm"], ["read", "/c/x.json"]] },
    { ...good, args: [1] },
  ];
  assertEquals(parseMemo(JSON.stringify({ format: 2, entries: [...bad, good] })), [good]);
});

Deno.test("recording(): reads in call order; anything else makes the run unrememberable", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "aws-login-memo-" });
  try {
    await Deno.writeTextFile(`${dir}/a`, "A");
    await Deno.writeTextFile(`${dir}/b`, "B");
    const deps = fakeDeps({ env: { HOME: dir, AWS_PROFILE: "dev" }, cwd: dir });

    await t.step("reads, concurrent ones in the order they were asked", async () => {
      const run = recording(deps);
      run.deps.env("AWS_PROFILE");
      run.deps.env("AWS_REGION");
      run.deps.homeDir();
      run.deps.cwd();
      const [b, a] = await Promise.all([
        run.deps.fs.readTextFile(`${dir}/b`),
        run.deps.fs.readTextFile(`${dir}/a`),
      ]);
      await run.deps.fs.stat(`${dir}/missing`);
      run.deps.stdout.write("");
      assertEquals([a, b], ["A", "B"]);
      assertEquals(run.observations(), [
        ["env", "AWS_PROFILE", "dev"],
        ["env", "AWS_REGION", null],
        ["home", "", dir],
        ["cwd", "", dir],
        ["read", `${dir}/b`, "B"],
        ["read", `${dir}/a`, "A"],
        ["stat", `${dir}/missing`, null],
      ]);
    });

    const impure: [string, (d: Deps) => Promise<unknown> | unknown][] = [
      ["a line on stderr", (d) => d.stderr.write("warning\n")],
      ["a write", (d) => d.fs.writeFileAtomic(`${dir}/c`, "C")],
      ["a lock", async (d) => await (await d.fs.lock(`${dir}/a.lock`)).release()],
      ["a chmod", (d) => d.fs.chmod(`${dir}/a`, 0o600)],
      ["a listing", (d) => d.fs.listFiles(dir)],
      ["a read that failed", (d) => d.fs.readTextFile(`${dir}/missing`).catch(() => {})],
      ["random bytes", (d) => d.randomBytes(4)],
      ["a request", (d) => d.fetch("http://127.0.0.1:9/").catch(() => {})],
      ["a random number", (d) => d.random()],
      ["a line from stdin", (d) => d.stdin.readLine()],
      ["the program's own command line", (d) => d.selfCommand()],
    ];
    for (const [what, act] of impure) {
      await t.step(what, async () => {
        const run = recording(deps);
        await run.deps.fs.readTextFile(`${dir}/a`);
        await act(run.deps);
        assertEquals(run.observations(), undefined);
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("saveMemo(): newest first, one entry per digest, at most eight, never a value", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aws-login-memo-" });
  try {
    const cache = `${dir}/.aws/login/cache`;
    const deps = fakeDeps({ env: { HOME: dir } });
    const session = `${cache}/x.json`;
    const run = (n: number): Observation[] => [
      ["env", "AWS_PROFILE", `p${n}`],
      ["read", session, `{"accessToken": {"secretAccessKey": "SECRET${n}"}}`],
    ];
    // No cache directory yet: nothing is written.
    await saveMemo(deps, { args: ARGS, observations: run(0), sessionPath: session, format: "env" });
    assertEquals(await Deno.stat(cache).catch(() => null), null);
    await Deno.mkdir(cache, { recursive: true });
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 9]) {
      await saveMemo(deps, {
        args: ARGS,
        observations: run(n),
        sessionPath: session,
        format: "process",
      });
    }
    const text = await Deno.readTextFile(`${cache}/aws-login-export-memo`);
    const entries = parseMemo(text);
    assertEquals(entries.length, 8);
    const remembered = { args: ARGS, session: 1, format: "process" } as const;
    assertEquals(entries[0]!.digest, observationDigest(remembered, deps.os, run(9)));
    assertEquals(entries[1]!.digest, observationDigest(remembered, deps.os, run(8)));
    assertEquals(entries[0]!.args, ARGS);
    assertEquals(entries[0]!.reads, [["env", "AWS_PROFILE"], ["read", session]]);
    assertEquals(entries[0]!.session, 1);
    assertTrue(!text.includes("SECRET") && !text.includes("p9"), text);
    if (Deno.build.os !== "windows") {
      assertEquals((await Deno.stat(`${cache}/aws-login-export-memo`)).mode! & 0o777, 0o600);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
