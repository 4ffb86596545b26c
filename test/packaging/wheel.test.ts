import { describe, expect, test } from "bun:test";
import {
  describePlatform,
  expandTags,
  InvalidWheelFilename,
  isKnownPlatformTag,
  parseWheelFilename,
  platformAliases,
  splitPythonTag,
  tryParseWheelFilename,
} from "../../src/packaging/wheel.ts";

describe("parseWheelFilename", () => {
  test("reads the five parts of a PEP 427 name", () => {
    expect(
      parseWheelFilename("numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"),
    ).toEqual({
      filename: "numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
      distribution: "numpy",
      version: "1.26.4",
      buildTag: null,
      pythonTags: ["cp311"],
      abiTags: ["cp311"],
      platformTags: ["manylinux_2_17_x86_64", "manylinux2014_x86_64"],
    });
  });

  test("reads an optional build tag", () => {
    const wheel = parseWheelFilename("foo_bar-2.0-1build2-py3-none-any.whl");
    expect(wheel.buildTag).toBe("1build2");
    expect(wheel.distribution).toBe("foo_bar");
  });

  test("accepts an upper-case .WHL suffix", () => {
    expect(parseWheelFilename("Foo-1.0-py3-none-any.WHL").distribution).toBe("Foo");
  });

  test("refuses malformed names with InvalidWheelFilename", () => {
    const bad = [
      "foo-1.0-py3-none-any.tar.gz",
      "foo-1.0-py3-none.whl",
      "foo-1.0-x-y-py3-none-any.whl",
      "foo-1.0-build-py3-none-any.whl",
      "foo-1.0-py3..py2-none-any.whl",
      "-1.0-py3-none-any.whl",
      "foo--py3-none-any.whl",
    ];
    for (const filename of bad) {
      expect(() => parseWheelFilename(filename)).toThrow(InvalidWheelFilename);
      expect(tryParseWheelFilename(filename)).toBeNull();
    }
  });

  test("the error names the file and the fault", () => {
    expect(() => parseWheelFilename("foo-1.0-build-py3-none-any.whl")).toThrow(
      'invalid wheel filename "foo-1.0-build-py3-none-any.whl": build tag must start with a digit',
    );
  });
});

describe("expandTags", () => {
  test("expands compressed tag sets into every triple (PEP 425)", () => {
    expect(expandTags(parseWheelFilename("six-1.16.0-py2.py3-none-any.whl"))).toEqual([
      { python: "py2", abi: "none", platform: "any" },
      { python: "py3", abi: "none", platform: "any" },
    ]);
    const triples = expandTags(
      parseWheelFilename("x-1-cp38.cp39-abi3.none-macosx_10_9_x86_64.macosx_11_0_arm64.whl"),
    );
    expect(triples).toHaveLength(8);
    expect(triples).toContainEqual({ python: "cp39", abi: "none", platform: "macosx_11_0_arm64" });
  });
});

describe("platforms", () => {
  test("legacy manylinux names and their PEP 600 names are aliases", () => {
    expect(platformAliases("manylinux1_x86_64")).toEqual(["manylinux1_x86_64", "manylinux_2_5_x86_64"]);
    expect(platformAliases("manylinux2010_i686")).toEqual(["manylinux2010_i686", "manylinux_2_12_i686"]);
    expect(platformAliases("manylinux2014_aarch64")).toEqual([
      "manylinux2014_aarch64",
      "manylinux_2_17_aarch64",
    ]);
    expect(platformAliases("manylinux_2_17_ppc64le")).toEqual([
      "manylinux_2_17_ppc64le",
      "manylinux2014_ppc64le",
    ]);
    expect(platformAliases("manylinux_2_5_aarch64")).toEqual(["manylinux_2_5_aarch64"]);
    expect(platformAliases("manylinux_2_28_x86_64")).toEqual(["manylinux_2_28_x86_64"]);
    expect(platformAliases("win_amd64")).toEqual(["win_amd64"]);
  });

  test("classifies manylinux, musllinux, linux, macOS, Windows, FreeBSD and any", () => {
    expect(describePlatform("manylinux2014_aarch64")).toMatchObject({
      os: "linux",
      linuxFlavor: "manylinux",
      osVersion: [2, 17],
      arch: "aarch64",
    });
    expect(describePlatform("manylinux_2_28_x86_64")).toMatchObject({
      linuxFlavor: "manylinux",
      osVersion: [2, 28],
    });
    expect(describePlatform("musllinux_1_2_x86_64")).toMatchObject({
      os: "linux",
      linuxFlavor: "musllinux",
      osVersion: [1, 2],
      arch: "x86_64",
    });
    expect(describePlatform("linux_armv7l")).toMatchObject({
      os: "linux",
      linuxFlavor: "linux",
      arch: "armv7l",
    });
    expect(describePlatform("macosx_10_9_universal2")).toMatchObject({
      os: "macos",
      osVersion: [10, 9],
      arch: "universal2",
    });
    expect(describePlatform("win32")).toMatchObject({ os: "windows", arch: "x86" });
    expect(describePlatform("win_arm64")).toMatchObject({ os: "windows", arch: "arm64" });
    expect(describePlatform("freebsd_13_2_release_amd64").os).toBe("freebsd");
    expect(describePlatform("any")).toMatchObject({ os: "any", arch: null });
    expect(describePlatform("emscripten_3_1_45_wasm32").os).toBe("other");
  });

  test("isKnownPlatformTag is false for any and for unknown shapes", () => {
    expect(isKnownPlatformTag("macosx_11_0_arm64")).toBe(true);
    expect(isKnownPlatformTag("any")).toBe(false);
    expect(isKnownPlatformTag("linux")).toBe(false);
  });

  test("splitPythonTag separates interpreter and version digits", () => {
    expect(splitPythonTag("cp311")).toEqual({ interpreter: "cp", version: "311" });
    expect(splitPythonTag("py2")).toEqual({ interpreter: "py", version: "2" });
    expect(splitPythonTag("pp310")).toEqual({ interpreter: "pp", version: "310" });
    expect(splitPythonTag("any")).toBeNull();
  });
});
