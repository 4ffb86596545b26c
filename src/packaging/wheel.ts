/**
 * Wheel filenames (PEP 427, PEP 491) and their compatibility tags (PEP 425), with
 * the platform families wheels are built for: manylinux (PEP 513/571/599/600),
 * musllinux (PEP 656), macOS, Windows, and plain `linux_*`.
 */

/** A wheel filename that does not follow PEP 427. */
export class InvalidWheelFilename extends Error {
  readonly filename: string;
  constructor(filename: string, reason: string) {
    super(`invalid wheel filename ${JSON.stringify(filename)}: ${reason}`);
    this.name = "InvalidWheelFilename";
    this.filename = filename;
  }
}

/** One compatibility tag triple, e.g. `cp311-abi3-manylinux_2_17_x86_64`. */
export interface WheelTag {
  python: string;
  abi: string;
  platform: string;
}

/** The parts of a wheel filename. Tag lists keep the file's (compressed) order. */
export interface WheelFilename {
  filename: string;
  /** Distribution name as written (PEP 427 escapes `-` as `_`). */
  distribution: string;
  version: string;
  /** Build tag (starts with a digit), or null. */
  buildTag: string | null;
  pythonTags: string[];
  abiTags: string[];
  platformTags: string[];
}

const WHEEL_SUFFIX = /\.whl$/i;
const DISTRIBUTION = /^[A-Za-z0-9](?:[A-Za-z0-9._]*[A-Za-z0-9])?$/;
const VERSION_PART = /^[A-Za-z0-9_.!+]+$/;
const BUILD_TAG = /^[0-9][A-Za-z0-9_.]*$/;
const TAG_PART = /^[A-Za-z0-9_]+$/;

/**
 * Parses `{distribution}-{version}(-{build})?-{python}-{abi}-{platform}.whl`.
 * Throws `InvalidWheelFilename` naming what is wrong.
 *
 * @example parseWheelFilename("six-1.16.0-py2.py3-none-any.whl").pythonTags // ["py2", "py3"]
 */
export function parseWheelFilename(filename: string): WheelFilename {
  if (!WHEEL_SUFFIX.test(filename)) throw new InvalidWheelFilename(filename, "does not end in .whl");
  const stem = filename.replace(WHEEL_SUFFIX, "");
  const parts = stem.split("-");
  if (parts.length !== 5 && parts.length !== 6) {
    throw new InvalidWheelFilename(filename, `expected 5 or 6 dash-separated parts, found ${parts.length}`);
  }
  const [distribution, version] = parts as [string, string];
  const buildTag = parts.length === 6 ? parts[2]! : null;
  const [pythonPart, abiPart, platformPart] = parts.slice(-3) as [string, string, string];
  if (!DISTRIBUTION.test(distribution)) throw new InvalidWheelFilename(filename, "bad distribution name");
  if (!VERSION_PART.test(version)) throw new InvalidWheelFilename(filename, "bad version");
  if (buildTag !== null && !BUILD_TAG.test(buildTag)) {
    throw new InvalidWheelFilename(filename, "build tag must start with a digit");
  }
  return {
    filename,
    distribution,
    version,
    buildTag,
    pythonTags: splitTagSet(filename, pythonPart, "python"),
    abiTags: splitTagSet(filename, abiPart, "abi"),
    platformTags: splitTagSet(filename, platformPart, "platform"),
  };
}

/** Like `parseWheelFilename`, but null instead of throwing. */
export function tryParseWheelFilename(filename: string): WheelFilename | null {
  try {
    return parseWheelFilename(filename);
  } catch (error) {
    if (error instanceof InvalidWheelFilename) return null;
    throw error;
  }
}

/** PEP 425 compressed tag sets: `py2.py3` is two tags. */
function splitTagSet(filename: string, part: string, what: string): string[] {
  const tags = part.split(".");
  if (tags.some((tag) => !TAG_PART.test(tag))) {
    throw new InvalidWheelFilename(filename, `bad ${what} tag ${JSON.stringify(part)}`);
  }
  return tags;
}

/**
 * Every tag triple a wheel declares: the product of its compressed tag sets
 * (PEP 425), lower-cased.
 *
 * @example expandTags(parseWheelFilename("six-1.16.0-py2.py3-none-any.whl")).length // 2
 */
export function expandTags(wheel: WheelFilename): WheelTag[] {
  const triples: WheelTag[] = [];
  for (const python of wheel.pythonTags) {
    for (const abi of wheel.abiTags) {
      for (const platform of wheel.platformTags) {
        triples.push({
          python: python.toLowerCase(),
          abi: abi.toLowerCase(),
          platform: platform.toLowerCase(),
        });
      }
    }
  }
  return triples;
}

// --- platforms ---

/** The legacy manylinux names and the glibc version each stands for (PEP 600). */
const LEGACY_MANYLINUX: Record<string, { glibc: string; arches: readonly string[] }> = {
  manylinux1: { glibc: "2_5", arches: ["x86_64", "i686"] },
  manylinux2010: { glibc: "2_12", arches: ["x86_64", "i686"] },
  manylinux2014: {
    glibc: "2_17",
    arches: ["x86_64", "i686", "aarch64", "armv7l", "ppc64", "ppc64le", "s390x"],
  },
};

const LEGACY_MANYLINUX_TAG = /^(manylinux1|manylinux2010|manylinux2014)_(.+)$/;
const PEP600_MANYLINUX_TAG = /^manylinux_(\d+)_(\d+)_(.+)$/;

/**
 * The platform tag and its PEP 600 alias, if it has one: `manylinux2014_x86_64`
 * ↔ `manylinux_2_17_x86_64`, `manylinux2010_*` ↔ `manylinux_2_12_*`,
 * `manylinux1_*` ↔ `manylinux_2_5_*`. Lower-cased.
 *
 * @example platformAliases("manylinux1_x86_64") // ["manylinux1_x86_64", "manylinux_2_5_x86_64"]
 */
export function platformAliases(platformTag: string): string[] {
  const tag = platformTag.toLowerCase();
  const legacy = LEGACY_MANYLINUX_TAG.exec(tag);
  if (legacy) {
    const entry = LEGACY_MANYLINUX[legacy[1]!]!;
    return [tag, `manylinux_${entry.glibc}_${legacy[2]}`];
  }
  const modern = PEP600_MANYLINUX_TAG.exec(tag);
  if (modern) {
    const glibc = `${modern[1]}_${modern[2]}`;
    for (const [name, entry] of Object.entries(LEGACY_MANYLINUX)) {
      if (entry.glibc === glibc && entry.arches.includes(modern[3]!)) return [tag, `${name}_${modern[3]}`];
    }
  }
  return [tag];
}

export type PlatformOs = "any" | "linux" | "macos" | "windows" | "freebsd" | "other";

/** What a platform tag says about the target system. */
export interface PlatformInfo {
  tag: string;
  os: PlatformOs;
  /** `manylinux` (glibc), `musllinux` (musl), or `linux` for bare `linux_*` tags; null elsewhere. */
  linuxFlavor: "manylinux" | "musllinux" | "linux" | null;
  /** glibc (manylinux) or musl (musllinux) version `[major, minor]`; macOS version for macOS. */
  osVersion: [number, number] | null;
  /** Architecture as written in the tag (`x86_64`, `arm64`, `universal2`, `amd64`...); null for `any`. */
  arch: string | null;
}

const MUSLLINUX_TAG = /^musllinux_(\d+)_(\d+)_(.+)$/;
const MACOS_TAG = /^macosx_(\d+)_(\d+)_(.+)$/;
const LINUX_TAG = /^linux_(.+)$/;
const WINDOWS_TAG = /^win(?:32|_(.+))$/;
const FREEBSD_TAG = /^freebsd_(.+)$/;

/**
 * Classifies a platform tag.
 *
 * @example describePlatform("manylinux2014_aarch64") // { os: "linux", linuxFlavor: "manylinux", osVersion: [2, 17], arch: "aarch64", ... }
 */
export function describePlatform(platformTag: string): PlatformInfo {
  const tag = platformTag.toLowerCase();
  const info = (
    os: PlatformOs,
    arch: string | null,
    linuxFlavor: PlatformInfo["linuxFlavor"] = null,
    osVersion: [number, number] | null = null,
  ): PlatformInfo => ({ tag, os, linuxFlavor, osVersion, arch });
  if (tag === "any") return info("any", null);
  const legacy = LEGACY_MANYLINUX_TAG.exec(tag);
  if (legacy) {
    const [major, minor] = LEGACY_MANYLINUX[legacy[1]!]!.glibc.split("_").map(Number) as [number, number];
    return info("linux", legacy[2]!, "manylinux", [major, minor]);
  }
  let match = PEP600_MANYLINUX_TAG.exec(tag);
  if (match) return info("linux", match[3]!, "manylinux", [Number(match[1]), Number(match[2])]);
  match = MUSLLINUX_TAG.exec(tag);
  if (match) return info("linux", match[3]!, "musllinux", [Number(match[1]), Number(match[2])]);
  match = LINUX_TAG.exec(tag);
  if (match) return info("linux", match[1]!, "linux");
  match = MACOS_TAG.exec(tag);
  if (match) return info("macos", match[3]!, null, [Number(match[1]), Number(match[2])]);
  match = WINDOWS_TAG.exec(tag);
  if (match) return info("windows", match[1] ?? "x86");
  match = FREEBSD_TAG.exec(tag);
  if (match) return info("freebsd", null);
  return info("other", null);
}

/** Whether `platformTag` looks like one of the known platform families (not `any`, not unknown). */
export function isKnownPlatformTag(platformTag: string): boolean {
  const os = describePlatform(platformTag).os;
  return os !== "any" && os !== "other";
}

// --- python tags ---

const PYTHON_TAG = /^(py|cp|pp|ip|jy|graalpy)(\d+)$/;

/** A python tag split into interpreter and version digits: `cp311` → `{ interpreter: "cp", version: "311" }`. */
export function splitPythonTag(pythonTag: string): { interpreter: string; version: string } | null {
  const match = PYTHON_TAG.exec(pythonTag.toLowerCase());
  return match ? { interpreter: match[1]!, version: match[2]! } : null;
}
