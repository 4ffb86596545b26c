/**
 * The diff file (bandersnatch §3.9) lists exactly what a `mirror` run wrote, and
 * its `.deleted` sibling exactly what the run removed.
 */

import { afterEach, describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import * as path from "node:path";
import { createFixture, type MirrorFixture, treeOf } from "./harness.ts";

let fixture: MirrorFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

/** Files under web/ that a run may write (the last-modified stamp is not listed, as in bandersnatch). */
function webTree(f: MirrorFixture): Map<string, string> {
  return treeOf(f.directory, (relative) => !relative.startsWith("web") || relative === "web/last-modified");
}

/** Paths (mirror-relative) that are new or changed between two trees. */
function changedPaths(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after].filter(([relative, hash]) => before.get(relative) !== hash).map(([relative]) => relative);
}

function listed(f: MirrorFixture, file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  expect(text.endsWith("\n")).toBe(false);
  if (text === "") return [];
  return text.split("\n").map((absolute) => {
    expect(absolute.startsWith(`${f.directory}/`)).toBe(true);
    return absolute.slice(f.directory.length + 1);
  });
}

async function fixtureWithDiff(mirror: string): Promise<MirrorFixture> {
  fixture = await createFixture({ upstream: { projects: 6 }, mirror: `json = true\n${mirror}` });
  return fixture;
}

describe("diff-file", () => {
  test("the first run lists every page, JSON copy and file it wrote, in bandersnatch's order", async () => {
    const f = await fixtureWithDiff("diff-file = {{mirror_directory}}/mirrored-files");
    expect((await f.run(["mirror"])).code).toBe(0);
    const diff = f.at("mirrored-files");
    const paths = listed(f, diff);
    expect(new Set(paths)).toEqual(new Set(webTree(f).keys()));
    expect(paths).toHaveLength(new Set(paths).size);
    // Index pages first, then JSON copies, then release and metadata files.
    const rank = (relative: string) =>
      relative.startsWith("web/simple/")
        ? 0
        : relative.startsWith("web/json/") || relative.startsWith("web/pypi/")
          ? 1
          : 2;
    const ranks = paths.map(rank);
    expect(ranks).toEqual([...ranks].sort());
    expect(fs.readFileSync(`${diff}.deleted`, "utf8")).toBe("");
  });

  test("an incremental run lists exactly what changed, and .deleted exactly what it removed", async () => {
    const f = await fixtureWithDiff("diff-file = {{mirror_directory}}/mirrored-files\nmax-deletions = 100%");
    expect((await f.run(["mirror"])).code).toBe(0);
    const before = webTree(f);
    const [grown, shrunk, removed] = f.upstream.listProjects();
    await f.upstream.newRelease(grown!.name, "77.0");
    const goneFile = f.upstream
      .project(shrunk!.normalized)!
      .files.find((file) => file.metadataSha256 !== null)!;
    await f.upstream.removeFile(shrunk!.name, goneFile.filename);
    const removedFiles = f.upstream.project(removed!.normalized)!.files;
    await f.upstream.removeProject(removed!.name);

    expect((await f.run(["mirror"])).code).toBe(0);
    const after = webTree(f);
    expect(new Set(listed(f, f.at("mirrored-files")))).toEqual(new Set(changedPaths(before, after)));

    const deleted = listed(f, f.at("mirrored-files.deleted"));
    const expected = [
      `web${goneFile.path}`,
      `web${goneFile.path}.metadata`,
      ...removedFiles.flatMap((file) => [
        `web${file.path}`,
        ...(file.metadataSha256 ? [`web${file.path}.metadata`] : []),
      ]),
      `web/simple/${removed!.normalized}/`,
      `web/pypi/${removed!.normalized}/`,
      `web/json/${removed!.normalized}`,
    ];
    expect(new Set(deleted)).toEqual(new Set(expected));
    expect(deleted).toHaveLength(expected.length);
    const existedBefore = (relative: string) =>
      [...before.keys()].some(
        (held) => held === relative || (relative.endsWith("/") && held.startsWith(relative)),
      );
    for (const relative of deleted) expect(existedBefore(relative)).toBe(true);
    for (const relative of deleted) expect(fs.existsSync(f.at(relative))).toBe(false);

    // A run with no changes leaves both lists empty.
    expect((await f.run(["mirror"])).code).toBe(0);
    expect(listed(f, f.at("mirrored-files"))).toEqual([]);
    expect(listed(f, f.at("mirrored-files.deleted"))).toEqual([]);
  });

  test("diff-append-epoch appends -<epoch> before the directory check; a directory gets mirrored-files", async () => {
    const f = await fixtureWithDiff("");
    const diffDirectory = path.join(f.root, "diffs");
    fs.mkdirSync(diffDirectory);
    f.writeConfig(`json = true\ndiff-file = ${diffDirectory}`);
    expect((await f.run(["mirror"])).code).toBe(0);
    expect(fs.existsSync(path.join(diffDirectory, "mirrored-files"))).toBe(true);
    expect(fs.existsSync(path.join(diffDirectory, "mirrored-files.deleted"))).toBe(true);

    f.writeConfig(`json = true\ndiff-file = ${diffDirectory}\ndiff-append-epoch = true`);
    await f.upstream.newRelease(f.upstream.listProjects()[0]!.name, "5.5");
    const started = Math.floor(Date.now() / 1000);
    expect((await f.run(["mirror"])).code).toBe(0);
    const finished = Math.floor(Date.now() / 1000);
    const epochFiles = fs.readdirSync(f.root).filter((name) => /^diffs-\d+$/.test(name));
    expect(epochFiles).toHaveLength(1);
    const epoch = Number(epochFiles[0]!.slice("diffs-".length));
    expect(epoch).toBeGreaterThanOrEqual(started);
    expect(epoch).toBeLessThanOrEqual(finished);
    expect(fs.existsSync(path.join(f.root, `${epochFiles[0]}.deleted`))).toBe(true);
    expect(listed(f, path.join(f.root, epochFiles[0]!)).length).toBeGreaterThan(0);
  });

  test("a run that fails before writing leaves no stale diff file behind", async () => {
    const f = await fixtureWithDiff("diff-file = {{mirror_directory}}/mirrored-files");
    expect((await f.run(["mirror"])).code).toBe(0);
    expect(fs.existsSync(f.at("mirrored-files"))).toBe(true);
    f.upstream.setFaults({ rules: [{ match: "/pypi", kind: "5xx", times: 1000, host: "index" }] });

    const failed = await f.run(["mirror"]);
    expect(failed.code).not.toBe(0);
    expect(fs.existsSync(f.at("mirrored-files"))).toBe(false);
    expect(fs.existsSync(f.at("mirrored-files.deleted"))).toBe(false);
  });
});
