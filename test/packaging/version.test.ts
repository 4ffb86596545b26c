import { describe, expect, test } from "bun:test";
import {
  compareVersions,
  isPrerelease,
  isValidVersion,
  parseSpecifierSet,
  parseVersion,
  satisfies,
  sortVersions,
} from "../../src/packaging/version.ts";

describe("parseVersion", () => {
  test("normalizes the PEP's alternative spellings", () => {
    const spellings: [string, string][] = [
      ["1.0-RC1-2", "1.0rc1.post2"],
      ["1.0alpha1", "1.0a1"],
      ["1.0-beta.2", "1.0b2"],
      ["1.0c1", "1.0rc1"],
      ["1.0pre1", "1.0rc1"],
      ["1.0preview1", "1.0rc1"],
      ["1.0a", "1.0a0"],
      ["1.0-1", "1.0.post1"],
      ["1.0.rev1", "1.0.post1"],
      ["1.0r", "1.0.post0"],
      ["1.0-dev", "1.0.dev0"],
      ["v1.0", "1.0"],
      ["1.0+Ubuntu-1", "1.0+ubuntu.1"],
      ["1!2.0", "1!2.0"],
      [" 1.0 ", "1.0"],
    ];
    for (const [text, normalized] of spellings) expect(parseVersion(text)?.normalized).toBe(normalized);
  });

  test("returns null for text that is not PEP 440, without throwing", () => {
    for (const text of [
      "",
      "french toast",
      "1.0.",
      "1..0",
      "1.0-",
      "2021-01-01-beta",
      "1.0+",
      "1.0+local!",
    ]) {
      expect(parseVersion(text)).toBeNull();
      expect(isValidVersion(text)).toBe(false);
    }
  });

  test("exposes the parts", () => {
    const version = parseVersion("1!2.3.4rc5.post6.dev7+abc.8")!;
    expect(version.epoch).toBe(1);
    expect(version.release).toEqual([2, 3, 4]);
    expect(version.pre).toEqual(["rc", 5]);
    expect(version.post).toBe(6);
    expect(version.dev).toBe(7);
    expect(version.local).toBe("abc.8");
    expect(version.public).toBe("1!2.3.4rc5.post6.dev7");
    expect(version.baseVersion).toBe("1!2.3.4");
  });
});

describe("ordering", () => {
  // PEP 440, "Summary of permitted suffixes and relative ordering".
  const PEP_ORDER = [
    "1.dev0",
    "1.0.dev456",
    "1.0a1",
    "1.0a2.dev456",
    "1.0a12.dev456",
    "1.0a12",
    "1.0b1.dev456",
    "1.0b2",
    "1.0b2.post345.dev456",
    "1.0b2.post345",
    "1.0rc1.dev456",
    "1.0rc1",
    "1.0",
    "1.0+abc.5",
    "1.0+abc.7",
    "1.0+5",
    "1.0.post456.dev34",
    "1.0.post456",
    "1.0.15",
    "1.1.dev1",
  ];

  test("sorts the PEP's example list into the PEP's order", () => {
    const shuffled = [...PEP_ORDER].reverse();
    shuffled.push(shuffled.shift()!);
    expect(sortVersions(shuffled)).toEqual(PEP_ORDER);
  });

  test("each neighbour in the PEP's list compares as less", () => {
    for (let index = 1; index < PEP_ORDER.length; index++) {
      expect(compareVersions(PEP_ORDER[index - 1]!, PEP_ORDER[index]!)).toBe(-1);
      expect(compareVersions(PEP_ORDER[index]!, PEP_ORDER[index - 1]!)).toBe(1);
    }
  });

  test("epochs outrank releases and trailing zeros do not matter", () => {
    expect(compareVersions("1!1.0", "2013.10")).toBe(1);
    expect(compareVersions("1.0", "1.0.0")).toBe(0);
    expect(compareVersions("1.10", "1.9")).toBe(1);
  });

  test("invalid versions sort first, by text, without throwing", () => {
    expect(sortVersions(["2.0", "zzz", "1.0", "aaa"])).toEqual(["aaa", "zzz", "1.0", "2.0"]);
  });
});

describe("isPrerelease", () => {
  test("a, b, rc and dev releases are pre-releases; post and local are not", () => {
    for (const version of [
      "1.0a1",
      "1.0b2",
      "1.0rc1",
      "1.0c1",
      "1.0.dev0",
      "1.0.post1.dev1",
      "1.0rc1.post1",
    ]) {
      expect(isPrerelease(version)).toBe(true);
    }
    for (const version of ["1.0", "1.0.post1", "1.0+local", "invalid version"]) {
      expect(isPrerelease(version)).toBe(false);
    }
  });
});

describe("satisfies", () => {
  test("the PEP's compatible-release examples", () => {
    expect(satisfies("2.2", "~=2.2")).toBe(true);
    expect(satisfies("2.9", "~=2.2")).toBe(true);
    expect(satisfies("3.0", "~=2.2")).toBe(false);
    expect(satisfies("1.4.5", "~=1.4.5")).toBe(true);
    expect(satisfies("1.4.9", "~=1.4.5")).toBe(true);
    expect(satisfies("1.5.0", "~=1.4.5")).toBe(false);
    expect(satisfies("2.2.post3", "~=2.2.post3")).toBe(true);
    expect(satisfies("2.3", "~=2.2.post3")).toBe(true);
    expect(satisfies("2.2", "~=2.2.post3")).toBe(false);
    expect(satisfies("1.4.5a4", "~=1.4.5a4")).toBe(true);
    expect(satisfies("1.4.6", "~=1.4.5a4")).toBe(true);
    expect(satisfies("1.5", "~=1.4.5a4")).toBe(false);
    expect(satisfies("1!1.2", "~=1!1.1")).toBe(true);
    expect(satisfies("1.2", "~=1!1.1")).toBe(false);
  });

  test("prefix matching and exclusion with .*", () => {
    expect(satisfies("1.1.post1", "==1.1")).toBe(false);
    expect(satisfies("1.1.post1", "==1.1.post1")).toBe(true);
    expect(satisfies("1.1.post1", "==1.1.*")).toBe(true);
    expect(satisfies("1.1a1", "==1.1.*")).toBe(true);
    expect(satisfies("1", "==1.0.*")).toBe(true);
    expect(satisfies("1.10", "==1.1.*")).toBe(false);
    expect(satisfies("1.5.3", "!=1.5.*")).toBe(false);
    expect(satisfies("1.6", "!=1.5.*")).toBe(true);
    expect(satisfies("1.1.post1", "!=1.1")).toBe(true);
    expect(satisfies("1!1.0", "==1.*")).toBe(false);
  });

  test("the docs' blocklist specifier", () => {
    const specifier = ">=1.4.2,<1.9,!=1.5.*,!=1.6.*";
    expect(satisfies("1.4.1", specifier)).toBe(false);
    expect(satisfies("1.4.2", specifier)).toBe(true);
    expect(satisfies("1.5.3", specifier)).toBe(false);
    expect(satisfies("1.6", specifier)).toBe(false);
    expect(satisfies("1.7", specifier)).toBe(true);
    expect(satisfies("1.9", specifier)).toBe(false);
  });

  test("exclusive ordered comparisons follow the PEP, not a release-segment shortcut", () => {
    expect(satisfies("1.7.0rc1", "<1.7")).toBe(false);
    expect(satisfies("1.7rc1", "<1.7rc2")).toBe(true);
    expect(satisfies("1.7.1", ">1.7")).toBe(true);
    expect(satisfies("1.7.0.post1", ">1.7")).toBe(false);
    expect(satisfies("1.7.post2", ">1.7.post1")).toBe(true);
    expect(satisfies("1.7", ">1.7rc1")).toBe(true);
    expect(satisfies("1.7+local", ">1.7")).toBe(false);
    expect(satisfies("1.7+local", ">=1.7")).toBe(true);
  });

  test("local versions: ignored unless the specifier has one", () => {
    expect(satisfies("1.0+local.7", "==1.0")).toBe(true);
    expect(satisfies("1.0+local.7", "==1.0+local.7")).toBe(true);
    expect(satisfies("1.0+other", "==1.0+local.7")).toBe(false);
    expect(satisfies("1.0+local.7", "!=1.0")).toBe(false);
  });

  test("arbitrary equality compares text, even for non-PEP 440 versions", () => {
    expect(satisfies("foobar", "===foobar")).toBe(true);
    expect(satisfies("FooBar", "===foobar")).toBe(true);
    expect(satisfies("1.0.0", "===1.0")).toBe(false);
  });

  test("pre-releases are always allowed, as bandersnatch sets prereleases=True", () => {
    expect(satisfies("2.0b1", ">=1.0")).toBe(true);
    expect(satisfies("1.0.dev1", "")).toBe(true);
  });

  test("invalid versions and specifiers give false, not exceptions", () => {
    expect(satisfies("not a version", ">=1.0")).toBe(false);
    expect(satisfies("1.0", ">=")).toBe(false);
    expect(satisfies("1.0", "=>1.0")).toBe(false);
    expect(satisfies("1.0", "~=1")).toBe(false);
    expect(satisfies("1.0", ">=1.0.*")).toBe(false);
    expect(satisfies("1.0", "<1.0+local")).toBe(false);
  });
});

describe("parseSpecifierSet", () => {
  test("accepts whitespace around clauses and operators", () => {
    expect(parseSpecifierSet(" >= 3.6 , < 4 ")?.clauses).toEqual([
      { operator: ">=", version: "3.6", prefix: false },
      { operator: "<", version: "4", prefix: false },
    ]);
  });

  test("the empty text is the set of every version", () => {
    expect(parseSpecifierSet("")?.clauses).toEqual([]);
  });

  test("rejects what packaging rejects", () => {
    for (const text of ["1.0", ">=1.0,", "~=1", "<=1.0.*", "==1.0.dev1.*", ">1.0+local", "== "]) {
      expect(parseSpecifierSet(text)).toBeNull();
    }
  });
});
