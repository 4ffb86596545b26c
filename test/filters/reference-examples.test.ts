/**
 * The example configs of bandersnatch's docs (reference §6.3 and §2.2), read by the
 * real INI reader, behave as documented.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseIni } from "../../src/config/ini.ts";
import { loadFilters } from "../../src/filters/index.ts";
import { names, projectPage, releaseFile, sdists } from "./helpers.ts";

function load(text: string) {
  return loadFilters(parseIni(text, "bandersnatch.conf"));
}

describe("reference §6.3 examples", () => {
  test("exclude_platform: windows, py2.6, py2.7", () => {
    const { filters, warnings } = load(`[plugins]
enabled =
    exclude_platform
[blocklist]
platforms =
    windows
    py2.6
    py2.7
`);
    expect(warnings).toEqual([]);
    const page = projectPage("foo", [
      releaseFile("foo-1.0.tar.gz"),
      releaseFile("foo-1.0-py2.py3-none-any.whl"),
      releaseFile("foo-1.0-cp27-cp27m-manylinux1_x86_64.whl"),
      releaseFile("foo-1.0-cp26-cp26m-macosx_10_5_intel.whl"),
      releaseFile("foo-1.0-cp312-cp312-win_amd64.whl"),
      releaseFile("foo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"),
      releaseFile("foo-1.0.win32.exe", { packageType: "bdist_wininst" }),
    ]);
    expect(names(filters.selectFiles(page).files)).toEqual([
      "foo-1.0.tar.gz",
      "foo-1.0-py2.py3-none-any.whl",
      "foo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
    ]);
  });

  test("latest_release: keep 3 by time", () => {
    const { filters } = load(`[plugins]
enabled =
    latest_release
[latest_release]
keep = 3
sort_by = time
`);
    const files = ["1.0", "1.1", "2.0", "0.9"].map((version, index) =>
      releaseFile(`foo-${version}.tar.gz`, { uploadTime: `2024-0${index + 1}-01T00:00:00.000000Z` }),
    );
    // newest uploads: 0.9 (April), 2.0, 1.1; info.version (2.0) is among them
    expect(filters.selectFiles(projectPage("foo", files)).versions).toEqual(["0.9", "1.1", "2.0"]);
  });

  describe("requirements files", () => {
    let root: string;
    beforeAll(() => {
      root = mkdtempSync(join(tmpdir(), "bunsnatch-reference-"));
      mkdirSync(join(root, "requirements"));
      writeFileSync(join(root, "requirements", "requirements-web.txt"), "flask==3.0.0\nrequests\n");
      writeFileSync(join(root, "requirements", "requirements-data.txt"), "numpy>=2\n");
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    test("project_requirements + project_requirements_pinned with a glob", () => {
      const { filters, warnings } = load(`[plugins]
enabled =
    project_requirements
    project_requirements_pinned
[allowlist]
requirements_path = ${root}/requirements
requirements =
    requirements-*.txt
`);
      expect(warnings).toEqual([]);
      expect(filters.allowsProject("Flask")).toBe(true);
      expect(filters.allowsProject("numpy")).toBe(true);
      expect(filters.allowsProject("django")).toBe(false);
      expect(filters.selectFiles(projectPage("flask", sdists("flask", ["2.3.3", "3.0.0"]))).versions).toEqual(
        ["3.0.0"],
      );
      expect(
        filters.selectFiles(projectPage("numpy", sdists("numpy", ["1.26.4", "2.0.0"]))).versions,
      ).toEqual(["2.0.0"]);
      expect(filters.selectFiles(projectPage("requests", sdists("requests", ["2.31.0"]))).versions).toEqual([
        "2.31.0",
      ]);
    });
  });

  test("size_project_metadata + allowlist_project", () => {
    const { filters } = load(`[plugins]
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
`);
    expect(filters.allowsProject("scapy")).toBe(true);
    expect(filters.allowsProject("pandas")).toBe(false);
    const huge = projectPage("flask", [releaseFile("flask-1.0.tar.gz", { size: 2 * 1024 ** 3 })]);
    expect(filters.allowsMetadata(huge)).toBe(true);
  });

  test("[filter_regex] does nothing until the plugins are enabled", () => {
    const section = `[filter_regex]
packages =
    .+-evil$
releases =
    .+alpha\\d$
`;
    expect(load(section).filters.active).toEqual([]);
    const { filters } = load(`[plugins]\nenabled =\n    regex_project\n    regex_release\n${section}`);
    expect(filters.allowsProject("so-evil")).toBe(false);
    const page = projectPage("good", sdists("good", ["1.0alpha1", "1.0"]));
    expect(filters.selectFiles(page).versions).toEqual(["1.0"]);
  });
});

describe("reference §2.2 examples", () => {
  test("allowlist and blocklist with specifiers", () => {
    const { filters, warnings } = load(`[plugins]
enabled =
    blocklist_project
    blocklist_release
    allowlist_project
    allowlist_release

[blocklist]
packages =
    example1
    example2>=1.4.2,<1.9,!=1.5.*,!=1.6.*

[allowlist]
packages =
    black==18.5
    ptr
`);
    expect(warnings).toEqual([]);
    expect(filters.allowsProject("example1")).toBe(false);
    expect(filters.allowsProject("black")).toBe(true);
    expect(filters.allowsProject("example2")).toBe(false);
    expect(filters.selectFiles(projectPage("black", sdists("black", ["18.5", "18.6b4"]))).versions).toEqual([
      "18.5",
    ]);
  });

  test("the allowlist with an inline comment and a commented-out line", () => {
    const { filters } = load(`[plugins]
enabled = allowlist_project
[allowlist]
packages =
    foo==1.2.3   # inline comment
#    bar
`);
    expect(filters.allowsProject("foo")).toBe(true);
    expect(filters.allowsProject("bar")).toBe(false);
  });

  test("the same inline comment in the blocklist works (bandersnatch crashed)", () => {
    const { filters } = load(`[plugins]
enabled = blocklist_release
[blocklist]
packages =
    foo==1.2.3   # inline comment
`);
    expect(filters.selectFiles(projectPage("foo", sdists("foo", ["1.2.3", "1.2.4"]))).versions).toEqual([
      "1.2.4",
    ]);
  });

  test("tagged metadata keys with ':' and '.' in the key", () => {
    const { filters } = load(`[plugins]
enabled =
    regex_project_metadata
    regex_release_file_metadata
[regex_project_metadata]
not-null:info.classifiers =
        .*Programming Language :: Python :: 2.*

[regex_release_file_metadata]
any:release_file.packagetype =
    sdist
    bdist_wheel
`);
    expect(filters.active).toEqual(["regex_project_metadata", "regex_release_file_metadata"]);
    const page = projectPage("foo", [releaseFile("foo-1.0.tar.gz"), releaseFile("foo-1.0-py2.7.egg")]);
    const withDoc = {
      ...page,
      jsonApi: {
        info: { name: "foo", classifiers: ["Programming Language :: Python :: 2.7"] },
        releases: {},
      },
    };
    expect(filters.allowsMetadata(withDoc)).toBe(true);
    expect(names(filters.selectFiles(withDoc).files)).toEqual(["foo-1.0.tar.gz"]);
  });
});
