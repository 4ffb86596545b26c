import { describe, expect, test } from "bun:test";
import { ConfigError } from "../../../src/errors.ts";
import { loadFilters } from "../../../src/filters/index.ts";
import { config, projectPage, sdists } from "../helpers.ts";

const DOCS_EXAMPLE = `
  [plugins]
  enabled =
      regex_project
      regex_release
  [filter_regex]
  packages =
      .+-evil$
  releases =
      .+alpha\\d$
`;

describe("regex_project", () => {
  test("drops projects the pattern matches (the docs' example)", () => {
    const { filters } = loadFilters(config(DOCS_EXAMPLE));
    expect(filters.allowsProject("very-evil")).toBe(false);
    expect(filters.allowsProject("evil")).toBe(true);
    expect(filters.allowsProject("good")).toBe(true);
  });

  test("matches the normalized name as well as the listing name", () => {
    const { filters } = loadFilters(config(DOCS_EXAMPLE));
    expect(filters.allowsProject("Very_Evil")).toBe(false);
    expect(filters.allowsProject("very.evil")).toBe(false);
  });

  test("re.match is anchored at the start only", () => {
    const { filters } = loadFilters(
      config(`
      [plugins]
      enabled = regex_project
      [filter_regex]
      packages = evil
    `),
    );
    expect(filters.allowsProject("evil-twin")).toBe(false);
    expect(filters.allowsProject("not-evil")).toBe(true);
  });

  test("Python syntax: named groups and inline flags", () => {
    const { filters } = loadFilters(
      config(`
      [plugins]
      enabled = regex_project
      [filter_regex]
      packages =
          (?i)tf-NIGHTLY
          (?P<word>spam)-(?P=word)
    `),
    );
    expect(filters.allowsProject("tf-nightly-cpu")).toBe(false);
    expect(filters.allowsProject("spam-spam")).toBe(false);
    expect(filters.allowsProject("spam-eggs")).toBe(true);
  });

  test("a bad regex is a ConfigError naming the option", () => {
    const ini = config(`
      [plugins]
      enabled = regex_project
      [filter_regex]
      packages = (unclosed
    `);
    expect(() => loadFilters(ini)).toThrow(ConfigError);
    expect(() => loadFilters(ini)).toThrow(
      'bandersnatch.conf:4: [filter_regex] packages: invalid regular expression "(unclosed"',
    );
  });
});

describe("regex_release", () => {
  test("drops versions the pattern matches (the docs' example)", () => {
    const { filters } = loadFilters(config(DOCS_EXAMPLE));
    const page = projectPage("good", sdists("good", ["1.0", "1.1alpha1", "1.1alpha12", "1.1"]));
    expect(filters.selectFiles(page).versions).toEqual(["1.0", "1.1alpha12", "1.1"]);
  });
});
