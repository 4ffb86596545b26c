/**
 * Reading filter options out of the INI document: list values, comments,
 * numbers and booleans, and the `ConfigError` that names where a bad value is.
 */

import type { IniDocument } from "../config/types.ts";
import { parseBoolean, parseWholeNumber } from "../config/values.ts";
import { ConfigError } from "../errors.ts";
import { compilePythonRegex, type PythonMatcher, PythonRegexError } from "./python-regex.ts";

/**
 * A `ConfigError` whose one-line message names the file, line, section, option
 * and (when given) the offending value.
 *
 * @example configError(ini, "latest_release", "keep", "expected a whole number", "x")
 *   // bandersnatch.conf:12: [latest_release] keep = "x": expected a whole number
 */
export function configError(
  ini: IniDocument,
  section: string,
  option: string,
  reason: string,
  value?: string,
): ConfigError {
  const line = ini.lineOf(section, option);
  const where = line === undefined ? ini.fileName : `${ini.fileName}:${line}`;
  const shown = value === undefined ? "" : ` = ${JSON.stringify(value)}`;
  return new ConfigError(`${where}: [${section}] ${option}${shown}: ${reason}`);
}

/** The prefix used for warnings about one option: `file:line: [section] option`. */
export function optionLabel(ini: IniDocument, section: string, option: string): string {
  const line = ini.lineOf(section, option);
  const where = line === undefined ? ini.fileName : `${ini.fileName}:${line}`;
  return `${where}: [${section}] ${option}`;
}

/** The option's value when the section has it (DEFAULT inheritance included, as configparser does). */
export function readOption(ini: IniDocument, section: string, option: string): string | undefined {
  if (!ini.hasSection(section)) return undefined;
  return ini.get(section, option);
}

/** Removes an inline `#` comment: everything from the first `#` on (bandersnatch's allowlist rule). */
export function stripInlineComment(line: string): string {
  const hash = line.indexOf("#");
  return (hash >= 0 ? line.slice(0, hash) : line).trim();
}

/** pip's comment rule for requirements files: `#` at the start or after whitespace (keeps `#egg=` in URLs). */
export function stripPipComment(line: string): string {
  return line.replace(/(^|\s+)#.*$/, "").trim();
}

/**
 * The lines of a multi-line list value with blank lines and comments (full-line and
 * inline `#`) removed, each trimmed.
 *
 * @example listLines("\nfoo==1.0  # pinned\n# bar\n") // ["foo==1.0"]
 */
export function listLines(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split("\n")
    .map(stripInlineComment)
    .filter((line) => line !== "");
}

/** The lines of a list whose entries may contain `#` (regular expressions): only blank lines are dropped. */
export function rawListLines(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

/** Whitespace- and comma-separated words of a list value, comments removed. */
export function listWords(value: string | undefined): string[] {
  return listLines(value).flatMap((line) => line.split(/[\s,]+/).filter((word) => word !== ""));
}

/** configparser `getboolean`: `1/yes/true/on`, `0/no/false/off`, any case. Throws `ConfigError`. */
export function parseBooleanOption(
  ini: IniDocument,
  section: string,
  option: string,
  value: string,
): boolean {
  const parsed = parseBoolean(value.trim());
  if (parsed === undefined)
    throw configError(ini, section, option, "expected true or false (yes/no, on/off, 1/0)", value);
  return parsed;
}

/** A whole number ≥ 0 (configparser `getint`, negatives refused). Throws `ConfigError`. */
export function parseCountOption(ini: IniDocument, section: string, option: string, value: string): number {
  const parsed = parseWholeNumber(value);
  if (parsed === undefined || parsed < 0)
    throw configError(ini, section, option, "expected a whole number ≥ 0", value);
  return parsed;
}

/** Compiles the patterns of a list option; ConfigError naming the bad one. */
export function compilePatternList(ini: IniDocument, section: string, option: string): PythonMatcher[] {
  return rawListLines(readOption(ini, section, option)).map((pattern) => {
    try {
      return compilePythonRegex(pattern);
    } catch (error) {
      if (error instanceof PythonRegexError) throw configError(ini, section, option, error.message);
      throw error;
    }
  });
}
