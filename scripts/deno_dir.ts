/**
 * Deno's cache directory, for child processes that run with another `HOME` (a throw-away home
 * directory) and must still find the npm packages already downloaded.
 *
 * @module
 */

/** The `denoDir` that `deno info --json` reports. */
export async function denoDir(): Promise<string> {
  const output = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output();
  return JSON.parse(new TextDecoder().decode(output.stdout)).denoDir as string;
}
