import { describe, expect, test } from "bun:test";
import { ConfigError } from "../../../src/errors.ts";
import { loadFilters } from "../../../src/filters/index.ts";
import { compileTagGlob } from "../../../src/filters/plugins/wheel-tags.ts";
import { config, iniFrom, names, projectPage, releaseFile } from "../helpers.ts";

const FILES = [
  "numpy-2.0.0.tar.gz",
  "numpy-2.0.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
  "numpy-2.0.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
  "numpy-2.0.0-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
  "numpy-2.0.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
  "numpy-2.0.0-cp312-cp312-musllinux_1_1_x86_64.whl",
  "numpy-2.0.0-cp312-cp312-win_amd64.whl",
  "numpy-2.0.0-cp312-cp312-macosx_14_0_arm64.whl",
  "numpy-2.0.0-cp38-abi3-manylinux2014_x86_64.whl",
  "numpy-2.0.0-py2.py3-none-any.whl",
  "numpy-2.0.0-cp27-cp27mu-manylinux1_x86_64.whl",
];

function select(section: string, files = FILES): string[] {
  const lines = section.split("\n").map((line) => line.trim());
  const { filters } = loadFilters(iniFrom(["[wheel_tags]", ...lines].join("\n")));
  return names(
    filters.selectFiles(
      projectPage(
        "numpy",
        files.map((filename) => releaseFile(filename)),
      ),
    ).files,
  );
}

describe("[wheel_tags]", () => {
  test("is active when present, without a [plugins] entry", () => {
    const { filters } = loadFilters(
      config(`
      [wheel_tags]
      platform = any
    `),
    );
    expect(filters.active).toEqual(["wheel_tags"]);
  });

  test("the issue's example keeps matching wheels (compressed sets expanded) and sdists", () => {
    expect(
      select(`python = cp311 cp312 py3
      abi = cp311 cp312 abi3 none
      platform = manylinux*_x86_64 any`),
    ).toEqual([
      "numpy-2.0.0.tar.gz",
      "numpy-2.0.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
      "numpy-2.0.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
      "numpy-2.0.0-py2.py3-none-any.whl",
    ]);
  });

  test("python = cp3* keeps abi3 wheels built for older Pythons", () => {
    expect(
      select(`python = cp3* py3
      abi = cp312 abi3 none
      platform = manylinux*_x86_64 any`),
    ).toContain("numpy-2.0.0-cp38-abi3-manylinux2014_x86_64.whl");
  });

  test("a missing key means any", () => {
    expect(select("platform = win_amd64 macosx_*_arm64")).toEqual([
      "numpy-2.0.0.tar.gz",
      "numpy-2.0.0-cp312-cp312-win_amd64.whl",
      "numpy-2.0.0-cp312-cp312-macosx_14_0_arm64.whl",
    ]);
  });

  test("a legacy manylinux pattern matches the PEP 600 name and back", () => {
    const legacyOnly = [
      "numpy-2.0.0-cp312-cp312-manylinux_2_17_x86_64.whl",
      "numpy-2.0.0-cp27-cp27mu-manylinux1_x86_64.whl",
    ];
    expect(select("platform = manylinux2014_x86_64", legacyOnly)).toEqual([legacyOnly[0]!]);
    expect(select("platform = manylinux_2_5_x86_64", legacyOnly)).toEqual([legacyOnly[1]!]);
  });

  test("sdist = false drops source distributions", () => {
    expect(select("platform = any\n    sdist = false")).toEqual(["numpy-2.0.0-py2.py3-none-any.whl"]);
  });

  test("eggs, installers and malformed wheel names are dropped", () => {
    const files = [
      releaseFile("foo-1.0-py2.7.egg"),
      releaseFile("foo-1.0.win32.exe", { packageType: "bdist_wininst" }),
      releaseFile("foo-1.0-broken.whl"),
      releaseFile("foo-1.0-py3-none-any.whl"),
    ];
    const { filters } = loadFilters(
      config(`
      [wheel_tags]
      python = py3
    `),
    );
    expect(names(filters.selectFiles(projectPage("foo", files)).files)).toEqual(["foo-1.0-py3-none-any.whl"]);
  });

  test("globs: * and ?, case-insensitive, whole tag", () => {
    expect(compileTagGlob("cp3?").test("CP39")).toBe(true);
    expect(compileTagGlob("cp3?").test("cp310")).toBe(false);
    expect(compileTagGlob("manylinux*_x86_64").test("manylinux_2_17_x86_64")).toBe(true);
    expect(compileTagGlob("py3").test("py32")).toBe(false);
  });

  test("combines with exclude_platform (AND)", () => {
    const { filters } = loadFilters(
      config(`
      [plugins]
      enabled = exclude_platform
      [blocklist]
      platforms = musllinux
      [wheel_tags]
      platform = *linux*_x86_64
      python = cp312
    `),
    );
    const page = projectPage(
      "numpy",
      FILES.map((filename) => releaseFile(filename)),
    );
    expect(names(filters.selectFiles(page).files)).toEqual([
      "numpy-2.0.0.tar.gz",
      "numpy-2.0.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    ]);
  });

  test("bad values are ConfigErrors; unknown keys are warnings", () => {
    expect(() => select("python =")).toThrow(
      '[wheel_tags] python = "": empty list; remove the option to allow any tag',
    );
    expect(() => select("platform = manylinux[12]")).toThrow(ConfigError);
    expect(() => select("sdist = maybe")).toThrow('[wheel_tags] sdist = "maybe": expected true or false');
    const { warnings } = loadFilters(
      config(`
      [wheel_tags]
      platforms = any
    `),
    );
    expect(warnings).toEqual([
      'bandersnatch.conf:2: [wheel_tags] platforms: unknown option, ignored (did you mean "platform"?)',
    ]);
  });

  test("[DEFAULT] keys do not leak into the selection", () => {
    const { filters } = loadFilters(
      config(`
      [DEFAULT]
      python = cp27
      [wheel_tags]
      platform = any
    `),
    );
    const page = projectPage("numpy", [releaseFile("numpy-2.0.0-py3-none-any.whl")]);
    expect(filters.selectFiles(page).files).toHaveLength(1);
  });
});
