/**
 * `aws-login exec` in process: `run()` with fake dependencies (an environment from a record, a
 * clock, signals the test raises) starting real children (`sh`, `python3`) on a session the real
 * `login` signed in against the emulator. What the child sees, its exit code, signals, and the
 * failures that must stop exec before the child starts.
 */

import { assertEquals, assertMatch, assertStringIncludes, assertTrue } from "../support/assert.ts";
import { type Sandbox, sandbox } from "../support/cli.ts";
import { type FakeDeps, fakeDeps } from "../support/fake_deps.ts";
import { signIn } from "../support/session.ts";
import { posixTest } from "../support/platform.ts";
import { type Emulator, startEmulator } from "../../scripts/emulator/mod.ts";
import { run } from "../../lib/run.ts";
import { shouldForward } from "../../lib/commands/exec.ts";
import { REMOVED_VARIABLES } from "../../lib/aws/child_environment.ts";

/** Everything the parent environment may hold that would shadow the profile's credentials. */
const SHADOWING_ENV: Record<string, string> = {
  AWS_PROFILE: "default",
  AWS_DEFAULT_PROFILE: "default",
  AWS_ACCESS_KEY_ID: "AKIDPARENT",
  AWS_SECRET_ACCESS_KEY: "parent-secret",
  AWS_SESSION_TOKEN: "parent-token",
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/x",
  AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: "/var/run/token",
  AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/web-identity",
  AWS_ROLE_ARN: "arn:aws:iam::210987654321:role/Other",
};

/** A signed-in sandbox: profile `dev` (eu-west-1) and `[default]` static keys to shadow it. */
async function signedIn(): Promise<
  { emulator: Emulator; box: Sandbox; env: Record<string, string>; path: string } & AsyncDisposable
> {
  const emulator = await startEmulator({ regions: ["eu-west-1"] });
  const box = await sandbox();
  const { path } = await signIn(emulator, box, { profile: "dev", region: "eu-west-1" });
  await Deno.writeTextFile(
    box.credentialsPath,
    "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = default-secret\n",
  );
  const env = {
    HOME: box.home,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    AWS_ENDPOINT_URL_SIGNIN: emulator.url,
  };
  return {
    emulator,
    box,
    env,
    path,
    async [Symbol.asyncDispose]() {
      await box[Symbol.asyncDispose]();
      await emulator.close();
    },
  };
}

/** Writes, as JSON to `$OUT`, the child's view: variables, its config files, the endpoint's answer. */
const CHILD_PROBE = `
import json, os, stat, sys, urllib.request
env = {k: v for k, v in os.environ.items() if k.startswith("AWS_") or k.startswith("_AWS_")}
files = {}
for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
    path = env.get(name)
    if path:
        files[name] = {"text": open(path).read(), "mode": oct(stat.S_IMODE(os.stat(path).st_mode)),
                       "dir_mode": oct(stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode))}
answer = None
uri = env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
if uri:
    request = urllib.request.Request(uri, headers={"Authorization": env["AWS_CONTAINER_AUTHORIZATION_TOKEN"]})
    answer = json.load(urllib.request.urlopen(request))
json.dump({"env": env, "files": files, "answer": answer}, open(os.environ["OUT"], "w"))
sys.exit(int(os.environ.get("CODE", "0")))
`;

interface ChildView {
  env: Record<string, string>;
  files: Record<string, { text: string; mode: string; dir_mode: string }>;
  answer: Record<string, string> | null;
}

async function runExec(
  env: Record<string, string>,
  args: string[],
  options: { stdinIsTerminal?: boolean } = {},
): Promise<{ code: number; deps: FakeDeps }> {
  const deps = fakeDeps({
    env,
    stdin: {
      isTerminal: options.stdinIsTerminal ?? false,
      readLine: () => Promise.resolve(null),
      raw: () => undefined,
    },
  });
  return { code: await run(args, deps), deps };
}

/** Waits until `path` exists, polling, for at most `ms`. */
async function waitForFile(path: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (true) {
    try {
      await Deno.stat(path);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${path} did not appear within ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

Deno.test("shouldForward() passes every signal on, but SIGINT from a terminal", () => {
  const cases = [
    ["SIGINT", false, true],
    ["SIGINT", true, false],
    ["SIGTERM", false, true],
    ["SIGTERM", true, true],
    ["SIGHUP", true, true],
  ] as const;
  for (const [signal, stdinIsTerminal, expected] of cases) {
    assertEquals(
      shouldForward(signal, { stdinIsTerminal }),
      expected,
      `${signal} ${stdinIsTerminal}`,
    );
  }
});

Deno.test("exec: the child sees this profile only, with the endpoint, its region and its settings", async (t) => {
  await using s = await signedIn();
  const out = `${s.box.home}/child.json`;
  const cached = JSON.parse(await Deno.readTextFile(s.path));
  const env = { ...s.env, ...SHADOWING_ENV, OUT: out, CODE: "3" };
  const { code, deps } = await runExec(env, [
    "exec",
    "--profile",
    "dev",
    "--",
    "python3",
    "-c",
    CHILD_PROBE,
  ]);
  const view: ChildView = JSON.parse(await Deno.readTextFile(out));

  await t.step("aws-login exits with the child's code and says nothing", () => {
    assertEquals(code, 3, deps.stderr.text);
    assertEquals(deps.stderr.text, "");
    assertEquals(deps.stdout.text, "");
  });

  await t.step("no inherited credential or endpoint variable reaches the child", () => {
    for (const name of REMOVED_VARIABLES) {
      if (
        name.startsWith("AWS_CONTAINER_CREDENTIALS_FULL") ||
        name === "AWS_CONTAINER_AUTHORIZATION_TOKEN"
      ) continue;
      assertEquals(view.env[name], undefined, name);
    }
    assertEquals(view.env.AWS_PROFILE, "dev");
    assertEquals(view.env.AWS_DEFAULT_PROFILE, "dev");
    assertEquals(view.env._AWS_LOGIN_EXEC_PROFILE, "dev");
    assertEquals(view.env.AWS_REGION, "eu-west-1");
    assertEquals(view.env.AWS_DEFAULT_REGION, "eu-west-1");
    assertEquals(view.env.AWS_ENDPOINT_URL_SIGNIN, s.emulator.url); // unrelated settings stay
    assertMatch(
      view.env.AWS_CONTAINER_CREDENTIALS_FULL_URI!,
      /^http:\/\/127\.0\.0\.1:\d+\/credentials$/,
    );
    assertMatch(view.env.AWS_CONTAINER_AUTHORIZATION_TOKEN!, /^[A-Za-z0-9_-]{43}$/);
  });

  await t.step(
    "its config holds the profile without login_session; its credentials file is empty",
    () => {
      const config = view.files.AWS_CONFIG_FILE!;
      assertStringIncludes(config.text, "\n[profile dev]\nregion = eu-west-1\n");
      assertTrue(!config.text.includes("login_session"), config.text);
      assertTrue(!config.text.includes("[default]"), config.text);
      assertEquals(view.files.AWS_SHARED_CREDENTIALS_FILE!.text, "");
      assertEquals([config.mode, config.dir_mode], ["0o600", "0o700"]);
    },
  );

  await t.step("the endpoint answered with the session's credentials and their true expiry", () => {
    assertEquals(view.answer, {
      AccessKeyId: cached.accessToken.accessKeyId,
      SecretAccessKey: cached.accessToken.secretAccessKey,
      Token: cached.accessToken.sessionToken,
      Expiration: cached.accessToken.expiresAt,
      AccountId: "123456789012",
    });
  });

  await t.step("the private files are gone once the child has ended", async () => {
    const directory = view.env.AWS_CONFIG_FILE!.replace(/\/config$/, "");
    assertEquals(await Deno.stat(directory).catch(() => null), null);
  });
});

Deno.test("exec: a caller's region stays, and --no-server gives environment keys with a note", async () => {
  await using s = await signedIn();
  const out = `${s.box.home}/child.json`;
  const env = { ...s.env, ...SHADOWING_ENV, OUT: out, AWS_REGION: "ap-south-1" };
  const { code, deps } = await runExec(env, [
    "exec",
    "--profile",
    "dev",
    "--no-server",
    "--",
    "python3",
    "-c",
    CHILD_PROBE,
  ]);
  assertEquals(code, 0, deps.stderr.text);
  const view: ChildView = JSON.parse(await Deno.readTextFile(out));
  assertEquals(view.env.AWS_REGION, "ap-south-1");
  assertEquals(view.env.AWS_DEFAULT_REGION, undefined);
  assertMatch(view.env.AWS_ACCESS_KEY_ID!, /^ASIA/);
  assertTrue(view.env.AWS_SECRET_ACCESS_KEY !== "parent-secret");
  assertMatch(view.env.AWS_CREDENTIAL_EXPIRATION!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
  assertEquals(view.env.AWS_CONTAINER_CREDENTIALS_FULL_URI, undefined);
  assertEquals(view.answer, null);
  assertMatch(
    deps.stderr.text,
    /^aws-login: note: with --no-server the credentials are not refreshed: they expire in 1[45] minutes \(login credentials last at most 15 minutes\)\n$/,
  );
});

posixTest(
  "exec: exit codes like a shell's: the child's, 128+N after signal N, 127 when not found",
  async () => {
    await using s = await signedIn();
    const exec = (argv: string[]) => runExec(s.env, ["exec", "--profile", "dev", "--", ...argv]);
    assertEquals((await exec(["sh", "-c", "exit 0"])).code, 0);
    assertEquals((await exec(["sh", "-c", "exit 42"])).code, 42);
    assertEquals((await exec(["sh", "-c", "kill -TERM $$"])).code, 143);
    assertEquals((await exec(["sh", "-c", "kill -KILL $$"])).code, 137);
    const missing = await exec(["aws-login-no-such-command"]);
    assertEquals(missing.code, 127);
    assertEquals(
      missing.deps.stderr.text,
      'aws-login: Cannot run "aws-login-no-such-command": command not found\n',
    );
    const directory = await exec([s.box.home]);
    assertEquals(directory.code, 126);
    assertMatch(directory.deps.stderr.text, /^aws-login: Cannot run "[^"]+": [^\n]+\n$/);
  },
);

posixTest(
  "exec: SIGTERM and SIGHUP go to the child; SIGINT only when it did not come from a terminal",
  async (t) => {
    await using s = await signedIn();
    // The child reports which signal it got and exits with a code of its own.
    const script = (ready: string) =>
      `trap 'kill $! 2>/dev/null; echo INT > ${ready}.got; exit 20' INT; ` +
      `trap 'kill $! 2>/dev/null; echo TERM > ${ready}.got; exit 21' TERM; ` +
      `trap 'kill $! 2>/dev/null; echo HUP > ${ready}.got; exit 22' HUP; ` +
      `sleep 600 >/dev/null 2>&1 & echo ready > ${ready}; wait $!`;
    const start = (name: string, stdinIsTerminal: boolean) => {
      const ready = `${s.box.home}/${name}`;
      const deps = fakeDeps({
        env: s.env,
        stdin: {
          isTerminal: stdinIsTerminal,
          readLine: () => Promise.resolve(null),
          raw: () => undefined,
        },
      });
      const exited = run(["exec", "--profile", "dev", "--", "sh", "-c", script(ready)], deps);
      return { ready, deps, exited };
    };

    for (const [signal, code] of [["SIGTERM", 21], ["SIGHUP", 22], ["SIGINT", 20]] as const) {
      await t.step(`${signal}: passed on; exec exits after the child, with its code`, async () => {
        const child = start(signal, false);
        await waitForFile(child.ready);
        child.deps.raiseSignal(signal);
        assertEquals(await child.exited, code);
        assertEquals((await Deno.readTextFile(`${child.ready}.got`)).trim(), signal.slice(3));
      });
    }

    await t.step(
      "SIGINT with a terminal on stdin: not passed on (the terminal sent it already)",
      async () => {
        const child = start("tty", true);
        await waitForFile(child.ready);
        child.deps.raiseSignal("SIGINT");
        child.deps.raiseSignal("SIGTERM");
        assertEquals(await child.exited, 21);
        assertEquals((await Deno.readTextFile(`${child.ready}.got`)).trim(), "TERM");
      },
    );
  },
);

Deno.test("exec: nothing starts when the profile has no session; one line names aws-login login", async () => {
  await using s = await signedIn();
  await Deno.writeTextFile(s.box.configPath, "\n[profile empty]\nregion = eu-west-1\n", {
    append: true,
  });
  const marker = `${s.box.home}/started`;
  for (const profile of ["empty", "nope"]) {
    const { code, deps } = await runExec(s.env, [
      "exec",
      "--profile",
      profile,
      "--",
      "touch",
      marker,
    ]);
    assertMatch(deps.stderr.text, /^aws-login: [^\n]+\n$/);
    assertStringIncludes(deps.stderr.text, `aws-login login --profile ${profile}`);
    assertEquals(code, profile === "empty" ? 6 : 3);
  }
  await Deno.remove(s.path);
  const gone = await runExec(s.env, ["exec", "--profile", "dev", "--", "touch", marker]);
  assertEquals(gone.code, 6);
  assertMatch(
    gone.deps.stderr.text,
    /^aws-login: Unable to load an existing login session[^\n]+aws-login login --profile dev[^\n]+\n$/,
  );
  assertEquals(await Deno.stat(marker).catch(() => null), null);
});

Deno.test("exec inside exec: the same profile runs as it is, another is refused", async () => {
  await using s = await signedIn();
  const out = `${s.box.home}/child.json`;
  const inner = {
    ...s.env,
    OUT: out,
    AWS_PROFILE: "dev",
    _AWS_LOGIN_EXEC_PROFILE: "dev",
    AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:1/credentials-of-the-outer-exec",
  };
  const same = await runExec(inner, [
    "exec",
    "--",
    "python3",
    "-c",
    CHILD_PROBE.replace("if uri:", "if False:"),
  ]);
  assertEquals(same.code, 0, same.deps.stderr.text);
  const view: ChildView = JSON.parse(await Deno.readTextFile(out));
  assertEquals(
    view.env.AWS_CONTAINER_CREDENTIALS_FULL_URI,
    inner.AWS_CONTAINER_CREDENTIALS_FULL_URI,
  );

  const other = await runExec(inner, ["exec", "--profile", "prod", "--", "true"]);
  assertEquals(other.code, 2);
  assertEquals(
    other.deps.stderr.text,
    'aws-login: aws-login exec cannot run inside "aws-login exec" for profile dev: this environment has the credentials of dev only. Run it outside that command, or use profile dev (what this environment has)\n',
  );
  const serve = await runExec(inner, ["serve"]);
  assertEquals(serve.code, 2);
  assertStringIncludes(
    serve.deps.stderr.text,
    'aws-login serve cannot run inside "aws-login exec"',
  );
});
