import { assertEquals, assertThrows } from "../support/assert.ts";
import {
  formatCredentials,
  pythonIsoFormat,
  quotePosix,
  quotePowerShell,
} from "../../lib/aws/export_formats.ts";
import type { ExportFormat } from "../../lib/aws/export_formats.ts";
import { splitCommandLine } from "../../lib/platform/shell_words.ts";
import { posixTest } from "../support/platform.ts";

const CREDENTIALS = {
  accessKeyId: "ASIAEXAMPLE",
  secretAccessKey: "wJalr/XUtnFEMI+K7MDENG=",
  sessionToken: "IQoJb3JpZ2luX2Vj/token+part==",
  expiration: new Date("2025-11-19T00:15:00Z"),
};

const GOLDEN: Record<ExportFormat, string> = {
  process: `{
  "Version": 1,
  "AccessKeyId": "ASIAEXAMPLE",
  "SecretAccessKey": "wJalr/XUtnFEMI+K7MDENG=",
  "SessionToken": "IQoJb3JpZ2luX2Vj/token+part==",
  "Expiration": "2025-11-19T00:15:00+00:00"
}
`,
  env: `export AWS_ACCESS_KEY_ID=ASIAEXAMPLE
export AWS_SECRET_ACCESS_KEY=wJalr/XUtnFEMI+K7MDENG=
export AWS_SESSION_TOKEN=IQoJb3JpZ2luX2Vj/token+part==
export AWS_CREDENTIAL_EXPIRATION=2025-11-19T00:15:00+00:00
`,
  "env-no-export": `AWS_ACCESS_KEY_ID=ASIAEXAMPLE
AWS_SECRET_ACCESS_KEY=wJalr/XUtnFEMI+K7MDENG=
AWS_SESSION_TOKEN=IQoJb3JpZ2luX2Vj/token+part==
AWS_CREDENTIAL_EXPIRATION=2025-11-19T00:15:00+00:00
`,
  powershell: `$Env:AWS_ACCESS_KEY_ID="ASIAEXAMPLE"
$Env:AWS_SECRET_ACCESS_KEY="wJalr/XUtnFEMI+K7MDENG="
$Env:AWS_SESSION_TOKEN="IQoJb3JpZ2luX2Vj/token+part=="
$Env:AWS_CREDENTIAL_EXPIRATION="2025-11-19T00:15:00+00:00"
`,
  "windows-cmd": `set AWS_ACCESS_KEY_ID=ASIAEXAMPLE
set AWS_SECRET_ACCESS_KEY=wJalr/XUtnFEMI+K7MDENG=
set AWS_SESSION_TOKEN=IQoJb3JpZ2luX2Vj/token+part==
set AWS_CREDENTIAL_EXPIRATION=2025-11-19T00:15:00+00:00
`,
  fish: `set -gx AWS_ACCESS_KEY_ID "ASIAEXAMPLE"
set -gx AWS_SECRET_ACCESS_KEY "wJalr/XUtnFEMI+K7MDENG="
set -gx AWS_SESSION_TOKEN "IQoJb3JpZ2luX2Vj/token+part=="
set -gx AWS_CREDENTIAL_EXPIRATION "2025-11-19T00:15:00+00:00"
`,
};

Deno.test("formatCredentials() writes each format exactly as aws-cli does", () => {
  for (const [format, expected] of Object.entries(GOLDEN)) {
    assertEquals(formatCredentials(CREDENTIALS, format as ExportFormat), expected, format);
  }
});

Deno.test("formatCredentials() leaves out what is not there", () => {
  assertEquals(
    formatCredentials({ accessKeyId: "AKID", secretAccessKey: "S" }, "process"),
    '{\n  "Version": 1,\n  "AccessKeyId": "AKID",\n  "SecretAccessKey": "S"\n}\n',
  );
  assertEquals(
    formatCredentials({ accessKeyId: "AKID", secretAccessKey: "S" }, "env"),
    "export AWS_ACCESS_KEY_ID=AKID\nexport AWS_SECRET_ACCESS_KEY=S\n",
  );
});

Deno.test("formatCredentials() quotes values with special characters for each shell", () => {
  const odd = { accessKeyId: "A", secretAccessKey: `a b'c"d$e\`f&g%h^i!j\\k` };
  const lines = (format: ExportFormat) => formatCredentials(odd, format).split("\n")[1];
  assertEquals(lines("env"), `export AWS_SECRET_ACCESS_KEY='a b'\\''c"d$e\`f&g%h^i!j\\k'`);
  assertEquals(lines("env-no-export"), `AWS_SECRET_ACCESS_KEY='a b'\\''c"d$e\`f&g%h^i!j\\k'`);
  assertEquals(lines("powershell"), `$Env:AWS_SECRET_ACCESS_KEY="a b'c\`"d\`$e\`\`f&g%h^i!j\\k"`);
  assertEquals(lines("fish"), `set -gx AWS_SECRET_ACCESS_KEY "a b'c\\"d\\$e\`f&g%h^i!j\\\\k"`);
  assertThrows(() => formatCredentials(odd, "windows-cmd"), TypeError, "cmd.exe");
  assertEquals(
    formatCredentials({ accessKeyId: "A", secretAccessKey: "a&b%c" }, "windows-cmd").split("\n")[1],
    'set "AWS_SECRET_ACCESS_KEY=a&b%%c"',
  );
  // What the POSIX quoting produces reads back unchanged through a shell-word parser.
  assertEquals(splitCommandLine(`x=${quotePosix(odd.secretAccessKey)}`, "posix"), [
    `x=${odd.secretAccessKey}`,
  ]);
  assertThrows(
    () => formatCredentials({ accessKeyId: "A\nB", secretAccessKey: "S" }, "env"),
    TypeError,
  );
});

posixTest("formatCredentials() env output survives a real POSIX shell", async () => {
  const odd = { accessKeyId: "A", secretAccessKey: `a b'c"d$e\`f&g%h^i!j\\k;$(x)` };
  const script = formatCredentials(odd, "env") + 'printf %s "$AWS_SECRET_ACCESS_KEY"';
  const output = await new Deno.Command("sh", { args: ["-c", script] }).output();
  assertEquals(new TextDecoder().decode(output.stdout), odd.secretAccessKey);
});

Deno.test("pythonIsoFormat() matches datetime.isoformat()", () => {
  assertEquals(pythonIsoFormat(new Date("2025-11-19T00:15:00Z")), "2025-11-19T00:15:00+00:00");
  assertEquals(
    pythonIsoFormat(new Date("2025-11-19T00:15:00.250Z")),
    "2025-11-19T00:15:00.250000+00:00",
  );
});

Deno.test("quotePowerShell() escapes every character PowerShell ends a string with", () => {
  for (const quote of ['"', "\u201c", "\u201d", "\u201e"]) {
    assertEquals(quotePowerShell(`a${quote}b`), `"a\`${quote}b"`);
  }
  assertEquals(quotePowerShell("a$(x)`b"), '"a`$(x)``b"');
});
