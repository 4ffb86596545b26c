import { describe, expect, test } from "bun:test";
import { ConfigError } from "../../../src/errors.ts";
import { loadFilters } from "../../../src/filters/index.ts";
import { isFilteredPrerelease } from "../../../src/filters/plugins/prerelease-release.ts";
import { config, projectPage, sdists } from "../helpers.ts";

describe("prerelease_release", () => {
  const versions = [
    "1.0",
    "1.1rc1",
    "1.1a1",
    "1.1alpha2",
    "1.1b3",
    "1.1beta4",
    "1.1.dev5",
    "1.1",
    "1.1.post1",
  ];

  test("drops pre-releases of every project", () => {
    const { filters } = loadFilters(
      config(`
      [plugins]
      enabled = prerelease_release
    `),
    );
    expect(filters.selectFiles(projectPage("foo", sdists("foo", versions))).versions).toEqual([
      "1.0",
      "1.1",
      "1.1.post1",
    ]);
  });

  test("also drops what PEP 440 calls a pre-release but bandersnatch's patterns missed", () => {
    for (const version of ["1.0c1", "1.0rc1.post1", "2.0.dev0+local", "1.0-alpha.1", "1.0pre1", "1.0a"]) {
      expect(isFilteredPrerelease(version)).toBe(true);
    }
    expect(isFilteredPrerelease("1.0")).toBe(false);
  });

  test("restricted to [filter_prerelease] packages, compared by normalized name", () => {
    const { filters } = loadFilters(
      config(`
      [plugins]
      enabled = prerelease_release
      [filter_prerelease]
      packages =
          duckdb   # nightlies
          Mixed_Case
    `),
    );
    expect(
      filters.selectFiles(projectPage("DuckDB", sdists("duckdb", ["1.0", "1.1.dev5"]))).versions,
    ).toEqual(["1.0"]);
    expect(
      filters.selectFiles(projectPage("mixed.case", sdists("mixed", ["1.0", "2.0b1"]))).versions,
    ).toEqual(["1.0"]);
    expect(filters.selectFiles(projectPage("other", sdists("other", ["1.0", "2.0b1"]))).versions).toEqual([
      "1.0",
      "2.0b1",
    ]);
  });

  test("a bad project name is a ConfigError", () => {
    expect(() =>
      loadFilters(
        config(`
      [plugins]
      enabled = prerelease_release
      [filter_prerelease]
      packages = foo>=1
    `),
      ),
    ).toThrow(ConfigError);
  });
});
