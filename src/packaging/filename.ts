/**
 * What a distribution filename says about itself: its bandersnatch `packagetype`
 * and, where the format allows, its release version. Pure.
 */

import { normalizeName } from "./names.ts";

/** bandersnatch / JSON API `packagetype` values, plus `unknown`. */
export type PackageType =
  | "sdist"
  | "bdist_wheel"
  | "bdist_egg"
  | "bdist_wininst"
  | "bdist_msi"
  | "bdist_rpm"
  | "bdist_dmg"
  | "unknown";

/** Longest extension first, so `.tar.gz` wins over `.gz`. */
const EXTENSIONS: [suffix: string, type: PackageType][] = [
  [".tar.bz2", "sdist"],
  [".tar.gz", "sdist"],
  [".tar.xz", "sdist"],
  [".tar.z", "sdist"],
  [".tgz", "sdist"],
  [".tbz", "sdist"],
  [".zip", "sdist"],
  [".tar", "sdist"],
  [".whl", "bdist_wheel"],
  [".egg", "bdist_egg"],
  [".exe", "bdist_wininst"],
  [".msi", "bdist_msi"],
  [".rpm", "bdist_rpm"],
  [".dmg", "bdist_dmg"],
];

function splitExtension(filename: string): { stem: string; type: PackageType } | null {
  const lower = filename.toLowerCase();
  for (const [suffix, type] of EXTENSIONS) {
    if (lower.endsWith(suffix) && lower.length > suffix.length) {
      return { stem: filename.slice(0, filename.length - suffix.length), type };
    }
  }
  return null;
}

/**
 * The bandersnatch `packagetype` of a file, from its extension.
 *
 * @example packageTypeOf("numpy-2.0.0-cp312-cp312-manylinux_2_17_x86_64.whl") // "bdist_wheel"
 * @example packageTypeOf("Django-1.0.tar.gz") // "sdist"
 */
export function packageTypeOf(filename: string): PackageType {
  return splitExtension(filename)?.type ?? "unknown";
}

/**
 * The release version a file belongs to, or `null` when the name does not say.
 * Wheels follow PEP 427 (`name-ver(-build)?-py-abi-plat.whl`); eggs
 * `name-ver(-pyX.Y(-plat)?)?.egg`; sdists and other formats are split where the
 * normalized prefix equals the project name.
 *
 * @example versionOf("zope.interface-5.4.0.tar.gz", "zope-interface") // "5.4.0"
 * @example versionOf("requests-2.31.0-py3-none-any.whl", "requests") // "2.31.0"
 */
export function versionOf(filename: string, normalizedProject: string): string | null {
  const split = splitExtension(filename);
  if (!split) return null;
  switch (split.type) {
    case "bdist_wheel":
      return wheelVersion(split.stem);
    case "bdist_egg":
      return eggVersion(split.stem);
    case "bdist_wininst":
    case "bdist_msi":
      return prefixVersion(stripWindowsSuffix(split.stem), normalizedProject);
    case "bdist_rpm":
      return rpmVersion(split.stem, normalizedProject);
    case "bdist_dmg":
      return prefixVersion(split.stem.replace(/[-.]macosx[-_.].*$/i, ""), normalizedProject);
    default:
      return prefixVersion(split.stem, normalizedProject);
  }
}

/** PEP 427: 5 or 6 dash-separated parts; the build tag starts with a digit. */
function wheelVersion(stem: string): string | null {
  const parts = stem.split("-");
  if (parts.length !== 5 && parts.length !== 6) return null;
  if (parts.some((part) => part === "")) return null;
  if (parts.length === 6 && !/^\d/.test(parts[2]!)) return null;
  return parts[1]!;
}

/** `name-ver`, `name-ver-py2.7` or `name-ver-py2.7-linux-x86_64` (setuptools escapes `-` in name and version). */
function eggVersion(stem: string): string | null {
  const parts = stem.split("-");
  if (parts.length < 2 || parts[0] === "" || parts[1] === "") return null;
  if (parts.length >= 3 && !/^py\d/.test(parts[2]!)) return null;
  return parts[1]!;
}

/** `name-ver.win32`, `name-ver.win-amd64-py2.7`, `name-ver.linux-x86_64` → `name-ver`. */
function stripWindowsSuffix(stem: string): string {
  return stem
    .replace(/-py\d+(?:\.\d+)?$/, "")
    .replace(/\.(?:win32|win-amd64|win-arm64|win-ia64|linux-[^.]+)$/i, "");
}

/** `name-ver-release.arch` (`.src` for source RPMs). */
function rpmVersion(stem: string, normalizedProject: string): string | null {
  const withoutArch = stem.replace(/\.[A-Za-z0-9_]+$/, "");
  const nameAndVersion = withoutArch.replace(/-[^-]+$/, "");
  return prefixVersion(nameAndVersion, normalizedProject);
}

/** Splits `stem` at the first `-` whose left side normalizes to the project name. */
function prefixVersion(stem: string, normalizedProject: string): string | null {
  for (let index = stem.indexOf("-"); index !== -1; index = stem.indexOf("-", index + 1)) {
    if (normalizeName(stem.slice(0, index)) === normalizedProject) {
      const version = stem.slice(index + 1);
      return version === "" ? null : version;
    }
  }
  return null;
}
