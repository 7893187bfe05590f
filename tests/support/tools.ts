/**
 * Programs some tests need besides Deno (bash, zsh, fish, tmux): found on `PATH`, or the test is
 * skipped with the reason in its name, unless `AWS_LOGIN_REQUIRE_TERMINAL_TESTS=1` (set by CI in
 * `.ci/run`, which installs them): then a missing program is a failure.
 *
 * @module
 */

/** Set by CI: the terminal and shell tests must run, not skip. */
export const TERMINAL_TESTS_REQUIRED = Deno.env.get("AWS_LOGIN_REQUIRE_TERMINAL_TESTS") === "1";

/** The path of a program on `PATH`, or `undefined`. */
export function findProgram(name: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(Deno.build.os === "windows" ? ";" : ":")) {
    if (dir === "") continue;
    const path = `${dir}/${name}`;
    try {
      const info = Deno.statSync(path);
      if (info.isFile && (info.mode === null || (info.mode & 0o111) !== 0)) return path;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * `Deno.test` for a test that needs `programs`. When one is missing it is registered as ignored,
 * with the reason in its name, or, when {@link TERMINAL_TESTS_REQUIRED}, it fails saying what to
 * install.
 */
export function testWithPrograms(
  name: string,
  programs: readonly string[],
  fn: (paths: Record<string, string>, t: Deno.TestContext) => void | Promise<void>,
): void {
  const paths: Record<string, string> = {};
  const missing: string[] = [];
  for (const program of programs) {
    const path = findProgram(program);
    if (path === undefined) missing.push(program);
    else paths[program] = path;
  }
  const skip = missing.length > 0 && !TERMINAL_TESTS_REQUIRED;
  Deno.test({
    name: skip
      ? `${name} (skipped: ${
        missing.join(", ")
      } not found; set AWS_LOGIN_REQUIRE_TERMINAL_TESTS=1 to make this a failure)`
      : name,
    ignore: skip || Deno.build.os === "windows",
    fn: async (t) => {
      if (missing.length > 0) {
        throw new Error(
          `AWS_LOGIN_REQUIRE_TERMINAL_TESTS=1 but ${
            missing.join(", ")
          } cannot be found on PATH: install ${missing.join(" ")} (apt-get install ${
            missing.join(" ")
          })`,
        );
      }
      await fn(paths, t);
    },
  });
}

/**
 * Why `python3` cannot import `module` (`"python3 is not installed"`, `"the botocore Python
 * package is not installed"`), or `undefined` when it can.
 */
export async function pythonModuleMissing(module: string): Promise<string | undefined> {
  try {
    const { success } = await new Deno.Command("python3", {
      args: ["-c", `import ${module}`],
      stdout: "null",
      stderr: "null",
    }).output();
    return success ? undefined : `the ${module} Python package is not installed`;
  } catch {
    return "python3 is not installed";
  }
}
