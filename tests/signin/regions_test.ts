import { assertEquals, assertMatch, assertThrows, assertTrue } from "../support/assert.ts";
import {
  checkRegionName,
  classifyRegion,
  KNOWN_REGIONS,
  knownRegions,
  REGIONS_SOURCE,
} from "../../lib/signin/regions.ts";
import { partitionOf, PARTITIONS } from "../../lib/signin/endpoints.ts";
import { UsageError } from "../../lib/errors.ts";

Deno.test("KNOWN_REGIONS: every partition, each region in the partition it names", () => {
  assertEquals(Object.keys(KNOWN_REGIONS).sort(), PARTITIONS.map((p) => p.id).sort());
  for (const [partition, regions] of Object.entries(KNOWN_REGIONS)) {
    assertTrue(regions.length > 0, partition);
    for (const region of regions) assertEquals(partitionOf(region).id, partition, region);
  }
  assertEquals(new Set(knownRegions()).size, knownRegions().length);
  assertMatch(REGIONS_SOURCE, /^botocore \d+\.\d+\.\d+/);
});

Deno.test("KNOWN_REGIONS matches the botocore on this machine when it has the same version", async () => {
  const version = REGIONS_SOURCE.match(/^botocore (\S+)/)![1]!;
  const script = "import botocore, json, os\n" +
    "d = json.load(open(os.path.join(os.path.dirname(botocore.__file__), 'data', 'partitions.json')))\n" +
    "print(json.dumps({'version': botocore.__version__, 'regions': {p['id']: sorted(r for r in p['regions'] if not r.endswith('-global')) for p in d['partitions']}}))";
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("python3", { args: ["-c", script], stderr: "null" }).output();
  } catch {
    return; // no Python: the data stays as recorded
  }
  if (!output.success) return; // no botocore
  const found = JSON.parse(new TextDecoder().decode(output.stdout));
  if (found.version !== version) return; // another botocore: not comparable
  assertEquals(found.regions, KNOWN_REGIONS);
});

Deno.test("classifyRegion() tells known, new, typo, unknown and invalid names apart", () => {
  const table: [string, string, string, string[]][] = [
    // input, region, kind, suggestions
    ["eu-west-1", "eu-west-1", "known", []],
    ["EU-WEST-1", "eu-west-1", "known", []],
    [" us-gov-west-1 ", "us-gov-west-1", "known", []],
    ["eusc-de-east-1", "eusc-de-east-1", "known", []],
    // Made of the words of known regions: how AWS names the regions it adds.
    ["eu-west-4", "eu-west-4", "new", []],
    ["us-east-3", "us-east-3", "new", []],
    ["ap-southeast-8", "ap-southeast-8", "new", []],
    ["mx-central-2", "mx-central-2", "new", []],
    ["us-iso-south-1", "us-iso-south-1", "new", []],
    // One or two edits from a known region.
    ["eu-wset-1", "eu-wset-1", "typo", ["eu-west-1"]],
    ["us-esat-1", "us-esat-1", "typo", ["us-east-1"]],
    ["eu-west-l", "eu-west-l", "typo", ["eu-west-1", "eu-west-2", "eu-west-3"]],
    ["useast1", "useast1", "typo", ["us-east-1"]],
    ["us-east1", "us-east1", "typo", ["us-east-1"]],
    ["ap-southest-2", "ap-southest-2", "typo", ["ap-southeast-2"]],
    ["eu-central", "eu-central", "typo", ["eu-central-1", "eu-central-2"]],
    ["cn-nrth-1", "cn-nrth-1", "typo", ["cn-north-1"]],
    // Far from everything: accepted, with a warning.
    ["local", "local", "unknown", []],
    ["my-test-region", "my-test-region", "unknown", []],
    // Not a DNS label.
    ["us_east_1", "us_east_1", "invalid", ["us-east-1"]],
    ["not a region!", "not a region!", "invalid", []],
    ["us-east-1.evil.com", "us-east-1.evil.com", "invalid", []],
    ["", "", "invalid", []],
  ];
  for (const [input, region, kind, suggestions] of table) {
    assertEquals(classifyRegion(input), { region, kind, suggestions }, JSON.stringify(input));
  }
});

Deno.test("checkRegionName() refuses typos, warns about unknown names, lowers case", () => {
  assertEquals(checkRegionName("US-EAST-1"), { region: "us-east-1", warning: undefined });
  const typo = assertThrows(() => checkRegionName("eu-wset-1"), UsageError);
  assertEquals(typo.message, 'Unknown region "eu-wset-1": did you mean "eu-west-1"?');
  assertEquals(typo.exitCode, 2);
  assertEquals(
    assertThrows(() => checkRegionName("eu-wset-1", "AWS_REGION"), UsageError).message,
    'Unknown region "eu-wset-1" (from AWS_REGION): did you mean "eu-west-1"?',
  );
  assertEquals(
    assertThrows(() => checkRegionName("us_east_1"), UsageError).message,
    'Invalid region "us_east_1": did you mean "us-east-1"?',
  );
  assertEquals(
    assertThrows(() => checkRegionName("not a region!"), UsageError).message,
    'Invalid region "not a region!": a region is made of lowercase letters, digits and dashes, such as "us-east-1"',
  );
  const fresh = checkRegionName("eu-west-4");
  assertEquals(fresh.region, "eu-west-4");
  assertEquals(
    fresh.warning,
    `warning: region "eu-west-4" is not in aws-login's list of regions; using it anyway, in case AWS added it since\n`,
  );
  assertMatch(
    checkRegionName("Local", "the profile's region").warning!,
    /"local" \(from the profile's region\)/,
  );
});
