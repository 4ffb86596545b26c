/**
 * Packaging name rules the simulator needs. Deliberately independent of `src/` so the
 * simulator stays an oracle for the code under test.
 */
import { compare as pep440Compare, valid as pep440Valid } from "@renovatebot/pep440";

/** PEP 503 normalized name: runs of `-`, `_`, `.` become one `-`, lower case. */
export function normalizeName(name: string): string {
  return name.replace(/[-_.]+/g, "-").toLowerCase();
}

/** Distribution name as used in wheel and sdist filenames (PEP 427/625): separators → `_`, lower case. */
export function distName(name: string): string {
  return name.replace(/[-_.]+/g, "_").toLowerCase();
}

/** Import name of the generated package of a project (a valid Python identifier). */
export function moduleName(name: string): string {
  const base = name.replace(/[^A-Za-z0-9]+/g, "_").toLowerCase();
  return /^[0-9]/.test(base) ? `p_${base}` : base;
}

/**
 * Order of versions as PyPI sorts them (`packaging_legacy`): invalid ("legacy") versions
 * first, in string order, then PEP 440 order.
 */
export function compareVersions(left: string, right: string): number {
  const leftValid = pep440Valid(left) !== null;
  const rightValid = pep440Valid(right) !== null;
  if (leftValid && rightValid) return pep440Compare(left, right);
  if (leftValid !== rightValid) return leftValid ? 1 : -1;
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Whether a version is a pre-release or development release (PEP 440). */
export function isPrerelease(version: string): boolean {
  return /(a|b|rc|alpha|beta|c|pre|preview|dev)[-_.]?\d*/i.test(version.replace(/\.post\d+$/i, ""));
}

/** What the filename says about a distribution file. */
export interface FilenameInfo {
  packagetype: "sdist" | "bdist_wheel";
  /** JSON API `python_version`: `source` for sdists, the wheel's python tag otherwise (`py3`, `cp311`). */
  pythonVersion: string;
  /** Wheel tag triple (`py3-none-any`), null for sdists. */
  tag: string | null;
}

/**
 * Classify a filename as sdist or wheel, as PyPI's upload code does.
 *
 * @example describeFilename("foo-1.0-cp311-cp311-win_amd64.whl") // { packagetype: "bdist_wheel", pythonVersion: "cp311", ... }
 */
export function describeFilename(filename: string): FilenameInfo {
  if (filename.endsWith(".whl")) {
    const parts = filename.slice(0, -4).split("-");
    const tag = parts.slice(-3).join("-");
    return { packagetype: "bdist_wheel", pythonVersion: parts.at(-3) ?? "py3", tag };
  }
  return { packagetype: "sdist", pythonVersion: "source", tag: null };
}

/** The expanded tags of a compressed tag set: `py2.py3-none-any` → `py2-none-any`, `py3-none-any`. */
export function expandTags(tag: string): string[] {
  const [pythons = "", abis = "", platforms = ""] = tag.split("-");
  const expanded: string[] = [];
  for (const python of pythons.split("."))
    for (const abi of abis.split("."))
      for (const platform of platforms.split(".")) expanded.push(`${python}-${abi}-${platform}`);
  return expanded;
}
