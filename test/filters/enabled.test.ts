import { describe, expect, test } from "bun:test";
import { loadFilters } from "../../src/filters/index.ts";
import { config } from "./helpers.ts";

describe("[plugins] enabled", () => {
  test("nothing is enabled without [plugins]", () => {
    const { filters, warnings } = loadFilters(
      config(`
      [blocklist]
      packages = foo
    `),
    );
    expect(filters.active).toEqual([]);
    expect(filters.allowsProject("foo")).toBe(true);
    expect(warnings).toEqual([]);
  });

  test("one name per line, as bandersnatch documents", () => {
    const { filters } = loadFilters(
      config(`
      [plugins]
      enabled =
          blocklist_project
          latest_release
      [blocklist]
      packages = foo
      [latest_release]
      keep = 2
    `),
    );
    expect(filters.active).toEqual(["blocklist_project", "latest_release"]);
  });

  test("several names on one line, separated by spaces or commas, without a warning", () => {
    const { filters, warnings } = loadFilters(
      config(`
      [plugins]
      enabled = blocklist_project, latest_release prerelease_release
      [blocklist]
      packages = foo
      [latest_release]
      keep = 2
    `),
    );
    expect(filters.active).toEqual(["blocklist_project", "prerelease_release", "latest_release"]);
    expect(warnings).toEqual([]);
  });

  test("inline comments in the list are stripped", () => {
    const { filters, warnings } = loadFilters(
      config(`
      [plugins]
      enabled =
          prerelease_release   # no betas
    `),
    );
    expect(filters.active).toEqual(["prerelease_release"]);
    expect(warnings).toEqual([]);
  });

  test("an unknown name is a warning with a did-you-mean", () => {
    const { warnings } = loadFilters(
      config(`
      [plugins]
      enabled =
          exclude_platforms
    `),
    );
    expect(warnings).toEqual([
      'bandersnatch.conf:2: [plugins] enabled: unknown plugin "exclude_platforms", ignored (did you mean "exclude_platform"?)',
    ]);
  });

  test("retired whitelist/blacklist names say what they became", () => {
    const { warnings } = loadFilters(
      config(`
      [plugins]
      enabled = whitelist_project
    `),
    );
    expect(warnings[0]).toContain('renamed "allowlist_project" in bandersnatch 5.0');
  });

  test("wheel_tags in the list is accepted silently; the section is what turns it on", () => {
    const { filters, warnings } = loadFilters(
      config(`
      [plugins]
      enabled = wheel_tags
    `),
    );
    expect(filters.active).toEqual([]);
    expect(warnings).toEqual([]);
  });
});

describe("enabled = all", () => {
  test("runs only the plugins whose configuration is present", () => {
    const { filters } = loadFilters(
      config(`
      [plugins]
      enabled = all
      [blocklist]
      packages =
          evil
          foo<2
      [latest_release]
      keep = 3
    `),
    );
    expect(filters.active).toEqual(["blocklist_project", "blocklist_release", "latest_release"]);
  });

  test("does not turn on pre-release filtering or the release allowlists by itself", () => {
    const { filters } = loadFilters(
      config(`
      [plugins]
      enabled = all
      [allowlist]
      packages = numpy
    `),
    );
    expect(filters.active).toEqual(["allowlist_project", "allowlist_release"]);
    expect(filters.active).not.toContain("prerelease_release");
    expect(filters.active).not.toContain("project_requirements_pinned");
  });

  test("with no configuration at all, nothing runs", () => {
    const { filters, warnings } = loadFilters(
      config(`
      [plugins]
      enabled = all
    `),
    );
    expect(filters.active).toEqual([]);
    expect(warnings).toEqual([]);
  });

  test("an explicitly named plugin runs next to all even without its section", () => {
    const { filters } = loadFilters(
      config(`
      [plugins]
      enabled =
          all
          prerelease_release
    `),
    );
    expect(filters.active).toEqual(["prerelease_release"]);
  });
});

describe("section and option checks", () => {
  test("a misspelled filter section is a warning", () => {
    const { warnings } = loadFilters(
      config(`
      [plugins]
      enabled = latest_release
      [latest_releases]
      keep = 3
    `),
    );
    expect(warnings).toContain(
      "bandersnatch.conf: unknown section [latest_releases], ignored (did you mean [latest_release]?)",
    );
    expect(warnings).toContain(
      "bandersnatch.conf: latest_release is enabled but [latest_release] keep is not set (the section is spelled [latest_releases]); it does nothing",
    );
  });

  test("sections unrelated to filters are left alone", () => {
    const { warnings } = loadFilters(
      config(`
      [mirror]
      directory = /srv
      [s3]
      region_name = x
      [something_else]
      a = b
    `),
    );
    expect(warnings).toEqual([]);
  });

  test("an unknown option in a filter section is a warning", () => {
    const { warnings } = loadFilters(
      config(`
      [allowlist]
      package = numpy
    `),
    );
    expect(warnings).toEqual([
      'bandersnatch.conf:2: [allowlist] package: unknown option, ignored (did you mean "packages"?)',
    ]);
  });

  test("enabling a plugin whose configuration is missing is a warning", () => {
    const { filters, warnings } = loadFilters(
      config(`
      [plugins]
      enabled = exclude_platform
    `),
    );
    expect(filters.active).toEqual([]);
    expect(warnings).toEqual([
      "bandersnatch.conf: exclude_platform is enabled but [blocklist] platforms is not set; it does nothing",
    ]);
  });
});
