/**
 * The regex metadata rules shared by `regex_project_metadata` and
 * `regex_release_file_metadata`: each key of the section is `tags:dotted.path`,
 * its value a list of Python regexes (`re.match`); every key must pass (AND).
 *
 * Tags: `any` (default: some pattern matches some value), `all` (every pattern
 * matches some value), `none` (no pattern matches any value); `match-null`
 * (default: a missing/empty node passes) or `not-null` (it fails).
 *
 * Two bandersnatch quirks fixed: keys inherited from `[DEFAULT]` are not rules
 * (we read only the section's own keys), and `none` honours an explicit
 * `match-null` (bandersnatch ignored the null tags under `none`: an empty node
 * always failed; without a null tag we keep that, so existing configs agree).
 */

import { configError, rawListLines } from "../config.ts";
import type { LoaderContext } from "../loader-context.ts";
import { type MetadataKey, nodeAtPath, nodeValues, parseMetadataKey } from "../metadata-keys.ts";
import { compilePythonRegex, type PythonMatcher, PythonRegexError } from "../python-regex.ts";

export interface RegexRule {
  key: MetadataKey;
  patterns: PythonMatcher[];
}

/**
 * The rules of an enabled plugin's section, or null (with a warning) when the section
 * holds none, so the plugin does nothing.
 */
export function readEnabledRegexRules(loader: LoaderContext, section: string): RegexRule[] | null {
  const rules = readRegexRules(loader, section);
  if (rules.length > 0) return rules;
  loader.warnings.push(
    `${loader.ini.fileName}: ${section} is enabled but [${section}] has no rule; it does nothing`,
  );
  return null;
}

/** Reads the section's own keys as rules; ConfigError for a bad regex. */
export function readRegexRules(loader: LoaderContext, section: string): RegexRule[] {
  const { ini } = loader;
  if (!ini.hasSection(section)) return [];
  return ini.ownOptionNames(section).map((option) => ({
    key: parseMetadataKey(ini, section, option, loader.warnings),
    patterns: rawListLines(ini.get(section, option)).map((pattern) => {
      try {
        return compilePythonRegex(pattern);
      } catch (error) {
        if (error instanceof PythonRegexError) throw configError(ini, section, option, error.message);
        throw error;
      }
    }),
  }));
}

/** Whether `document` passes one rule. */
export function passesRegexRule(rule: RegexRule, document: unknown): boolean {
  const values = nodeValues(nodeAtPath(document, rule.key.path));
  if (values.length === 0) {
    if (rule.key.mode === "none") return rule.key.nullTag === "match-null";
    return rule.key.nullTag !== "not-null";
  }
  const matchesSome = (pattern: PythonMatcher) => values.some((value) => pattern.match(value));
  switch (rule.key.mode) {
    case "all":
      return rule.patterns.every(matchesSome);
    case "none":
      return !rule.patterns.some(matchesSome);
    default:
      return rule.patterns.some(matchesSome);
  }
}

/** A canonical description of the rules, for the fingerprint. */
export function describeRegexRules(rules: readonly RegexRule[]): unknown {
  return rules
    .map((rule) => ({
      path: rule.key.path.join("."),
      mode: rule.key.mode,
      nullTag: rule.key.nullTag,
      patterns: rule.patterns.map((pattern) => pattern.source),
    }))
    .sort((left, right) => JSON.stringify(left).localeCompare(JSON.stringify(right)));
}

/** Whether any rule reads a part of the document other than `release` / `release_file`. */
export function rulesNeedInfo(paths: readonly string[][]): boolean {
  return paths.some((path) => path[0] !== "release" && path[0] !== "release_file");
}
