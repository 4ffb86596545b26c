/**
 * Upstream removals reach the mirror in the same `mirror` run: every journal
 * removal kind, projects gone from the simple listing, the `max-deletions`
 * safety valve, `delete-removed = false`, and the `deletions.log` audit trail.
 */

import { afterEach, describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import type { FileView } from "../upstream/index.ts";
import { createFixture, type MirrorFixture, temporaryFiles } from "./harness.ts";

let fixture: MirrorFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

/** A fixture already mirrored once (json = true, so JSON copies exist too). */
async function mirrored(mirror = "", projects = 8): Promise<MirrorFixture> {
  fixture = await createFixture({ upstream: { projects }, mirror: `json = true\n${mirror}` });
  const first = await fixture.run(["mirror"]);
  expect(first.code).toBe(0);
  return fixture;
}

function exists(f: MirrorFixture, relative: string): boolean {
  return fs.existsSync(f.at(relative));
}

function pageOf(f: MirrorFixture, project: string): string {
  return fs.readFileSync(f.at(`web/simple/${project}/index.html`), "utf8");
}

function auditLines(f: MirrorFixture): string[][] {
  if (!exists(f, "deletions.log")) return [];
  return fs
    .readFileSync(f.at("deletions.log"), "utf8")
    .trimEnd()
    .split("\n")
    .map((line) => line.split("\t"));
}

/** Paths a file occupies on the mirror: the file and, when upstream has one, its `.metadata`. */
function mirrorPathsOf(file: FileView): string[] {
  const paths = [`web${file.path}`];
  if (file.metadataSha256 !== null) paths.push(`web${file.path}.metadata`);
  return paths;
}

/** The project (by normalized name) with the most releases that have files. */
function richestProject(f: MirrorFixture) {
  const views = f.upstream.listProjects().map((summary) => f.upstream.project(summary.normalized)!);
  views.sort(
    (left, right) => right.versions.length - left.versions.length || right.files.length - left.files.length,
  );
  return views[0]!;
}

describe("removal events from the XML-RPC journal", () => {
  test("remove file: the file and its .metadata leave web/packages and the page", async () => {
    const f = await mirrored("max-deletions = 100%");
    const project = richestProject(f);
    const gone = project.files.find((file) => file.metadataSha256 !== null)!;
    const kept = project.files.filter((file) => file !== gone);
    for (const relative of mirrorPathsOf(gone)) expect(exists(f, relative)).toBe(true);
    const serial = await f.upstream.removeFile(project.name, gone.filename);

    const result = await f.run(["mirror"]);
    expect(result.code).toBe(0);
    for (const relative of mirrorPathsOf(gone)) expect(exists(f, relative)).toBe(false);
    for (const file of kept)
      for (const relative of mirrorPathsOf(file)) expect(exists(f, relative)).toBe(true);
    expect(pageOf(f, project.normalized)).not.toContain(gone.filename);
    expect(fs.readFileSync(f.at(`web/simple/${project.normalized}/index.v1_json`), "utf8")).not.toContain(
      gone.filename,
    );
    const audit = auditLines(f);
    expect(audit.map((line) => line[3]).sort()).toEqual(mirrorPathsOf(gone).sort());
    for (const line of audit) {
      expect(line).toHaveLength(5);
      expect(Number.isNaN(Date.parse(line[0]!))).toBe(false);
      expect(Number(line[1])).toBe(serial);
      expect(line[2]).toBe(project.normalized);
    }
    expect(temporaryFiles(f.directory)).toEqual([]);
  });

  test("remove release: every file of the release goes, the version leaves the page", async () => {
    const f = await mirrored("max-deletions = 100%");
    const project = richestProject(f);
    const version = project.versions[0]!;
    const gone = project.files.filter((file) => file.version === version);
    expect(gone.length).toBeGreaterThan(0);
    await f.upstream.removeRelease(project.name, version);

    const result = await f.run(["mirror"]);
    expect(result.code).toBe(0);
    for (const file of gone) {
      for (const relative of mirrorPathsOf(file)) expect(exists(f, relative)).toBe(false);
      expect(pageOf(f, project.normalized)).not.toContain(file.filename);
    }
    for (const file of project.files.filter((candidate) => candidate.version !== version)) {
      expect(exists(f, `web${file.path}`)).toBe(true);
    }
    const reasons = new Set(auditLines(f).map((line) => line[4]));
    expect(reasons.size).toBe(1);
  });

  test("remove project: files, pages, JSON copies go and the root index forgets it", async () => {
    const f = await mirrored("max-deletions = 100%");
    const project = richestProject(f);
    const other = f.upstream.listProjects().find((summary) => summary.normalized !== project.normalized)!;
    expect(exists(f, `web/json/${project.normalized}`)).toBe(true);
    expect(exists(f, `web/pypi/${project.normalized}/json`)).toBe(true);
    await f.upstream.removeProject(project.name);

    const result = await f.run(["mirror"]);
    expect(result.code).toBe(0);
    for (const file of project.files)
      for (const relative of mirrorPathsOf(file)) expect(exists(f, relative)).toBe(false);
    expect(exists(f, `web/simple/${project.normalized}`)).toBe(false);
    expect(exists(f, `web/json/${project.normalized}`)).toBe(false);
    expect(exists(f, `web/pypi/${project.normalized}`)).toBe(false);
    const rootHtml = fs.readFileSync(f.at("web/simple/index.html"), "utf8");
    const rootJson = fs.readFileSync(f.at("web/simple/index.v1_json"), "utf8");
    expect(rootHtml).not.toContain(`"${project.normalized}/"`);
    expect(rootJson).not.toContain(`"${project.name}"`);
    expect(rootHtml).toContain(`"${other.normalized}/"`);
    expect(auditLines(f).every((line) => line[4] === "remove project")).toBe(true);
    expect(result.stderr).toContain(`Removed project ${project.normalized}`);
  });

  test("project quarantined: the project leaves the mirror like a removed one", async () => {
    const f = await mirrored("max-deletions = 100%");
    const project = richestProject(f);
    await f.upstream.quarantineProject(project.name);

    const result = await f.run(["mirror"]);
    expect(result.code).toBe(0);
    for (const file of project.files) expect(exists(f, `web${file.path}`)).toBe(false);
    expect(exists(f, `web/simple/${project.normalized}`)).toBe(false);
    expect(exists(f, `web/json/${project.normalized}`)).toBe(false);
    expect(fs.readFileSync(f.at("web/simple/index.html"), "utf8")).not.toContain(`"${project.normalized}/"`);

    // Cleared: it comes back in full on the next run.
    await f.upstream.clearQuarantine(project.name);
    expect((await f.run(["mirror"])).code).toBe(0);
    for (const file of project.files) expect(exists(f, `web${file.path}`)).toBe(true);
    expect(pageOf(f, project.normalized)).toContain(project.files[0]!.filename);
  });
});

describe("api-method = simple", () => {
  test("a project gone from the listing and a file gone from a page are removed", async () => {
    const f = await mirrored("api-method = simple\nmax-deletions = 100%");
    const [first, second] = [...f.upstream.listProjects()]
      .map((summary) => f.upstream.project(summary.normalized)!)
      .filter((view) => view.files.length > 1);
    const goneFile = second!.files[0]!;
    await f.upstream.removeProject(first!.name);
    await f.upstream.removeFile(second!.name, goneFile.filename);

    const result = await f.run(["mirror"]);
    expect(result.code).toBe(0);
    expect(exists(f, `web/simple/${first!.normalized}`)).toBe(false);
    for (const file of first!.files) expect(exists(f, `web${file.path}`)).toBe(false);
    expect(exists(f, `web${goneFile.path}`)).toBe(false);
    expect(pageOf(f, second!.normalized)).not.toContain(goneFile.filename);
    const reasons = new Set(auditLines(f).map((line) => line[4]));
    expect(reasons).toEqual(new Set(["gone from the upstream listing", "no longer listed upstream"]));
  });
});

describe("safety and opt-out", () => {
  test("the max-deletions valve trips on a mass removal: nothing deleted, exit 1, how to proceed", async () => {
    const f = await mirrored("", 10);
    const before = fs.readdirSync(f.at("web/packages"), { recursive: true }).length;
    const status = fs.readFileSync(f.at("status"), "utf8");
    const removed = f.upstream.listProjects().slice(0, 3);
    for (const project of removed) await f.upstream.removeProject(project.name);

    const blocked = await f.run(["mirror", "--json"]);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain("max-deletions");
    expect(blocked.stderr).toContain("nothing was deleted");
    expect(blocked.stderr).toContain("--max-deletions");
    expect(fs.readdirSync(f.at("web/packages"), { recursive: true }).length).toBe(before);
    for (const project of removed)
      expect(exists(f, `web/simple/${project.normalized}/index.html`)).toBe(true);
    expect(exists(f, "deletions.log")).toBe(false);
    expect(fs.readFileSync(f.at("status"), "utf8")).toBe(status);
    const summary = JSON.parse(blocked.stdout);
    expect(summary.deletionsBlocked.wanted).toBeGreaterThan(summary.deletionsBlocked.limit);
    expect(summary.files.deleted).toBe(0);

    // Raising the limit for one run applies the queued removals.
    const allowed = await f.run(["mirror", "--max-deletions", "100%"]);
    expect(allowed.code).toBe(0);
    for (const project of removed) expect(exists(f, `web/simple/${project.normalized}`)).toBe(false);
    expect(auditLines(f).length).toBe(summary.deletionsBlocked.wanted + 3 * 3);
  });

  test("delete-removed = false keeps every file and page (bandersnatch's behaviour)", async () => {
    const f = await mirrored("delete-removed = false");
    const project = richestProject(f);
    const other = f.upstream.listProjects().find((summary) => summary.normalized !== project.normalized)!;
    const otherFile = f.upstream.project(other.normalized)!.files[0]!;
    await f.upstream.removeProject(project.name);
    await f.upstream.removeFile(other.name, otherFile.filename);

    const result = await f.run(["mirror"]);
    expect(result.code).toBe(0);
    for (const file of project.files) expect(exists(f, `web${file.path}`)).toBe(true);
    expect(exists(f, `web/simple/${project.normalized}/index.html`)).toBe(true);
    expect(exists(f, `web${otherFile.path}`)).toBe(true);
    expect(exists(f, "deletions.log")).toBe(false);
  });

  test("a bad --max-deletions is a one-line usage error", async () => {
    fixture = await createFixture({ upstream: { projects: 1 } });
    const result = await fixture.run(["mirror", "--max-deletions", "lots"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });
});
