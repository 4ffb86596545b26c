import { describe, expect, test } from "bun:test";
import { ConfigError } from "../../../src/errors.ts";
import { loadFilters } from "../../../src/filters/index.ts";
import { config, names, projectPage, releaseFile } from "../helpers.ts";

function rangeFilter(key = "release_file.requires_python") {
  return loadFilters(
    config(`
    [plugins]
    enabled = version_range_release_file_metadata
    [version_range_release_file_metadata]
    ${key} =
        3.11
        3.12
  `),
  );
}

const FILES = [
  releaseFile("foo-1.0.tar.gz", { requiresPython: ">=2.7, !=3.0.*" }),
  releaseFile("foo-2.0.tar.gz", { requiresPython: ">=3.12" }),
  releaseFile("foo-3.0.tar.gz", { requiresPython: ">=3.13" }),
  releaseFile("foo-0.1.tar.gz", { requiresPython: null }),
  releaseFile("foo-0.2.tar.gz", { requiresPython: "" }),
  releaseFile("foo-0.3.tar.gz", { requiresPython: ">=3.6.*" }),
  releaseFile("foo-0.4.tar.gz", { requiresPython: "<3" }),
];

describe("version_range_release_file_metadata", () => {
  test("the reference example: keep files whose requires_python admits 3.11 or 3.12", () => {
    const { filters } = rangeFilter();
    expect(filters.needsJsonApi).toBe(false);
    expect(names(filters.selectFiles(projectPage("foo", FILES)).files)).toEqual([
      "foo-1.0.tar.gz",
      "foo-2.0.tar.gz",
      "foo-0.1.tar.gz",
      "foo-0.2.tar.gz",
      "foo-0.3.tar.gz",
    ]);
  });

  test("not-null drops files without a specifier (bandersnatch crashed)", () => {
    const { filters } = rangeFilter("not-null:release_file.requires_python");
    const kept = names(filters.selectFiles(projectPage("foo", FILES)).files);
    expect(kept).not.toContain("foo-0.1.tar.gz");
    expect(kept).not.toContain("foo-0.2.tar.gz");
    expect(kept).toContain("foo-1.0.tar.gz");
  });

  test("info paths need the JSON API document", () => {
    expect(rangeFilter("info.requires_python").filters.needsJsonApi).toBe(true);
  });

  test("any/all/none tags have no effect here and say so", () => {
    expect(rangeFilter("all:release_file.requires_python").warnings[0]).toContain('tag "all" has no effect');
  });

  test("a bad version in the config is a ConfigError", () => {
    expect(() =>
      loadFilters(
        config(`
        [plugins]
        enabled = version_range_release_file_metadata
        [version_range_release_file_metadata]
        release_file.requires_python = three
      `),
      ),
    ).toThrow(ConfigError);
  });
});
