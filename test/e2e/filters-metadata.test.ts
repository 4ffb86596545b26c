/**
 * End to end: the metadata plugins — size_project_metadata,
 * versions_count_project_metadata, regex_project_metadata (JSON API) — and the
 * release-file metadata plugins regex_release_file_metadata and
 * version_range_release_file_metadata.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { expectMirror, mirrorWith } from "./filters-helpers.ts";
import { createFixture, type MirrorFixture } from "./harness.ts";

function sdists(distribution: string, versions: string[]) {
  return versions.map((version) => ({ version, files: [`${distribution}-${version}.tar.gz`] }));
}

function tarballs(distribution: string, versions: string[]): string[] {
  return versions.map((version) => `${distribution}-${version}.tar.gz`);
}

/** Requests the upstream received for project `name`'s JSON API document. */
function jsonApiRequests(fixture: MirrorFixture, name: string): number {
  return fixture.upstream.requests.count({ host: "index", prefix: `/pypi/${name}/json` });
}

describe("size_project_metadata", () => {
  let fixture: MirrorFixture;
  const KiB = 1024;
  // Sizes are exact: 60 KiB + 50 KiB = 110 KiB for "large", whose newest release alone is small.
  const SMALL = ["small-1.0.tar.gz", "small-2.0.tar.gz"];
  const LARGE = ["large-1.0.tar.gz", "large-2.0.tar.gz"];
  const EXEMPT = ["exempt-1.0.tar.gz"];

  beforeAll(async () => {
    fixture = await createFixture({ upstream: { projects: 0 } });
    await fixture.upstream.addProject({
      name: "small",
      releases: [
        { version: "1.0", files: [{ filename: SMALL[0]!, size: 40 * KiB }] },
        { version: "2.0", files: [{ filename: SMALL[1]!, size: 40 * KiB }] },
      ],
    });
    await fixture.upstream.addProject({
      name: "large",
      releases: [
        { version: "1.0", files: [{ filename: LARGE[0]!, size: 60 * KiB }] },
        { version: "2.0", files: [{ filename: LARGE[1]!, size: 50 * KiB }] },
      ],
    });
    await fixture.upstream.addProject({
      name: "exempt",
      releases: [{ version: "1.0", files: [{ filename: EXEMPT[0]!, size: 200 * KiB }] }],
    });
  });
  afterAll(async () => {
    await fixture.close();
  });

  test("drops projects whose files add up to more than the limit (binary units); allowlisted projects are exempt", async () => {
    await mirrorWith(
      fixture,
      `[plugins]
enabled = size_project_metadata
[size_project_metadata]
max_package_size = 100K
[allowlist]
packages = exempt
`,
    );
    expectMirror(fixture, { small: SMALL, exempt: EXEMPT });
  });

  test("counts every release before the release filters", async () => {
    await mirrorWith(
      fixture,
      `[plugins]
enabled =
    size_project_metadata
    latest_release
[size_project_metadata]
max_package_size = 102400
[latest_release]
keep = 1
`,
    );
    // "large" keeps only 2.0 (50 KiB) after latest_release, but its total (110 KiB) counts.
    expectMirror(fixture, { small: ["small-2.0.tar.gz"] });
  });
});

describe("versions_count_project_metadata", () => {
  let fixture: MirrorFixture;

  beforeAll(async () => {
    fixture = await createFixture({ upstream: { projects: 0 } });
    await fixture.upstream.addProject({ name: "one", releases: sdists("one", ["1.0"]) });
    await fixture.upstream.addProject({ name: "two", releases: sdists("two", ["1.0", "2.0"]) });
    await fixture.upstream.addProject({ name: "four", releases: sdists("four", ["1", "2", "3", "4"]) });
    await fixture.upstream.addProject({ name: "listed", releases: sdists("listed", ["1", "2", "3", "4"]) });
  });
  afterAll(async () => {
    await fixture.close();
  });

  test("drops projects with fewer than min_versions or more than max_versions releases; allowlisted are exempt", async () => {
    await mirrorWith(
      fixture,
      `[plugins]
enabled = versions_count_project_metadata
[versions_count_project_metadata]
min_versions = 2
max_versions = 3
[allowlist]
packages = listed
`,
    );
    expectMirror(fixture, {
      two: tarballs("two", ["1.0", "2.0"]),
      listed: tarballs("listed", ["1", "2", "3", "4"]),
    });
  });

  test("0 means no bound", async () => {
    await mirrorWith(
      fixture,
      "[plugins]\nenabled = versions_count_project_metadata\n[versions_count_project_metadata]\nmax_versions = 0\nmin_versions = 4\n",
    );
    expectMirror(fixture, {
      four: tarballs("four", ["1", "2", "3", "4"]),
      listed: tarballs("listed", ["1", "2", "3", "4"]),
    });
  });
});

describe("regex_project_metadata", () => {
  let fixture: MirrorFixture;

  beforeAll(async () => {
    fixture = await createFixture({ upstream: { projects: 0 } });
    await fixture.upstream.addProject({
      name: "modern",
      releases: [{ version: "1.0", files: ["modern-1.0.tar.gz"], requiresPython: ">=3.9" }],
    });
    await fixture.upstream.addProject({
      name: "legacy",
      releases: [{ version: "1.0", files: ["legacy-1.0.tar.gz"], requiresPython: ">=2.7" }],
    });
    await fixture.upstream.addProject({ name: "unknown", releases: sdists("unknown", ["1.0"]) });
  });
  afterAll(async () => {
    await fixture.close();
  });

  test("keeps a project only when its JSON API document passes every rule (not-null drops a missing node)", async () => {
    fixture.upstream.requests.reset();
    await mirrorWith(
      fixture,
      `[plugins]
enabled = regex_project_metadata
[regex_project_metadata]
not-null:info.requires_python =
    >=3
`,
    );
    expectMirror(fixture, { modern: ["modern-1.0.tar.gz"] });
    expect(jsonApiRequests(fixture, "legacy")).toBe(1);
  });

  test("match-null (the default) keeps a project without the node; none drops on a match", async () => {
    await mirrorWith(
      fixture,
      `[plugins]
enabled = regex_project_metadata
[regex_project_metadata]
none:info.requires_python =
    >=2
match-null:info.requires_python =
    >=3
`,
    );
    // none: "legacy" matches >=2 (dropped). "unknown" has no node: none fails on null unless tagged match-null.
    expectMirror(fixture, { modern: ["modern-1.0.tar.gz"] });
    await mirrorWith(
      fixture,
      `[plugins]
enabled = regex_project_metadata
[regex_project_metadata]
none:match-null:info.requires_python =
    >=2
`,
    );
    expectMirror(fixture, { modern: ["modern-1.0.tar.gz"], unknown: ["unknown-1.0.tar.gz"] });
  });
});

describe("regex_release_file_metadata and version_range_release_file_metadata", () => {
  let fixture: MirrorFixture;
  const SDIST = "files-1.0.tar.gz";
  const WHEEL_38 = "files-1.0-py3-none-any.whl";
  const WHEEL_27 = "files-1.0-py2-none-any.whl";
  const WHEEL_313 = "files-1.0-cp313-cp313-manylinux_2_17_x86_64.whl";
  const WHEEL_ANY = "files-1.0-cp312-cp312-win_amd64.whl";
  const WHEEL_BAD = "files-1.0-cp36-cp36m-win_amd64.whl";
  const INSTALLER = "files-1.0.win-amd64-py3.12.exe";
  const ALL = [SDIST, WHEEL_38, WHEEL_27, WHEEL_313, WHEEL_ANY, WHEEL_BAD, INSTALLER];

  beforeAll(async () => {
    fixture = await createFixture({ upstream: { projects: 0 } });
    await fixture.upstream.addProject({
      name: "files",
      releases: [
        {
          version: "1.0",
          requiresPython: null,
          files: [
            SDIST,
            { filename: WHEEL_38, requiresPython: ">=3.8" },
            { filename: WHEEL_27, requiresPython: "<3" },
            { filename: WHEEL_313, requiresPython: ">=3.13" },
            WHEEL_ANY,
            { filename: WHEEL_BAD, requiresPython: ">=3.6.*" },
            INSTALLER,
          ],
        },
      ],
    });
  });
  afterAll(async () => {
    await fixture.close();
  });

  test("regex_release_file_metadata on release_file keys works from the page alone", async () => {
    fixture.upstream.requests.reset();
    await mirrorWith(
      fixture,
      `[plugins]
enabled = regex_release_file_metadata
[regex_release_file_metadata]
any:release_file.packagetype =
    sdist
    bdist_wheel
none:release_file.python_version =
    py2
`,
    );
    expectMirror(fixture, { files: [SDIST, WHEEL_38, WHEEL_313, WHEEL_ANY, WHEEL_BAD] });
    expect(jsonApiRequests(fixture, "files")).toBe(0);
  });

  test("regex_release_file_metadata on release_file.requires_python with not-null", async () => {
    await mirrorWith(
      fixture,
      `[plugins]
enabled = regex_release_file_metadata
[regex_release_file_metadata]
not-null:release_file.requires_python =
    >=3\\.
`,
    );
    expectMirror(fixture, { files: [WHEEL_38, WHEEL_313, WHEEL_BAD] });
  });

  test("regex_release_file_metadata with all: every pattern must match", async () => {
    await mirrorWith(
      fixture,
      `[plugins]
enabled = regex_release_file_metadata
[regex_release_file_metadata]
all:release_file.filename =
    .*-cp3
    .*win_amd64\\.whl$
`,
    );
    expectMirror(fixture, { files: [WHEEL_ANY, WHEEL_BAD] });
  });

  test("regex_release_file_metadata rules on info.* read upstream's JSON API document", async () => {
    // The test upstream's info.license is "MIT": with the document, no file matches GPL.
    await mirrorWith(
      fixture,
      "[plugins]\nenabled = regex_release_file_metadata\n[regex_release_file_metadata]\nany:info.license =\n    GPL.*\n",
    );
    expectMirror(fixture, { files: [] });
    await mirrorWith(
      fixture,
      "[plugins]\nenabled = regex_release_file_metadata\n[regex_release_file_metadata]\nany:info.license =\n    MIT\n",
    );
    expectMirror(fixture, { files: ALL });
  });

  test("version_range_release_file_metadata keeps files whose Requires-Python admits a listed version", async () => {
    await mirrorWith(
      fixture,
      `[plugins]
enabled = version_range_release_file_metadata
[version_range_release_file_metadata]
release_file.requires_python =
    3.11
    3.12
`,
    );
    // Dropped: <3 and >=3.13. Kept: no specifier (match-null), and the invalid ">=3.6.*" (pip ignores it).
    expectMirror(fixture, { files: [SDIST, WHEEL_38, WHEEL_ANY, WHEEL_BAD, INSTALLER] });
  });

  test("version_range_release_file_metadata with not-null drops files without a specifier", async () => {
    await mirrorWith(
      fixture,
      `[plugins]
enabled = version_range_release_file_metadata
[version_range_release_file_metadata]
not-null:release_file.requires_python =
    2.7
`,
    );
    expectMirror(fixture, { files: [WHEEL_27, WHEEL_BAD] });
  });
});
