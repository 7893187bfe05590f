/**
 * `configure credential-process` in process: what it writes, with the line-preserving editor.
 */

import { assertEquals, assertStringIncludes, assertTrue } from "../support/assert.ts";
import { type Sandbox, sandbox } from "../support/cli.ts";
import { snapshotTree } from "../support/e2e.ts";
import { fakeDeps } from "../support/fake_deps.ts";
import { run } from "../../lib/run.ts";
import {
  chooseBridgeProgram,
  credentialProcessCommand,
  INSTALL_FROM_SOURCE,
  shortenForDisplay,
  VERSION_PROBE_TIMEOUT_MS,
} from "../../lib/commands/configure_credential_process.ts";
import { VERSION } from "../../lib/version.ts";
import { splitCommandLine } from "../../lib/platform/shell_words.ts";
import type { OsName, SpawnResult } from "../../lib/runtime/deps.ts";

const SESSION = "arn:aws:iam::111111111111:user/alice";

const CONFIG = `# my settings
[profile login]
login_session = ${SESSION}
region = eu-west-1

[profile other]
s3 =
  max_concurrent_requests = 20
`;

async function withConfig(text: string, credentials?: string): Promise<Sandbox> {
  const box = await sandbox();
  await Deno.mkdir(`${box.home}/.aws`);
  await Deno.writeTextFile(box.configPath, text);
  if (credentials !== undefined) await Deno.writeTextFile(box.credentialsPath, credentials);
  return box;
}

async function configure(
  box: Sandbox,
  args: string[],
  options: { self?: string[]; os?: OsName } = {},
) {
  const deps = fakeDeps({
    env: { HOME: box.home },
    selfCommand: options.self ?? ["/usr/local/bin/aws-login"],
    ...(options.os === undefined ? {} : { os: options.os }),
  });
  const code = await run(["configure", "credential-process", ...args], deps);
  return { code, stdout: deps.stdout.text, stderr: deps.stderr.text };
}

const LINE =
  "credential_process = /usr/local/bin/aws-login export-credentials --profile login --format process";

Deno.test("configure credential-process: appends the profile, copies the region, touches nothing else", async (t) => {
  await using box = await withConfig(CONFIG);
  const expected = `${CONFIG}\n[profile bridge]\n${LINE}\nregion = eu-west-1\n`;

  await t.step("first run writes the profile", async () => {
    const result = await configure(box, ["--profile", "bridge", "--source-profile", "login"]);
    assertEquals(result.code, 0, result.stderr);
    assertEquals(result.stdout, "");
    assertEquals(await Deno.readTextFile(box.configPath), expected);
    assertStringIncludes(result.stderr, `Wrote profile bridge in ${box.configPath}:\n  ${LINE}\n`);
    assertStringIncludes(result.stderr, '"--profile bridge"');
  });

  await t.step("a second run changes nothing", async () => {
    const result = await configure(box, ["--profile", "bridge", "--source-profile", "login"]);
    assertEquals(result.code, 0, result.stderr);
    assertEquals(await Deno.readTextFile(box.configPath), expected);
    assertStringIncludes(result.stderr, "Updated profile bridge");
  });

  await t.step("--region replaces the region; without it, a region set by hand stays", async () => {
    await configure(box, [
      "--profile",
      "bridge",
      "--source-profile",
      "login",
      "--region",
      "us-west-2",
    ]);
    const withRegion = `${CONFIG}\n[profile bridge]\n${LINE}\nregion = us-west-2\n`;
    assertEquals(await Deno.readTextFile(box.configPath), withRegion);
    await configure(box, ["--profile", "bridge", "--source-profile", "login"]);
    assertEquals(await Deno.readTextFile(box.configPath), withRegion);
  });
});

Deno.test("configure credential-process: fills an existing profile in place", async () => {
  await using box = await withConfig(
    `${CONFIG}\n[profile bridge]\n# for terraform\noutput = json\n\n[profile last]\nregion = ap-south-1\n`,
  );
  const result = await configure(box, ["--profile", "bridge", "--source-profile", "login"]);
  assertEquals(result.code, 0, result.stderr);
  assertEquals(
    await Deno.readTextFile(box.configPath),
    `${CONFIG}\n[profile bridge]\n# for terraform\noutput = json\n${LINE}\nregion = eu-west-1\n\n` +
      `[profile last]\nregion = ap-south-1\n`,
  );
});

Deno.test("configure credential-process: refuses a profile that holds other credentials", async (t) => {
  const cases: Array<[string, string, string | undefined, string]> = [
    [
      "keys in the credentials file",
      CONFIG,
      "[bridge]\naws_access_key_id = AKID\naws_secret_access_key = s\n",
      "Access Key",
    ],
    [
      "a role",
      `${CONFIG}\n[profile bridge]\nrole_arn = arn:aws:iam::111111111111:role/R\nsource_profile = login\n`,
      undefined,
      "Assume Role",
    ],
    [
      "SSO",
      `${CONFIG}\n[profile bridge]\nsso_account_id = 111111111111\nsso_role_name = R\n`,
      undefined,
      "SSO",
    ],
    [
      "a login session",
      `${CONFIG}\n[profile bridge]\nlogin_session = ${SESSION}\n`,
      undefined,
      "Login Session",
    ],
  ];
  for (const [name, config, credentials, style] of cases) {
    await t.step(name, async () => {
      await using box = await withConfig(config, credentials);
      const before = await snapshotTree(box.home);
      const result = await configure(box, ["--profile", "bridge", "--source-profile", "login"]);
      assertEquals(result.code, 3);
      assertStringIncludes(
        result.stderr,
        `aws-login: Profile 'bridge' is already configured with ${style} credentials\n`,
      );
      assertEquals(await snapshotTree(box.home), before);
    });
  }
});

Deno.test("configure credential-process: mistakes in the command line", async (t) => {
  await using box = await withConfig(CONFIG);
  const before = await snapshotTree(box.home);
  for (
    const args of [
      ["--profile", "login", "--source-profile", "login"],
      ["--profile", "bridge"],
      ["--profile", "bridge", "--source-profile", "login", "--region", "not a region"],
    ]
  ) {
    await t.step(args.join(" "), async () => {
      const result = await configure(box, args);
      assertEquals(result.code, 2, result.stderr);
      assertEquals(await snapshotTree(box.home), before);
    });
  }
});

Deno.test("configure credential-process: a source without a session yet is written with a warning", async () => {
  await using box = await withConfig("[profile later]\nregion = eu-north-1\n");
  const result = await configure(box, ["--profile", "bridge", "--source-profile", "later"]);
  assertEquals(result.code, 0, result.stderr);
  assertStringIncludes(
    result.stderr,
    'warning: profile later has no login session yet; run "aws-login login --profile later"',
  );
  assertStringIncludes(
    await Deno.readTextFile(box.configPath),
    "[profile bridge]\ncredential_process = /usr/local/bin/aws-login export-credentials --profile later --format process\nregion = eu-north-1\n",
  );
});

Deno.test("configure credential-process: program paths with spaces are quoted so they read back", async (t) => {
  const cases: Array<[string, string[], OsName, string]> = [
    [
      "compiled binary with a space (POSIX)",
      ["/Users/me/My Tools/aws-login"],
      "darwin",
      "'/Users/me/My Tools/aws-login' export-credentials --profile login --format process",
    ],
    [
      "deno run (POSIX)",
      ["/usr/bin/deno", "run", "--allow-all", "--quiet", "/home/me/aws login/main.ts"],
      "linux",
      "/usr/bin/deno run --allow-all --quiet '/home/me/aws login/main.ts' export-credentials --profile login --format process",
    ],
    [
      "compiled binary under Program Files (Windows)",
      ["C:\\Program Files\\aws-login\\aws-login.exe"],
      "windows",
      '"C:\\Program Files\\aws-login\\aws-login.exe" export-credentials --profile login --format process',
    ],
  ];
  for (const [name, self, os, line] of cases) {
    await t.step(name, async () => {
      const style = os === "windows" ? "windows" : "posix";
      assertEquals(credentialProcessCommand(self, "login", style), line);
      assertEquals(splitCommandLine(line, style), [
        ...self,
        "export-credentials",
        "--profile",
        "login",
        "--format",
        "process",
      ]);
      await using box = await withConfig(CONFIG);
      const result = await configure(box, ["--profile", "bridge", "--source-profile", "login"], {
        self,
        os,
      });
      assertEquals(result.code, 0, result.stderr);
      assertStringIncludes(
        await Deno.readTextFile(box.configPath),
        `credential_process = ${line}\n`,
      );
    });
  }
});

Deno.test("configure credential-process: names cmd.exe would rewrite are refused for Windows, nothing written", async () => {
  for (const name of ['a"b', "a%PATH%b", "a!b", "a^b"]) {
    await using box = await withConfig(`${CONFIG}[profile ${name}]\nlogin_session = x\n`);
    const before = await snapshotTree(box.home);
    const result = await configure(box, ["--profile", "bridge", "--source-profile", name], {
      self: ["C:\\Tools\\aws-login.exe"],
      os: "windows",
    });
    assertEquals(result.code, 2, result.stderr);
    assertStringIncludes(result.stderr, "cmd.exe");
    assertEquals(await snapshotTree(box.home), before, name);
  }
  // The same names are fine for POSIX shells, which get them single-quoted.
  assertEquals(
    credentialProcessCommand(["/bin/aws-login"], 'a"b!%^', "posix"),
    `/bin/aws-login export-credentials --profile 'a"b!%^' --format process`,
  );
});

Deno.test("configure credential-process: creates a missing config file, private", async () => {
  await using box = await sandbox();
  const result = await configure(box, [
    "--profile",
    "bridge",
    "--source-profile",
    "login",
    "--region",
    "eu-west-1",
  ]);
  assertEquals(result.code, 0, result.stderr);
  assertEquals(
    await Deno.readTextFile(box.configPath),
    `[profile bridge]\n${LINE}\nregion = eu-west-1\n`,
  );
  if (Deno.build.os !== "windows") {
    assertEquals((await Deno.stat(box.configPath)).mode! & 0o777, 0o600);
  }
});

Deno.test("chooseBridgeProgram(): the aws-login on PATH when it is this version, else the long line", () => {
  const self = ["/opt/deno", "run", "--allow-read", "--quiet", "/src/main.ts"];
  const onPath = "/home/me/.deno/bin/aws-login";
  assertEquals(chooseBridgeProgram(["/usr/local/bin/aws-login"], undefined, "1.0.0"), {
    argv: ["/usr/local/bin/aws-login"],
    note: undefined,
  });
  assertEquals(chooseBridgeProgram(self, { path: onPath, version: "1.0.0" }, "1.0.0"), {
    argv: [onPath],
    note: undefined,
  });
  const table: [Parameters<typeof chooseBridgeProgram>[1], string][] = [
    [undefined, "note: there is no aws-login on PATH, so the line runs this checkout with deno"],
    [{ path: onPath, version: undefined }, `note: "${onPath} --version" did not answer, so`],
    [
      { path: onPath, version: "0.9.0" },
      `note: the aws-login on PATH ("${onPath}") is version 0.9.0, not 1.0.0, so`,
    ],
  ];
  for (const [found, note] of table) {
    const chosen = chooseBridgeProgram(self, found, "1.0.0");
    assertEquals(chosen.argv, self);
    assertTrue(chosen.note!.startsWith(note), chosen.note);
    assertStringIncludes(chosen.note!, INSTALL_FROM_SOURCE);
  }
});

Deno.test("shortenForDisplay() keeps short lines and cuts the middle of long ones", () => {
  assertEquals(shortenForDisplay(LINE), LINE);
  const long = `/opt/deno run ${"--allow-env=X,".repeat(100)} /src/main.ts export-credentials`;
  const shown = shortenForDisplay(long);
  assertTrue(shown.startsWith("/opt/deno run --allow-env=X,"), shown);
  assertTrue(
    shown.endsWith(
      `/src/main.ts export-credentials (${long.length.toLocaleString("en-US")} characters)`,
    ),
    shown,
  );
  assertTrue(shown.length < 130, shown);
  assertEquals(shortenForDisplay("x".repeat(160)), "x".repeat(160));
});

Deno.test("configure credential-process under deno: the short line when aws-login on PATH is this version", async (t) => {
  const self = [
    "/opt/deno",
    "run",
    ...Array(40).fill("--allow-env=AWS_PROFILE"),
    "--quiet",
    "/src/main.ts",
  ];
  const cases: [string, string | null, SpawnResult | Error, boolean][] = [
    ["same version", "/opt/bin/aws-login", {
      code: 0,
      stdout: `aws-login ${VERSION}\n`,
      stderr: "",
    }, true],
    [
      "another version",
      "/opt/bin/aws-login",
      { code: 0, stdout: "aws-login 0.0.1\n", stderr: "" },
      false,
    ],
    ["no answer in time", "/opt/bin/aws-login", {
      code: -1,
      stdout: "",
      stderr: "",
      timedOut: true,
    }, false],
    ["cannot start", "/opt/bin/aws-login", new Error("EACCES"), false],
    ["none on PATH", null, new Error("not called"), false],
  ];
  for (const [name, found, answer, short] of cases) {
    await t.step(name, async () => {
      await using box = await withConfig(CONFIG);
      const probes: { argv: readonly string[]; timeoutMs: number | undefined }[] = [];
      const deps = fakeDeps({
        env: { HOME: box.home },
        selfCommand: self,
        which: (command) => Promise.resolve(command === "aws-login" ? found : null),
        spawn: (argv, options) => {
          probes.push({ argv, timeoutMs: options?.timeoutMs });
          return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
        },
      });
      const code = await run(
        ["configure", "credential-process", "--profile", "bridge", "--source-profile", "login"],
        deps,
      );
      assertEquals(code, 0, deps.stderr.text);
      const line = /\ncredential_process = (.+)\n/.exec(
        await Deno.readTextFile(box.configPath),
      )![1]!;
      if (found !== null) {
        assertEquals(probes, [{ argv: [found, "--version"], timeoutMs: VERSION_PROBE_TIMEOUT_MS }]);
      }
      if (short) {
        assertEquals(
          line,
          "/opt/bin/aws-login export-credentials --profile login --format process",
        );
        assertEquals(deps.stderr.text.includes("note:"), false);
        assertStringIncludes(deps.stderr.text, `  credential_process = ${line}\n`);
      } else {
        assertTrue(line.startsWith("/opt/deno run "), line);
        assertStringIncludes(deps.stderr.text, "note: ");
        // The echo is shortened, the file has it all.
        const echoed = /\n {2}credential_process = (.+)\n/.exec(deps.stderr.text)![1]!;
        assertTrue(
          echoed.length < 130 &&
            echoed.endsWith(`(${line.length.toLocaleString("en-US")} characters)`),
          echoed,
        );
      }
    });
  }
});
