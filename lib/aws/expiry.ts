/**
 * When credentials expire, and when they are due for a refresh: the timestamps of cache files, and
 * the refresh window. A module of its own, with no imports, because the fast path of
 * `export-credentials` (`lib/fast_export.ts`) needs exactly this and nothing else of the cache code.
 *
 * @module
 */

/** Credentials are refreshed when this little time is left (as botocore and the JS SDK do). */
export const REFRESH_WINDOW_MS = 5 * 60 * 1000;

/**
 * Whether credentials that expire at `expiresAt` are served as they are at `now` (both in
 * milliseconds): more than {@link REFRESH_WINDOW_MS} left.
 *
 * @example
 * ```ts
 * isFresh(Date.parse("2026-11-26T10:15:00Z"), Date.parse("2026-11-26T10:00:00Z")); // true
 * ```
 */
export function isFresh(expiresAt: number, now: number): boolean {
  return expiresAt - now > REFRESH_WINDOW_MS;
}

/**
 * Formats an expiry as aws-cli does: UTC, seconds, no fraction (`%Y-%m-%dT%H:%M:%SZ`).
 *
 * @example
 * ```ts
 * formatExpiresAt(new Date("2025-09-01T18:39:33.999Z")); // "2025-09-01T18:39:33Z"
 * ```
 */
export function formatExpiresAt(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * Parses an expiry written by any SDK: RFC 3339 with 0–9 fraction digits, `Z` or an offset.
 * Returns `undefined` when it is not such a timestamp.
 *
 * @example
 * ```ts
 * parseExpiresAt("2025-09-01T18:39:33.123456789Z")?.toISOString(); // "2025-09-01T18:39:33.123Z"
 * ```
 */
export function parseExpiresAt(text: string): Date | undefined {
  const match =
    /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:?\d{2})?$/.exec(
      text.trim(),
    );
  if (!match) return undefined;
  const fraction = (match[3] ?? "").padEnd(3, "0").slice(0, 3);
  let zone = match[4] ?? "Z";
  if (zone === "z") zone = "Z";
  if (/^[+-]\d{4}$/.test(zone)) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const date = new Date(`${match[1]}T${match[2]}.${fraction}${zone}`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
