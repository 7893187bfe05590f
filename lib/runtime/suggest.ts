/**
 * "Did you mean ...?": edit distances and the pick of the closest known name. Pure.
 *
 * @module
 */

/**
 * The Damerau–Levenshtein distance in its restricted form (optimal string alignment): the number
 * of insertions, deletions, substitutions and transpositions of two adjacent characters that turn
 * `a` into `b`, no substring being edited twice. A swapped pair of letters (`lgoin`) counts as one
 * edit, which is how people mistype.
 *
 * @example
 * ```ts
 * editDistance("lgoin", "login"); // 1
 * editDistance("profle", "profile"); // 1
 * editDistance("status", "logout"); // 6
 * ```
 */
export function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  // rows[i][j]: distance between the first i characters of x and the first j characters of y.
  const rows: number[][] = [];
  for (let i = 0; i <= x.length; i++) {
    rows.push(Array.from({ length: y.length + 1 }, (_, j) => i === 0 ? j : j === 0 ? i : 0));
  }
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let best = Math.min(
        rows[i - 1]![j]! + 1,
        rows[i]![j - 1]! + 1,
        rows[i - 1]![j - 1]! + cost,
      );
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) {
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      }
      rows[i]![j] = best;
    }
  }
  return rows[x.length]![y.length]!;
}

/** Options of {@link closestNames}. */
export interface SuggestOptions {
  /**
   * The largest distance that still counts as a typo. Default: 1 for words of up to 3 characters,
   * 2 for longer ones, so that short words do not match everything.
   */
  maxDistance?: number;
  /** Also offer names that start with the input (at least 3 characters), e.g. `export`. */
  prefixes?: boolean;
}

/**
 * The known names closest to a mistyped one, best first: every name at the smallest distance
 * within the limit, then names the input is a prefix of. Case is ignored. Empty when nothing is
 * close: a suggestion that makes no sense is worse than none.
 *
 * @example
 * ```ts
 * closestNames("lgoin", ["login", "logout", "status"]); // ["login"]
 * closestNames("export", ["login", "export-credentials"], { prefixes: true }); // ["export-credentials"]
 * closestNames("zzz", ["login", "logout"]); // []
 * ```
 */
export function closestNames(
  input: string,
  names: readonly string[],
  options: SuggestOptions = {},
): string[] {
  const typed = input.toLowerCase();
  const limit = options.maxDistance ?? ([...typed].length <= 3 ? 1 : 2);
  const scored = names.map((name) => ({ name, distance: editDistance(typed, name.toLowerCase()) }));
  const best = Math.min(...scored.map((s) => s.distance));
  const near = best <= limit ? scored.filter((s) => s.distance === best).map((s) => s.name) : [];
  if (!options.prefixes || typed.length < 3) return near;
  const extended = names.filter((name) =>
    name.toLowerCase().startsWith(typed) && !near.includes(name)
  );
  return [...near, ...extended];
}

/**
 * `did you mean "a"?`, `did you mean "a" or "b"?`, or `undefined` when there is nothing to offer.
 * At most three names are offered.
 *
 * @example
 * ```ts
 * didYouMean(["login", "logout"]); // 'did you mean "login" or "logout"?'
 * didYouMean([]); // undefined
 * ```
 */
export function didYouMean(names: readonly string[]): string | undefined {
  const shown = names.slice(0, 3).map((name) => `"${name}"`);
  if (shown.length === 0) return undefined;
  const last = shown.pop()!;
  return `did you mean ${shown.length === 0 ? last : `${shown.join(", ")} or ${last}`}?`;
}
