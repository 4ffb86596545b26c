import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadFilters } from "../../../src/filters/index.ts";
import { config, projectPage, sdists } from "../helpers.ts";

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "bunsnatch-pinned-"));
  writeFileSync(join(root, "requirements.txt"), "Django==4.2.11\nrequests\n");
  writeFileSync(join(root, "twice-a.txt"), "foo\n");
  writeFileSync(join(root, "twice-b.txt"), "foo==1.0\n");
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function withPlugins(plugins: string, files = "requirements.txt") {
  return loadFilters(
    config(`
    [plugins]
    enabled =
${plugins}
    [allowlist]
    requirements_path = ${root}
    requirements = ${files}
    [latest_release]
    keep = 1
  `),
  );
}

describe("project_requirements", () => {
  test("allows only the projects the files name, normalized", () => {
    const { filters } = withPlugins("        project_requirements");
    expect(filters.allowsProject("django")).toBe(true);
    expect(filters.allowsProject("Requests")).toBe(true);
    expect(filters.allowsProject("flask")).toBe(false);
  });
});

describe("project_requirements_pinned", () => {
  const django = projectPage("Django", sdists("Django", ["4.2.10", "4.2.11", "5.0.3"]));
  const requests = projectPage("requests", sdists("requests", ["2.30.0", "2.31.0"]));

  test("a pinned project keeps exactly its pinned versions", () => {
    const { filters } = withPlugins("        project_requirements_pinned");
    expect(filters.selectFiles(django).versions).toEqual(["4.2.11"]);
  });

  test("a pin overrides every other release plugin (bandersnatch's special case)", () => {
    const { filters } = withPlugins(
      "        project_requirements_pinned\n        latest_release\n        prerelease_release",
    );
    expect(filters.selectFiles(django).versions).toEqual(["4.2.11"]);
  });

  test("without a pin the other release plugins apply too (AND)", () => {
    const { filters } = withPlugins("        project_requirements_pinned\n        latest_release");
    expect(filters.selectFiles(requests).versions).toEqual(["2.31.0"]);
  });

  test("a project listed twice, once pinned, counts as pinned whatever the file order", () => {
    const { filters } = withPlugins(
      "        project_requirements_pinned\n        latest_release",
      "twice-*.txt",
    );
    const foo = projectPage("foo", sdists("foo", ["1.0", "2.0", "3.0"]));
    // Bare `foo` contains every version, so all pass the pinned plugin alone; latest_release is skipped.
    expect(filters.selectFiles(foo).versions).toEqual(["1.0", "2.0", "3.0"]);
  });
});
