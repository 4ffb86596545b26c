import { describe, expect, test } from "bun:test";
import { ConfigError } from "../../../src/errors.ts";
import { loadFilters } from "../../../src/filters/index.ts";
import { parseHumanSize } from "../../../src/filters/sizes.ts";
import { config, jsonApiFor, projectPage, releaseFile, sdists } from "../helpers.ts";

const GiB = 1024 ** 3;

function bigProject(name: string, totalBytes: number, versions = ["1.0", "2.0"]) {
  const each = totalBytes / versions.length;
  return projectPage(
    name,
    versions.map((version) => releaseFile(`${name}-${version}.tar.gz`, { size: each })),
  );
}

describe("size_project_metadata", () => {
  test("human sizes use binary units, as humanfriendly with binary=True", () => {
    expect(parseHumanSize("1G")).toBe(GiB);
    expect(parseHumanSize("1 GB")).toBe(GiB);
    expect(parseHumanSize("1GiB")).toBe(GiB);
    expect(parseHumanSize("1.5k")).toBe(1536);
    expect(parseHumanSize("500M")).toBe(500 * 1024 ** 2);
    expect(parseHumanSize("2 TB")).toBe(2 * 1024 ** 4);
    expect(parseHumanSize("1048576")).toBe(1048576);
    expect(parseHumanSize("100 bytes")).toBe(100);
    expect(parseHumanSize("lots")).toBeNull();
    expect(parseHumanSize("1X")).toBeNull();
    expect(parseHumanSize("-1G")).toBeNull();
  });

  test("the docs' example: size limit AND allowlist_project", () => {
    const { filters } = loadFilters(
      config(`
      [plugins]
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
    `),
    );
    expect(filters.needsJsonApi).toBe(false);
    expect(filters.allowsProject("flask")).toBe(true);
    expect(filters.allowsProject("django")).toBe(false);
    // allowlisted projects bypass the size check
    expect(filters.allowsMetadata(bigProject("numpy", 2 * GiB))).toBe(true);
    expect(filters.allowsMetadata(bigProject("torch", 2 * GiB))).toBe(false);
    expect(filters.allowsMetadata(bigProject("flask", GiB / 2))).toBe(true);
  });

  test("exactly the limit passes", () => {
    const { filters } = loadFilters(
      config(`
      [plugins]
      enabled = size_project_metadata
      [size_project_metadata]
      max_package_size = 1G
    `),
    );
    expect(filters.allowsMetadata(bigProject("x", GiB))).toBe(true);
    expect(filters.allowsMetadata(bigProject("x", GiB + 2))).toBe(false);
  });

  test("counts every file of every release in the JSON API document when there is one", () => {
    const { filters } = loadFilters(
      config(`
      [plugins]
      enabled = size_project_metadata
      [size_project_metadata]
      max_package_size = 1500
    `),
    );
    const page = projectPage("x", sdists("x", ["1.0"]));
    const document = jsonApiFor(page);
    document.releases!["0.9"] = [{ filename: "x-0.9.tar.gz", size: 1000 }];
    expect(filters.allowsMetadata(page)).toBe(true);
    expect(filters.allowsMetadata({ ...page, jsonApi: document })).toBe(false);
  });

  test("an invalid size is a ConfigError", () => {
    expect(() =>
      loadFilters(
        config(`
        [plugins]
        enabled = size_project_metadata
        [size_project_metadata]
        max_package_size = big
      `),
      ),
    ).toThrow(
      'bandersnatch.conf:4: [size_project_metadata] max_package_size = "big": expected a size in bytes or like 500M, 1G',
    );
  });
});

describe("versions_count_project_metadata", () => {
  const load = (section: string) =>
    loadFilters(
      config(`
      [plugins]
      enabled = versions_count_project_metadata
      [allowlist]
      packages = tf-nightly
      [versions_count_project_metadata]
      ${section}
    `),
    );

  test("the docs' example: 3 to 500 versions", () => {
    const { filters } = load("min_versions = 3\n      max_versions = 500");
    expect(filters.allowsMetadata(projectPage("a", sdists("a", ["1", "2"])))).toBe(false);
    expect(filters.allowsMetadata(projectPage("b", sdists("b", ["1", "2", "3"])))).toBe(true);
    const many = Array.from({ length: 501 }, (_, index) => `${index}.0`);
    expect(filters.allowsMetadata(projectPage("c", sdists("c", many)))).toBe(false);
    expect(filters.allowsMetadata(projectPage("tf-nightly", sdists("tf_nightly", many)))).toBe(true);
  });

  test("counts upstream's versions, including those without files", () => {
    const { filters } = load("min_versions = 3");
    const page = projectPage("a", sdists("a", ["1", "2"]), { versions: ["0", "1", "2"] });
    expect(filters.allowsMetadata(page)).toBe(true);
  });

  test("bad numbers and min > max are ConfigErrors", () => {
    expect(() => load("min_versions = many")).toThrow(ConfigError);
    expect(() => load("min_versions = 10\n      max_versions = 5")).toThrow(
      '[versions_count_project_metadata] min_versions = "10": greater than max_versions (5)',
    );
  });

  test("neither bound set: a warning, and the plugin does nothing", () => {
    const { filters, warnings } = load("");
    expect(filters.active).toEqual([]);
    expect(warnings[0]).toContain("sets neither min_versions nor max_versions");
  });
});
