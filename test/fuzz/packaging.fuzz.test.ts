/**
 * Fuzzing the packaging parsers that read upstream text: PEP 440 versions and
 * specifiers, wheel and distribution filenames, project names. None may throw
 * anything but its own typed error, and none may be slow on any input.
 */

import { describe, expect, test } from "bun:test";
import { packageTypeOf, versionOf } from "../../src/packaging/filename.ts";
import {
  isValidProjectName,
  normalizeName,
  projectNameProblem,
  safeName,
} from "../../src/packaging/names.ts";
import { segmentProblem } from "../../src/packaging/paths.ts";
import {
  compareVersions,
  isPrerelease,
  parseSpecifierSet,
  parseVersion,
  satisfies,
  sortVersions,
} from "../../src/packaging/version.ts";
import {
  describePlatform,
  expandTags,
  InvalidWheelFilename,
  isKnownPlatformTag,
  parseWheelFilename,
  platformAliases,
  splitPythonTag,
  tryParseWheelFilename,
} from "../../src/packaging/wheel.ts";
import { fuzz, fuzzSeed, iterations, mutate, NASTY_CHARACTERS, type Random } from "./fuzz.ts";

const VERSIONS = [
  "1.0",
  "1.0.0rc1",
  "2!1.0.post3.dev4+local.7",
  "1.0-RC1-2",
  "v1.0a1",
  "0.0.1.dev0",
  "1.0.*",
  "2024.1.15",
  "1.0_beta_2",
  "1.0+ubuntu-1",
];
const VERSION_PIECES = [
  "0",
  "1",
  "9",
  "10",
  "99999999999999999999",
  ".",
  "-",
  "_",
  "+",
  "!",
  "a",
  "b",
  "rc",
  "c",
  "post",
  "dev",
  "v",
  "*",
  " ",
  "pre",
  "r",
  "local",
  "L",
];
const SPECIFIER_PIECES = ["~=", "==", "!=", "<=", ">=", "<", ">", "===", ",", " ", ".*", ...VERSION_PIECES];

function versionText(random: Random): string {
  if (random.chance(0.4))
    return mutate(random, random.pick(VERSIONS), [...VERSION_PIECES, ...NASTY_CHARACTERS]);
  return random.string(random.chance(0.8) ? VERSION_PIECES : NASTY_CHARACTERS, 24);
}

describe("fuzz: PEP 440 versions and specifiers never throw", () => {
  test("parseVersion: null or a version whose normalized form parses to itself", () => {
    const report = fuzz({
      seed: fuzzSeed(440),
      iterations: iterations(4000),
      generate: versionText,
      check: (text) => {
        const version = parseVersion(text);
        if (version === null) return;
        expect(parseVersion(version.normalized)?.normalized).toBe(version.normalized);
        expect(typeof isPrerelease(text)).toBe("boolean");
      },
    });
    expect(report.accepted).toBeGreaterThan(0);
  });

  test("compareVersions is antisymmetric and sortVersions total on any strings", () => {
    fuzz({
      seed: fuzzSeed(441),
      iterations: iterations(2000),
      generate: (random) => [versionText(random), versionText(random), versionText(random)] as const,
      check: ([left, right, third]) => {
        expect(compareVersions(left, right)).toBe(-compareVersions(right, left) || 0);
        expect(compareVersions(left, left)).toBe(0);
        expect(sortVersions([left, right, third])).toHaveLength(3);
      },
    });
  });

  test("parseSpecifierSet and satisfies: null or false on bad input, never an exception", () => {
    const report = fuzz({
      seed: fuzzSeed(442),
      iterations: iterations(4000),
      generate: (random) => ({
        specifier: random.chance(0.3)
          ? mutate(random, ">=1.4.2,<1.9,!=1.5.*", SPECIFIER_PIECES)
          : random.string(SPECIFIER_PIECES, 16),
        version: versionText(random),
      }),
      check: ({ specifier, version }) => {
        const set = parseSpecifierSet(specifier);
        expect(typeof satisfies(version, specifier)).toBe("boolean");
        if (set) expect(satisfies(version, set)).toBe(satisfies(version, specifier));
      },
    });
    expect(report.accepted).toBeGreaterThan(0);
  });
});

const WHEELS = [
  "six-1.16.0-py2.py3-none-any.whl",
  "numpy-2.0.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
  "pkg-1.0-1build-cp311-abi3-macosx_11_0_arm64.whl",
  "torch-2.1.0+cu118-cp310-cp310-win_amd64.whl",
  "x-1-py3-none-musllinux_1_1_aarch64.whl",
];
const FILENAMES = [
  ...WHEELS,
  "Django-1.0.tar.gz",
  "zope.interface-5.4.0.zip",
  "pkg-1.0-py2.7.egg",
  "pkg-1.0.win32-py2.7.exe",
  "pkg-1.0-1.src.rpm",
  "pkg-1.0.macosx-10.9-x86_64.dmg",
  "pkg-1.0.tar.bz2",
];
const FILENAME_PIECES = [
  "-",
  "_",
  ".",
  "whl",
  "tar",
  "gz",
  "zip",
  "egg",
  "exe",
  "msi",
  "rpm",
  "py3",
  "cp311",
  "none",
  "any",
  "abi3",
  "linux",
  "1",
  "0",
  "x86_64",
  "pkg",
];

describe("fuzz: filenames", () => {
  test("parseWheelFilename throws only InvalidWheelFilename; what it accepts expands and describes", () => {
    const report = fuzz({
      seed: fuzzSeed(427),
      iterations: iterations(4000),
      generate: (random) =>
        random.chance(0.7)
          ? mutate(random, random.pick(WHEELS), [...FILENAME_PIECES, ...NASTY_CHARACTERS])
          : `${random.string([...FILENAME_PIECES, ...NASTY_CHARACTERS], 12)}.whl`,
      expected: (error) => error instanceof InvalidWheelFilename,
      check: (filename) => {
        const wheel = parseWheelFilename(filename);
        expect(tryParseWheelFilename(filename)).toEqual(wheel);
        expect(expandTags(wheel).length).toBeGreaterThan(0);
        for (const platform of wheel.platformTags) {
          describePlatform(platform);
          platformAliases(platform);
          isKnownPlatformTag(platform);
        }
        for (const python of wheel.pythonTags) splitPythonTag(python);
      },
    });
    expect(report.accepted).toBeGreaterThan(0);
    expect(report.refused).toBeGreaterThan(0);
  });

  test("packageTypeOf and versionOf never throw; a version found is a substring of the filename", () => {
    fuzz({
      seed: fuzzSeed(428),
      iterations: iterations(4000),
      generate: (random) => ({
        filename: mutate(random, random.pick(FILENAMES), [...FILENAME_PIECES, ...NASTY_CHARACTERS]),
        project: normalizeName(random.pick(["pkg", "six", "django", "zope-interface", "numpy", "x", ""])),
      }),
      check: ({ filename, project }) => {
        expect(typeof packageTypeOf(filename)).toBe("string");
        const version = versionOf(filename, project);
        if (version !== null) expect(filename).toContain(version);
      },
    });
  });
});

const NAME_PIECES = [
  "a",
  "Z",
  "0",
  "9",
  "-",
  "_",
  ".",
  "..",
  "/",
  "\\",
  " ",
  "%2e",
  "%2f",
  "\u0000",
  "\n",
  "<",
  ">",
  "é",
  "İ",
  "ǅ",
  "K",
];

describe("fuzz: project names", () => {
  test("a name we accept normalizes to a safe path segment; normalization is idempotent", () => {
    const report = fuzz({
      seed: fuzzSeed(503),
      iterations: iterations(6000),
      generate: (random) =>
        random.chance(0.5) ? random.string(NAME_PIECES, 24) : mutate(random, "Foo.Bar-baz_9", NAME_PIECES),
      check: (name) => {
        const normalized = normalizeName(name);
        expect(normalizeName(normalized)).toBe(normalized);
        expect(projectNameProblem(name) === null).toBe(isValidProjectName(name));
        if (!isValidProjectName(name)) return;
        expect(segmentProblem(normalized)).toBeNull();
        expect(normalized).toMatch(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
        expect(safeName(name)).toBe(normalized);
      },
    });
    expect(report.accepted).toBeGreaterThan(0);
  });

  test("over-long and pathological names are refused quickly", () => {
    for (const name of [
      "a".repeat(201),
      `${"a-".repeat(100_000)}a`,
      "-".repeat(100_000),
      "a.".repeat(50_000),
    ]) {
      const started = performance.now();
      expect(projectNameProblem(name)).not.toBeNull();
      normalizeName(name);
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });
});
