import { describe, expect, test } from "bun:test";
import { MARKUP_YANK_REASON, normalizeName, startTestUpstream, type TestUpstream } from "./index.ts";

const V1_JSON = "application/vnd.pypi.simple.v1+json";

async function snapshot(upstream: TestUpstream) {
  const listing = await (await fetch(upstream.simpleUrl, { headers: { Accept: V1_JSON } })).text();
  const files = upstream
    .allFiles()
    .map((file) => [file.filename, file.size, file.sha256, file.blake2b256, file.uploadTime]);
  return { listing, files, journal: upstream.journal() };
}

describe("determinism", () => {
  test("the same seed gives the same listing, journal, files and digests", async () => {
    await using first = await startTestUpstream({ projects: 20, seed: 11 });
    await using second = await startTestUpstream({ projects: 20, seed: 11 });
    const [a, b] = [await snapshot(first), await snapshot(second)];
    expect(b.listing).toBe(a.listing);
    expect(b.journal).toEqual(a.journal);
    expect(b.files).toEqual(a.files);
    // Mutations are deterministic too.
    const digestsAfterRelease = async (upstream: TestUpstream) => {
      const project = upstream.listProjects()[0]!.name;
      await upstream.newRelease(project, "99.0");
      return upstream.project(project)!.files.map((file) => [file.filename, file.sha256, file.uploadTime]);
    };
    expect(await digestsAfterRelease(second)).toEqual(await digestsAfterRelease(first));
  });

  test("another seed gives other projects", async () => {
    await using first = await startTestUpstream({ projects: 20, seed: 11 });
    await using other = await startTestUpstream({ projects: 20, seed: 12 });
    expect(other.listProjects().map((project) => project.name)).not.toEqual(
      first.listProjects().map((project) => project.name),
    );
  });

  test("a smaller project count is a prefix of the same plan", async () => {
    await using small = await startTestUpstream({ projects: 5, seed: 11 });
    await using large = await startTestUpstream({ projects: 20, seed: 11 });
    const largeNames = new Set(large.listProjects().map((project) => project.name));
    for (const project of small.listProjects()) expect(largeNames.has(project.name)).toBe(true);
  });
});

describe("the generated project set (seed 1, 20 projects)", () => {
  test("covers what filters and normalization need", async () => {
    await using upstream = await startTestUpstream({ projects: 20, seed: 1 });
    const projects = upstream.listProjects();
    expect(projects).toHaveLength(20);
    const names = projects.map((project) => project.name);
    expect(new Set(names.map(normalizeName)).size).toBe(20);
    expect(names.some((name) => /[A-Z]/.test(name))).toBe(true);
    for (const separator of [".", "_", "-"])
      expect(names.some((name) => name.includes(separator))).toBe(true);
    expect(names.some((name) => /\d/.test(name))).toBe(true);
    expect(names.some((name) => /[-_.]{2,}/.test(name))).toBe(true);

    const releaseCounts = projects.map((project) => upstream.project(project.name)!.releases.length);
    expect(Math.min(...releaseCounts)).toBe(1);
    expect(Math.max(...releaseCounts)).toBe(4);

    const files = upstream.allFiles();
    const versions = new Set(files.map((file) => file.version));
    for (const form of [/rc\d/, /b\d/, /\.dev\d/, /a\d/])
      expect([...versions].some((version) => form.test(version))).toBe(true);
    const tags = new Set(
      files
        .filter((file) => file.filename.endsWith(".whl"))
        .map((file) => file.filename.split("-").slice(-3).join("-").slice(0, -4)),
    );
    for (const tag of [
      "py3-none-any",
      "py2.py3-none-any",
      "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
      "cp312-cp312-win_amd64",
      "cp311-cp311-macosx_11_0_arm64",
      "cp312-abi3-musllinux_1_1_aarch64",
    ])
      expect(tags).toContain(tag);
    expect(files.some((file) => file.yanked === MARKUP_YANK_REASON)).toBe(true);
    expect(
      files.some(
        (file) =>
          file.yanked === true || (typeof file.yanked === "string" && file.yanked !== MARKUP_YANK_REASON),
      ),
    ).toBe(true);
    expect(files.some((file) => file.requiresPython === null)).toBe(true);
    expect(files.some((file) => file.requiresPython !== null)).toBe(true);
    expect(files.some((file) => file.provenanceUrl !== null)).toBe(true);
    expect(files.some((file) => file.filename.endsWith(".tar.gz"))).toBe(true);
  });

  test("5,000 projects start quickly (contents are built lazily)", async () => {
    const started = performance.now();
    await using upstream = await startTestUpstream({ projects: 5000, seed: 5 });
    expect(upstream.listProjects()).toHaveLength(5000);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
