/**
 * End to end: the example configs of bandersnatch's docs (reference §6.3), as
 * written, against a small upstream; each does what the docs say.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import * as path from "node:path";
import { expectMirror, mirrorWith, writeBesideConfig } from "./filters-helpers.ts";
import { createFixture, type MirrorFixture } from "./harness.ts";

let fixture: MirrorFixture;
const KiB = 1024;

const FOO = [
  "foo-1.0.tar.gz",
  "foo-1.0-py2.py3-none-any.whl",
  "foo-1.0-cp26-cp26m-macosx_10_5_intel.whl",
  "foo-1.0-cp27-cp27mu-manylinux1_x86_64.whl",
  "foo-1.0-cp312-cp312-win_amd64.whl",
  "foo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
  "foo-1.0.win32.exe",
];
/** Versions of "timed" with their upload months: newest uploads are 0.9, 2.0, 1.1. */
const TIMED: [string, number][] = [
  ["1.0", 1],
  ["1.1", 2],
  ["2.0", 3],
  ["0.9", 4],
];

beforeAll(async () => {
  fixture = await createFixture({ upstream: { projects: 0 } });
  const upstream = fixture.upstream;
  await upstream.addProject({ name: "foo", releases: [{ version: "1.0", files: FOO }] });
  await upstream.addProject({
    name: "timed",
    releases: TIMED.map(([version, month]) => ({
      version,
      files: [{ filename: `timed-${version}.tar.gz`, uploadTime: `2024-0${month}-01T00:00:00` }],
    })),
  });
  await upstream.addProject({
    name: "numpy",
    releases: [{ version: "2.0", files: [{ filename: "numpy-2.0.tar.gz", size: 300 * KiB }] }],
  });
  await upstream.addProject({ name: "scapy", releases: [{ version: "2.5", files: ["scapy-2.5.tar.gz"] }] });
  await upstream.addProject({
    name: "flask",
    releases: [
      { version: "2.0", files: ["flask-2.0.tar.gz"] },
      { version: "3.0", files: ["flask-3.0.tar.gz"] },
    ],
  });
  await upstream.addProject({
    name: "very-evil",
    releases: [{ version: "1.0", files: ["very_evil-1.0.tar.gz"] }],
  });
  await upstream.addProject({
    name: "nice",
    releases: [
      { version: "1.0", files: ["nice-1.0.tar.gz"] },
      { version: "2.0alpha1", files: ["nice-2.0alpha1.tar.gz"] },
      { version: "2.0alpha", files: ["nice-2.0alpha.tar.gz"] },
    ],
  });
});

afterAll(async () => {
  await fixture.close();
});

const EVERYONE_ELSE = () => ({
  timed: TIMED.map(([version]) => `timed-${version}.tar.gz`),
  numpy: ["numpy-2.0.tar.gz"],
  scapy: ["scapy-2.5.tar.gz"],
  flask: ["flask-2.0.tar.gz", "flask-3.0.tar.gz"],
  "very-evil": ["very_evil-1.0.tar.gz"],
  nice: ["nice-1.0.tar.gz", "nice-2.0alpha1.tar.gz", "nice-2.0alpha.tar.gz"],
});

describe("reference §6.3 examples", () => {
  test("exclude_platform: windows, py2.6, py2.7", async () => {
    const result = await mirrorWith(
      fixture,
      `[plugins]
enabled =
    exclude_platform
[blocklist]
platforms =
    windows
    py2.6
    py2.7
`,
    );
    expect(result.stdout + result.stderr).not.toContain("WARNING");
    expectMirror(fixture, {
      foo: [
        "foo-1.0.tar.gz",
        "foo-1.0-py2.py3-none-any.whl",
        "foo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
      ],
      ...EVERYONE_ELSE(),
    });
  });

  test("latest_release: keep 3 sorted by upload time", async () => {
    await mirrorWith(
      fixture,
      `[plugins]
enabled =
    latest_release
[latest_release]
keep = 3
sort_by = time
`,
    );
    expectMirror(fixture, {
      ...EVERYONE_ELSE(),
      foo: FOO,
      timed: ["timed-0.9.tar.gz", "timed-2.0.tar.gz", "timed-1.1.tar.gz"],
    });
  });

  test("project_requirements + project_requirements_pinned with requirements_path and a glob", async () => {
    const directory = path.dirname(
      writeBesideConfig(fixture, "requirements/requirements-web.txt", "flask==3.0\n"),
    );
    writeBesideConfig(fixture, "requirements/requirements-data.txt", "numpy\nscapy>=2\n");
    writeBesideConfig(fixture, "requirements/constraints.txt", "foo\n");
    // The docs' `/requirements`, as an absolute path of this test's own.
    await mirrorWith(
      fixture,
      `[plugins]
enabled =
    project_requirements
    project_requirements_pinned
[allowlist]
requirements_path = ${directory}
requirements =
    requirements-*.txt
`,
    );
    expectMirror(fixture, {
      flask: ["flask-3.0.tar.gz"],
      numpy: ["numpy-2.0.tar.gz"],
      scapy: ["scapy-2.5.tar.gz"],
    });
  });

  test("size_project_metadata + allowlist_project: only the listed projects, each well under 1G", async () => {
    await mirrorWith(
      fixture,
      `[plugins]
enabled =
    size_project_metadata
    allowlist_project
[allowlist]
packages =
    numpy
    scapy
    flask
[size_project_metadata]
max_package_size = 1G
`,
    );
    expectMirror(fixture, {
      numpy: ["numpy-2.0.tar.gz"],
      scapy: ["scapy-2.5.tar.gz"],
      flask: ["flask-2.0.tar.gz", "flask-3.0.tar.gz"],
    });
  });

  test("filter_regex: packages .+-evil$ and releases .+alpha\\d$", async () => {
    await mirrorWith(
      fixture,
      `[plugins]
enabled =
    regex_project
    regex_release
[filter_regex]
packages =
    .+-evil$
releases =
    .+alpha\\d$
`,
    );
    const { "very-evil": _dropped, nice: _nice, ...others } = EVERYONE_ELSE();
    expectMirror(fixture, { ...others, foo: FOO, nice: ["nice-1.0.tar.gz", "nice-2.0alpha.tar.gz"] });
  });
});

describe("the README's Filtering section", () => {
  test("its example config runs without a warning and filters as it says", async () => {
    const readme = fs.readFileSync(path.join(import.meta.dir, "../../README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Filtering"));
    const example = /```ini\n([\s\S]*?)```/.exec(section)![1]!;
    const result = await mirrorWith(fixture, example);
    expect(result.stdout + result.stderr).not.toContain("WARNING");
    expectMirror(fixture, { numpy: ["numpy-2.0.tar.gz"] });
  });
});
