import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../../src/errors.ts";
import { loadFilters } from "../../src/filters/index.ts";
import { decodeRequirementFile, parseRequirementFileText } from "../../src/filters/requirements-files.ts";
import { config, projectPage, sdists } from "./helpers.ts";

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "bunsnatch-requirements-"));
  mkdirSync(join(root, "requirements", "extra"), { recursive: true });
  writeFileSync(
    join(root, "requirements", "requirements-base.txt"),
    "# base\nrequests==2.31.0  # pinned\nflask\n",
  );
  writeFileSync(join(root, "requirements", "requirements-dev.txt"), "-r requirements-base.txt\npytest>=7\n");
  writeFileSync(join(root, "requirements", "extra", "requirements-docs.txt"), "sphinx\n");
  writeFileSync(join(root, "requirements", "other.txt"), "numpy\n");
  writeFileSync(
    join(root, "requirements", "hashed.txt"),
    "certifi==2024.2.2 \\\n    --hash=sha256:0569859f95fc761b18b45ef421b1290a0f65f147e92a1e5eb3e635f9a5e4e66f \\\n    --hash=sha256:dc383c07b76109f368f6106eee2b593b04a011ea4d55f652c6ca24a754d1cdd1\n",
  );
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function requirementsConfig(lines: string, path = "/requirements"): ReturnType<typeof config> {
  return config(`
    [plugins]
    enabled =
        project_requirements
        project_requirements_pinned
    [allowlist]
    requirements_path = ${root}${path}
    requirements =
${lines}
  `);
}

describe("[allowlist] requirements files", () => {
  test("the docs' glob example reads every matching file, in sorted order", () => {
    const { filters, warnings } = loadFilters(requirementsConfig("        requirements-*.txt"));
    expect(filters.allowsProject("Requests")).toBe(true);
    expect(filters.allowsProject("flask")).toBe(true);
    expect(filters.allowsProject("pytest")).toBe(true);
    expect(filters.allowsProject("numpy")).toBe(false);
    expect(warnings).toEqual([
      `${root}/requirements/requirements-dev.txt:1: -r requirements-base.txt: nested requirement files are not followed (as in bandersnatch); list the file in [allowlist] requirements`,
    ]);
  });

  test("a glob into a subdirectory keeps the subdirectory (bandersnatch lost it)", () => {
    const { filters } = loadFilters(requirementsConfig("        extra/*.txt"));
    expect(filters.allowsProject("sphinx")).toBe(true);
  });

  test("a relative requirements_path is taken from requirementsBaseDir", () => {
    const ini = config(`
      [plugins]
      enabled = project_requirements
      [allowlist]
      requirements_path = requirements
      requirements = other.txt
    `);
    const { filters } = loadFilters(ini, { requirementsBaseDir: root });
    expect(filters.allowsProject("numpy")).toBe(true);
    expect(filters.allowsProject("flask")).toBe(false);
  });

  test("a missing file is a ConfigError naming the path", () => {
    expect(() => loadFilters(requirementsConfig("        missing.txt"))).toThrow(ConfigError);
    expect(() => loadFilters(requirementsConfig("        missing.txt"))).toThrow(
      `cannot read requirements file ${root}/requirements/missing.txt (ENOENT)`,
    );
  });

  test("a glob matching nothing is a warning", () => {
    const { warnings } = loadFilters(requirementsConfig("        nothing-*.txt"));
    expect(warnings[0]).toContain("nothing-*.txt matches no file");
  });

  test("hash-pinned files with continuation lines work", () => {
    const { filters } = loadFilters(requirementsConfig("        hashed.txt"));
    const page = projectPage("certifi", sdists("certifi", ["2023.7.22", "2024.2.2"]));
    expect(filters.allowsProject("certifi")).toBe(true);
    expect(filters.selectFiles(page).versions).toEqual(["2024.2.2"]);
  });
});

describe("parseRequirementFileText", () => {
  test("skips comments, blank lines and pip options; strips inline comments", () => {
    const warnings: string[] = [];
    const text = "# comment\n\n--index-url https://x\n-e .\nfoo==1.0 # pinned\nbar ; python_version<'3'\n";
    expect(parseRequirementFileText(text, "r.txt", warnings).map((requirement) => requirement.text)).toEqual([
      "foo==1.0",
      "bar ; python_version<'3'",
    ]);
    expect(warnings).toEqual([]);
  });

  test("URL lines: #egg= gives the name, others are skipped with a warning", () => {
    const warnings: string[] = [];
    const text = "git+https://github.com/x/y.git#egg=why-not\nhttps://example.org/z-1.0.tar.gz\n";
    expect(
      parseRequirementFileText(text, "r.txt", warnings).map((requirement) => requirement.normalizedName),
    ).toEqual(["why-not"]);
    expect(warnings).toEqual([
      "r.txt:2: https://example.org/z-1.0.tar.gz: URL or path without #egg=<name>, skipped",
    ]);
  });

  test("a bad line is a ConfigError naming file and line", () => {
    expect(() => parseRequirementFileText("ok\nfoo===\n", "r.txt", [])).toThrow(
      'r.txt:2: invalid requirement "foo===": bad version specifier "==="',
    );
  });
});

describe("decodeRequirementFile", () => {
  test("UTF-8 with and without a BOM, UTF-16 with a BOM, a PEP 263 coding line", () => {
    expect(decodeRequirementFile(new TextEncoder().encode("\uFEFFfoo\n"), "r")).toBe("foo\n");
    expect(decodeRequirementFile(new TextEncoder().encode("héllo\n"), "r")).toBe("héllo\n");
    const utf16 = new Uint8Array([0xff, 0xfe, 0x66, 0x00, 0x6f, 0x00, 0x6f, 0x00]);
    expect(decodeRequirementFile(utf16, "r")).toBe("foo");
    const latin1 = new Uint8Array([...new TextEncoder().encode("# -*- coding: latin-1 -*-\nf"), 0xe9]);
    expect(decodeRequirementFile(latin1, "r")).toBe("# -*- coding: latin-1 -*-\nfé");
  });

  test("UTF-32 BOMs are not mistaken for UTF-16", () => {
    const utf32 = new Uint8Array([0xff, 0xfe, 0x00, 0x00, 0x66, 0x00, 0x00, 0x00]);
    expect(decodeRequirementFile(utf32, "r")).toBe("f");
  });

  test("bytes that are not UTF-8 are a ConfigError", () => {
    expect(() => decodeRequirementFile(new Uint8Array([0x66, 0xff, 0x0a]), "r.txt")).toThrow(
      "r.txt: cannot decode requirements file: not valid utf-8",
    );
  });
});
