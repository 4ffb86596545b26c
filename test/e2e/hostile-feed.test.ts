/**
 * A hostile change feed: project names that are paths, control characters or
 * markup (in `list_packages_with_serial`, the changelog, the `/simple/` listing and
 * on the `sync` command line), and XML-RPC bodies with a DOCTYPE, entities, giant
 * strings or over the size cap. Bad names are refused one line each and the run
 * goes on; a bad feed body fails the run in one line before anything is written.
 */

import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import { quoteValue } from "../../src/upstream/hostile.ts";
import { type CliResult, createFixture, type MirrorFixture, temporaryFiles } from "./harness.ts";
import {
  escapeToken,
  expectNothingOutside,
  expectOneRefusal,
  expectProjectMirrored,
  problemLines,
} from "./hostile-checks.ts";

const TOKEN = escapeToken();
const NOT_A_NAME = "not a PEP 508 project name";

/** Project names a hostile upstream may list, each with the rule that refuses it. */
const HOSTILE_NAMES: [name: string, rule: string][] = [
  [`../../${TOKEN}`, NOT_A_NAME],
  [`${TOKEN}/x`, NOT_A_NAME],
  [`${TOKEN}\\x`, NOT_A_NAME],
  [`${TOKEN}\u0000x`, NOT_A_NAME],
  [`${TOKEN}\n2024-01-01 00:00:00,000 INFO: forged`, NOT_A_NAME],
  [`/tmp/${TOKEN}`, NOT_A_NAME],
  [`%2e%2e%2f${TOKEN}`, NOT_A_NAME],
  [`.${TOKEN}`, NOT_A_NAME],
  [`<script>alert("${TOKEN}")</script>`, NOT_A_NAME],
  [`${TOKEN}-${"n".repeat(300)}`, "longer than 200 characters"],
];

/** A `list_packages_with_serial` answer laid out as the simulator lays it out, holding `members`. */
function listAnswer(members: string): string {
  return `<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><struct>\n${members}</struct></value>\n</param>\n</params>\n</methodResponse>\n`;
}

function expectNoForgedLines(result: CliResult): void {
  expect(result.stderr.split("\n").filter((line) => line.startsWith("2024-01-01"))).toEqual([]);
  expect(result.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
}

describe("hostile project names: one line each, the rest of the run proceeds", () => {
  let fixture: MirrorFixture;
  let healthy: string[];

  beforeAll(async () => {
    fixture = await createFixture({ upstream: { projects: 2, seed: 5 } });
    healthy = fixture.upstream.listProjects().map((project) => project.normalized);
    for (const [name] of HOSTILE_NAMES) await fixture.upstream.createProject(name, { versions: [] });
  });

  afterAll(async () => {
    await fixture?.close();
  });

  const expectRefusedNames = (result: CliResult, format: (name: string) => string) => {
    for (const [name, rule] of HOSTILE_NAMES) {
      expectOneRefusal(result.stderr, quoteValue(name), [format(name), rule]);
    }
    expectNoForgedLines(result);
    for (const name of healthy) expectProjectMirrored(fixture, fixture.upstream, name);
    expectNothingOutside(fixture, TOKEN);
    expect(temporaryFiles(fixture.directory)).toEqual([]);
  };

  test("in list_packages_with_serial (first run, XML-RPC)", async () => {
    const result = await fixture.run(["mirror"]);
    expect(result.code).toBe(0);
    expectRefusedNames(result, (name) => `Skipping listed project name ${quoteValue(name)}`);
  });

  test("in the changelog (later run): one line per name, however many events carry it", async () => {
    for (const [name] of HOSTILE_NAMES) {
      await fixture.upstream.addRole(name);
      await fixture.upstream.addRole(name, "Owner", "another");
    }
    const result = await fixture.run(["mirror"]);
    expect(result.code).toBe(0);
    expectRefusedNames(result, () => "Skipping 2 changelog events (serials");
  });

  test("in the PEP 691 /simple/ listing (api-method = simple)", async () => {
    fs.rmSync(fixture.directory, { recursive: true });
    fixture.writeConfig("api-method = simple");
    const result = await fixture.run(["mirror"]);
    expect(result.code).toBe(0);
    expectRefusedNames(result, (name) => `Skipping project name ${quoteValue(name)} in simple index`);
  });

  test("on the sync command line: refused, the valid names are synced, exit 1", async () => {
    fs.rmSync(fixture.directory, { recursive: true });
    // A command line cannot carry NUL.
    const names = HOSTILE_NAMES.map(([name]) => name).filter((name) => !name.includes("\u0000"));
    const result = await fixture.run(["sync", ...names, ...healthy]);
    expect(result.code).toBe(1);
    for (const name of names) {
      expectOneRefusal(result.stderr, quoteValue(name), [`Refusing project name ${quoteValue(name)}`]);
    }
    expectNoForgedLines(result);
    for (const name of healthy) expectProjectMirrored(fixture, fixture.upstream, name);
    expectNothingOutside(fixture, TOKEN);
  });
});

describe("hostile XML-RPC bodies fail the run in one line, before anything is written", () => {
  let fixture: MirrorFixture;

  beforeAll(async () => {
    fixture = await createFixture({ upstream: { projects: 2, seed: 6 } });
  });

  afterEach(() => {
    fixture.upstream.clearRawResponses();
    fs.rmSync(fixture.directory, { recursive: true, force: true });
  });

  afterAll(async () => {
    await fixture?.close();
  });

  /** Runs `mirror` with `/pypi` answering `body`; expects exit 1, one ERROR line holding `rule`, no pages, no status. */
  const expectFeedRefused = async (body: string, rule: string) => {
    fixture.upstream.setRawResponse("/pypi", { headers: { "content-type": "text/xml" }, body });
    const result = await fixture.run(["mirror"]);
    expect(result.code).toBe(1);
    const errors = problemLines(result.stderr).filter((line) => line.includes("ERROR"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(rule);
    expect(fs.existsSync(fixture.at("status"))).toBe(false);
    expect(fs.readdirSync(fixture.at("web/simple"))).toEqual([]);
    expect(fs.readdirSync(fixture.at("web/packages"))).toEqual([]);
    expectNothingOutside(fixture, TOKEN);
    return result;
  };

  test("a DOCTYPE with nested entities (billion laughs)", async () => {
    const entities = Array.from(
      { length: 10 },
      (_, level) => `<!ENTITY lol${level + 1} "${`&lol${level};`.repeat(10)}">`,
    ).join("\n");
    const body = `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol0 "lol">\n${entities}\n]>\n<methodResponse><params><param><value><int>&lol10;</int></value></param></params></methodResponse>`;
    await expectFeedRefused(body, "body has a DOCTYPE or ENTITY declaration");
  });

  test("an external entity (file:///etc/passwd)", async () => {
    const body = `<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<methodResponse><params><param><value><string>&xxe;</string></value></param></params></methodResponse>`;
    await expectFeedRefused(body, "body has a DOCTYPE or ENTITY declaration");
  });

  test("an undeclared entity reference in a value", async () => {
    const body = listAnswer(`<member>\n<name>&xxe;</name>\n<value><int>1</int></value>\n</member>\n`);
    await expectFeedRefused(body, "unsupported entity");
  });

  test("a 1 MiB project name in list_packages_with_serial", async () => {
    const giant = `${TOKEN}${"n".repeat(1 << 20)}`;
    await fixture.upstream.createProject(giant, { versions: [] });
    try {
      const result = await fixture.run(["mirror"]);
      expect(result.code).toBe(1);
      const line = expectOneRefusal(result.stderr, "/pypi", ["unexpected content", "after 2 members"]);
      expect(line.length).toBeLessThan(400);
      expect(fs.existsSync(fixture.at("status"))).toBe(false);
      expect(fs.readdirSync(fixture.at("web/simple"))).toEqual([]);
      expectNothingOutside(fixture, TOKEN);
    } finally {
      await fixture.upstream.removeProject(giant);
    }
  });

  test("an XML-RPC body over the 64 MiB cap", async () => {
    const body = `<?xml version='1.0'?>\n<methodResponse><params><param><value><int>1</int></value></param></params></methodResponse>${" ".repeat(65 * 1024 * 1024)}`;
    await expectFeedRefused(body, "body larger than the 64 MiB limit");
  });

  test("a 1 MiB project name in the changelog is skipped in one shortened line; the run goes on", async () => {
    expect((await fixture.run(["mirror"])).code).toBe(0);
    const serial = Number(fs.readFileSync(fixture.at("status"), "utf8"));
    const giant = `${TOKEN}${"n".repeat(1 << 20)}`;
    const event = `<value><array><data>\n<value><string>${giant}</string></value>\n<value><nil/></value>\n<value><int>1704067200</int></value>\n<value><string>create</string></value>\n<value><int>${serial + 1}</int></value>\n</data></array></value>\n`;
    fixture.upstream.setRawResponse("/pypi", {
      headers: { "content-type": "text/xml" },
      body: `<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><array><data>\n${event}</data></array></value>\n</param>\n</params>\n</methodResponse>\n`,
    });
    const result = await fixture.run(["mirror"]);
    expect(result.code).toBe(0);
    const line = expectOneRefusal(result.stderr, TOKEN, [
      `Skipping changelog event ${serial + 1}`,
      "longer than 200",
    ]);
    expect(line.length).toBeLessThan(400);
    expect(fs.readFileSync(fixture.at("status"), "utf8").trim()).toBe(String(serial + 1));
    expectNothingOutside(fixture, TOKEN);
  });
});
