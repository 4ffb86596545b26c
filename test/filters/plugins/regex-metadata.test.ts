import { describe, expect, test } from "bun:test";
import { ConfigError } from "../../../src/errors.ts";
import { loadFilters } from "../../../src/filters/index.ts";
import { config, jsonApiFor, names, projectPage, releaseFile, sdists } from "../helpers.ts";

function withDoc(displayName: string, info: Record<string, unknown>) {
  const page = projectPage(displayName, sdists(displayName, ["1.0"]));
  return { ...page, jsonApi: jsonApiFor(page, info) };
}

const PY2 = ["Programming Language :: Python :: 2.7", "Programming Language :: Python :: 3"];
const PY3 = ["Programming Language :: Python :: 3", "Programming Language :: Python :: 3.12"];

describe("regex_project_metadata", () => {
  const docsExample = () =>
    loadFilters(
      config(`
      [plugins]
      enabled = regex_project_metadata
      [regex_project_metadata]
      not-null:info.classifiers =
              .*Programming Language :: Python :: 2.*
    `),
    ).filters;

  test("the docs' example keeps projects with a Python 2 classifier, drops others and those without any", () => {
    const filters = docsExample();
    expect(filters.needsJsonApi).toBe(true);
    expect(filters.allowsMetadata(withDoc("a", { classifiers: PY2 }))).toBe(true);
    expect(filters.allowsMetadata(withDoc("b", { classifiers: PY3 }))).toBe(false);
    expect(filters.allowsMetadata(withDoc("c", { classifiers: [] }))).toBe(false);
    expect(filters.allowsMetadata(withDoc("d", {}))).toBe(false);
  });

  function rule(key: string, patterns: string) {
    return loadFilters(
      config(`
      [plugins]
      enabled = regex_project_metadata
      [regex_project_metadata]
      ${key} =
          ${patterns.split(" ").join("\n          ")}
    `),
    ).filters;
  }

  test("any (default) with match-null (default): null passes", () => {
    const filters = rule("info.classifiers", ".*Python\\s::\\s2.*");
    expect(filters.allowsMetadata(withDoc("x", {}))).toBe(true);
    expect(filters.allowsMetadata(withDoc("x", { classifiers: PY3 }))).toBe(false);
  });

  test("all: every pattern must match some value", () => {
    const filters = rule("all:info.classifiers", ".*Python\\s::\\s3$ .*3\\.12");
    expect(filters.allowsMetadata(withDoc("x", { classifiers: PY3 }))).toBe(true);
    expect(filters.allowsMetadata(withDoc("x", { classifiers: PY2 }))).toBe(false);
  });

  test("none: no pattern may match; null fails by default, as in bandersnatch", () => {
    const filters = rule("none:info.classifiers", ".*Python\\s::\\s2.*");
    expect(filters.allowsMetadata(withDoc("x", { classifiers: PY3 }))).toBe(true);
    expect(filters.allowsMetadata(withDoc("x", { classifiers: PY2 }))).toBe(false);
    expect(filters.allowsMetadata(withDoc("x", {}))).toBe(false);
  });

  test("none honours an explicit match-null (bandersnatch ignored it)", () => {
    const filters = rule("match-null:none:info.classifiers", ".*Python\\s::\\s2.*");
    expect(filters.allowsMetadata(withDoc("x", {}))).toBe(true);
    expect(filters.allowsMetadata(withDoc("x", { classifiers: PY2 }))).toBe(false);
    const notNull = rule("not-null:none:info.classifiers", ".*Python\\s::\\s2.*");
    expect(notNull.allowsMetadata(withDoc("x", {}))).toBe(false);
    expect(notNull.allowsMetadata(withDoc("x", { classifiers: PY3 }))).toBe(true);
  });

  test("scalars are wrapped; numbers and booleans match as JSON text", () => {
    expect(rule("info.license", "MIT").allowsMetadata(withDoc("x", { license: "MIT License" }))).toBe(true);
    expect(rule("info.license", "MIT").allowsMetadata(withDoc("x", { license: "BSD" }))).toBe(false);
    expect(rule("info.yanked", "false").allowsMetadata(withDoc("x", { yanked: false }))).toBe(true);
  });

  test("keys inherited from [DEFAULT] are not rules (bandersnatch leaked them)", () => {
    const { filters } = loadFilters(
      config(`
      [DEFAULT]
      root = /srv
      [plugins]
      enabled = regex_project_metadata
      [regex_project_metadata]
      info.license = MIT
    `),
    );
    expect(filters.allowsMetadata(withDoc("x", { license: "MIT" }))).toBe(true);
  });

  test("every key must pass (AND)", () => {
    const { filters } = loadFilters(
      config(`
      [plugins]
      enabled = regex_project_metadata
      [regex_project_metadata]
      info.license = MIT
      not-null:info.requires_python = >=3
    `),
    );
    expect(filters.allowsMetadata(withDoc("x", { license: "MIT", requires_python: ">=3.8" }))).toBe(true);
    expect(filters.allowsMetadata(withDoc("x", { license: "MIT" }))).toBe(false);
  });

  test("unknown tags are warnings; a bad regex is a ConfigError", () => {
    const { warnings } = loadFilters(
      config(`
      [plugins]
      enabled = regex_project_metadata
      [regex_project_metadata]
      not_null:info.classifiers = x
    `),
    );
    expect(warnings).toEqual([
      'bandersnatch.conf:4: [regex_project_metadata] not_null:info.classifiers: unknown tag "not_null", ignored (did you mean "not-null"?)',
    ]);
    expect(() => rule("info.classifiers", "[")).toThrow(ConfigError);
  });

  test("without the JSON API document, a minimal one built from the page is used", () => {
    const filters = rule("info.name", "Foo");
    expect(filters.allowsMetadata(projectPage("Foo", sdists("Foo", ["1.0"])))).toBe(true);
    expect(filters.allowsMetadata(projectPage("bar", sdists("bar", ["1.0"])))).toBe(false);
  });
});

describe("regex_release_file_metadata", () => {
  const files = [
    releaseFile("foo-1.0.tar.gz"),
    releaseFile("foo-1.0-py3-none-any.whl"),
    releaseFile("foo-1.0-py3.6.egg"),
  ];

  test("the docs' example keeps sdists and wheels only, without needing the JSON API", () => {
    const { filters } = loadFilters(
      config(`
      [plugins]
      enabled = regex_release_file_metadata
      [regex_release_file_metadata]
      any:release_file.packagetype =
          sdist
          bdist_wheel
    `),
    );
    expect(filters.needsJsonApi).toBe(false);
    expect(names(filters.selectFiles(projectPage("foo", files)).files)).toEqual([
      "foo-1.0.tar.gz",
      "foo-1.0-py3-none-any.whl",
    ]);
  });

  test("rules on info need the JSON API document", () => {
    const { filters } = loadFilters(
      config(`
      [plugins]
      enabled = regex_release_file_metadata
      [regex_release_file_metadata]
      info.license = MIT
    `),
    );
    expect(filters.needsJsonApi).toBe(true);
  });

  test("release is the file's version; synthesized dicts carry python_version and yanked", () => {
    const { filters } = loadFilters(
      config(`
      [plugins]
      enabled = regex_release_file_metadata
      [regex_release_file_metadata]
      none:release = 1\\.0$
      release_file.python_version =
          source
          py3
    `),
    );
    const page = projectPage("foo", [...files, releaseFile("foo-2.0.tar.gz")]);
    expect(names(filters.selectFiles(page).files)).toEqual(["foo-2.0.tar.gz"]);
  });

  test("uses upstream's file dict when the JSON API document is there", () => {
    const { filters } = loadFilters(
      config(`
      [plugins]
      enabled = regex_release_file_metadata
      [regex_release_file_metadata]
      release_file.comment_text = keep
    `),
    );
    const page = projectPage("foo", [releaseFile("foo-1.0.tar.gz"), releaseFile("foo-1.1.tar.gz")]);
    const document = jsonApiFor(page);
    document.releases!["1.0"]![0]!["comment_text"] = "keep me";
    document.releases!["1.1"]![0]!["comment_text"] = "drop me";
    expect(names(filters.selectFiles({ ...page, jsonApi: document }).files)).toEqual(["foo-1.0.tar.gz"]);
  });
});
