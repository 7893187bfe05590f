import { assertEquals, assertThrows } from "../support/assert.ts";
import { FlagError, flagSpellings, parseFlags } from "../../lib/cli/flags.ts";

const SPECS = {
  profile: { type: "string" },
  all: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

Deno.test("parseFlags() reads long, =, short flags, positionals and --", () => {
  assertEquals(parseFlags(["--profile", "a", "--all", "x", "-h"], SPECS), {
    values: { profile: "a", all: true, help: true },
    positionals: ["x"],
  });
  assertEquals(parseFlags(["--profile=a=b", "--profile=", "--", "--all", "-"], SPECS), {
    values: { profile: "" },
    positionals: ["--all", "-"],
  });
  assertEquals(parseFlags(["--profile", "-"], SPECS).values.profile, "-");
});

Deno.test("parseFlags() refuses what parseArgs refuses, with a hint where one helps", () => {
  const unknown = assertThrows(() => parseFlags(["--nope"], SPECS), FlagError);
  assertEquals([unknown.message, unknown.unknown], ['Unknown option "--nope"', "--nope"]);
  assertThrows(() => parseFlags(["-x"], SPECS), FlagError, 'Unknown option "-x"');
  assertThrows(() => parseFlags(["-hh"], SPECS), FlagError, 'Unknown option "-hh"');
  assertThrows(() => parseFlags(["--pro"], SPECS), FlagError, 'did you mean "--profile"?');
  assertThrows(
    () => parseFlags(["--all=yes"], SPECS),
    FlagError,
    'Option "--all" does not take a value',
  );
  assertThrows(
    () => parseFlags(["--profile"], SPECS),
    FlagError,
    'Option "--profile" needs a value',
  );
  const dash = assertThrows(() => parseFlags(["--profile", "--all"], SPECS), FlagError);
  assertEquals(dash.message, 'Option "--profile" needs a value, and "--all" looks like an option');
  assertEquals(dash.hint, "To give a value that starts with a dash, write --profile=--all");
});

Deno.test("flagSpellings() lists long names, then short ones", () => {
  assertEquals(flagSpellings(SPECS), ["--profile", "--all", "--help", "-h"]);
});
