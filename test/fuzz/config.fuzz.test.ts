/**
 * Fuzzing the config reader: random and mutated INI files (from the configparser
 * corpus) through decoding, parsing, interpolation, the `[mirror]` schema and the
 * filter sections. The only error allowed is `ConfigError` (one line, exit 2).
 */

import { describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseIni } from "../../src/config/ini.ts";
import { decodeConfigText } from "../../src/config/load.ts";
import { resolveMirrorOptions } from "../../src/config/options.ts";
import { ConfigError } from "../../src/errors.ts";
import { loadFilters } from "../../src/filters/index.ts";
import { fuzz, fuzzSeed, iterations, mutate, NASTY_CHARACTERS } from "./fuzz.ts";

const CORPUS = path.resolve(import.meta.dir, "../config/corpus");
const SEEDS = fs
  .readdirSync(CORPUS)
  .filter((name) => name.endsWith(".conf"))
  .map((name) => fs.readFileSync(path.join(CORPUS, name), "utf8"));
const INI_PIECES = [
  "[mirror]\n",
  "[plugins]\n",
  "[DEFAULT]\n",
  "[blocklist]\n",
  "[allowlist]\n",
  "[filter_regex]\n",
  "enabled =\n    all\n",
  "packages =\n    foo\n    bar==1.0\n",
  "directory = /srv/pypi\n",
  "master = https://pypi.org\n",
  "workers = 99\n",
  "%(here)s",
  "%(missing)s",
  "%%",
  "%(",
  " = ",
  "\n    ",
  "\n\t",
  "# comment\n",
  "; comment\n",
  "releases =\n    .*(\n",
  "requirements = ../../etc/passwd\n",
  "\r\n",
  "\ufeff",
];

const isConfigError = (error: unknown) => error instanceof ConfigError;

/** Everything a config goes through after the file is read; throws only ConfigError. */
function readWholly(text: string): void {
  const ini = parseIni(text, "fuzz.conf", { interpolationFallbacks: { here: "/srv" } });
  for (const section of ["DEFAULT", ...ini.sectionNames()]) {
    for (const option of ini.optionNames(section)) ini.get(section, option);
  }
  resolveMirrorOptions(ini);
  loadFilters(ini, { requirementsBaseDir: "/nonexistent-bunsnatch-fuzz" });
}

describe("fuzz: the config reader throws only ConfigError", () => {
  test("mutated corpus files and random INI-ish text", () => {
    const report = fuzz({
      seed: fuzzSeed(1),
      iterations: iterations(3000),
      generate: (random) => {
        if (random.chance(0.2)) return random.string([...INI_PIECES, ...NASTY_CHARACTERS], 30);
        const base = random.chance(0.5)
          ? random.pick(SEEDS)
          : `[mirror]\ndirectory = /srv\nmaster = https://pypi.org\n`;
        return mutate(random, base, [...INI_PIECES, ...NASTY_CHARACTERS]);
      },
      expected: isConfigError,
      check: readWholly,
    });
    expect(report.refused).toBeGreaterThan(0);
    expect(report.accepted).toBeGreaterThan(0);
  });

  test("random bytes: not UTF-8 is one ConfigError naming the line", () => {
    fuzz({
      seed: fuzzSeed(2),
      iterations: iterations(2000),
      generate: (random) => {
        const bytes = new TextEncoder().encode(random.pick(SEEDS)).slice(0, 400);
        for (let flips = 1 + random.int(4); flips > 0; flips--)
          bytes[random.int(bytes.length)] = random.int(256);
        return bytes;
      },
      expected: isConfigError,
      check: (bytes) => readWholly(decodeConfigText(bytes, "fuzz.conf")),
    });
  });

  test("deep interpolation chains and huge values stay fast", () => {
    const chain = Array.from({ length: 200 }, (_, index) => `v${index} = %(v${index + 1})s`).join("\n");
    const cases = [
      `[mirror]\n${chain}\nv200 = end\n`,
      `[mirror]\na = ${"%(a)s".repeat(10_000)}\n`,
      `[mirror]\nvalue = ${"x".repeat(1_000_000)}\n`,
      `[mirror]\n${"k = v\n".repeat(1)}${"    continuation\n".repeat(100_000)}`,
    ];
    for (const text of cases) {
      const started = performance.now();
      try {
        readWholly(text);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
      }
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });
});
