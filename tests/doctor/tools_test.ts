/**
 * Which tools can read `login_session`: version parsing, the decisions as tables, and the
 * detection through `Deps` with stand-in programs.
 */

import { assertEquals } from "../support/assert.ts";
import {
  awsCliCheck,
  type AwsCliProbe,
  compareVersions,
  jsSdkCheck,
  type JsSdkFacts,
  parseAwsVersion,
  pythonCheck,
  type PythonFacts,
  type PythonProbe,
} from "../../lib/doctor/tools.ts";
import { detectAwsCli, detectJsSdk, detectPython } from "../../lib/doctor/detect.ts";
import { fakeDeps } from "../support/fake_deps.ts";

const BRIDGE =
  'run "aws-login configure credential-process --profile dev-process --source-profile dev", then use profile dev-process, or run the tool with "aws-login exec --profile dev -- ..."';

Deno.test("parseAwsVersion() and compareVersions()", () => {
  assertEquals(parseAwsVersion("aws-cli/2.32.0 Python/3.13.7 Linux/6.8 exe/x86_64.ubuntu.24"), {
    version: "2.32.0",
    botocore: undefined,
  });
  assertEquals(parseAwsVersion("aws-cli/1.18.69 Python/2.7.18 Linux/5.4 botocore/1.16.19\n"), {
    version: "1.18.69",
    botocore: "1.16.19",
  });
  assertEquals(parseAwsVersion("command not found"), undefined);
  assertEquals(compareVersions("2.32.0", "2.32.0"), 0);
  assertEquals(compareVersions("2.100.0", "2.32.0") > 0, true);
  assertEquals(compareVersions("1.9", "1.10") < 0, true);
});

function crt(awscrt: PythonFacts["awscrt"], awscli: string | null = "1.45.11"): PythonProbe {
  return {
    kind: "probed",
    path: "/usr/bin/python3",
    facts: { python: "3.11.7", botocore: "1.43.11", boto3: "1.43.11", awscli, awscrt },
  };
}

Deno.test("awsCliCheck(): v2 from 2.32.0 reads it; v1 only through botocore 1.41+ with awscrt", () => {
  const probed = (output: string): AwsCliProbe => ({
    kind: "probed",
    path: "/usr/bin/aws",
    output,
  });
  const v1 = probed("aws-cli/1.45.11 Python/3.11.7 Linux/6.1 botocore/1.43.11");
  const table: [string, AwsCliProbe, PythonProbe, string][] = [
    [
      "not installed",
      { kind: "not-installed" },
      { kind: "not-installed" },
      "ok AWS CLI: not installed",
    ],
    [
      "v2.32.0",
      probed("aws-cli/2.32.0 Python/3.13.7"),
      crt("missing"),
      "ok AWS CLI 2.32.0 (/usr/bin/aws) reads login_session",
    ],
    [
      "Debian's v2.9.19",
      probed("aws-cli/2.9.19 Python/3.11.2 Linux/6.1 source/x86_64.debian.12"),
      crt("ok"),
      `warn AWS CLI 2.9.19 (/usr/bin/aws) cannot read login_session: that needs 2.32.0 or later | upgrade it, or ${BRIDGE}`,
    ],
    [
      "v1 on an old botocore",
      probed("aws-cli/1.32.0 Python/3.11 botocore/1.34.0"),
      crt("ok"),
      `warn AWS CLI 1.32.0 (/usr/bin/aws) cannot read login_session: it runs on botocore 1.34.0, and only botocore 1.41.0 or later with awscrt can | ${BRIDGE} (or install the AWS CLI v2, 2.32.0 or later)`,
    ],
    [
      "v1, its Python has no awscrt",
      v1,
      crt("missing"),
      `warn AWS CLI 1.45.11 (/usr/bin/aws) cannot read login_session: it runs on botocore 1.43.11, but awscrt is not installed (it fails with "Missing Dependency: pip install botocore[crt]") | pip install "botocore[crt]" where the AWS CLI is installed, or ${BRIDGE}`,
    ],
    [
      "v1, an awscrt without EC",
      v1,
      crt("old"),
      `warn AWS CLI 1.45.11 (/usr/bin/aws) cannot read login_session: it runs on botocore 1.43.11, but its awscrt is too old (no awscrt.crypto.EC) | pip install "botocore[crt]" where the AWS CLI is installed, or ${BRIDGE}`,
    ],
    [
      "v1 with awscrt",
      v1,
      crt("ok"),
      "ok AWS CLI 1.45.11 (/usr/bin/aws) reads login_session through botocore 1.43.11 with awscrt",
    ],
    [
      "v1 installed apart from the Python on PATH",
      v1,
      crt("ok", null),
      `warn AWS CLI 1.45.11 (/usr/bin/aws) reads login_session only if awscrt is installed in its Python (botocore 1.43.11), which could not be checked | if it fails with "Missing Dependency", ${BRIDGE}`,
    ],
    [
      "a version that cannot be read",
      probed("what?"),
      crt("ok"),
      `warn AWS CLI (/usr/bin/aws): its version could not be read | ${BRIDGE}`,
    ],
    [
      "--version fails",
      { kind: "failed", path: "/usr/bin/aws", error: "exit code 1: boom" },
      crt("ok"),
      `warn AWS CLI (/usr/bin/aws): "aws --version" failed: exit code 1: boom | ${BRIDGE}`,
    ],
  ];
  for (const [name, aws, python, expected] of table) {
    const check = awsCliCheck(aws, python, "dev");
    assertEquals(
      `${check.status} ${check.message}${check.fix ? ` | ${check.fix}` : ""}`,
      expected,
      name,
    );
  }
});

Deno.test("pythonCheck(): botocore 1.41+ with awscrt", () => {
  const old: PythonProbe = {
    kind: "probed",
    path: "/usr/bin/python3",
    facts: { python: "3.9.2", botocore: "1.31.0", boto3: "1.28.0", awscli: null, awscrt: "ok" },
  };
  const none: PythonProbe = {
    kind: "probed",
    path: "/usr/bin/python3",
    facts: { python: "3.12.1", botocore: null, boto3: null, awscli: null, awscrt: "missing" },
  };
  const table: [string, PythonProbe, string][] = [
    ["no Python", { kind: "not-installed" }, "ok Python: not installed"],
    [
      "no botocore",
      none,
      "ok boto3 and botocore: not installed in Python 3.12.1 (/usr/bin/python3)",
    ],
    [
      "too old",
      old,
      `warn boto3 1.28.0, botocore 1.31.0 in Python 3.9.2 (/usr/bin/python3) cannot read login_session: that needs 1.41.0 or later with awscrt | pip install --upgrade boto3 "botocore[crt]", or ${BRIDGE}`,
    ],
    [
      "no awscrt",
      crt("missing"),
      `warn boto3 1.43.11, botocore 1.43.11 in Python 3.11.7 (/usr/bin/python3) cannot read login_session: awscrt is not installed (it fails with "Missing Dependency: pip install botocore[crt]") | pip install "botocore[crt]", or ${BRIDGE}`,
    ],
    [
      "with awscrt",
      crt("ok"),
      "ok boto3 1.43.11, botocore 1.43.11 in Python 3.11.7 (/usr/bin/python3) reads login_session (awscrt is installed)",
    ],
    [
      "the probe fails",
      { kind: "failed", path: "/usr/bin/python3", error: "no answer within 5 s" },
      `warn Python (/usr/bin/python3) could not be asked: no answer within 5 s | ${BRIDGE}`,
    ],
  ];
  for (const [name, python, expected] of table) {
    const check = pythonCheck(python, "dev");
    assertEquals(
      `${check.status} ${check.message}${check.fix ? ` | ${check.fix}` : ""}`,
      expected,
      name,
    );
  }
});

Deno.test("jsSdkCheck(): the login provider resolvable from here, and the refresh region", () => {
  const base: JsSdkFacts = {
    cwd: "/p",
    ini: undefined,
    login: undefined,
    profileRegion: "eu-west-1",
    signInRegion: "eu-west-1",
  };
  const ini = { directory: "/p/node_modules/@aws-sdk/credential-provider-ini", version: "3.900.0" };
  const login = (version: string) => ({
    directory: "/p/node_modules/@aws-sdk/credential-provider-login",
    version,
  });
  const table: [string, Partial<JsSdkFacts>, string][] = [
    ["no SDK", {}, "ok AWS SDK for JavaScript: not installed in /p (or above it)"],
    [
      "an SDK from before login",
      { ini },
      `warn The AWS SDK for JavaScript in /p/node_modules/@aws-sdk/credential-provider-ini (credential-provider-ini 3.900.0) cannot read login_session: it has no @aws-sdk/credential-provider-login (3.936.0 or later) | upgrade the SDK (npm update @aws-sdk/credential-providers), or ${BRIDGE}`,
    ],
    [
      "a current one",
      { ini, login: login("3.972.93") },
      "ok The AWS SDK for JavaScript (@aws-sdk/credential-provider-login 3.972.93 in /p/node_modules/@aws-sdk/credential-provider-login) reads login_session",
    ],
    [
      "an older one, same regions",
      { ini, login: login("3.936.0") },
      "ok The AWS SDK for JavaScript (@aws-sdk/credential-provider-login 3.936.0 in /p/node_modules/@aws-sdk/credential-provider-login) reads login_session (before 3.972.92 it refreshes in the profile's region)",
    ],
    [
      "an older one, another region",
      { ini, login: login("3.936.0"), signInRegion: "us-east-2" },
      `warn The AWS SDK for JavaScript (@aws-sdk/credential-provider-login 3.936.0 in /p/node_modules/@aws-sdk/credential-provider-login) reads login_session but refreshes in the profile's region eu-west-1, not in the login region us-east-2: refreshes fail there (aws-cli #10613) | upgrade it to 3.972.92 or later, set region = us-east-2 in the profile, or ${BRIDGE}`,
    ],
  ];
  for (const [name, change, expected] of table) {
    const check = jsSdkCheck({ ...base, ...change }, "dev");
    assertEquals(
      `${check.status} ${check.message}${check.fix ? ` | ${check.fix}` : ""}`,
      expected,
      name,
    );
  }
});

Deno.test("detection: tools found on PATH are asked with a timeout; missing ones are not installed", async () => {
  const none = fakeDeps({ which: () => Promise.resolve(null) });
  assertEquals(await detectAwsCli(none), { kind: "not-installed" });
  assertEquals(await detectPython(none), { kind: "not-installed" });
  const spawns: { argv: readonly string[]; timeoutMs: number | undefined }[] = [];
  const deps = fakeDeps({
    which: (name) => Promise.resolve(name === "python" ? null : `/opt/bin/${name}`),
    spawn: (argv, options) => {
      spawns.push({ argv, timeoutMs: options?.timeoutMs });
      if (argv[0] === "/opt/bin/aws") {
        return Promise.resolve({ code: 0, stdout: "aws-cli/2.9.19 Python/3.11.2\n", stderr: "" });
      }
      return Promise.resolve({
        code: 0,
        stdout:
          'noise\n{"python": "3.11.7", "botocore": "1.43.11", "boto3": "1.43.11", "awscli": null, "awscrt": "missing"}\n',
        stderr: "",
      });
    },
  });
  assertEquals(await detectAwsCli(deps), {
    kind: "probed",
    path: "/opt/bin/aws",
    output: "aws-cli/2.9.19 Python/3.11.2\n\n",
  });
  const python = await detectPython(deps);
  assertEquals(python.kind === "probed" ? python.facts.awscrt : python, "missing");
  assertEquals(spawns.map((s) => [s.argv[0], s.argv[1], s.timeoutMs]), [
    ["/opt/bin/aws", "--version", 5000],
    ["/opt/bin/python3", "-c", 5000],
  ]);
  const stuck = fakeDeps({
    which: () => Promise.resolve("/opt/bin/aws"),
    spawn: () => Promise.resolve({ code: -1, stdout: "", stderr: "", timedOut: true }),
  });
  assertEquals(await detectAwsCli(stuck), {
    kind: "failed",
    path: "/opt/bin/aws",
    error: "no answer within 5 s",
  });
});

Deno.test("detectJsSdk() resolves the providers the way Node does, hoisted or nested", async () => {
  const root = await Deno.makeTempDir({ prefix: "aws-login-js-" });
  try {
    const write = async (dir: string, version: string) => {
      await Deno.mkdir(`${root}/${dir}`, { recursive: true });
      await Deno.writeTextFile(`${root}/${dir}/package.json`, JSON.stringify({ version }));
    };
    await Deno.mkdir(`${root}/app/src`, { recursive: true });
    const regions = { profileRegion: undefined, signInRegion: undefined };
    const at = (cwd: string) => detectJsSdk(fakeDeps({ cwd, env: {} }), regions);
    assertEquals((await at(`${root}/app/src`)).ini, undefined);
    await write("app/node_modules/@aws-sdk/credential-provider-ini", "3.900.0");
    const old = await at(`${root}/app/src`);
    assertEquals([old.ini?.version, old.login], ["3.900.0", undefined]);
    // Nested under the ini provider, as npm installs it when versions differ.
    await write(
      "app/node_modules/@aws-sdk/credential-provider-ini/node_modules/@aws-sdk/credential-provider-login",
      "3.972.93",
    );
    const nested = await at(`${root}/app/src`);
    assertEquals(nested.login?.version, "3.972.93");
    assertEquals(
      nested.login?.directory,
      `${root}/app/node_modules/@aws-sdk/credential-provider-ini/node_modules/@aws-sdk/credential-provider-login`,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
