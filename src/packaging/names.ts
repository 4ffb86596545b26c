/**
 * Project name normalization.
 */

const SEPARATOR_RUNS = /[-_.]+/g;

/**
 * PEP 503 normalized form of a project name: runs of `-`, `_`, `.` become one `-`, lower case.
 *
 * @example normalizeName("Foo.bar-thing_other") // "foo-bar-thing-other"
 */
export function normalizeName(name: string): string {
  return name.replace(SEPARATOR_RUNS, "-").toLowerCase();
}

const LEGACY_UNSAFE = /[^A-Za-z0-9.]+/g;

/**
 * bandersnatch's `sync` argument handling: the pkg_resources "safe name" (keeps dots),
 * then PEP 503 normalization. The result equals `normalizeName` for every valid name.
 */
export function safeName(name: string): string {
  return normalizeName(name.replace(LEGACY_UNSAFE, "-").toLowerCase());
}

/** PEP 508 project name grammar: ASCII letters/digits, with `.`, `_`, `-` only between them. */
const VALID_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;

/** Longest project name we accept; PyPI's own limit is far lower. */
export const MAX_NAME_LENGTH = 200;

/** Whether `name` is a valid PEP 508 project name of sane length. */
export function isValidProjectName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && VALID_NAME.test(name);
}

/**
 * Why `name` is refused as a project name (one phrase, for a log line), or null
 * when it is a valid PEP 508 name of sane length. Names reach paths under
 * `web/simple/`, so anything else (`..`, `/`, NUL, markup...) is refused.
 *
 * @example projectNameProblem("../../etc") // "not a PEP 508 project name (...)"
 * @example projectNameProblem("requests") // null
 */
export function projectNameProblem(name: string): string | null {
  if (isValidProjectName(name)) return null;
  if (name.length > MAX_NAME_LENGTH) return `longer than ${MAX_NAME_LENGTH} characters`;
  return "not a PEP 508 project name (ASCII letters and digits, with . _ - only between them)";
}
