// deno-lint-ignore-file no-console
/**
 * `deno task demo`: the whole flow on a fresh machine, against the bundled Sign-In emulator, in a
 * throw-away home directory. It signs in with a stand-in browser, exports the credentials, calls
 * the emulator's STS `GetCallerIdentity` with them (SigV4-signed, verified by the emulator) and
 * prints who is signed in, then shows `status` and logs out.
 *
 * @module
 */

import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@aws-crypto/sha256-js";
import { startEmulator } from "./emulator/mod.ts";
import { fileURLToPath } from "node:url";
import { denoDir } from "./deno_dir.ts";

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));
const BROWSER = fileURLToPath(new URL("./fake_browser.ts", import.meta.url));
const REGION = "eu-west-1";

async function awsLogin(args: string[], env: Record<string, string>): Promise<string> {
  console.log(`\n$ aws-login ${args.join(" ")}`);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--quiet", MAIN, ...args],
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  });
  const output = await child.output();
  const stdout = new TextDecoder().decode(output.stdout);
  if (output.code !== 0) {
    throw new Error(`aws-login ${args[0]} failed with exit code ${output.code}`);
  }
  return stdout;
}

async function callerIdentity(
  endpoint: string,
  credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string },
): Promise<string> {
  const url = new URL(endpoint);
  const body = "Action=GetCallerIdentity&Version=2011-06-15";
  const signer = new SignatureV4({
    service: "sts",
    region: REGION,
    sha256: Sha256,
    credentials: {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
    },
  });
  const signed = await signer.sign({
    method: "POST",
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: "/",
    headers: {
      host: url.host,
      "content-type": "application/x-www-form-urlencoded; charset=utf-8",
    },
    body,
  });
  const response = await fetch(`${endpoint}/`, {
    method: "POST",
    headers: signed.headers,
    body,
  });
  const xml = await response.text();
  if (!response.ok) throw new Error(`STS refused the credentials (${response.status}): ${xml}`);
  return xml.match(/<Arn>([^<]+)<\/Arn>/)?.[1] ?? xml;
}

async function main(): Promise<void> {
  const emulator = await startEmulator({ regions: [REGION] });
  const home = await Deno.makeTempDir({ prefix: "aws-login-demo-" });
  try {
    console.log(`AWS Sign-In emulator on ${emulator.url}; a fresh home directory in ${home}`);
    const env = {
      HOME: home,
      USERPROFILE: home,
      PATH: Deno.env.get("PATH") ?? "",
      DENO_DIR: await denoDir(),
      AWS_ENDPOINT_URL_SIGNIN: emulator.url,
      // A stand-in browser that follows the sign-in redirects like a signed-in user would.
      BROWSER: `${Deno.execPath()} run --allow-all --quiet ${BROWSER} %s`,
    };

    await awsLogin(["login", "--profile", "demo", "--region", REGION, "--timeout", "60"], env);
    console.log(`\n$ cat ${home}/.aws/config\n${await Deno.readTextFile(`${home}/.aws/config`)}`);

    const exported = JSON.parse(
      await awsLogin(["export-credentials", "--profile", "demo", "--format", "process"], env),
    );
    console.log(
      `(credentials ${exported.AccessKeyId.slice(0, 8)}… valid until ${exported.Expiration})`,
    );

    const arn = await callerIdentity(emulator.url, exported);
    console.log(`\nSTS GetCallerIdentity with those credentials says you are:\n  ${arn}`);

    // status is a report: it prints on stdout.
    console.log((await awsLogin(["status"], env)).trimEnd());
    await awsLogin(["logout", "--profile", "demo"], env);
    console.log(
      `\nToken requests served by the emulator: ${emulator.counts.token}; STS calls verified: ${emulator.counts.sts}.`,
    );
  } finally {
    await emulator.close();
    await Deno.remove(home, { recursive: true });
  }
}

if (import.meta.main) {
  try {
    await main();
  } catch (error) {
    console.error(`demo failed: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
