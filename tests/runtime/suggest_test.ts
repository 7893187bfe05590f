import { assertEquals } from "../support/assert.ts";
import { closestNames, didYouMean, editDistance } from "../../lib/runtime/suggest.ts";
import { COMMAND_NAMES } from "../../lib/cli/args.ts";

Deno.test("editDistance() counts a swapped pair of letters as one edit", () => {
  const table: [string, string, number][] = [
    ["", "", 0],
    ["login", "login", 0],
    ["lgoin", "login", 1], // transposition
    ["logni", "login", 1], // transposition at the end
    ["logn", "login", 1], // deletion
    ["loginn", "login", 1], // insertion
    ["lagin", "login", 1], // substitution
    ["profle", "profile", 1],
    ["eu-wset-1", "eu-west-1", 1],
    ["useast1", "us-east-1", 2],
    ["ca", "abc", 3], // the restricted form: no edit of a transposed pair
    ["", "abc", 3],
    ["status", "logout", 5],
  ];
  for (const [a, b, distance] of table) {
    assertEquals(editDistance(a, b), distance, `${a} -> ${b}`);
    assertEquals(editDistance(b, a), distance, `${b} -> ${a}`);
  }
});

Deno.test("closestNames() offers the nearest commands, or nothing", () => {
  const table: [string, string[]][] = [
    ["lgoin", ["login"]],
    ["login", ["login"]],
    ["LOGIN", ["login"]],
    ["logot", ["logout"]],
    ["log", ["login", "logout"]], // both one edit away... and both extend "log"
    ["stats", ["status"]],
    ["export", ["export-credentials"]],
    ["conf", ["configure"]],
    ["x", []],
    ["lo", []], // a prefix this short says nothing
    ["frobnicate", []],
  ];
  for (const [typed, expected] of table) {
    assertEquals(closestNames(typed, COMMAND_NAMES, { prefixes: true }), expected, typed);
  }
  assertEquals(closestNames("ab", ["abc", "abd", "xyz"]), ["abc", "abd"]);
  assertEquals(closestNames("abcdef", ["abxyzf"]), []);
  assertEquals(closestNames("abcdef", ["abxyzf"], { maxDistance: 3 }), ["abxyzf"]);
});

Deno.test("didYouMean() phrases one to three names", () => {
  assertEquals(didYouMean([]), undefined);
  assertEquals(didYouMean(["a"]), 'did you mean "a"?');
  assertEquals(didYouMean(["a", "b"]), 'did you mean "a" or "b"?');
  assertEquals(didYouMean(["a", "b", "c", "d"]), 'did you mean "a", "b" or "c"?');
});
