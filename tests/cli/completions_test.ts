/**
 * The completion scripts, run by the real shells: bash completes through its own `compgen` and
 * completion function, fish through `complete -C`; zsh parses the script (`zsh -n`).
 */

import { assertEquals, assertStringIncludes, assertTrue } from "../support/assert.ts";
import { completionScript, valueSource } from "../../lib/cli/completions.ts";
import { COMPLETION_SHELLS } from "../../lib/cli/args.ts";
import { EXPORT_FORMATS } from "../../lib/aws/export_formats.ts";
import { run } from "../../lib/run.ts";
import { fakeDeps } from "../support/fake_deps.ts";
import { MAIN_PATH, runProgram, sandbox } from "../support/cli.ts";
import { testWithPrograms } from "../support/tools.ts";

const CONFIG = '[default]\nregion = eu-west-1\n[profile dev]\n[profile "my dev"]\n' +
  "[sso-session corp]\n";
const CREDENTIALS = "[ci]\naws_access_key_id = AKIDEXAMPLE\n";

/** A sandbox with a config file and an `aws-login` wrapper that runs this checkout's CLI. */
async function sandboxWithCli() {
  const box = await sandbox();
  await Deno.mkdir(`${box.home}/.aws`);
  await Deno.writeTextFile(box.configPath, CONFIG);
  await Deno.writeTextFile(box.credentialsPath, CREDENTIALS);
  const bin = `${box.home}/bin`;
  await Deno.mkdir(bin);
  const wrapper = `${bin}/aws-login`;
  await Deno.writeTextFile(
    wrapper,
    `#!/bin/sh\nexec '${Deno.execPath()}' run --allow-all --quiet '${MAIN_PATH}' "$@"\n`,
  );
  await Deno.chmod(wrapper, 0o755);
  const script = `${box.home}/completion`;
  return { box, bin, wrapper, script };
}

Deno.test("completions --profiles lists the profiles of the config and credentials files", async () => {
  await using box = await sandbox();
  await Deno.mkdir(`${box.home}/.aws`);
  await Deno.writeTextFile(box.configPath, CONFIG);
  await Deno.writeTextFile(box.credentialsPath, CREDENTIALS);
  const deps = fakeDeps({ env: { HOME: box.home } });
  assertEquals(await run(["completions", "--profiles"], deps), 0);
  assertEquals(deps.stdout.text, "default\ndev\nmy dev\nci\n");
  const empty = fakeDeps({ env: { HOME: `${box.home}/nowhere` } });
  assertEquals(await run(["completions", "--profiles"], empty), 0);
  assertEquals(empty.stdout.text, "");
});

Deno.test("completions SHELL prints a script on stdout for each shell", async () => {
  for (const shell of COMPLETION_SHELLS) {
    const deps = fakeDeps();
    assertEquals(await run(["completions", shell], deps), 0);
    assertEquals(deps.stdout.text, completionScript(shell));
    assertEquals(deps.stderr.text, "");
    assertStringIncludes(deps.stdout.text, "completions --profiles");
    for (const format of EXPORT_FORMATS) assertStringIncludes(deps.stdout.text, format);
  }
  assertEquals(valueSource("--profile"), "profiles");
  assertEquals(valueSource("--timeout"), "none");
  assertEquals(valueSource("--remote"), undefined);
});

/** Runs bash's completion function for a command line; returns COMPREPLY. */
async function bashComplete(
  bash: string,
  script: string,
  words: string[],
  env: Record<string, string>,
): Promise<string[]> {
  const driver = `source '${script}'
COMP_WORDS=("$@")
COMP_CWORD=$((\${#COMP_WORDS[@]} - 1))
COMP_LINE="\${COMP_WORDS[*]}"
COMP_POINT=\${#COMP_LINE}
_aws_login
printf '%s\\n' "\${COMPREPLY[@]}"
`;
  const result = await runProgram([bash, "-c", driver, "bash", ...words], { env });
  assertEquals(result.code, 0, result.stderr);
  assertEquals(result.stderr, "");
  return result.stdout.split("\n").filter((line) => line !== "");
}

testWithPrograms("the bash script parses and completes in a real bash", ["bash"], async (paths) => {
  const { box, wrapper, script } = await sandboxWithCli();
  await using _ = box;
  await Deno.writeTextFile(script, completionScript("bash"));
  const env = await box.env();
  const check = await runProgram([paths.bash!, "-n", script], { env });
  assertEquals(check.code, 0, check.stderr);

  const table: [string[], string[]][] = [
    [["aws-login", "lo"], ["login", "logout"]],
    [["aws-login", ""], [
      "login",
      "logout",
      "export-credentials",
      "status",
      "doctor",
      "configure",
      "completions",
      "exec",
      "serve",
      "help",
    ]],
    [["aws-login", "ex"], ["export-credentials", "exec"]],
    [["aws-login", "serve", "--t"], ["--token-file"]],
    [["aws-login", "doctor", "--"], ["--profile", "--json", "--help"]],
    [["aws-login", "export-credentials", "--format", "e"], ["env", "env-no-export"]],
    [["aws-login", "export-credentials", "--fo"], ["--format"]],
    [["aws-login", "login", "--re"], ["--region", "--redirect-port", "--remote"]],
    [["aws-login", "login", "--region", "eu-west-"], ["eu-west-1", "eu-west-2", "eu-west-3"]],
    [["aws-login", "login", "--timeout", ""], []],
    [["aws-login", "configure", "c"], ["credential-process"]],
    [["aws-login", "configure", "credential-process", "--so"], ["--source-profile"]],
    [["aws-login", "completions", "z"], ["zsh"]],
    [["aws-login", "help", "st"], ["status"]],
    [["aws-login", "--ver"], ["--version"]],
    // Profiles come from the config, by running the program being completed.
    [[wrapper, "login", "--profile", "d"], ["default", "dev"]],
    [[wrapper, "login", "--profile", ""], ["default", "dev", "my dev", "ci"]],
    [[wrapper, "export-credentials", "--profile", "c"], ["ci"]],
    [[wrapper, "configure", "credential-process", "--source-profile", "m"], ["my dev"]],
  ];
  for (const [words, expected] of table) {
    assertEquals(await bashComplete(paths.bash!, script, words, env), expected, words.join(" "));
  }
});

testWithPrograms("the zsh script parses", ["zsh"], async (paths) => {
  await using box = await sandbox();
  const script = `${box.home}/_aws-login`;
  await Deno.writeTextFile(script, completionScript("zsh"));
  const check = await runProgram([paths.zsh!, "-n", script], { env: await box.env() });
  assertEquals(check.code, 0, check.stderr);
  assertEquals(check.stderr, "");
});

testWithPrograms("the fish script parses and completes in a real fish", ["fish"], async (paths) => {
  const { box, bin, script } = await sandboxWithCli();
  await using _ = box;
  await Deno.writeTextFile(script, completionScript("fish"));
  const env = await box.env();
  // The profiles come from the aws-login on PATH: this checkout's.
  env.PATH = `${bin}:${env.PATH}`;
  const check = await runProgram([paths.fish!, "--no-execute", script], { env });
  assertEquals(check.code, 0, check.stderr);
  const complete = async (line: string) => {
    const result = await runProgram(
      [paths.fish!, "-c", `source '${script}'; complete -C '${line}'`],
      { env },
    );
    assertEquals(result.code, 0, result.stderr);
    return result.stdout.split("\n").filter((l) => l !== "").map((l) => l.split("\t")[0]!);
  };
  assertEquals((await complete("aws-login lo")).sort(), ["login", "logout"]);
  assertEquals(
    (await complete("aws-login export-credentials --format env")).sort(),
    ["env", "env-no-export"],
  );
  assertTrue((await complete("aws-login login --re")).includes("--region"));
  const profiles = await complete("aws-login login --profile ");
  assertEquals(profiles.sort(), ["ci", "default", "dev", "my dev"]);
});
