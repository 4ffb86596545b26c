import { describe, expect, test } from "bun:test";
import { projectDirectory, rootHref, versionedIndexName, versionTimestamp } from "../../src/index/layout.ts";

describe("projectDirectory", () => {
  test("is simple/<name> without hash-index", () => {
    expect(projectDirectory("foo", false)).toBe("simple/foo");
  });

  test("is simple/<first char>/<name> with hash-index, also for a digit", () => {
    expect(projectDirectory("foo", true)).toBe("simple/f/foo");
    expect(projectDirectory("69", true)).toBe("simple/6/69");
  });

  test("refuses an empty name", () => {
    expect(() => projectDirectory("", true)).toThrow(RangeError);
  });
});

test("the root index links to name/ with or without hash-index", () => {
  expect(rootHref("foo")).toBe("foo/");
});

describe("versionedIndexName (keep_index_versions)", () => {
  test("matches Python's utcnow().isoformat() + 'Z' with ':' removed", () => {
    expect(versionedIndexName(42, new Date("2024-03-06T20:24:02.571Z"), "v1_json")).toBe(
      "index_42_2024-03-06T202402.571000Z.v1_json",
    );
  });

  test("omits the fraction when it is zero, as isoformat does", () => {
    expect(versionedIndexName(1, new Date("2018-10-28T00:00:00Z"), "html")).toBe(
      "index_1_2018-10-28T000000Z.html",
    );
  });

  test("uses UTC and pads every field", () => {
    expect(versionTimestamp(new Date(Date.UTC(2001, 0, 2, 3, 4, 5, 6)))).toBe("2001-01-02T030405.006000Z");
  });

  test("refuses an invalid date", () => {
    expect(() => versionTimestamp(new Date(Number.NaN))).toThrow(RangeError);
  });
});
