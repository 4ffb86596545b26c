import { describe, expect, test } from "bun:test";
import { loadFilters } from "../../../src/filters/index.ts";
import { config, projectPage, sdists } from "../helpers.ts";

const DOCS_EXAMPLE = `
  [plugins]
  enabled =
      allowlist_project
      allowlist_release
  [allowlist]
  packages =
      black==18.5
      ptr
`;

describe("allowlist_project", () => {
  test("keeps only listed projects; specifiers do not matter here", () => {
    const { filters } = loadFilters(config(DOCS_EXAMPLE));
    expect(filters.allowsProject("Black")).toBe(true);
    expect(filters.allowsProject("ptr")).toBe(true);
    expect(filters.allowsProject("requests")).toBe(false);
  });

  test("inline comments and full-line comments in the list (bandersnatch's test config)", () => {
    const { filters } = loadFilters(
      config(`
      [plugins]
      enabled = allowlist_project
      [allowlist]
      packages =
          foo==1.2.3   # inline comment
      #    bar
    `),
    );
    expect(filters.allowsProject("foo")).toBe(true);
    expect(filters.allowsProject("bar")).toBe(false);
  });

  test("an empty list allows every project, with a warning", () => {
    const { filters, warnings } = loadFilters(
      config(`
      [plugins]
      enabled = allowlist_project
      [allowlist]
      packages =
    `),
    );
    expect(filters.allowsProject("anything")).toBe(true);
    expect(warnings).toEqual([
      "bandersnatch.conf: allowlist_project is enabled but [allowlist] packages is empty; every project is allowed",
    ]);
  });
});

describe("allowlist_release", () => {
  test("keeps only versions inside the project's specifier", () => {
    const { filters } = loadFilters(config(DOCS_EXAMPLE));
    const black = projectPage("black", sdists("black", ["18.4", "18.5", "18.6b1"]));
    expect(filters.selectFiles(black).versions).toEqual(["18.5"]);
    const ptr = projectPage("ptr", sdists("ptr", ["1.0", "2.0a1"]));
    expect(filters.selectFiles(ptr).versions).toEqual(["1.0", "2.0a1"]);
  });

  test("a project without a requirement keeps no release, and enabling it alone warns about empty pages", () => {
    const { filters, warnings } = loadFilters(
      config(`
      [plugins]
      enabled = allowlist_release
      [allowlist]
      packages = black==18.5
    `),
    );
    const other = projectPage("other", sdists("other", ["1.0"]));
    expect(filters.selectFiles(other)).toEqual({ files: [], versions: [] });
    expect(warnings).toEqual([
      "bandersnatch.conf: allowlist_release is enabled without allowlist_project or project_requirements: projects not listed keep no release and get empty pages",
    ]);
  });

  test("the ci.conf allowlist from bandersnatch's tests", () => {
    const { filters } = loadFilters(
      config(`
      [plugins]
      enabled =
          allowlist_project
          allowlist_release
      [allowlist]
      packages =
          ACMPlus
          black>=25.1.0
          pyaib
    `),
    );
    expect(filters.allowsProject("acmplus")).toBe(true);
    const black = projectPage("black", sdists("black", ["24.10.0", "25.1.0", "25.9.0"]));
    expect(filters.selectFiles(black).versions).toEqual(["25.1.0", "25.9.0"]);
  });

  test("an empty list does nothing (bandersnatch dropped every release)", () => {
    const { filters, warnings } = loadFilters(
      config(`
      [plugins]
      enabled = allowlist_release
      [allowlist]
      packages =
    `),
    );
    expect(filters.active).toEqual([]);
    expect(warnings[0]).toContain("allowlist_release is enabled but [allowlist] packages is empty");
  });
});
