/**
 * The emulator's view of an HTTP exchange: an {@link IncomingRequest} with the raw request target
 * and raw header list (which strict checks need), answered by a standard `Response` or by
 * {@link DROP} to close the connection without answering.
 *
 * @module
 */

import { fromUtf8 } from "./encoding.ts";

/** A request as received, with everything a strict verifier needs. */
export interface IncomingRequest {
  /** Upper-case method. */
  readonly method: string;
  /** Path part of the target, still percent-encoded. */
  readonly path: string;
  /** Raw query string without the `?`, or `null` when the target has no `?`. */
  readonly rawQuery: string | null;
  /** Headers, names case-insensitive; repeated headers are joined with `", "`. */
  readonly headers: Headers;
  /** Header lines as received, in order, names lower-cased. */
  readonly rawHeaders: ReadonlyArray<readonly [string, string]>;
  /** The request body. */
  readonly body: Uint8Array<ArrayBuffer>;
}

/** Returned by a handler to close the connection without sending a response. */
export const DROP: unique symbol = Symbol("drop");

/** What a handler answers. */
export type HandlerResult = Response | typeof DROP;

/**
 * How many times a header occurs in the request.
 *
 * @example
 * ```ts
 * headerCount(request, "dpop"); // 1
 * ```
 */
export function headerCount(request: IncomingRequest, name: string): number {
  const lower = name.toLowerCase();
  return request.rawHeaders.filter(([header]) => header === lower).length;
}

/**
 * Splits a raw query string into pairs, percent-decoding names and values (`+` is a space).
 * Returns `null` when a part is not valid percent-encoding.
 *
 * @example
 * ```ts
 * parseQuery("a=1&b=x%20y"); // [["a", "1"], ["b", "x y"]]
 * ```
 */
export function parseQuery(raw: string): Array<[string, string]> | null {
  if (raw === "") return [];
  const pairs: Array<[string, string]> = [];
  for (const part of raw.split("&")) {
    if (part === "") continue;
    const equals = part.indexOf("=");
    const name = equals === -1 ? part : part.slice(0, equals);
    const value = equals === -1 ? "" : part.slice(equals + 1);
    try {
      pairs.push([
        decodeURIComponent(name.replaceAll("+", " ")),
        decodeURIComponent(value.replaceAll("+", " ")),
      ]);
    } catch {
      return null;
    }
  }
  return pairs;
}

/**
 * The media type of a `Content-Type` value, lower-cased and without parameters.
 *
 * @example
 * ```ts
 * mediaType("Application/JSON; charset=utf-8"); // "application/json"
 * ```
 */
export function mediaType(contentType: string | null): string | null {
  if (contentType === null) return null;
  return contentType.split(";")[0]?.trim().toLowerCase() ?? null;
}

/**
 * The body as a JSON object, or `null` when it is not UTF-8, not JSON, or not an object (an
 * array, a string, `null`).
 *
 * @example
 * ```ts
 * jsonObjectBody(request); // { grantType: "refresh_token", ... }
 * ```
 */
export function jsonObjectBody(request: IncomingRequest): Record<string, unknown> | null {
  const text = fromUtf8(request.body);
  let parsed: unknown;
  try {
    parsed = text === null ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return null;
  return parsed as Record<string, unknown>;
}

/**
 * A JSON response with `Cache-Control: no-store`.
 *
 * @example
 * ```ts
 * jsonResponse(200, { ok: true });
 * ```
 */
export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      "content-type": "application/json",
      "cache-control": "no-store",
      ...headers,
    },
  });
}

const HTML_SECURITY_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "x-frame-options": "DENY",
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  "referrer-policy": "no-referrer",
};

/**
 * An HTML response that cannot be framed and runs no script.
 *
 * @example
 * ```ts
 * htmlResponse(200, "<!doctype html><title>x</title>");
 * ```
 */
export function htmlResponse(
  status: number,
  html: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(html, { status, headers: { ...HTML_SECURITY_HEADERS, ...headers } });
}

/**
 * A `302 Found` redirect.
 *
 * @example
 * ```ts
 * redirectResponse("http://127.0.0.1:1234/oauth/callback?code=c&state=s");
 * ```
 */
export function redirectResponse(location: string): Response {
  return new Response(null, {
    status: 302,
    headers: { location, "cache-control": "no-store", "referrer-policy": "no-referrer" },
  });
}

/**
 * Whether the client prefers an HTML answer (a browser), judged from `Accept`.
 *
 * @example
 * ```ts
 * wantsHtml(new Headers({ accept: "text/html,*\/*" })); // true
 * ```
 */
export function wantsHtml(headers: Headers): boolean {
  return (headers.get("accept") ?? "").toLowerCase().includes("text/html");
}

/**
 * Waits `ms` milliseconds, or less when `signal` aborts.
 *
 * @example
 * ```ts
 * await sleep(10, AbortSignal.timeout(1000));
 * ```
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}
