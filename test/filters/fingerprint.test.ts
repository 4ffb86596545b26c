import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadFilters } from "../../src/filters/index.ts";
import { config } from "./helpers.ts";

function fingerprintOf(text: string): string {
  return loadFilters(config(text)).filters.fingerprint;
}

const BASE = `
  [plugins]
  enabled =
      blocklist_project
      latest_release
  [blocklist]
  packages =
      foo
      bar
  [latest_release]
  keep = 3
`;

describe("fingerprint", () => {
  test("is stable for the same configuration", () => {
    expect(fingerprintOf(BASE)).toBe(fingerprintOf(BASE));
    expect(fingerprintOf(BASE)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  test("ignores comments, list order, name spelling and plugin order", () => {
    const same = `
      [plugins]
      enabled = latest_release, blocklist_project   # two
      [blocklist]
      packages =
          Bar     # spelled differently
          foo
      [latest_release]
      keep = 3
    `;
    expect(fingerprintOf(same)).toBe(fingerprintOf(BASE));
  });

  test("changes when a setting, a list or the plugin set changes", () => {
    const base = fingerprintOf(BASE);
    expect(fingerprintOf(BASE.replace("keep = 3", "keep = 4"))).not.toBe(base);
    expect(fingerprintOf(BASE.replace("bar", "baz"))).not.toBe(base);
    expect(fingerprintOf(BASE.replace("      latest_release\n", ""))).not.toBe(base);
    expect(fingerprintOf(`${BASE}  [wheel_tags]\n  platform = any\n`)).not.toBe(base);
  });

  test("differs between no filters and some filters; sections of inactive plugins do not count", () => {
    const none = fingerprintOf("[plugins]\n");
    expect(fingerprintOf("[blocklist]\npackages = foo\n")).toBe(none);
    expect(fingerprintOf(BASE)).not.toBe(none);
  });

  describe("requirements files", () => {
    let root: string;
    beforeAll(() => {
      root = mkdtempSync(join(tmpdir(), "bunsnatch-fingerprint-"));
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    test("changes when a requirements file's requirements change, not its comments", () => {
      const text = `
        [plugins]
        enabled = project_requirements_pinned project_requirements
        [allowlist]
        requirements_path = ${root}
        requirements = r.txt
      `;
      writeFileSync(join(root, "r.txt"), "django==4.2\n");
      const first = fingerprintOf(text);
      writeFileSync(join(root, "r.txt"), "# pinned\ndjango==4.2  # LTS\n");
      expect(fingerprintOf(text)).toBe(first);
      writeFileSync(join(root, "r.txt"), "django==5.0\n");
      expect(fingerprintOf(text)).not.toBe(first);
    });
  });
});
