/**
 * End to end: a filter change applies on the next `mirror` run, without
 * `--force-check`. Newly allowed files and projects are fetched; newly excluded
 * ones leave the pages and, with `delete-removed` (the default), the disk, each
 * deletion recorded in `deletions.log`. The tests of a describe run in order on
 * one mirror: each step starts from the mirror the previous step left.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  deletionLog,
  downloadedFiles,
  expectMirror,
  expectPage,
  mirrorWith,
  pagesOf,
  writeBesideConfig,
} from "./filters-helpers.ts";
import { createFixture, type MirrorFixture } from "./harness.ts";

const SDIST = (version: string) => `alpha-${version}.tar.gz`;
const WHEEL = (version: string) => `alpha-${version}-py3-none-any.whl`;
const WINDOWS = (version: string) => `alpha-${version}-cp312-cp312-win_amd64.whl`;
const release = (version: string) => [SDIST(version), WHEEL(version), WINDOWS(version)];
const portable = (version: string) => [SDIST(version), WHEEL(version)];
const BETA = ["beta-1.0.tar.gz", "beta-2.0.tar.gz"];
const GAMMA = ["gamma-1.0.tar.gz"];

/** The file names a run deleted, `.metadata` included, sorted. */
function deletedSince(fixture: MirrorFixture, before: number): string[] {
  return deletionLog(fixture)
    .slice(before)
    .map((record) => record.filename)
    .sort();
}

/** A release file and, for generated wheels, its `.metadata`. */
function withMetadata(filenames: string[]): string[] {
  return filenames.flatMap((name) => (name.endsWith(".whl") ? [name, `${name}.metadata`] : [name])).sort();
}

async function upstreamWithAlphaBetaGamma(): Promise<MirrorFixture> {
  const fixture = await createFixture({ upstream: { projects: 0 } });
  await fixture.upstream.addProject({
    name: "alpha",
    releases: ["1.0", "2.0", "3.0"].map((version) => ({ version, files: release(version) })),
  });
  await fixture.upstream.addProject({
    name: "beta",
    releases: [
      { version: "1.0", files: [BETA[0]!] },
      { version: "2.0", files: [BETA[1]!] },
    ],
  });
  await fixture.upstream.addProject({ name: "gamma", releases: [{ version: "1.0", files: GAMMA }] });
  return fixture;
}

const allowlist = (...projects: string[]) =>
  `[allowlist]\npackages =\n${projects.map((project) => `    ${project}\n`).join("")}`;
const enabled = (...plugins: string[]) =>
  `[plugins]\nenabled =\n${plugins.map((plugin) => `    ${plugin}\n`).join("")}`;

describe("a filter change between two runs (delete-removed = true)", () => {
  let fixture: MirrorFixture;
  /** Runs the changed config on the existing mirror; `downloadedFiles` then tells what this run fetched. */
  const rerun = async (sections: string) => {
    fixture.upstream.requests.reset();
    const logged = deletionLog(fixture).length;
    const result = await mirrorWith(fixture, sections, { fresh: false });
    expect(result.stdout + result.stderr).not.toContain("force-check");
    return { result, logged };
  };

  beforeAll(async () => {
    fixture = await upstreamWithAlphaBetaGamma();
  });
  afterAll(async () => {
    await fixture.close();
  });

  test("1. first run: allowlist alpha", async () => {
    await mirrorWith(fixture, enabled("allowlist_project") + allowlist("alpha"));
    expectMirror(fixture, { alpha: [...release("1.0"), ...release("2.0"), ...release("3.0")] });
  });

  test("2. projects added to the allowlist are fetched; alpha's files are not fetched again", async () => {
    const { logged } = await rerun(enabled("allowlist_project") + allowlist("alpha", "beta", "gamma"));
    expectMirror(fixture, {
      alpha: [...release("1.0"), ...release("2.0"), ...release("3.0")],
      beta: BETA,
      gamma: GAMMA,
    });
    expect(downloadedFiles(fixture)).toEqual([...BETA, ...GAMMA].sort());
    expect(deletedSince(fixture, logged)).toEqual([]);
  });

  test("3. latest_release tightened: exactly the older release's files leave disk and pages, logged", async () => {
    const { logged } = await rerun(
      enabled("allowlist_project", "latest_release") +
        allowlist("alpha", "beta", "gamma") +
        "[latest_release]\nkeep = 2\n",
    );
    expectMirror(fixture, {
      alpha: [...release("2.0"), ...release("3.0")],
      beta: BETA,
      gamma: GAMMA,
    });
    expect(downloadedFiles(fixture)).toEqual([]);
    expect(deletedSince(fixture, logged)).toEqual(withMetadata(release("1.0")));
    for (const record of deletionLog(fixture).slice(logged)) {
      expect(record).toMatchObject({ project: "alpha", reason: "excluded by the filters" });
    }
  });

  test("4. latest_release tightened further and exclude_platform added: only the newly excluded files go", async () => {
    const { logged } = await rerun(
      enabled("allowlist_project", "latest_release", "exclude_platform") +
        allowlist("alpha", "beta", "gamma") +
        "[latest_release]\nkeep = 1\n[blocklist]\nplatforms = windows\n",
    );
    expectMirror(fixture, { alpha: portable("3.0"), beta: ["beta-2.0.tar.gz"], gamma: GAMMA });
    expect(downloadedFiles(fixture)).toEqual([]);
    expect(deletedSince(fixture, logged)).toEqual(
      [...withMetadata([...release("2.0"), WINDOWS("3.0")]), "beta-1.0.tar.gz"].sort(),
    );
  });

  test("5. latest_release loosened: newly allowed files are fetched, still-excluded ones are not", async () => {
    const { logged } = await rerun(
      enabled("allowlist_project", "exclude_platform") +
        allowlist("alpha", "beta", "gamma") +
        "[blocklist]\nplatforms = windows\n",
    );
    expectMirror(fixture, {
      alpha: [...portable("1.0"), ...portable("2.0"), ...portable("3.0")],
      beta: BETA,
      gamma: GAMMA,
    });
    expect(downloadedFiles(fixture)).toEqual(
      [...withMetadata([...portable("1.0"), ...portable("2.0")]), "beta-1.0.tar.gz"].sort(),
    );
    expect(deletedSince(fixture, logged)).toEqual([]);
  });

  test("6. a project removed from the allowlist is removed: pages, files and root index entry", async () => {
    const { logged } = await rerun(
      enabled("allowlist_project", "exclude_platform") +
        allowlist("alpha", "beta") +
        "[blocklist]\nplatforms = windows\n",
    );
    expectMirror(fixture, {
      alpha: [...portable("1.0"), ...portable("2.0"), ...portable("3.0")],
      beta: BETA,
    });
    const records = deletionLog(fixture).slice(logged);
    expect(records.map((record) => record.filename)).toContain("gamma-1.0.tar.gz");
    expect(records.every((record) => record.project === "gamma")).toBe(true);
    expect(records[0]!.reason).toBe("excluded by the project filters");
  });

  test("7. a metadata filter that now excludes a held project removes it", async () => {
    const { logged } = await rerun(
      enabled("allowlist_project", "exclude_platform", "versions_count_project_metadata") +
        allowlist("alpha", "beta") +
        "[blocklist]\nplatforms = windows\n[versions_count_project_metadata]\nmax_versions = 2\n",
    );
    // allowlisted projects are exempt from versions_count: nothing changes.
    expectMirror(fixture, {
      alpha: [...portable("1.0"), ...portable("2.0"), ...portable("3.0")],
      beta: BETA,
    });
    expect(deletedSince(fixture, logged)).toEqual([]);

    const second = await rerun(
      enabled("exclude_platform", "versions_count_project_metadata") +
        "[blocklist]\nplatforms = windows\n[versions_count_project_metadata]\nmax_versions = 2\n",
    );
    // Without the allowlist, gamma comes back and alpha (3 versions) is excluded.
    expectMirror(fixture, { beta: BETA, gamma: GAMMA });
    expect(downloadedFiles(fixture)).toEqual(GAMMA);
    const records = deletionLog(fixture).slice(second.logged);
    expect(
      records
        .filter((record) => record.filename.endsWith(".tar.gz"))
        .map((record) => record.filename)
        .sort(),
    ).toEqual(["alpha-1.0.tar.gz", "alpha-2.0.tar.gz", "alpha-3.0.tar.gz"]);
    expect(records.every((record) => record.project === "alpha")).toBe(true);
    expect(records[0]!.reason).toBe("excluded by a metadata filter");
  });

  test("8. the same filters written differently (order, comments, spelling) change nothing", async () => {
    const { result, logged } = await rerun(
      "[versions_count_project_metadata]\n# keep it small\nmax_versions = 2\n" +
        "[plugins]\nenabled = versions_count_project_metadata, exclude_platform\n" +
        "[blocklist]\nplatforms =\n    windows  # no Windows builds\n",
    );
    expectMirror(fixture, { beta: BETA, gamma: GAMMA });
    expect(downloadedFiles(fixture)).toEqual([]);
    expect(deletedSince(fixture, logged)).toEqual([]);
    const output = result.stdout + result.stderr;
    expect(output).not.toContain("Filter configuration changed");
    expect(output).toContain("0 packages to sync");
  });
});

describe("a requirements file edited between two runs", () => {
  let fixture: MirrorFixture;
  const config = `${enabled("project_requirements", "project_requirements_pinned")}[allowlist]\nrequirements = requirements.txt\n`;

  beforeAll(async () => {
    fixture = await upstreamWithAlphaBetaGamma();
  });
  afterAll(async () => {
    await fixture.close();
  });

  test("a project added and a pin changed in the file apply on the next run", async () => {
    writeBesideConfig(fixture, "requirements.txt", "beta==1.0\n");
    await mirrorWith(fixture, config);
    expectMirror(fixture, { beta: ["beta-1.0.tar.gz"] });

    writeBesideConfig(fixture, "requirements.txt", "beta==2.0\ngamma\n");
    fixture.upstream.requests.reset();
    await mirrorWith(fixture, config, { fresh: false });
    expectMirror(fixture, { beta: ["beta-2.0.tar.gz"], gamma: GAMMA });
    expect(downloadedFiles(fixture)).toEqual(["beta-2.0.tar.gz", "gamma-1.0.tar.gz"]);
    expect(deletionLog(fixture).map((record) => record.filename)).toEqual(["beta-1.0.tar.gz"]);
  });
});

describe("a filter change with delete-removed = false", () => {
  let fixture: MirrorFixture;
  const KEEP = "delete-removed = false";
  const ALL = [...release("1.0"), ...release("2.0"), ...release("3.0")];

  beforeAll(async () => {
    fixture = await upstreamWithAlphaBetaGamma();
  });
  afterAll(async () => {
    await fixture.close();
  });

  test("newly excluded files leave the pages but stay on disk; loosening brings them back without a download", async () => {
    await mirrorWith(fixture, "", { extraMirror: KEEP });
    expectMirror(fixture, { alpha: ALL, beta: BETA, gamma: GAMMA });

    await mirrorWith(
      fixture,
      `${enabled("exclude_platform", "latest_release")}[blocklist]\nplatforms = windows\n[latest_release]\nkeep = 1\n`,
      { extraMirror: KEEP, fresh: false },
    );
    const excluded = [...release("1.0"), ...release("2.0"), WINDOWS("3.0"), "beta-1.0.tar.gz"];
    expectMirror(
      fixture,
      { alpha: portable("3.0"), beta: ["beta-2.0.tar.gz"], gamma: GAMMA },
      { extraOnDisk: excluded },
    );
    expect(deletionLog(fixture)).toEqual([]);

    fixture.upstream.requests.reset();
    await mirrorWith(fixture, "", { extraMirror: KEEP, fresh: false });
    expectMirror(fixture, { alpha: ALL, beta: BETA, gamma: GAMMA });
    expect(downloadedFiles(fixture)).toEqual([]);
  });
});

describe("a filter change and the max-deletions safety valve", () => {
  let fixture: MirrorFixture;
  const ALL = [...release("1.0"), ...release("2.0"), ...release("3.0")];
  const TIGHT = `${enabled("latest_release")}[latest_release]\nkeep = 1\n`;

  beforeAll(async () => {
    fixture = await upstreamWithAlphaBetaGamma();
  });
  afterAll(async () => {
    await fixture.close();
  });

  test("too many deletions: nothing is deleted, the pages already leave the excluded files out", async () => {
    await mirrorWith(fixture, "", { maxDeletions: "1" });
    const result = await mirrorWith(fixture, TIGHT, { maxDeletions: "1", fresh: false, expectCode: 1 });
    expect(result.stdout + result.stderr).toContain("more than max-deletions allows");
    expectPage(fixture, "alpha", release("3.0"));
    expectPage(fixture, "beta", ["beta-2.0.tar.gz"]);
    expectMirror(
      fixture,
      { alpha: release("3.0"), beta: ["beta-2.0.tar.gz"], gamma: GAMMA },
      { extraOnDisk: [...release("1.0"), ...release("2.0"), "beta-1.0.tar.gz"] },
    );
    expect(deletionLog(fixture)).toEqual([]);
  });

  test("loosened before the valve let the deletions through: the files wanted again stay", async () => {
    fixture.upstream.requests.reset();
    await mirrorWith(fixture, "", { fresh: false });
    expectMirror(fixture, { alpha: ALL, beta: BETA, gamma: GAMMA });
    expect(downloadedFiles(fixture)).toEqual([]);
    expect(deletionLog(fixture)).toEqual([]);
  });

  test("--max-deletions lets a held-back filter change through once", async () => {
    await mirrorWith(fixture, TIGHT, { maxDeletions: "1", fresh: false, expectCode: 1 });
    await mirrorWith(fixture, TIGHT, { maxDeletions: "1", fresh: false, args: ["--max-deletions", "100%"] });
    expectMirror(fixture, { alpha: release("3.0"), beta: ["beta-2.0.tar.gz"], gamma: GAMMA });
    expect(
      deletionLog(fixture)
        .map((record) => record.filename)
        .sort(),
    ).toEqual(withMetadata([...release("1.0"), ...release("2.0"), "beta-1.0.tar.gz"]));
    expect(pagesOf(fixture, "alpha")!.versions).toEqual(["3.0"]);
  });

  test("a project excluded while the valve holds its removal back, then allowed again, stays", async () => {
    const logged = deletionLog(fixture).length;
    const withoutGamma = `${enabled("allowlist_project", "latest_release")}[latest_release]\nkeep = 1\n${allowlist("alpha", "beta")}`;
    await mirrorWith(fixture, withoutGamma, { maxDeletions: "0", fresh: false, expectCode: 1 });
    expectMirror(fixture, { alpha: release("3.0"), beta: ["beta-2.0.tar.gz"], gamma: GAMMA });

    fixture.upstream.requests.reset();
    await mirrorWith(fixture, TIGHT, { fresh: false });
    expectMirror(fixture, { alpha: release("3.0"), beta: ["beta-2.0.tar.gz"], gamma: GAMMA });
    expect(downloadedFiles(fixture)).toEqual([]);
    expect(deletionLog(fixture).length).toBe(logged);
  });
});
