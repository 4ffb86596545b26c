import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { EXAMPLE_CONFIG } from "../../src/config/example.ts";
import { parseIni, rawValue } from "../../src/config/ini.ts";
import { loadConfig } from "../../src/config/load.ts";
import { MIRROR_OPTION_SPECS, resolveMirrorOptions } from "../../src/config/options.ts";

const REPOSITORY = join(import.meta.dir, "..", "..");

describe("the example config written for a missing file", () => {
  test("parses and validates with no warnings", () => {
    const { options, warnings } = resolveMirrorOptions(parseIni(EXAMPLE_CONFIG, "example.conf"));
    expect(warnings).toEqual([]);
    expect(options.directory).toBe("/srv/pypi");
    expect(options.master).toBe("https://pypi.org");
  });

  test("mentions every [mirror] option", () => {
    for (const spec of MIRROR_OPTION_SPECS) {
      expect({
        option: spec.name,
        mentioned: new RegExp(`^;? ?${spec.name} =`, "m").test(EXAMPLE_CONFIG),
      }).toEqual({
        option: spec.name,
        mentioned: true,
      });
    }
  });

  test("its active values are the defaults (apart from directory)", () => {
    const ini = parseIni(EXAMPLE_CONFIG, "example.conf");
    for (const name of ini.ownOptionNames("mirror")) {
      const spec = MIRROR_OPTION_SPECS.find((candidate) => candidate.name === name);
      if (spec?.defaultValue === undefined) continue;
      // Raw: `max-deletions = 5%` is only read by bunsnatch, which takes the lone % as written.
      expect({ name, value: rawValue(ini, "mirror", name) }).toEqual({ name, value: spec.defaultValue });
    }
  });

  test("commented-out examples are valid when uncommented", () => {
    const uncommented = EXAMPLE_CONFIG.replace(
      /^; ((?:[a-z_-]+ =|\[|enabled =|packages =| {4}).*)$/gm,
      "$1",
    ).replace(/^;$/gm, "");
    const ini = parseIni(uncommented, "uncommented.conf");
    const { options } = resolveMirrorOptions(ini);
    expect(options.proxy).toBe("http://proxy.example.com:3128");
    expect(options.downloadMirror).toBe("https://pypi-mirror.example.com");
    expect(options.diffFile).toBe("/srv/pypi/mirrored-files");
    expect(options.allowedFileHosts).toEqual(["files.example.com"]);
    expect(ini.get("plugins", "enabled")).toBe("\nallowlist_project\nallowlist_release");
    expect(ini.get("allowlist", "packages")).toBe("\nrequests\nnumpy>=2");
  });
});

describe("examples/quickstart.conf", () => {
  const path = join(REPOSITORY, "examples", "quickstart.conf");

  test("loads with its mirror in ./mirror at the top of the checkout", async () => {
    const config = await loadConfig(path);
    expect(config.warnings).toEqual([]);
    expect(config.mirror.directory).toBe(join(REPOSITORY, "mirror"));
    expect(config.mirror.master).toBe("https://pypi.org");
    expect(config.mirror.apiMethod).toBe("simple");
  });

  test("allowlists a few small projects and keeps two releases each", async () => {
    const { ini } = await loadConfig(path);
    expect(ini.get("plugins", "enabled")).toBe("\nallowlist_project\nallowlist_release\nlatest_release");
    expect(ini.get("allowlist", "packages")).toBe("\nsix\nidna\npackaging");
    expect(ini.get("latest_release", "keep")).toBe("2");
  });

  test("is the same file as bandersnatch would read, apart from %(here)s", () => {
    const text = readFileSync(path, "utf8");
    const ini = parseIni(text, path);
    expect(() => ini.get("mirror", "directory")).toThrow("'%(here)s' names no option");
  });
});

describe("docs/config-reference.md", () => {
  const reference = readFileSync(join(REPOSITORY, "docs", "config-reference.md"), "utf8");

  test("documents every [mirror] option with its default", () => {
    for (const spec of MIRROR_OPTION_SPECS) {
      const row = reference.split("\n").find((line) => line.startsWith(`| \`${spec.name}\` |`));
      expect({ option: spec.name, documented: row !== undefined }).toEqual({
        option: spec.name,
        documented: true,
      });
      if (spec.defaultValue !== undefined && spec.defaultValue !== "") {
        expect({ option: spec.name, row }).toEqual({
          option: spec.name,
          row: expect.stringContaining(`\`${spec.defaultValue}\``),
        });
      }
    }
  });
});
