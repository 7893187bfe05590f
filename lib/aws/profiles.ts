/**
 * Profiles on top of {@link parseIni}: which section of the config file holds a profile, what
 * values botocore sees for it, and which other kind of credentials it already has (spec §9.3).
 *
 * The rules are botocore's (`configloader.build_profile_map`, `Session.full_config`), checked
 * against botocore 1.43.11:
 *
 * - Config file: `[default]` is profile `default`. A header that starts with `profile` is split like
 *   a shell command line (`shlex.split`) and is a profile when that gives exactly two words:
 *   `[profile dev]`, `[profile  dev ]`, `[profile "my dev"]`, `[profile 'dev']` are all `dev`;
 *   `[profile a b]` and `[ profile dev ]` (leading space) are not profiles at all. botocore does not
 *   check the first word, so `[profiles dev]` is profile `dev` too; we do the same.
 * - When several headers name the same profile (`[default]` and `[profile default]`, or
 *   `[profile dev]` and `[profile "dev"]`), the one whose header first appears last wins, and it
 *   replaces the others entirely: values are not merged across them.
 * - The same header twice (`[profile dev]` … `[profile dev]`) makes botocore refuse the file
 *   (`DuplicateSectionError`, reported by {@link parseIni} as a problem). We read on and merge the
 *   occurrences key by key, later lines winning, as configparser does when not strict and as the
 *   JS SDK does.
 * - `[DEFAULT]` values apply to every section of the same file that does not set the key itself.
 * - Credentials file: every header is a profile name, as is, and its values override the config
 *   file's values key by key (`full_config`).
 *
 * Nested blocks (`s3 =` …) are not part of the flat views returned here.
 *
 * @module
 */

import type { IniSection } from "./ini.ts";

type Resolved = Map<string, string | Readonly<Record<string, string>>>;

const SHLEX_SPACE = " \t\r\n";
const SHLEX_QUOTES = "'\"";
const DEFAULTS_SECTION = "DEFAULT";

/**
 * The header name for a profile in the config file: `default`, or `profile NAME`. A name that
 * botocore would not read back as one word (it holds whitespace, quotes or backslashes) is written
 * in double quotes, with `"` and `\` escaped.
 *
 * @throws {TypeError} when the name is empty or holds a line break.
 * @example
 * ```ts
 * import { configSectionName } from "./profiles.ts";
 * configSectionName("default"); // "default"
 * configSectionName("dev"); // "profile dev"
 * configSectionName("my dev"); // 'profile "my dev"'
 * ```
 */
export function configSectionName(profile: string): string {
  checkProfileName(profile);
  if (profile === "default") return "default";
  const plain = [...profile].every((char) => !SHLEX_SPACE.includes(char) && !`'"\\`.includes(char));
  if (plain) return `profile ${profile}`;
  return `profile "${profile.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

/**
 * The profile a config-file header defines, as botocore reads it, or `undefined` when the header is
 * not a profile (`sso-session x`, `services s`, `profile a b`, `DEFAULT`...).
 *
 * @example
 * ```ts
 * import { configProfileName } from "./profiles.ts";
 * configProfileName("profile dev"); // "dev"
 * configProfileName('profile "my dev"'); // "my dev"
 * configProfileName("default"); // "default"
 * configProfileName("sso-session corp"); // undefined
 * ```
 */
export function configProfileName(header: string): string | undefined {
  // The common case, `profile NAME` with a plain name, without the whole shlex.
  const plain = /^profile[ \t\r\n]+([^ \t\r\n'"\\]+)[ \t\r\n]*$/.exec(header);
  if (plain !== null) return plain[1];
  if (header.startsWith("profile")) {
    const words = shlexSplit(header);
    return words?.length === 2 ? words[1] : undefined;
  }
  return header === "default" ? "default" : undefined;
}

/**
 * The header name whose section botocore reads for a profile of the config file: of all headers
 * that define the profile, the one that first appears last. `undefined` when none does.
 *
 * @example
 * ```ts
 * import { parseIni } from "./ini.ts";
 * import { configProfileHeader } from "./profiles.ts";
 * const { sections } = parseIni('[profile dev]\na = 1\n[profile "dev"]\nb = 2\n');
 * configProfileHeader(sections, "dev"); // 'profile "dev"'
 * ```
 */
export function configProfileHeader(
  sections: readonly IniSection[],
  profile: string,
): string | undefined {
  return new ProfileIndex(sections).configHeader(profile);
}

/**
 * Values of a profile from the config file: `[default]` (or `[profile default]`) for `default`,
 * `[profile NAME]` (or `[profile "NAME"]`) otherwise, with `[DEFAULT]` values underneath.
 * `undefined` when no section defines the profile.
 *
 * @example
 * ```ts
 * import { parseIni } from "./ini.ts";
 * import { configProfile } from "./profiles.ts";
 * const { sections } = parseIni("[profile dev]\nregion = eu-west-1\nlogin_session = arn:aws:iam::123456789012:user/dev\n");
 * configProfile(sections, "dev");
 * // { region: "eu-west-1", login_session: "arn:aws:iam::123456789012:user/dev" }
 * ```
 */
export function configProfile(
  sections: readonly IniSection[],
  profile: string,
): Record<string, string> | undefined {
  return new ProfileIndex(sections).configProfile(profile);
}

/**
 * Values of `[NAME]` from the credentials file, with `[DEFAULT]` values underneath. `undefined`
 * when there is no such section.
 *
 * @example
 * ```ts
 * import { parseIni } from "./ini.ts";
 * import { credentialsProfile } from "./profiles.ts";
 * const { sections } = parseIni("[dev]\naws_access_key_id = AKIDEXAMPLE\n");
 * credentialsProfile(sections, "dev"); // { aws_access_key_id: "AKIDEXAMPLE" }
 * ```
 */
export function credentialsProfile(
  sections: readonly IniSection[],
  profile: string,
): Record<string, string> | undefined {
  return new ProfileIndex([], sections).credentialsProfile(profile);
}

/**
 * The view botocore uses (`Session.full_config`): credentials-file values override config-file
 * values key by key. `undefined` when neither file defines the profile.
 *
 * @example
 * ```ts
 * import { parseIni } from "./ini.ts";
 * import { mergedProfile } from "./profiles.ts";
 * const config = parseIni("[profile dev]\nregion = eu-west-1\n").sections;
 * const credentials = parseIni("[dev]\naws_access_key_id = AKIDEXAMPLE\n").sections;
 * mergedProfile(config, credentials, "dev");
 * // { region: "eu-west-1", aws_access_key_id: "AKIDEXAMPLE" }
 * ```
 */
export function mergedProfile(
  config: readonly IniSection[],
  credentials: readonly IniSection[],
  profile: string,
): Record<string, string> | undefined {
  return new ProfileIndex(config, credentials).mergedProfile(profile);
}

/** Settings of a section with their nested blocks (`s3 =` ...), which the flat views leave out. */
export interface SectionSettings {
  /** Plain values. */
  readonly values: Readonly<Record<string, string>>;
  /** Nested blocks by key: `{ s3: { addressing_style: "path" } }`. */
  readonly nested: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/**
 * The settings of a section that is not a profile, such as `[services NAME]`, over `[DEFAULT]`'s;
 * `undefined` when there is no such section.
 *
 * @example
 * ```ts
 * import { parseIni } from "./ini.ts";
 * import { sectionSettings } from "./profiles.ts";
 * const { sections } = parseIni("[services local]\ns3 =\n  endpoint_url = http://127.0.0.1:9000\n");
 * sectionSettings(sections, "services local")?.nested; // { s3: { endpoint_url: "http://127.0.0.1:9000" } }
 * ```
 */
export function sectionSettings(
  sections: readonly IniSection[],
  header: string,
): SectionSettings | undefined {
  const grouped = new Map<string, IniSection[]>();
  group(sections, grouped);
  if (!grouped.has(header)) return undefined;
  return settings(resolveHeader(grouped, header));
}

function settings(resolved: Resolved): SectionSettings {
  const values: Record<string, string> = {};
  const nested: Record<string, Readonly<Record<string, string>>> = {};
  for (const [key, value] of resolved) {
    Object.defineProperty(typeof value === "string" ? values : nested, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return { values, nested };
}

/**
 * Every profile name defined in the config file, then those only in the credentials file, once
 * each, in file order.
 *
 * @example
 * ```ts
 * import { parseIni } from "./ini.ts";
 * import { listProfiles } from "./profiles.ts";
 * const config = parseIni("[default]\n[sso-session corp]\n[profile dev]\n").sections;
 * const credentials = parseIni("[dev]\n[ci]\n").sections;
 * listProfiles(config, credentials); // ["default", "dev", "ci"]
 * ```
 */
export function listProfiles(
  config: readonly IniSection[],
  credentials?: readonly IniSection[],
): string[] {
  return new ProfileIndex(config, credentials ?? []).profiles();
}

/**
 * Both files read once, so that looking up every profile is linear in the size of the files
 * (`status` on 20,000 profiles). The functions above answer single questions with one of these.
 *
 * @example
 * ```ts
 * import { parseIni } from "./ini.ts";
 * import { ProfileIndex } from "./profiles.ts";
 * const index = new ProfileIndex(parseIni("[profile a]\nregion = eu-west-1\n").sections);
 * index.configProfile("a"); // { region: "eu-west-1" }
 * ```
 */
export class ProfileIndex {
  /** Config-file sections by header name, in file order. */
  #config = new Map<string, IniSection[]>();
  /** Profile name → the config-file header whose values botocore reads. */
  #headers = new Map<string, string>();
  #credentials = new Map<string, IniSection[]>();
  #names: string[];

  constructor(config: readonly IniSection[], credentials: readonly IniSection[] = []) {
    group(config, this.#config);
    group(credentials, this.#credentials);
    const names = new Set<string>();
    // Map keys keep the order of first appearance: the header that first appears last wins.
    for (const header of this.#config.keys()) {
      const name = configProfileName(header);
      if (name === undefined) continue;
      this.#headers.set(name, header);
      names.add(name);
    }
    for (const name of this.#credentials.keys()) {
      if (name !== DEFAULTS_SECTION) names.add(name);
    }
    this.#names = [...names];
  }

  /** Every profile name: the config file's, then those only in the credentials file. */
  profiles(): string[] {
    return [...this.#names];
  }

  /** The config-file header botocore reads for a profile. */
  configHeader(profile: string): string | undefined {
    return this.#headers.get(profile);
  }

  /** The config-file values of a profile (see {@link configProfile}). */
  configProfile(profile: string): Record<string, string> | undefined {
    const resolved = this.#resolveConfig(profile);
    return resolved === undefined ? undefined : flat(resolved);
  }

  /** The credentials-file values of a profile (see {@link credentialsProfile}). */
  credentialsProfile(profile: string): Record<string, string> | undefined {
    const resolved = this.#resolveCredentials(profile);
    return resolved === undefined ? undefined : flat(resolved);
  }

  /** Both merged as botocore merges them (see {@link mergedProfile}). */
  mergedProfile(profile: string): Record<string, string> | undefined {
    const merged = this.#merged(profile);
    return merged === undefined ? undefined : flat(merged);
  }

  /**
   * Both merged, nested blocks included: the settings botocore sees for a profile; `undefined`
   * when neither file defines it.
   */
  mergedSettings(profile: string): SectionSettings | undefined {
    const merged = this.#merged(profile);
    return merged === undefined ? undefined : settings(merged);
  }

  #merged(profile: string): Resolved | undefined {
    const fromConfig = this.#resolveConfig(profile);
    const fromCredentials = this.#resolveCredentials(profile);
    if (fromConfig === undefined && fromCredentials === undefined) return undefined;
    return new Map([...(fromConfig ?? []), ...(fromCredentials ?? [])]);
  }

  /**
   * The line of the file where botocore reads a profile's key from: the last assignment in the
   * profile's section (the header it reads), else in `[DEFAULT]`; `undefined` when the file does
   * not set it for the profile.
   */
  keyLine(file: "config" | "credentials", profile: string, key: string): number | undefined {
    const sections = file === "config" ? this.#config : this.#credentials;
    const header = file === "config"
      ? this.#headers.get(profile)
      : profile === DEFAULTS_SECTION
      ? undefined
      : profile;
    if (header === undefined || !sections.has(header)) return undefined;
    for (const name of [header, DEFAULTS_SECTION]) {
      const found = (sections.get(name) ?? []).findLast((section) =>
        Object.hasOwn(section.keyLines, key)
      );
      if (found !== undefined) return found.keyLines[key];
    }
    return undefined;
  }

  #resolveConfig(profile: string): Resolved | undefined {
    const header = this.#headers.get(profile);
    return header === undefined ? undefined : resolveHeader(this.#config, header);
  }

  #resolveCredentials(profile: string): Resolved | undefined {
    if (profile === DEFAULTS_SECTION || !this.#credentials.has(profile)) return undefined;
    return resolveHeader(this.#credentials, profile);
  }
}

function group(sections: readonly IniSection[], into: Map<string, IniSection[]>): void {
  for (const section of sections) {
    const list = into.get(section.name);
    if (list === undefined) into.set(section.name, [section]);
    else list.push(section);
  }
}

/**
 * Spec §9.3: the other kind of credentials a merged profile already holds, checked in the AWS CLI's
 * order, in the CLI's words; `undefined` when there is none. Like the CLI, it tests whether the key
 * is present, even with an empty value. A profile with only `sso_session` is not refused.
 *
 * @example
 * ```ts
 * import { otherCredentialStyle } from "./profiles.ts";
 * otherCredentialStyle({ role_arn: "arn:aws:iam::123456789012:role/R", aws_access_key_id: "AKID" }); // "Access Key"
 * otherCredentialStyle({ sso_session: "corp", region: "eu-west-1" }); // undefined
 * ```
 */
export function otherCredentialStyle(merged: Readonly<Record<string, string>>): string | undefined {
  return otherCredentialKey(merged)?.style;
}

/** The keys that make a profile hold other credentials, in the AWS CLI's order and words. */
const OTHER_CREDENTIAL_KEYS: readonly (readonly [string, string])[] = [
  ["web_identity_token_file", "Web Identity"],
  ["sso_role_name", "SSO"],
  ["sso_account_id", "SSO"],
  ["aws_access_key_id", "Access Key"],
  ["role_arn", "Assume Role"],
  ["credential_process", "Credential Process"],
];

/**
 * Like {@link otherCredentialStyle}, with the key that decided it, so that a message can name it.
 *
 * @example
 * ```ts
 * import { otherCredentialKey } from "./profiles.ts";
 * otherCredentialKey({ aws_access_key_id: "AKID" }); // { style: "Access Key", key: "aws_access_key_id" }
 * ```
 */
export function otherCredentialKey(
  merged: Readonly<Record<string, string>>,
): { style: string; key: string } | undefined {
  const found = OTHER_CREDENTIAL_KEYS.find(([key]) => Object.hasOwn(merged, key));
  return found === undefined ? undefined : { style: found[1], key: found[0] };
}

function checkProfileName(profile: string): void {
  if (profile === "") throw new TypeError("Invalid profile name: it is empty");
  if (/[\r\n]/.test(profile)) {
    throw new TypeError(`Invalid profile name ${JSON.stringify(profile)}: it holds a line break`);
  }
}

/** The values of every occurrence of `header`, later ones winning, over `[DEFAULT]`'s. */
function resolveHeader(
  sections: ReadonlyMap<string, readonly IniSection[]>,
  header: string,
): Resolved {
  const resolved: Resolved = new Map();
  for (const name of [DEFAULTS_SECTION, header]) {
    for (const section of sections.get(name) ?? []) {
      // Within one section a key is either plain or nested, never both.
      for (
        const [key, value] of [...Object.entries(section.values), ...Object.entries(section.nested)]
      ) {
        resolved.delete(key);
        resolved.set(key, value);
      }
    }
  }
  return resolved;
}

function flat(resolved: Resolved): Record<string, string> {
  // fromEntries defines own properties, so a key such as "__proto__" stays a plain key.
  return Object.fromEntries(
    [...resolved].filter((entry): entry is [string, string] => typeof entry[1] === "string"),
  );
}

/**
 * Python's `shlex.split(text)` (POSIX mode, no comments); `undefined` where Python raises
 * (an unclosed quote or a trailing backslash).
 */
function shlexSplit(text: string): string[] | undefined {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote = "";
  let i = 0;
  while (i < text.length) {
    const char = text.charAt(i++);
    if (quote === "'") {
      if (char === "'") quote = "";
      else word += char;
    } else if (quote === '"') {
      if (char === '"') {
        quote = "";
      } else if (char === "\\") {
        if (i >= text.length) return undefined;
        const next = text.charAt(i++);
        // Inside double quotes a backslash only escapes `"` and itself.
        word += next === '"' || next === "\\" ? next : `\\${next}`;
      } else {
        word += char;
      }
    } else if (SHLEX_SPACE.includes(char)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else if (char === "\\") {
      if (i >= text.length) return undefined;
      word += text.charAt(i++);
      inWord = true;
    } else if (SHLEX_QUOTES.includes(char)) {
      quote = char;
      inWord = true;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote !== "") return undefined;
  if (inWord) words.push(word);
  return words;
}
