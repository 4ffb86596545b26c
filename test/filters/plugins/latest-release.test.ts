import { describe, expect, test } from "bun:test";
import { ConfigError } from "../../../src/errors.ts";
import { loadFilters } from "../../../src/filters/index.ts";
import { config, jsonApiFor, projectPage, releaseFile, sdists } from "../helpers.ts";

function latest(keep: string, extra = "") {
  return loadFilters(
    config(`
    [plugins]
    enabled =
        latest_release
${extra}
    [latest_release]
    keep = ${keep}
  `),
  ).filters;
}

describe("latest_release", () => {
  const page = projectPage("foo", sdists("foo", ["1.0", "1.10", "1.9", "2.0rc1", "1.2"]));

  test("keeps the newest versions by PEP 440 order, pre-releases counting", () => {
    expect(latest("2").selectFiles(page).versions).toEqual(["1.10", "2.0rc1"]);
  });

  test("info.version always keeps its place, taking the last slot", () => {
    const withDoc = { ...page, jsonApi: jsonApiFor(page, { version: "1.2" }) };
    expect(latest("2").selectFiles(withDoc).versions).toEqual(["1.2", "2.0rc1"]);
  });

  test("without the JSON API, info.version is the highest non-yanked, non-pre-release version", () => {
    const files = [
      ...sdists("foo", ["1.0", "1.9", "2.0rc1"]),
      releaseFile("foo-1.10.tar.gz", { yanked: "broken" }),
    ];
    // 1.10 is yanked and 2.0rc1 a pre-release, so 1.9 is current and keeps a slot.
    expect(latest("2").selectFiles(projectPage("foo", files)).versions).toEqual(["1.9", "2.0rc1"]);
  });

  test("keep larger than the number of versions keeps them all", () => {
    expect(latest("10").selectFiles(page).versions).toEqual(["1.0", "1.2", "1.9", "1.10", "2.0rc1"]);
  });

  test("keep = 0 keeps everything", () => {
    expect(latest("0").active).toEqual([]);
  });

  test("ranks what the other release plugins left", () => {
    const filters = latest("2", "        prerelease_release");
    expect(filters.selectFiles(page).versions).toEqual(["1.9", "1.10"]);
  });

  test("sort_by = time ranks by upload time (the docs' example)", () => {
    const { filters } = loadFilters(
      config(`
      [plugins]
      enabled =
          latest_release
      [latest_release]
      keep = 3
      sort_by = time
    `),
    );
    const files = [
      releaseFile("foo-3.0.tar.gz", { uploadTime: "2020-01-01T00:00:00Z" }),
      releaseFile("foo-1.0.tar.gz", { uploadTime: "2024-01-01T00:00:00Z" }),
      releaseFile("foo-1.1.tar.gz", { uploadTime: "2024-02-01T00:00:00.000000Z" }),
      releaseFile("foo-2.0.tar.gz", { uploadTime: "2023-01-01T00:00:00Z" }),
      releaseFile("foo-0.1.tar.gz", { uploadTime: null }),
    ];
    const timePage = { ...projectPage("foo", files), jsonApi: null };
    // 3.0 is the highest non-yanked stable version, so it takes the last slot.
    expect(filters.selectFiles(timePage).versions).toEqual(["1.0", "1.1", "3.0"]);
  });

  test("bad keep and sort_by values are ConfigErrors (bandersnatch ignored them silently)", () => {
    expect(() => latest("x")).toThrow(ConfigError);
    expect(() => latest("x")).toThrow(
      'bandersnatch.conf:6: [latest_release] keep = "x": expected a whole number ≥ 0',
    );
    expect(() => latest("-1")).toThrow(ConfigError);
    expect(() =>
      loadFilters(
        config(`
        [plugins]
        enabled = latest_release
        [latest_release]
        keep = 1
        sort_by = date
      `),
      ),
    ).toThrow('[latest_release] sort_by = "date": expected version or time');
  });
});
