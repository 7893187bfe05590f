/**
 * aws-login: short-lived AWS credentials from your AWS console sign-in, without long-term access
 * keys. A standalone reimplementation of `aws login`.
 *
 * ```sh
 * deno run -A jsr:@aws-login/aws-login login --profile dev
 * ```
 *
 * This module only wires the real dependencies; everything else is in `lib/`. `export-credentials`
 * first asks its fast path (`lib/fast_export.ts`), which answers from the memo of an earlier run
 * while nothing that run read has changed; the program itself is loaded only when it does not.
 * Every `import()` here has a literal specifier, so `deno compile` embeds the modules.
 *
 * @module
 */

if (import.meta.main) {
  if (Deno.args[0] === "export-credentials") {
    const { fastExport } = await import("./lib/fast_export.ts");
    const text = fastExport(Deno.args);
    if (text !== undefined && print(text)) Deno.exit(0);
  }
  const { main } = await import("./lib/program.ts");
  Deno.exit(await main(Deno.args));
}

/**
 * Writes the fast path's answer; `false` when stdout refuses it before a byte is written (a
 * closed pipe), so that the program runs and reports that as it does for every command. Once part
 * of it is written, a failure is thrown: the program would print it all again.
 */
function print(text: string): boolean {
  const bytes = new TextEncoder().encode(text);
  let written = 0;
  try {
    while (written < bytes.length) written += Deno.stdout.writeSync(bytes.subarray(written));
    return true;
  } catch (error) {
    if (written > 0) throw error;
    return false;
  }
}
