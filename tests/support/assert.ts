/**
 * Assertions for tests. `@std/assert` is on JSR, which these machines cannot reach, so the tests use
 * Node's strict assertions, re-exported under the names Deno users know.
 *
 * @module
 */

import assert from "node:assert/strict";

/** Asserts deep strict equality. */
export function assertEquals<T>(
  actual: unknown,
  expected: T,
  message?: string,
): asserts actual is T {
  assert.deepStrictEqual(actual, expected, message);
}

/** Asserts that two values differ. */
export function assertNotEquals(actual: unknown, expected: unknown, message?: string): void {
  assert.notDeepStrictEqual(actual, expected, message);
}

/** Asserts a truthy value. */
export function assertTrue(value: unknown, message?: string): asserts value {
  assert.ok(value, message);
}

/** Asserts that `text` contains `part`. */
export function assertStringIncludes(text: string, part: string, message?: string): void {
  if (!text.includes(part)) {
    throw new assert.AssertionError({
      message: message ?? `Expected text to include ${JSON.stringify(part)}, got:\n${text}`,
      actual: text,
      expected: part,
      operator: "includes",
    });
  }
}

/** Asserts that `text` matches `pattern`. */
export function assertMatch(text: string, pattern: RegExp, message?: string): void {
  assert.match(text, pattern, message);
}

/** Asserts that `fn` throws (or rejects with) an error of the class, and returns it. */
export async function assertRejects<E extends Error>(
  fn: () => unknown,
  errorClass: new (...args: never[]) => E,
  messageIncludes?: string,
): Promise<E> {
  let caught: unknown;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  if (caught === undefined) {
    throw new assert.AssertionError({ message: "Expected an error, none was thrown" });
  }
  if (!(caught instanceof errorClass)) {
    throw new assert.AssertionError({
      message: `Expected ${errorClass.name}, got ${String(caught)}`,
      actual: caught,
      expected: errorClass,
    });
  }
  if (messageIncludes !== undefined) assertStringIncludes(caught.message, messageIncludes);
  return caught;
}

/** Asserts that a synchronous `fn` throws an error of the class, and returns it. */
export function assertThrows<E extends Error>(
  fn: () => unknown,
  errorClass: new (...args: never[]) => E,
  messageIncludes?: string,
): E {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof errorClass)) {
      throw new assert.AssertionError({
        message: `Expected ${errorClass.name}, got ${String(error)}`,
        actual: error,
        expected: errorClass,
      });
    }
    if (messageIncludes !== undefined) assertStringIncludes(error.message, messageIncludes);
    return error;
  }
  throw new assert.AssertionError({ message: "Expected an error, none was thrown" });
}
