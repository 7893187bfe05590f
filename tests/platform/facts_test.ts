import { assertEquals } from "../support/assert.ts";
import { fakeDeps } from "../support/fake_deps.ts";
import { browserReachability, ENV_NAMES } from "../../lib/platform/browser.ts";
import { gatherFacts, type GatherFactsOptions } from "../../lib/platform/facts.ts";
import type { FileInfo, OsName } from "../../lib/runtime/deps.ts";

/** A temporary directory standing in for `/proc`, `/` and `/mnt/c`. */
async function withRoot(
  fn: (root: string, options: Required<GatherFactsOptions>) => Promise<void>,
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "aws-login-facts-" });
  try {
    await fn(root, {
      osReleasePath: `${root}/proc/sys/kernel/osrelease`,
      dockerEnvPath: `${root}/.dockerenv`,
      containerEnvPath: `${root}/run/.containerenv`,
      wslSystem32Path: `${root}/mnt/c/Windows/System32`,
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

async function writeFile(path: string, text = ""): Promise<void> {
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  await Deno.writeTextFile(path, text);
}

/** A `which` that knows a fixed set of programs and records what it was asked. */
function whichOf(found: Record<string, string>) {
  const asked: string[] = [];
  const which = (command: string) => {
    asked.push(command);
    return Promise.resolve(found[command] ?? null);
  };
  return { asked, which };
}

Deno.test("gatherFacts() keeps the variables that matter, set and not empty", async () => {
  await withRoot(async (_root, options) => {
    const deps = fakeDeps({
      os: "linux",
      env: { DISPLAY: ":0", BROWSER: "", SSH_TTY: "/dev/pts/1", HOME: "/home/me", CI: "false" },
    });
    const facts = await gatherFacts(deps, options);
    assertEquals(facts.env, { DISPLAY: ":0", SSH_TTY: "/dev/pts/1", CI: "false" });
    assertEquals(facts.os, "linux");
  });
});

Deno.test("gatherFacts() reads every variable browser.ts decides on", async () => {
  const read: string[] = [];
  const deps = { ...fakeDeps({ os: "darwin" }), env: (name: string) => (read.push(name), "x") };
  const facts = await gatherFacts(deps);
  for (const name of ENV_NAMES) assertEquals(facts.env[name], "x", name);
});

Deno.test("gatherFacts() on plain Linux: no WSL, no container", async () => {
  await withRoot(async (_root, options) => {
    await writeFile(options.osReleasePath, "6.8.0-45-generic\n");
    const { asked, which } = whichOf({ "xdg-open": "/usr/bin/xdg-open", gio: "/usr/bin/gio" });
    const facts = await gatherFacts(fakeDeps({ os: "linux", which }), options);
    assertEquals(facts, {
      os: "linux",
      env: {},
      kernelRelease: "6.8.0-45-generic",
      dockerEnvFile: false,
      containerEnvFile: false,
      launchers: { "xdg-open": "/usr/bin/xdg-open", gio: "/usr/bin/gio" },
    });
    assertEquals(asked.sort(), [
      "cmd.exe",
      "gio",
      "powershell.exe",
      "rundll32.exe",
      "sensible-browser",
      "wslview",
      "x-www-browser",
      "xdg-open",
    ]);
  });
});

Deno.test("gatherFacts() finds the container marker files", async () => {
  await withRoot(async (_root, options) => {
    await writeFile(options.dockerEnvPath);
    await writeFile(options.containerEnvPath, 'engine="podman-5.2.2"\n');
    const facts = await gatherFacts(fakeDeps({ os: "linux" }), options);
    assertEquals([facts.dockerEnvFile, facts.containerEnvFile], [true, true]);
    assertEquals(browserReachability(facts), {
      reachable: false,
      reason: "running in a container",
    });
  });
});

Deno.test("gatherFacts() on WSL finds cmd.exe and PowerShell under /mnt/c", async () => {
  await withRoot(async (_root, options) => {
    await writeFile(options.osReleasePath, "5.15.167.4-microsoft-standard-WSL2\n");
    await writeFile(`${options.wslSystem32Path}/cmd.exe`);
    await writeFile(`${options.wslSystem32Path}/WindowsPowerShell/v1.0/powershell.exe`);
    await writeFile(options.dockerEnvPath);
    const facts = await gatherFacts(fakeDeps({ os: "linux" }), options);
    assertEquals(facts.kernelRelease, "5.15.167.4-microsoft-standard-WSL2");
    assertEquals(facts.launchers, {
      "cmd.exe": `${options.wslSystem32Path}/cmd.exe`,
      "powershell.exe": `${options.wslSystem32Path}/WindowsPowerShell/v1.0/powershell.exe`,
    });
    // A WSL distro with a /.dockerenv, even with WSL_DISTRO_NAME scrubbed (sudo -i), is WSL.
    assertEquals(browserReachability(facts), { reachable: true });
  });
});

Deno.test("gatherFacts() prefers the launcher on PATH over the /mnt/c one", async () => {
  await withRoot(async (_root, options) => {
    await writeFile(`${options.wslSystem32Path}/cmd.exe`);
    const { which } = whichOf({ "cmd.exe": "/mnt/c/WINDOWS/system32/cmd.exe" });
    const facts = await gatherFacts(fakeDeps({ os: "linux", which }), options);
    assertEquals(facts.launchers, { "cmd.exe": "/mnt/c/WINDOWS/system32/cmd.exe" });
  });
});

Deno.test("gatherFacts() without /proc gives an empty kernel release", async () => {
  await withRoot(async (_root, options) => {
    const facts = await gatherFacts(fakeDeps({ os: "linux" }), options);
    assertEquals(facts.kernelRelease, "");
  });
});

const otherSystems: [OsName, string[]][] = [
  ["darwin", ["open"]],
  ["windows", ["rundll32.exe", "cmd.exe", "powershell.exe"]],
  ["freebsd", ["xdg-open", "gio", "sensible-browser", "x-www-browser"]],
];

for (const [os, launchers] of otherSystems) {
  Deno.test(`gatherFacts() on ${os} reads no Linux files and asks for its launchers`, async () => {
    await withRoot(async (_root, options) => {
      await writeFile(options.osReleasePath, "5.15.167.4-microsoft-standard-WSL2\n");
      await writeFile(options.dockerEnvPath);
      const { asked, which } = whichOf({});
      const facts = await gatherFacts(fakeDeps({ os, which }), options);
      assertEquals(
        [facts.kernelRelease, facts.dockerEnvFile, facts.containerEnvFile],
        ["", false, false],
      );
      assertEquals(asked, launchers);
    });
  });
}

Deno.test("gatherFacts() on Windows falls back to %SystemRoot%\\System32", async () => {
  const statted: string[] = [];
  const base = fakeDeps({ os: "windows", env: { SystemRoot: "D:\\WINDOWS" } });
  const file: FileInfo = {
    isFile: true,
    isDirectory: false,
    isSymlink: false,
    mode: null,
    mtime: null,
  };
  const deps = {
    ...base,
    fs: {
      ...base.fs,
      stat: (path: string) => {
        statted.push(path);
        return Promise.resolve(path.endsWith("rundll32.exe") ? file : null);
      },
    },
  };
  const facts = await gatherFacts(deps);
  assertEquals(facts.launchers, { "rundll32.exe": "D:\\WINDOWS\\System32\\rundll32.exe" });
  assertEquals(statted.sort(), [
    "D:\\WINDOWS\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
    "D:\\WINDOWS\\System32\\cmd.exe",
    "D:\\WINDOWS\\System32\\rundll32.exe",
  ]);
});
