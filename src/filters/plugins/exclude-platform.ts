/**
 * `exclude_platform`: drops binary files for the platforms and Python versions
 * listed in `[blocklist] platforms` (whitespace-separated tokens). Source
 * distributions are never dropped.
 *
 * Tokens, as in bandersnatch: `windows`/`win`, `macos`/`macosx`, `freebsd`,
 * `linux`, `py2`, `py3`, `pyX.Y`, and the single architecture tags of its
 * Windows and Linux lists (`win_amd64`, `manylinux2014_aarch64`, `musllinux`...).
 *
 * Where bandersnatch tested substrings of the file name, we read wheels' tags:
 * - a wheel is dropped only when every tag triple it declares is excluded, so the
 *   universal `py2.py3-none-any` survives `py2` (bandersnatch dropped it);
 * - `windows`, `macos`, `linux`, `freebsd` exclude every platform tag of that
 *   family (`win_ia64`, `linux_riscv64`, `manylinux_2_28_ppc64le`, ...), not only
 *   bandersnatch's fixed lists, and never match a project's name
 *   (`musllinux_helper-1.0-py3-none-any.whl` stays);
 * - `pyX` excludes major-only python tags (`py3`, `cp3`), `pyX.Y` excludes
 *   `cpXY`, `ppXY`, `pyXY`... (any minor version, e.g. `py3.15`);
 * - legacy manylinux tags and their PEP 600 names are the same platform;
 * - a token is matched exactly (bandersnatch's `x in ("linux")` took `l`, `nux`,
 *   `bsd` for whole platforms); an unknown token is a warning, and any valid
 *   platform tag (`linux_aarch64`, `macosx_11_0_arm64`) is accepted verbatim.
 * Other binaries (eggs, `.exe`, `.msi`, `.rpm`, `.dmg`, dumb builds) are matched
 * as bandersnatch did, on the part of the name after the version.
 */

import {
  describePlatform,
  expandTags,
  isKnownPlatformTag,
  platformAliases,
  splitPythonTag,
  tryParseWheelFilename,
} from "../../packaging/wheel.ts";
import type { ReleaseFile } from "../../upstream/types.ts";
import { listWords, optionLabel, readOption } from "../config.ts";
import { didYouMean } from "../did-you-mean.ts";
import type { PluginDefinition } from "../loader-context.ts";
import type { ReleaseFilePlugin } from "../types.ts";

const WINDOWS_PATTERNS = [".win32", "-win32", "win_amd64", "win-amd64", "win_arm64", "win-arm64"];
const LINUX_PATTERNS = [
  "linux-i686",
  "linux-x86_64",
  "linux_armv7l",
  "linux_armv6l",
  "manylinux1_i686",
  "manylinux1_x86_64",
  "manylinux2010_i686",
  "manylinux2010_x86_64",
  "manylinux2014_x86_64",
  "manylinux2014_i686",
  "manylinux2014_aarch64",
  "manylinux2014_armv7l",
  "manylinux2014_ppc64",
  "manylinux2014_ppc64le",
  "manylinux2014_s390x",
  "-manylinux_",
  "musllinux",
];
/** bandersnatch's `INTERPRETER_SHORT_NAMES` without `py`, for legacy file names. */
const INTERPRETERS = ["cp", "pp", "ip", "jy"];
const PYTHON_TOKEN = /^py(\d)(?:\.(\d+))?$/;
const VOCABULARY = ["windows", "win", "macos", "macosx", "freebsd", "linux", "py2", "py3", "py2.7", "py3.12"];

/** What the configured tokens exclude. */
export interface PlatformExclusions {
  packageTypes: Set<string>;
  /** Platform-tag predicates (wheels). */
  platformRules: ((platformTag: string) => boolean)[];
  /** Version digits of excluded python tags: `2`, `27`, `310`. */
  pythonVersions: Set<string>;
  /** bandersnatch's substring patterns, for files that are neither wheels nor sdists. */
  legacyPatterns: string[];
  /** Tokens we did not recognize. */
  unknown: string[];
}

/** Reads the tokens of `[blocklist] platforms`. */
export function parsePlatformTokens(tokens: readonly string[]): PlatformExclusions {
  const exclusions: PlatformExclusions = {
    packageTypes: new Set(),
    platformRules: [],
    pythonVersions: new Set(),
    legacyPatterns: [],
    unknown: [],
  };
  const osRule = (os: string) => (tag: string) => describePlatform(tag).os === os;
  for (const token of tokens) {
    const word = token.toLowerCase();
    const python = PYTHON_TOKEN.exec(word);
    if (word === "windows" || word === "win") {
      exclusions.platformRules.push(osRule("windows"));
      exclusions.packageTypes.add("bdist_msi").add("bdist_wininst");
      exclusions.legacyPatterns.push(...WINDOWS_PATTERNS);
    } else if (word === "macos" || word === "macosx") {
      exclusions.platformRules.push(osRule("macos"));
      exclusions.packageTypes.add("bdist_dmg");
      exclusions.legacyPatterns.push("macosx_", "macosx-");
    } else if (word === "freebsd") {
      exclusions.platformRules.push(osRule("freebsd"));
      exclusions.legacyPatterns.push(".freebsd", "-freebsd");
    } else if (word === "linux") {
      exclusions.platformRules.push(osRule("linux"));
      exclusions.packageTypes.add("bdist_rpm");
      exclusions.legacyPatterns.push(...LINUX_PATTERNS);
    } else if (python) {
      exclusions.pythonVersions.add(`${python[1]}${python[2] ?? ""}`);
      exclusions.legacyPatterns.push(...legacyPythonPatterns(word.slice(2)));
    } else if (WINDOWS_PATTERNS.includes(word) || LINUX_PATTERNS.includes(word) || isKnownPlatformTag(word)) {
      exclusions.platformRules.push(architectureRule(word));
      exclusions.legacyPatterns.push(word);
    } else {
      exclusions.unknown.push(token);
    }
  }
  return exclusions;
}

/** bandersnatch's `utils.parse_version`: `-cp36-`, `-pp36-`, `-ip36-`, `-jy36-`, `-py3.6-`, `-py3.6.`. */
function legacyPythonPatterns(versionWithDot: string): string[] {
  const digits = versionWithDot.replace(".", "");
  return [
    ...INTERPRETERS.map((interpreter) => `-${interpreter}${digits}-`),
    `-py${versionWithDot}-`,
    `-py${versionWithDot}.`,
  ];
}

/** A single-architecture token as a platform-tag predicate (legacy manylinux names and PEP 600 names agree). */
function architectureRule(token: string): (platformTag: string) => boolean {
  const tag = token.replace(/^[.-]/, "").replace(/-/g, "_");
  if (tag === "manylinux_") return (platformTag) => describePlatform(platformTag).linuxFlavor === "manylinux";
  if (tag === "musllinux") return (platformTag) => describePlatform(platformTag).linuxFlavor === "musllinux";
  return (platformTag) => platformAliases(platformTag).includes(tag);
}

/** Whether the exclusions drop `file`. */
export function isExcludedFile(
  exclusions: PlatformExclusions,
  file: ReleaseFile,
  version: string | null,
): boolean {
  if (file.packageType === "sdist") return false;
  if (exclusions.packageTypes.has(file.packageType)) return true;
  const wheel = file.filename.toLowerCase().endsWith(".whl") ? tryParseWheelFilename(file.filename) : null;
  if (wheel) {
    return expandTags(wheel).every(
      (triple) =>
        excludedPython(exclusions, triple.python) ||
        exclusions.platformRules.some((rule) => rule(triple.platform)),
    );
  }
  const tail = nameAfterVersion(file.filename, version);
  return exclusions.legacyPatterns.some((pattern) => tail.includes(pattern));
}

function excludedPython(exclusions: PlatformExclusions, pythonTag: string): boolean {
  const split = splitPythonTag(pythonTag);
  return split !== null && exclusions.pythonVersions.has(split.version);
}

/** The file name from the version on (`.win32-py2.7.exe`), so a project's own name never matches a pattern. */
function nameAfterVersion(filename: string, version: string | null): string {
  if (version === null) return filename;
  for (const written of [version, version.replace(/-/g, "_")]) {
    const at = filename.indexOf(`-${written}`);
    if (at >= 0) return filename.slice(at + written.length + 1);
  }
  return filename;
}

export const excludePlatform: PluginDefinition = {
  name: "exclude_platform",
  stage: "release_file",
  isConfigured: (ini) => ini.hasSection("blocklist") && ini.get("blocklist", "platforms") !== undefined,
  create(loader): ReleaseFilePlugin | null {
    const { ini } = loader;
    const value = readOption(ini, "blocklist", "platforms");
    if (value === undefined) {
      loader.warnings.push(
        `${ini.fileName}: exclude_platform is enabled but [blocklist] platforms is not set; it does nothing`,
      );
      return null;
    }
    const tokens = listWords(value);
    const exclusions = parsePlatformTokens(tokens);
    for (const token of exclusions.unknown) {
      loader.warnings.push(
        `${optionLabel(ini, "blocklist", "platforms")}: unknown platform ${JSON.stringify(token)}, ignored${didYouMean(token, VOCABULARY)}`,
      );
    }
    const known = tokens
      .filter((token) => !exclusions.unknown.includes(token))
      .map((token) => token.toLowerCase());
    if (known.length === 0) return null;
    return {
      name: "exclude_platform",
      stage: "release_file",
      needsJsonApi: false,
      settings: { platforms: [...new Set(known)].sort() },
      allows: (_project, file) => !isExcludedFile(exclusions, file.file, file.version),
    };
  },
};
