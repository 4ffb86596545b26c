/**
 * PEP 508 requirement lines as the allowlist/blocklist plugins use them: a project
 * name (normalized for every comparison), optional extras, and a version
 * specifier or URL; environment markers are accepted and ignored, as bandersnatch
 * ignores them.
 */

import { normalizeName } from "../packaging/names.ts";
import { isValidVersion, parseSpecifierSet, type SpecifierSet, satisfies } from "../packaging/version.ts";

export interface Requirement {
  /** The line as written (comments removed). */
  text: string;
  /** Project name as written. */
  name: string;
  /** PEP 503 normalized name, used on both sides of every comparison. */
  normalizedName: string;
  extras: string[];
  /** Empty `clauses` means every version. */
  specifier: SpecifierSet;
  /** `name @ url` requirements; null otherwise. */
  url: string | null;
  marker: string | null;
}

/** A requirement line that is not PEP 508. */
export class RequirementSyntaxError extends Error {
  constructor(line: string, reason: string) {
    super(`invalid requirement ${JSON.stringify(line)}: ${reason}`);
    this.name = "RequirementSyntaxError";
  }
}

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/;
const EXTRA = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/**
 * Parses one PEP 508 requirement (no comment, no pip options).
 * Throws `RequirementSyntaxError` naming the fault.
 *
 * @example parseRequirement("Example2 >=1.4.2,<1.9,!=1.5.*").normalizedName // "example2"
 */
export function parseRequirement(line: string): Requirement {
  const text = line.trim();
  const nameMatch = NAME.exec(text);
  if (!nameMatch) throw new RequirementSyntaxError(text, "expected a project name");
  const name = nameMatch[0];
  let rest = text.slice(name.length).trimStart();

  let extras: string[] = [];
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0) throw new RequirementSyntaxError(text, "unclosed [extras]");
    extras = rest
      .slice(1, close)
      .split(",")
      .map((extra) => extra.trim())
      .filter((extra) => extra !== "");
    if (extras.some((extra) => !EXTRA.test(extra))) throw new RequirementSyntaxError(text, "bad extra name");
    rest = rest.slice(close + 1).trimStart();
  }

  let url: string | null = null;
  let specifierText = "";
  let marker: string | null = null;
  if (rest.startsWith("@")) {
    const markerAt = rest.search(/\s;/);
    url = (markerAt >= 0 ? rest.slice(1, markerAt) : rest.slice(1)).trim();
    if (url === "" || /\s/.test(url)) throw new RequirementSyntaxError(text, "bad URL after @");
    if (markerAt >= 0) marker = rest.slice(markerAt).trim().slice(1).trim();
  } else {
    const semicolon = rest.indexOf(";");
    specifierText = (semicolon >= 0 ? rest.slice(0, semicolon) : rest).trim();
    if (semicolon >= 0) marker = rest.slice(semicolon + 1).trim();
    if (specifierText.startsWith("(")) {
      if (!specifierText.endsWith(")")) throw new RequirementSyntaxError(text, "unclosed (");
      specifierText = specifierText.slice(1, -1).trim();
    }
  }
  if (marker === "") throw new RequirementSyntaxError(text, "empty environment marker after ;");
  const specifier = parseSpecifierSet(specifierText);
  if (!specifier)
    throw new RequirementSyntaxError(text, `bad version specifier ${JSON.stringify(specifierText)}`);
  return { text, name, normalizedName: normalizeName(name), extras, specifier, url, marker };
}

/** Requirements grouped by normalized project name. */
export type RequirementIndex = Map<string, Requirement[]>;

/** Groups requirements by normalized name. */
export function indexRequirements(requirements: readonly Requirement[]): RequirementIndex {
  const index: RequirementIndex = new Map();
  for (const requirement of requirements) {
    const list = index.get(requirement.normalizedName) ?? [];
    list.push(requirement);
    index.set(requirement.normalizedName, list);
  }
  return index;
}

/**
 * Whether some requirement for the project contains `version` (pre-releases allowed).
 * Invalid versions are contained in nothing, as `packaging.Version` refuses them.
 */
export function anyRequirementContains(requirements: readonly Requirement[], version: string): boolean {
  if (!isValidVersion(version)) return false;
  return requirements.some((requirement) => satisfies(version, requirement.specifier));
}

/** A canonical, order-free description of requirements, for fingerprints. */
export function describeRequirements(requirements: readonly Requirement[]): string[] {
  const described = requirements.map((requirement) => {
    const clauses = requirement.specifier.clauses
      .map((clause) => `${clause.operator}${clause.version}${clause.prefix ? ".*" : ""}`)
      .sort()
      .join(",");
    return requirement.url === null
      ? `${requirement.normalizedName}${clauses}`
      : `${requirement.normalizedName}@`;
  });
  return [...new Set(described)].sort();
}
