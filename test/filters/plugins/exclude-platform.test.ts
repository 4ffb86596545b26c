import { describe, expect, test } from "bun:test";
import { loadFilters } from "../../../src/filters/index.ts";
import { config, names, projectPage, releaseFile } from "../helpers.ts";

function excluding(platforms: string) {
  return loadFilters(
    config(`
    [plugins]
    enabled = exclude_platform
    [blocklist]
    platforms = ${platforms}
  `),
  );
}

const FILES = [
  "foo-1.0.tar.gz",
  "foo-1.0-py2.py3-none-any.whl",
  "foo-1.0-py2-none-any.whl",
  "foo-1.0-py3-none-any.whl",
  "foo-1.0-cp27-cp27mu-manylinux1_x86_64.whl",
  "foo-1.0-cp36-cp36m-win_amd64.whl",
  "foo-1.0-cp311-cp311-win32.whl",
  "foo-1.0-cp311-cp311-win_arm64.whl",
  "foo-1.0-cp311-cp311-macosx_10_9_x86_64.whl",
  "foo-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
  "foo-1.0-cp311-cp311-manylinux_2_28_aarch64.whl",
  "foo-1.0-cp311-cp311-musllinux_1_1_x86_64.whl",
  "foo-1.0-cp311-cp311-linux_riscv64.whl",
];

function kept(platforms: string, files = FILES): string[] {
  const page = projectPage(
    "foo",
    files.map((filename) => releaseFile(filename)),
  );
  return names(excluding(platforms).filters.selectFiles(page).files);
}

describe("exclude_platform", () => {
  test("the docs' example: windows, py2.6, py2.7", () => {
    expect(kept("windows py2.6 py2.7")).toEqual([
      "foo-1.0.tar.gz",
      "foo-1.0-py2.py3-none-any.whl",
      "foo-1.0-py2-none-any.whl",
      "foo-1.0-py3-none-any.whl",
      "foo-1.0-cp311-cp311-macosx_10_9_x86_64.whl",
      "foo-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
      "foo-1.0-cp311-cp311-manylinux_2_28_aarch64.whl",
      "foo-1.0-cp311-cp311-musllinux_1_1_x86_64.whl",
      "foo-1.0-cp311-cp311-linux_riscv64.whl",
    ]);
  });

  test("py2 keeps universal py2.py3 wheels (bandersnatch dropped them)", () => {
    const result = kept("py2");
    expect(result).toContain("foo-1.0-py2.py3-none-any.whl");
    expect(result).not.toContain("foo-1.0-py2-none-any.whl");
    // bare py2 targets major-only tags, as bandersnatch documents
    expect(result).toContain("foo-1.0-cp27-cp27mu-manylinux1_x86_64.whl");
  });

  test("linux excludes every Linux platform tag, not only a fixed list", () => {
    const result = kept("linux");
    for (const filename of result) expect(filename).not.toMatch(/linux/);
    expect(result).toContain("foo-1.0-cp311-cp311-macosx_10_9_x86_64.whl");
  });

  test("windows excludes win32, win_amd64 and win_arm64", () => {
    expect(kept("win").filter((filename) => filename.includes("win"))).toEqual([]);
  });

  test("a single architecture token, legacy manylinux name matching its PEP 600 alias", () => {
    expect(kept("manylinux2014_x86_64")).not.toContain(
      "foo-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    );
    expect(kept("manylinux_2_17_x86_64")).not.toContain(
      "foo-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    );
    expect(kept("manylinux1_x86_64")).not.toContain("foo-1.0-cp27-cp27mu-manylinux1_x86_64.whl");
    expect(kept("musllinux")).not.toContain("foo-1.0-cp311-cp311-musllinux_1_1_x86_64.whl");
  });

  test("a wheel with several platform tags goes only when all are excluded", () => {
    const universal2 = ["foo-1.0-cp311-cp311-macosx_10_9_x86_64.macosx_11_0_arm64.whl"];
    expect(kept("macosx_10_9_x86_64", universal2)).toEqual(universal2);
    expect(kept("macos", universal2)).toEqual([]);
  });

  test("pyX.Y tokens match cpXY, ppXY, pyXY python tags, future minors included", () => {
    const files = [
      "foo-1.0-cp36-cp36m-any.whl",
      "foo-1.0-pp36-pypy36_pp73-any.whl",
      "foo-1.0-py36-none-any.whl",
    ];
    expect(kept("py3.6", files)).toEqual([]);
    expect(kept("py3.15", ["foo-1.0-cp315-cp315-any.whl"])).toEqual([]);
  });

  test("tokens are matched exactly, not as substrings of linux/freebsd", () => {
    const { filters, warnings } = excluding("nux bsd");
    expect(filters.active).toEqual([]);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('unknown platform "nux", ignored');
  });

  test("an unknown token is a warning with a did-you-mean", () => {
    const { warnings } = excluding("windwos");
    expect(warnings).toEqual([
      'bandersnatch.conf:4: [blocklist] platforms: unknown platform "windwos", ignored (did you mean "windows"?)',
    ]);
  });

  test("a project's own name never matches (musllinux_helper stays)", () => {
    expect(
      kept("linux macos", ["musllinux_helper-1.0-py3-none-any.whl", "macosx_tools-1.0-py3-none-any.whl"]),
    ).toEqual(["musllinux_helper-1.0-py3-none-any.whl", "macosx_tools-1.0-py3-none-any.whl"]);
  });

  test("sdists are never dropped", () => {
    expect(kept("windows linux macos freebsd py2 py3", ["foo-1.0.tar.gz", "foo-1.0.zip"])).toEqual([
      "foo-1.0.tar.gz",
      "foo-1.0.zip",
    ]);
  });

  test("package types: msi and wininst for windows, dmg for macos, rpm for linux", () => {
    const files = [
      releaseFile("foo-1.0.win32.msi", { packageType: "bdist_msi" }),
      releaseFile("foo-1.0.win32.exe", { packageType: "bdist_wininst" }),
      releaseFile("foo-1.0.dmg", { packageType: "bdist_dmg" }),
      releaseFile("foo-1.0-1.noarch.rpm", { packageType: "bdist_rpm" }),
    ];
    const page = projectPage("foo", files);
    expect(names(excluding("windows").filters.selectFiles(page).files)).toEqual([
      "foo-1.0.dmg",
      "foo-1.0-1.noarch.rpm",
    ]);
    expect(names(excluding("macos linux").filters.selectFiles(page).files)).toEqual([
      "foo-1.0.win32.msi",
      "foo-1.0.win32.exe",
    ]);
  });

  test("eggs and installers are matched on the name after the version, as bandersnatch did", () => {
    const files = [
      releaseFile("linux_tool-1.0-py2.7.egg", { version: "1.0" }),
      releaseFile("linux_tool-1.0-py2.7-linux-x86_64.egg", { version: "1.0" }),
      releaseFile("linux_tool-1.0.win32-py2.7.exe", { version: "1.0", packageType: "bdist_egg" }),
      releaseFile("linux_tool-1.0-py3.6.egg", { version: "1.0" }),
    ];
    const page = projectPage("linux-tool", files);
    expect(names(excluding("linux").filters.selectFiles(page).files)).toEqual([
      "linux_tool-1.0-py2.7.egg",
      "linux_tool-1.0.win32-py2.7.exe",
      "linux_tool-1.0-py3.6.egg",
    ]);
    expect(names(excluding("py2.7").filters.selectFiles(page).files)).toEqual(["linux_tool-1.0-py3.6.egg"]);
  });

  test("whitespace-separated tokens may span lines", () => {
    const { filters } = loadFilters(
      config(`
      [plugins]
      enabled = exclude_platform
      [blocklist]
      platforms =
          windows macos
          py2.7
    `),
    );
    expect(filters.fingerprint).toBe(excluding("py2.7 macos windows").filters.fingerprint);
  });
});
