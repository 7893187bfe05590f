import { assertEquals, assertThrows } from "../support/assert.ts";
import { FlagError, parseFlags } from "../../lib/cli/flags.ts";

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
  assertThrows(() => parseFlags(["--nope"], SPECS), FlagError, "Unknown option '--nope'");
  assertThrows(() => parseFlags(["-x"], SPECS), FlagError, "Unknown option '-x'");
  assertThrows(() => parseFlags(["-hh"], SPECS), FlagError, "Unknown option '-hh'");
  assertThrows(() => parseFlags(["--all=yes"], SPECS), FlagError, "does not take a value");
  assertThrows(() => parseFlags(["--profile"], SPECS), FlagError, "argument missing");
  const ambiguous = assertThrows(
    () => parseFlags(["--profile", "--all"], SPECS),
    FlagError,
    "ambiguous",
  );
  assertEquals(ambiguous.hint, "To give a value starting with a dash, write --profile=--all");
});
