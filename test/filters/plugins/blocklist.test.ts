import { describe, expect, test } from "bun:test";
import { ConfigError } from "../../../src/errors.ts";
import { loadFilters } from "../../../src/filters/index.ts";
import { config, projectPage, releaseFile, sdists } from "../helpers.ts";

const DOCS_EXAMPLE = `
  [plugins]
  enabled =
      blocklist_project
      blocklist_release
  [blocklist]
  packages =
      example1
      example2>=1.4.2,<1.9,!=1.5.*,!=1.6.*
`;

describe("blocklist_project", () => {
  test("drops listed projects, comparing normalized names on both sides", () => {
    const { filters } = loadFilters(
      config(`
      [plugins]
      enabled = blocklist_project
      [blocklist]
      packages =
          discord.PY
          Example_One
    `),
    );
    expect(filters.allowsProject("discord.py")).toBe(false);
    expect(filters.allowsProject("Discord-Py")).toBe(false);
    expect(filters.allowsProject("example-one")).toBe(false);
    expect(filters.allowsProject("example-two")).toBe(true);
  });

  test("lines with a specifier are for blocklist_release only", () => {
    const { filters } = loadFilters(config(DOCS_EXAMPLE));
    expect(filters.allowsProject("example1")).toBe(false);
    expect(filters.allowsProject("example2")).toBe(true);
  });

  test("inline comments are stripped (bandersnatch crashed on them)", () => {
    const { filters } = loadFilters(
      config(`
      [plugins]
      enabled = blocklist_project
      [blocklist]
      packages =
          evil   # malware, 2024-05
      #    commented-out
    `),
    );
    expect(filters.allowsProject("evil")).toBe(false);
    expect(filters.allowsProject("commented-out")).toBe(true);
  });

  test("an invalid line is a ConfigError naming file, line, section and option", () => {
    const ini = config(`
      [plugins]
      enabled = blocklist_project
      [blocklist]
      packages =
          foo==
    `);
    expect(() => loadFilters(ini)).toThrow(ConfigError);
    expect(() => loadFilters(ini)).toThrow(
      'bandersnatch.conf:4: [blocklist] packages: invalid requirement "foo==": bad version specifier "=="',
    );
  });

  test("a list is not validated when no plugin reads it", () => {
    expect(() =>
      loadFilters(
        config(`
      [blocklist]
      packages = foo==
    `),
      ),
    ).not.toThrow();
  });
});

describe("blocklist_release", () => {
  const page = projectPage(
    "example2",
    sdists("example2", ["1.4.1", "1.4.2", "1.5.3", "1.6", "1.7", "1.9", "2.0rc1"]),
  );

  test("drops versions inside the specifier (the docs' example)", () => {
    const { filters } = loadFilters(config(DOCS_EXAMPLE));
    expect(filters.selectFiles(page).versions).toEqual(["1.4.1", "1.5.3", "1.6", "1.9", "2.0rc1"]);
  });

  test("a bare name drops every release; invalid versions are kept", () => {
    const { filters } = loadFilters(
      config(`
      [plugins]
      enabled = blocklist_release
      [blocklist]
      packages = example2
    `),
    );
    const withLegacy = projectPage("example2", [...page.files, releaseFile("example2-dev_build.tar.gz")]);
    expect(filters.selectFiles(withLegacy).versions).toEqual(["dev_build"]);
  });

  test("pre-releases are matched too (prereleases=True)", () => {
    const { filters } = loadFilters(
      config(`
      [plugins]
      enabled = blocklist_release
      [blocklist]
      packages = example2>=2.0.dev0
    `),
    );
    expect(filters.selectFiles(page).versions).not.toContain("2.0rc1");
  });

  test("other projects are untouched", () => {
    const { filters } = loadFilters(config(DOCS_EXAMPLE));
    const other = projectPage("other", sdists("other", ["1.5"]));
    expect(filters.selectFiles(other).versions).toEqual(["1.5"]);
  });
});
