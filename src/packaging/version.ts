/**
 * PEP 440 versions and specifiers: the one place the rest of bunsnatch asks about
 * version syntax, order, pre-releases and `SpecifierSet` membership.
 *
 * Parsing and ordering come from `@renovatebot/pep440` (a port of `packaging`).
 * Specifier evaluation is ours: the library simplifies the exclusive `<`/`>`
 * rules and prefix matching, and bandersnatch always evaluates with
 * `prereleases=True`, so every function here does too.
 *
 * Nothing in this module throws on bad input: an invalid version or specifier
 * gives `null` or `false`. Unlike `packaging`, a version with a number past 2^53
 * (16+ digits) is invalid here: it could not be compared exactly.
 */

import { compare as libCompare, explain as libExplain, type Pep440Version } from "@renovatebot/pep440";

/** A parsed PEP 440 version (`packaging.version.Version` fields). */
export interface Version {
  /** The text that was parsed, as given. */
  text: string;
  /** Normalized form, e.g. `1.0rc1.post2` for `1.0-RC1-2`. */
  normalized: string;
  epoch: number;
  release: number[];
  /** Pre-release `[label, number]` with label `a`, `b` or `rc`; null when absent. */
  pre: [string, number] | null;
  post: number | null;
  dev: number | null;
  /** Local label normalized with `.` separators; null when absent. */
  local: string | null;
  /** Normalized form without the local label. */
  public: string;
  /** `epoch!release`, e.g. `1!2.0` (epoch shown only when not 0). */
  baseVersion: string;
  isPrerelease: boolean;
  isPostrelease: boolean;
  isDevrelease: boolean;
}

/**
 * Parses a PEP 440 version; null when the text is not one.
 *
 * @example parseVersion("1.0-RC1")?.normalized // "1.0rc1"
 */
export function parseVersion(text: string): Version | null {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  let explained: Pep440Version | null;
  try {
    explained = libExplain(trimmed);
  } catch {
    return null;
  }
  if (!explained) return null;
  const pre = explained.pre as unknown as [string, number] | null;
  const post = explained.post as unknown as number | null;
  const dev = explained.dev as unknown as number | null;
  // The library parses numbers into doubles: past 2^53 they lose digits and print as
  // `1e+30`, which it then cannot compare. Such versions are refused as invalid.
  const numbers = [explained.epoch, ...explained.release, pre?.[1], post, dev];
  if (!numbers.every((value) => value === null || value === undefined || Number.isSafeInteger(value))) {
    return null;
  }
  const localNumbers = trimmed.includes("+") ? trimmed.slice(trimmed.indexOf("+") + 1).split(/[-_.]/) : [];
  if (localNumbers.some((part) => /^\d+$/.test(part) && !Number.isSafeInteger(Number(part)))) return null;
  const normalized = explained.local === null ? explained.public : `${explained.public}+${explained.local}`;
  return {
    text,
    normalized,
    epoch: explained.epoch,
    release: explained.release,
    pre: pre ? [pre[0], pre[1]] : null,
    post: post ?? null,
    dev: dev ?? null,
    local: explained.local,
    public: explained.public,
    baseVersion: explained.base_version,
    isPrerelease: explained.is_prerelease,
    isPostrelease: explained.is_postrelease,
    isDevrelease: explained.is_devrelease,
  };
}

/** Whether `text` is a valid PEP 440 version. */
export function isValidVersion(text: string): boolean {
  return parseVersion(text) !== null;
}

/**
 * Whether the version is a pre-release or development release (PEP 440:
 * `a`/`b`/`rc` or `.dev`). False for invalid versions.
 *
 * @example isPrerelease("1.0.dev1") // true
 */
export function isPrerelease(text: string): boolean {
  return parseVersion(text)?.isPrerelease ?? false;
}

/**
 * PEP 440 order: negative, zero or positive. Invalid versions sort before every
 * valid one, and among themselves by plain string order, so sorting never throws.
 *
 * @example compareVersions("1.0rc1", "1.0") // < 0
 */
export function compareVersions(left: string, right: string): number {
  const leftValid = parseVersion(left);
  const rightValid = parseVersion(right);
  if (leftValid && rightValid) return Math.sign(libCompare(leftValid.text.trim(), rightValid.text.trim()));
  if (leftValid) return 1;
  if (rightValid) return -1;
  return left < right ? -1 : left > right ? 1 : 0;
}

/** A copy of `versions` in ascending PEP 440 order (stable; invalid versions first). */
export function sortVersions(versions: readonly string[]): string[] {
  return [...versions].sort(compareVersions);
}

// --- specifiers ---

/** One clause of a specifier set, e.g. `>=1.0` or `!=1.5.*`. */
export interface SpecifierClause {
  operator: "~=" | "==" | "!=" | "<=" | ">=" | "<" | ">" | "===";
  /** Version text after the operator, without a trailing `.*`. */
  version: string;
  /** `==1.5.*` / `!=1.5.*` prefix matching. */
  prefix: boolean;
}

/** A parsed, validated specifier set (comma-separated clauses, all must hold). */
export interface SpecifierSet {
  text: string;
  clauses: SpecifierClause[];
}

const CLAUSE = /^(~=|===|==|!=|<=|>=|<|>)\s*(\S+)$/;

/**
 * Parses a PEP 440 specifier set such as `>=1.4.2,<1.9,!=1.5.*`; the empty
 * string is the set that contains every version. Null when invalid.
 *
 * @example parseSpecifierSet("~=2.2")?.clauses.length // 1
 */
export function parseSpecifierSet(text: string): SpecifierSet | null {
  const trimmed = text.trim();
  if (trimmed === "") return { text: "", clauses: [] };
  const clauses: SpecifierClause[] = [];
  for (const part of trimmed.split(",")) {
    const clause = parseClause(part.trim());
    if (!clause) return null;
    clauses.push(clause);
  }
  return { text: trimmed, clauses };
}

function parseClause(text: string): SpecifierClause | null {
  const match = CLAUSE.exec(text);
  if (!match) return null;
  const operator = match[1] as SpecifierClause["operator"];
  let versionText = match[2]!;
  // PEP 440 arbitrary equality: any string, compared as text.
  if (operator === "===") return { operator, version: versionText, prefix: false };
  const prefix = versionText.endsWith(".*");
  if (prefix) {
    if (operator !== "==" && operator !== "!=") return null;
    versionText = versionText.slice(0, -2);
  }
  const version = parseVersion(versionText);
  if (!version) return null;
  if (prefix && (version.dev !== null || version.local !== null)) return null;
  if (operator === "~=" && version.release.length < 2) return null;
  // PEP 440: local labels only with == and != (no prefix).
  if (version.local !== null && operator !== "==" && operator !== "!=") return null;
  return { operator, version: versionText, prefix };
}

/**
 * Whether `version` is in `specifier` (a `SpecifierSet` or its text), with
 * pre-releases allowed, as bandersnatch sets `specifier.prereleases = True`.
 * False for an invalid version or specifier; `===` compares text, so it also
 * accepts non-PEP 440 versions.
 *
 * @example satisfies("1.5.3", ">=1.4.2,<1.9,!=1.5.*") // false
 */
export function satisfies(version: string, specifier: string | SpecifierSet): boolean {
  const set = typeof specifier === "string" ? parseSpecifierSet(specifier) : specifier;
  if (!set) return false;
  const candidate = parseVersion(version);
  return set.clauses.every((clause) =>
    clause.operator === "==="
      ? arbitraryEqual(version, clause)
      : candidate !== null && contains(clause, candidate),
  );
}

function arbitraryEqual(version: string, clause: SpecifierClause): boolean {
  return version.trim().toLowerCase() === clause.version.toLowerCase();
}

function contains(clause: SpecifierClause, candidate: Version): boolean {
  const spec = parseVersion(clause.version)!;
  switch (clause.operator) {
    case "~=":
      return compatible(spec, candidate);
    case "==":
      return clause.prefix ? prefixMatch(spec, candidate) : equalTo(spec, candidate);
    case "!=":
      return clause.prefix ? !prefixMatch(spec, candidate) : !equalTo(spec, candidate);
    case "<=":
      return libCompare(candidate.public, spec.normalized) <= 0;
    case ">=":
      return libCompare(candidate.public, spec.normalized) >= 0;
    case "<":
      return lessThan(spec, candidate);
    case ">":
      return greaterThan(spec, candidate);
    default:
      return false;
  }
}

/** `~=V.N` means `>=V.N, ==V.*` (PEP 440 compatible release). */
function compatible(spec: Version, candidate: Version): boolean {
  if (libCompare(candidate.public, spec.normalized) < 0) return false;
  const stem = spec.release.slice(0, -1).join(".");
  const prefixText = spec.epoch !== 0 ? `${spec.epoch}!${stem}` : stem;
  return prefixMatch(parseVersion(prefixText)!, candidate);
}

/** `==V` without a local label ignores the candidate's local label (PEP 440). */
function equalTo(spec: Version, candidate: Version): boolean {
  const candidateText = spec.local === null ? candidate.public : candidate.normalized;
  return libCompare(candidateText, spec.normalized) === 0;
}

/**
 * PEP 440 prefix matching (`packaging`'s algorithm): pad the candidate's release with
 * zeros to the spec's length, cut it to the spec's length, compare part by part.
 */
function prefixMatch(spec: Version, candidate: Version): boolean {
  const specParts = splitForPrefix(spec.public);
  const candidateParts = splitForPrefix(candidate.public);
  const specRelease = countReleaseParts(specParts);
  const candidateRelease = countReleaseParts(candidateParts);
  const padded = [
    ...candidateParts.slice(0, candidateRelease),
    ...Array<string>(Math.max(0, specRelease - candidateRelease)).fill("0"),
    ...candidateParts.slice(candidateRelease),
  ];
  return specParts.every((part, index) => padded[index] === part);
}

/** `packaging.specifiers._version_split` on a normalized public version: epoch, release parts, the rest. */
function splitForPrefix(normalizedPublic: string): string[] {
  const bang = normalizedPublic.lastIndexOf("!");
  const epoch = bang >= 0 ? normalizedPublic.slice(0, bang) : "0";
  const rest = bang >= 0 ? normalizedPublic.slice(bang + 1) : normalizedPublic;
  const parts = [epoch];
  for (const item of rest.split(".")) {
    const preMatch = /^([0-9]+)((?:a|b|c|rc)[0-9]+)$/.exec(item);
    if (preMatch) parts.push(preMatch[1]!, preMatch[2]!);
    else parts.push(item);
  }
  return parts;
}

/** Number of leading parts (epoch included) that are plain numbers. */
function countReleaseParts(parts: string[]): number {
  let count = 0;
  while (count < parts.length && /^[0-9]+$/.test(parts[count]!)) count++;
  return count;
}

/** PEP 440 exclusive `<V`: no pre-release of V itself unless V is a pre-release. */
function lessThan(spec: Version, candidate: Version): boolean {
  if (libCompare(candidate.normalized, spec.normalized) >= 0) return false;
  if (!spec.isPrerelease && candidate.isPrerelease && sameBase(spec, candidate)) return false;
  return true;
}

/** PEP 440 exclusive `>V`: no post-release of V unless V is one, and no local version of V. */
function greaterThan(spec: Version, candidate: Version): boolean {
  if (libCompare(candidate.normalized, spec.normalized) <= 0) return false;
  if (!spec.isPostrelease && candidate.isPostrelease && sameBase(spec, candidate)) return false;
  if (candidate.local !== null && sameBase(spec, candidate)) return false;
  return true;
}

function sameBase(spec: Version, candidate: Version): boolean {
  return libCompare(candidate.baseVersion, spec.baseVersion) === 0;
}
