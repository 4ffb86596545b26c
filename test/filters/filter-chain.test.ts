import { describe, expect, test } from "bun:test";
import { loadFilters } from "../../src/filters/index.ts";
import { config, jsonApiFor, names, projectPage, releaseFile, sdists } from "./helpers.ts";

describe("selectFiles", () => {
  test("without filters every file is kept and versions come back in PEP 440 order", () => {
    const { filters } = loadFilters(config("[plugins]\n"));
    const page = projectPage("foo", sdists("foo", ["1.10", "1.9", "1.0rc1", "1.0"]));
    expect(filters.selectFiles(page)).toEqual({
      files: page.files,
      versions: ["1.0rc1", "1.0", "1.9", "1.10"],
    });
  });

  test("versions whose files were all filtered out are dropped, and so are versions without files", () => {
    const { filters } = loadFilters(
      config(`
      [wheel_tags]
      platform = any
      sdist = false
    `),
    );
    const page = projectPage(
      "foo",
      [releaseFile("foo-1.0-py3-none-any.whl"), releaseFile("foo-2.0-cp312-cp312-win_amd64.whl")],
      { versions: ["0.1", "1.0", "2.0"] },
    );
    expect(filters.selectFiles(page).versions).toEqual(["1.0"]);
  });

  test("versions stay null when upstream gave none", () => {
    const { filters } = loadFilters(config("[plugins]\n"));
    const page = projectPage("foo", sdists("foo", ["1.0"]), { versions: null });
    expect(filters.selectFiles(page).versions).toBeNull();
  });

  test("a file of unknown version passes the release plugins", () => {
    const { filters } = loadFilters(
      config(`
      [plugins]
      enabled = latest_release
      [latest_release]
      keep = 1
    `),
    );
    const files = [...sdists("foo", ["1.0", "2.0"]), releaseFile("foo-weird.tar.gz", { version: null })];
    expect(names(filters.selectFiles(projectPage("foo", files)).files)).toEqual([
      "foo-2.0.tar.gz",
      "foo-weird.tar.gz",
    ]);
  });

  test("a file of unknown version takes its version from the JSON API document when there is one", () => {
    const { filters } = loadFilters(
      config(`
      [plugins]
      enabled = latest_release
      [latest_release]
      keep = 1
    `),
    );
    const listed = [...sdists("foo", ["1.0", "2.0"])];
    const document = jsonApiFor(projectPage("foo", listed), { version: "2.0" });
    const files = [
      releaseFile("foo-1.0.tar.gz", { version: null }),
      releaseFile("foo-2.0.tar.gz", { version: null }),
    ];
    const page = projectPage("foo", files, { jsonApi: document, versions: ["1.0", "2.0"] });
    expect(filters.selectFiles(page)).toEqual({ files: [files[1]!], versions: ["2.0"] });
  });

  test("release-file plugins run before release plugins, so latest_release counts versions that still have files", () => {
    const { filters } = loadFilters(
      config(`
      [plugins]
      enabled =
          exclude_platform
          latest_release
      [blocklist]
      platforms = windows
      [latest_release]
      keep = 1
    `),
    );
    const files = [releaseFile("foo-1.0.tar.gz"), releaseFile("foo-2.0-cp312-cp312-win_amd64.whl")];
    expect(filters.selectFiles(projectPage("foo", files)).versions).toEqual(["1.0"]);
  });

  test("project plugins combine with AND", () => {
    const { filters } = loadFilters(
      config(`
      [plugins]
      enabled =
          allowlist_project
          blocklist_project
      [allowlist]
      packages =
          a
          b
      [blocklist]
      packages = b
    `),
    );
    expect(["a", "b", "c"].filter((name) => filters.allowsProject(name))).toEqual(["a"]);
  });
});
