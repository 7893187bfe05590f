/**
 * The output formats of `export-credentials` (spec §12): pure functions of the credentials.
 *
 * Values made only of characters that no shell treats specially are written exactly as aws-cli
 * writes them; other values are quoted for the target shell, so that pasting or `eval`-ing the
 * output can never run anything.
 *
 * @module
 */

/** Output formats of `export-credentials` (spec §12), in aws-cli's order. */
export const EXPORT_FORMATS = [
  "process",
  "env",
  "env-no-export",
  "powershell",
  "windows-cmd",
  "fish",
] as const;

/** One of {@link EXPORT_FORMATS}. */
export type ExportFormat = typeof EXPORT_FORMATS[number];

/** Credentials to print. */
export interface ExportableCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
  readonly expiration?: Date | undefined;
}

/**
 * An expiry as Python's `datetime.isoformat()` prints a UTC time: `2025-11-19T00:15:00+00:00`
 * (microseconds only when not zero).
 *
 * @example
 * ```ts
 * pythonIsoFormat(new Date("2025-11-19T00:15:00Z")); // "2025-11-19T00:15:00+00:00"
 * ```
 */
export function pythonIsoFormat(date: Date): string {
  const base = date.toISOString().slice(0, 19);
  const ms = date.getUTCMilliseconds();
  return `${base}${ms === 0 ? "" : `.${String(ms * 1000).padStart(6, "0")}`}+00:00`;
}

function variables(credentials: ExportableCredentials): [string, string][] {
  const pairs: [string, string][] = [
    ["AWS_ACCESS_KEY_ID", credentials.accessKeyId],
    ["AWS_SECRET_ACCESS_KEY", credentials.secretAccessKey],
  ];
  if (credentials.sessionToken) pairs.push(["AWS_SESSION_TOKEN", credentials.sessionToken]);
  if (credentials.expiration) {
    pairs.push(["AWS_CREDENTIAL_EXPIRATION", pythonIsoFormat(credentials.expiration)]);
  }
  return pairs;
}

/** Characters no POSIX shell, PowerShell, cmd.exe or fish treats specially in a bare word. */
const SAFE = /^[A-Za-z0-9_./:+=@,-]*$/;

/**
 * Quotes for POSIX shells: bare when safe, else single quotes (`'` written as `'\''`).
 *
 * @example
 * ```ts
 * quotePosix("a b'c"); // "'a b'\\''c'"
 * ```
 */
export function quotePosix(value: string): string {
  return SAFE.test(value) && value !== "" ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Quotes for a PowerShell double-quoted string: backtick, `$` and every character PowerShell takes
 * for a double quote (`"` and the typographic `“ ” „`) escaped with a backtick.
 *
 * @example
 * ```ts
 * quotePowerShell('a$b"c'); // '"a`$b`"c"'
 * quotePowerShell("a\u201cb"); // '"a`\u201cb"'
 * ```
 */
export function quotePowerShell(value: string): string {
  return `"${value.replace(/[`$"\u201c\u201d\u201e]/g, (char) => "`" + char)}"`;
}

/**
 * Quotes for fish: double quotes with `\`, `"` and `$` escaped.
 *
 * @example
 * ```ts
 * quoteFish('a$b'); // '"a\\$b"'
 * ```
 */
export function quoteFish(value: string): string {
  return `"${value.replace(/[\\"$]/g, (char) => "\\" + char)}"`;
}

/**
 * A cmd.exe `set` line: `set K=V` when safe, else `set "K=V"` (quotes protect `& | < > ^ ( )`;
 * `%` is doubled so a batch file keeps it).
 *
 * @example
 * ```ts
 * windowsSet("K", "a&b"); // 'set "K=a&b"'
 * ```
 */
export function windowsSet(name: string, value: string): string {
  if (SAFE.test(value)) return `set ${name}=${value}`;
  if (value.includes('"') || /[\r\n]/.test(value)) {
    throw new TypeError(`The value of ${name} cannot be written for cmd.exe`);
  }
  return `set "${name}=${value.replace(/%/g, "%%")}"`;
}

/**
 * Formats credentials; the result ends with a newline.
 *
 * @example
 * ```ts
 * formatCredentials({ accessKeyId: "AKID", secretAccessKey: "S" }, "env-no-export");
 * // "AWS_ACCESS_KEY_ID=AKID\nAWS_SECRET_ACCESS_KEY=S\n"
 * ```
 */
export function formatCredentials(
  credentials: ExportableCredentials,
  format: ExportFormat,
): string {
  for (
    const value of [credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken]
  ) {
    if (value !== undefined && /[\r\n\0]/.test(value)) {
      throw new TypeError("Credentials must not contain line breaks or NUL characters");
    }
  }
  if (format === "process") return processJson(credentials);
  const lines = variables(credentials).map(([name, value]) => {
    switch (format) {
      case "env":
        return `export ${name}=${quotePosix(value)}`;
      case "env-no-export":
        return `${name}=${quotePosix(value)}`;
      case "powershell":
        return `$Env:${name}=${quotePowerShell(value)}`;
      case "windows-cmd":
        return windowsSet(name, value);
      case "fish":
        return `set -gx ${name} ${quoteFish(value)}`;
    }
  });
  return lines.join("\n") + "\n";
}

/**
 * The `credential_process` JSON, laid out like Python's `json.dumps(indent=2)`.
 *
 * @example
 * ```ts
 * processJson({ accessKeyId: "A", secretAccessKey: "S" });
 * // '{\n  "Version": 1,\n  "AccessKeyId": "A",\n  "SecretAccessKey": "S"\n}\n'
 * ```
 */
export function processJson(credentials: ExportableCredentials): string {
  const payload: Record<string, string | number> = {
    Version: 1,
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
  };
  if (credentials.sessionToken) payload.SessionToken = credentials.sessionToken;
  if (credentials.expiration) payload.Expiration = pythonIsoFormat(credentials.expiration);
  return JSON.stringify(payload, null, 2).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  ) + "\n";
}
