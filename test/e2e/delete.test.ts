/**
 * `delete <project…>`: files, pages and JSON go, the root index is rewritten,
 * and the project comes back only with its next upstream change.
 */

import { afterEach, describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import { createFixture, isVolatile, type MirrorFixture, treeOf } from "./harness.ts";

let fixture: MirrorFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

async function mirrored(): Promise<MirrorFixture> {
  fixture = await createFixture({ upstream: { projects: 5 }, mirror: "json = true" });
  expect((await fixture.run(["mirror"])).code).toBe(0);
  return fixture;
}

function contentOf(f: MirrorFixture): Map<string, string> {
  return treeOf(f.directory, isVolatile);
}

/** What a project occupies on the mirror (files and their .metadata, pages, JSON copies). */
function footprint(f: MirrorFixture, normalized: string): string[] {
  const files = f.upstream.project(normalized)!.files;
  return [
    ...files.flatMap((file) => [
      `web${file.path}`,
      ...(file.metadataSha256 ? [`web${file.path}.metadata`] : []),
    ]),
    `web/simple/${normalized}/index.html`,
    `web/simple/${normalized}/index.v1_html`,
    `web/simple/${normalized}/index.v1_json`,
    `web/json/${normalized}`,
    `web/pypi/${normalized}/json`,
  ];
}

describe("delete", () => {
  test("removes a project's files, .metadata, pages and JSON, and the root index forgets it", async () => {
    const f = await mirrored();
    const [victim, bystander] = f.upstream.listProjects();
    const victimPaths = footprint(f, victim!.normalized);
    const bystanderPaths = footprint(f, bystander!.normalized);
    for (const relative of victimPaths) expect(fs.existsSync(f.at(relative))).toBe(true);

    // Any spelling of the name will do (PEP 503).
    const spelled = victim!.name.toUpperCase().replace(/-/g, "_");
    const result = await f.run(["delete", spelled, "--json"]);
    expect(result.code).toBe(0);
    for (const relative of victimPaths) expect(fs.existsSync(f.at(relative))).toBe(false);
    expect(fs.existsSync(f.at(`web/simple/${victim!.normalized}`))).toBe(false);
    expect(fs.existsSync(f.at(`web/pypi/${victim!.normalized}`))).toBe(false);
    for (const relative of bystanderPaths) expect(fs.existsSync(f.at(relative))).toBe(true);
    expect(fs.readFileSync(f.at("web/simple/index.html"), "utf8")).not.toContain(`"${victim!.normalized}/"`);
    expect(fs.readFileSync(f.at("web/simple/index.v1_json"), "utf8")).not.toContain(`"${victim!.name}"`);
    expect(fs.readFileSync(f.at("web/simple/index.html"), "utf8")).toContain(`"${bystander!.normalized}/"`);

    const summary = JSON.parse(result.stdout);
    expect(summary.projects.deleted).toEqual([victim!.normalized]);
    const audit = fs.readFileSync(f.at("deletions.log"), "utf8").trimEnd().split("\n");
    expect(audit.length).toBe(summary.paths.length);
    expect(audit.every((line) => line.split("\t")[4] === "deleted with 'bunsnatch delete'")).toBe(true);

    // A mirror run without upstream changes does not bring it back; verify finds all in order.
    expect((await f.run(["mirror"])).code).toBe(0);
    expect(fs.existsSync(f.at(`web/simple/${victim!.normalized}`))).toBe(false);
    expect((await f.run(["verify"])).code).toBe(0);

    // Its next upstream change does (documented; blocklist it to keep it out).
    await f.upstream.newRelease(victim!.name, "9.9");
    expect((await f.run(["mirror"])).code).toBe(0);
    for (const relative of footprint(f, victim!.normalized)) expect(fs.existsSync(f.at(relative))).toBe(true);
  });

  test("--dry-run lists what would go and changes nothing", async () => {
    const f = await mirrored();
    const victim = f.upstream.listProjects()[0]!;
    const before = contentOf(f);
    const result = await f.run(["delete", "--dry-run", victim.name]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`[DRY RUN] rm web/simple/${victim.normalized}/`);
    expect(result.stderr).toContain(
      `[DRY RUN] rm web${f.upstream.project(victim.normalized)!.files[0]!.path}`,
    );
    expect(contentOf(f)).toEqual(before);
  });

  test("works on a mirror without a ledger (bandersnatch's): the pages say what to remove", async () => {
    const f = await mirrored();
    for (const name of fs.readdirSync(f.directory))
      if (name.startsWith("bunsnatch.db")) fs.rmSync(f.at(name));
    const [victim, bystander] = f.upstream.listProjects();
    const result = await f.run(["delete", victim!.name]);
    expect(result.code).toBe(0);
    for (const relative of footprint(f, victim!.normalized))
      expect(fs.existsSync(f.at(relative))).toBe(false);
    const root = fs.readFileSync(f.at("web/simple/index.html"), "utf8");
    expect(root).not.toContain(`"${victim!.normalized}/"`);
    expect(root).toContain(`"${bystander!.normalized}/"`);
  });

  test("a project not on the mirror is a warning; a bad name is a one-line error, exit 2", async () => {
    const f = await mirrored();
    const before = contentOf(f);
    const missing = await f.run(["delete", "no-such-project"]);
    expect(missing.code).toBe(0);
    expect(missing.stderr).toContain("no-such-project is not on the mirror");
    expect(contentOf(f)).toEqual(before);

    const bad = await f.run(["delete", "../../etc"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(contentOf(f)).toEqual(before);
  });
});
