/**
 * The program's name and version, read from deno.json at build time (a static JSON import, so it is
 * embedded in the compiled binary).
 *
 * @module
 */

import denoJson from "../deno.json" with { type: "json" };

/** The version in deno.json. */
export const VERSION: string = denoJson.version;

/** The JSR package name in deno.json. */
export const PACKAGE_NAME: string = denoJson.name;
