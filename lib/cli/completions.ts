/**
 * Shell completion scripts for bash, zsh, fish and PowerShell, generated from the command table of
 * `args.ts` (pure). Commands, options, `--format` values, regions, shells and help topics are
 * written into the script; profile names are asked for when Tab is pressed, by running
 * `aws-login completions --profiles`, so that they follow the config file as botocore reads it
 * (`AWS_CONFIG_FILE`, the credentials file, quoted names) without a second parser in shell.
 *
 * @module
 */

import {
  COMMAND_FLAGS,
  commandFlagSpellings,
  type CommandName,
  COMPLETION_SHELLS,
  type CompletionShell,
} from "./args.ts";
import { EXPORT_FORMATS } from "../aws/export_formats.ts";
import { helpTopics } from "./help.ts";
import { knownRegions } from "../signin/regions.ts";

/**
 * One line of description per command, for the shells that show them (zsh, fish, PowerShell), and
 * the words Tab offers first: every command (the type makes a new command need one) and `help`.
 */
export const COMMAND_SUMMARIES: Readonly<Record<CommandName | "help", string>> = {
  login: "Sign in with a browser and save a login session",
  logout: "End the login session of a profile, at AWS and here",
  "export-credentials": "Print a profile's credentials, refreshed when needed",
  status: "Show the saved login sessions and when they expire",
  doctor: "Check what keeps this machine from using a login session",
  configure: "Write a credential_process profile for other tools",
  completions: "Print a shell completion script",
  exec: "Run a command with a profile's credentials, kept fresh",
  serve: "Serve a profile's credentials to containers and tools",
  help: "Show the help of a command",
};

/** What the value of an option completes to. */
export type ValueSource = { words: readonly string[] } | "profiles" | "none";

/**
 * What the value of an option completes to: profile names (asked from aws-login), a word list
 * (formats, regions), or nothing (free text); `undefined` for an option that takes no value.
 *
 * @example
 * ```ts
 * valueSource("--profile"); // "profiles"
 * valueSource("--timeout"); // "none"
 * valueSource("--remote"); // undefined
 * ```
 */
export function valueSource(flag: string): ValueSource | undefined {
  switch (flag) {
    case "--profile":
    case "--source-profile":
      return "profiles";
    case "--format":
      return { words: EXPORT_FORMATS };
    case "--region":
      return { words: knownRegions() };
  }
  const name = flag.replace(/^--/, "");
  const takesValue = Object.values(COMMAND_FLAGS).some((specs) =>
    Object.hasOwn(specs, name) && specs[name]!.type === "string"
  );
  return takesValue ? "none" : undefined;
}

/** Every option that takes a value, by how its value completes. */
function valueFlags(): { profiles: string[]; none: string[]; words: [string, string[]][] } {
  const flags = [...new Set(Object.keys(COMMAND_FLAGS).flatMap(commandFlagSpellings))].sort();
  const result = {
    profiles: [] as string[],
    none: [] as string[],
    words: [] as [string, string[]][],
  };
  for (const flag of flags) {
    const source = valueSource(flag);
    if (source === undefined) continue;
    if (source === "profiles") result.profiles.push(flag);
    else if (source === "none") result.none.push(flag);
    else result.words.push([flag, [...source.words]]);
  }
  return result;
}

/** The commands Tab offers first (`configure` then offers `credential-process`). */
function commandWords(): string[] {
  return [...Object.keys(COMMAND_SUMMARIES)];
}

/** The option table keyed by the first word of the command line. */
function flagsByFirstWord(): [string, string[]][] {
  return Object.keys(COMMAND_FLAGS).map((command) => [
    command.split(" ")[0]!,
    commandFlagSpellings(command),
  ]);
}

/** Words quoted for a shell word list (names here are plain: letters, digits, dashes). */
function words(list: readonly string[]): string {
  return list.join(" ");
}

function bash(): string {
  const values = valueFlags();
  const flagCases = flagsByFirstWord().map(([command, flags]) =>
    `      ${command}) flags="${words(flags)}" ;;`
  ).join("\n");
  const wordCases = values.words.map(([flag, list]) => `    ${flag}) words="${words(list)}" ;;`)
    .join("\n");
  return `# bash completion for aws-login. Load it with:
#   source <(aws-login completions bash)
_aws_login() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=
  ((COMP_CWORD > 0)) && prev=\${COMP_WORDS[COMP_CWORD-1]}
  # "--format=e": bash splits at "=" (COMP_WORDBREAKS).
  if [[ $cur == "=" ]]; then cur=; fi
  if [[ $prev == "=" ]] && ((COMP_CWORD > 1)); then prev=\${COMP_WORDS[COMP_CWORD-2]}; fi
  local self=\${COMP_WORDS[0]}
  [[ $self == "~/"* ]] && self=$HOME/\${self#"~/"}
  local command=\${COMP_WORDS[1]}
  ((COMP_CWORD == 1)) && command=
  local words=
  case $prev in
    ${values.profiles.join("|")})
      local IFS=$'\\n'
      COMPREPLY=($(compgen -W "$("$self" completions --profiles 2>/dev/null)" -- "$cur"))
      return ;;
${wordCases}
    ${values.none.join("|")}) COMPREPLY=(); return ;;
  esac
  if [[ -z $words ]]; then
    if [[ $cur == -* ]]; then
      local flags="--help -h --version -V"
      case $command in
${flagCases}
      esac
      words=$flags
    elif [[ -z $command ]]; then
      words="${words(commandWords())}"
    elif [[ $command == configure ]] && ((COMP_CWORD == 2)); then
      words="credential-process"
    elif [[ $command == completions ]] && ((COMP_CWORD == 2)); then
      words="${words(COMPLETION_SHELLS)}"
    elif [[ $command == help ]] && ((COMP_CWORD == 2)); then
      words="${words(helpTopics())}"
    fi
  fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _aws_login aws-login
`;
}

function zsh(): string {
  const values = valueFlags();
  const flagCases = flagsByFirstWord().map(([command, flags]) =>
    `      (${command}) flags=(${words(flags)}) ;;`
  ).join("\n");
  const wordCases = values.words.map(([flag, list]) =>
    `    (${flag}) compadd -- ${words(list)}; return ;;`
  ).join("\n");
  const described = Object.entries(COMMAND_SUMMARIES).map(([name, text]) =>
    `    '${name}:${text.replaceAll("'", "'\\''")}'`
  ).join("\n");
  return `#compdef aws-login
# zsh completion for aws-login. Put it in a directory of $fpath as _aws-login, or load it with:
#   source <(aws-login completions zsh)
_aws_login() {
  local cur=\${words[CURRENT]} prev=\${words[CURRENT-1]} command=
  (( CURRENT > 2 )) && command=\${words[2]}
  if [[ $cur == --*=* ]]; then
    prev=\${cur%%=*}
    compset -P '*='
  fi
  case $prev in
    (${values.profiles.join("|")})
      local -a profiles
      profiles=(\${(f)"$(\${~words[1]} completions --profiles 2>/dev/null)"})
      compadd -a profiles
      return ;;
${wordCases}
    (${values.none.join("|")}) return ;;
  esac
  if [[ $cur == -* ]]; then
    local -a flags
    flags=(--help -h --version -V)
    case $command in
${flagCases}
    esac
    compadd -- $flags
  elif [[ -z $command ]]; then
    local -a commands
    commands=(
${described}
    )
    _describe command commands
  elif [[ $command == configure ]] && (( CURRENT == 3 )); then
    compadd credential-process
  elif [[ $command == completions ]] && (( CURRENT == 3 )); then
    compadd ${words(COMPLETION_SHELLS)}
  elif [[ $command == help ]] && (( CURRENT == 3 )); then
    compadd ${words(helpTopics())}
  fi
}
if [[ $funcstack[1] == _aws-login ]]; then
  _aws_login "$@"
else
  compdef _aws_login aws-login
fi
`;
}

/** A fish single-quoted string: only `\\` and `'` are escaped there. */
function fishQuote(text: string): string {
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

function fish(): string {
  const lines = [
    "# fish completion for aws-login. Save it as ~/.config/fish/completions/aws-login.fish, or:",
    "#   aws-login completions fish | source",
    "function __aws_login_profiles",
    "    set -l self (commandline -opc)[1]",
    "    command $self completions --profiles 2>/dev/null",
    "end",
    "complete -c aws-login -f",
    "complete -c aws-login -n __fish_use_subcommand -s h -l help -d 'Show help'",
    "complete -c aws-login -n __fish_use_subcommand -s V -l version -d 'Show the version'",
  ];
  for (const [name, text] of Object.entries(COMMAND_SUMMARIES)) {
    lines.push(`complete -c aws-login -n __fish_use_subcommand -a ${name} -d ${fishQuote(text)}`);
  }
  lines.push(
    "complete -c aws-login -n '__fish_seen_subcommand_from configure; and not __fish_seen_subcommand_from credential-process' -a credential-process -d 'Write a credential_process profile'",
    `complete -c aws-login -n '__fish_seen_subcommand_from completions' -a '${
      words(COMPLETION_SHELLS)
    }'`,
    `complete -c aws-login -n '__fish_seen_subcommand_from help' -a '${words(helpTopics())}'`,
  );
  for (const [command, specs] of Object.entries(COMMAND_FLAGS)) {
    const first = command.split(" ")[0]!;
    lines.push(`complete -c aws-login -n '__fish_seen_subcommand_from ${first}' -s h -l help`);
    for (const [name, spec] of Object.entries(specs)) {
      const flag = `--${name}`;
      const source = valueSource(flag);
      const value = source === undefined
        ? ""
        : source === "profiles"
        ? " -x -a '(__aws_login_profiles)'"
        : source === "none"
        ? " -x"
        : ` -x -a '${words(source.words)}'`;
      lines.push(
        `complete -c aws-login -n '__fish_seen_subcommand_from ${first}' -l ${name}${
          spec.type === "string" ? value : ""
        }`,
      );
    }
  }
  return lines.join("\n") + "\n";
}

function powershell(): string {
  const values = valueFlags();
  const flagTable = flagsByFirstWord().map(([command, flags]) =>
    `    '${command}' = @(${flags.map((f) => `'${f}'`).join(", ")})`
  ).join("\n");
  const wordTable = values.words.map(([flag, list]) =>
    `    '${flag}' = @(${list.map((w) => `'${w}'`).join(", ")})`
  ).join("\n");
  return `# PowerShell completion for aws-login. Add it to your profile with:
#   aws-login completions powershell >> $PROFILE
Register-ArgumentCompleter -Native -CommandName aws-login, aws-login.exe -ScriptBlock {
  param($wordToComplete, $commandAst, $cursorPosition)
  $commands = @(${commandWords().map((c) => `'${c}'`).join(", ")})
  $flags = @{
${flagTable}
  }
  $values = @{
${wordTable}
  }
  $profileFlags = @(${values.profiles.map((f) => `'${f}'`).join(", ")})
  $elements = @($commandAst.CommandElements | ForEach-Object { $_.ToString() })
  if ($wordToComplete -ne '') { $elements = $elements[0..($elements.Count - 2)] }
  $previous = $elements[-1]
  $command = if ($elements.Count -gt 1) { $elements[1] } else { '' }
  $candidates = @()
  if ($profileFlags -contains $previous) {
    $candidates = @(& $elements[0] completions --profiles 2>$null)
  } elseif ($values.ContainsKey($previous)) {
    $candidates = $values[$previous]
  } elseif ($wordToComplete.StartsWith('-')) {
    $candidates = @('--help', '-h', '--version', '-V')
    if ($flags.ContainsKey($command)) { $candidates = $flags[$command] }
  } elseif ($command -eq '') {
    $candidates = $commands
  } elseif ($command -eq 'configure' -and $elements.Count -eq 2) {
    $candidates = @('credential-process')
  } elseif ($command -eq 'completions' -and $elements.Count -eq 2) {
    $candidates = @(${COMPLETION_SHELLS.map((s) => `'${s}'`).join(", ")})
  } elseif ($command -eq 'help' -and $elements.Count -eq 2) {
    $candidates = @(${helpTopics().map((t) => `'${t}'`).join(", ")})
  }
  $candidates | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object {
    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
  }
}
`;
}

/**
 * The completion script for a shell.
 *
 * @example
 * ```ts
 * completionScript("bash").includes("complete -F _aws_login aws-login"); // true
 * ```
 */
export function completionScript(shell: CompletionShell): string {
  switch (shell) {
    case "bash":
      return bash();
    case "zsh":
      return zsh();
    case "fish":
      return fish();
    case "powershell":
      return powershell();
  }
}
