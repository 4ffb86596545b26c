/**
 * An INI reader with Python `configparser` semantics, configured exactly as
 * bandersnatch configures it: `ConfigParser(delimiters="=")` — BasicInterpolation,
 * full-line `#`/`;` comments only, no inline comment stripping, strict duplicates,
 * empty lines kept inside values, `[DEFAULT]` inheritance, case-sensitive names.
 *
 * The reader is byte-faithful to configparser: anything it accepts, configparser
 * accepts with the same sections, options and values (test/config/corpus checks
 * this against Python itself). Friendlier checks (inline comments, unknown
 * options) belong to `options.ts`, not here.
 */

import { ConfigError } from "../errors.ts";
import type { IniDocument } from "./types.ts";

/** configparser's `default_section`: its keys are inherited by every section. */
export const DEFAULT_SECTION = "DEFAULT";

/** Python's `configparser.MAX_INTERPOLATION_DEPTH`. */
export const MAX_INTERPOLATION_DEPTH = 10;

export interface ParseIniOptions {
  /**
   * Values for `%(name)s` references that neither the section nor `[DEFAULT]`
   * defines. They are inserted literally, are not options (no `get`, not listed),
   * and so change nothing for a file that does not reference them — such a file
   * would be an interpolation error in Python.
   */
  interpolationFallbacks?: Readonly<Record<string, string>>;
}

interface OptionEntry {
  name: string;
  /** Stripped value lines; joined and right-stripped once the file is read. */
  lines: string[];
  value: string;
  line: number;
}

interface SectionEntry {
  name: string;
  options: Map<string, OptionEntry>;
}

// Python's str.isspace() set, which str.strip() and `\s` in `re` use (differs from JS's).
const PY_WHITESPACE =
  "\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const LEADING_WHITESPACE = new RegExp(`^[${PY_WHITESPACE}]+`);
const TRAILING_WHITESPACE = new RegExp(`[${PY_WHITESPACE}]+$`);
const NON_WHITESPACE = new RegExp(`[^${PY_WHITESPACE}]`);
// configparser's SECTCRE, applied with re.match (a prefix match): `[a] x` is section `a`.
const SECTION_HEADER = /^\[(.+)\]/s;
// BasicInterpolation's _KEYCRE.
const INTERPOLATION_REFERENCE = /^%\(([^)]+)\)s/;

/** Python's `str.strip()`. */
export function pyStrip(text: string): string {
  return pyRstrip(text.replace(LEADING_WHITESPACE, ""));
}

/** Python's `str.rstrip()`. */
export function pyRstrip(text: string): string {
  return text.replace(TRAILING_WHITESPACE, "");
}

/** Whether `char` is whitespace to Python (`str.isspace()`). */
export function isPyWhitespace(char: string): boolean {
  return char !== "" && !NON_WHITESPACE.test(char);
}

/** Lines as Python's universal-newline text reading yields them (`\n`, `\r\n`, `\r`). */
function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** configparser's comment_prefixes test: the stripped line starts with `#` or `;`. */
function isComment(strippedLine: string): boolean {
  return strippedLine.startsWith("#") || strippedLine.startsWith(";");
}

/** Index of the first non-whitespace character (configparser's NONSPACECRE). */
function indentOf(line: string): number {
  const match = NON_WHITESPACE.exec(line);
  return match ? match.index : 0;
}

function sectionHeaderName(strippedLine: string): string | undefined {
  return SECTION_HEADER.exec(strippedLine)?.[1];
}

function describeSection(name: string): string {
  return `[${name}]`;
}

/** A value quoted for a one-line message. */
export function quoteForMessage(value: string): string {
  const escaped = value
    .replace(/\\/g, "\\\\")
    .replace(/'/g, "\\'")
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(/\t/g, "\\t");
  return `'${escaped}'`;
}

class ParsedIni implements IniDocument {
  readonly fileName: string;
  readonly #sections: Map<string, SectionEntry>;
  readonly #defaults: SectionEntry;
  readonly #fallbacks: Readonly<Record<string, string>>;

  constructor(
    fileName: string,
    sections: Map<string, SectionEntry>,
    defaults: SectionEntry,
    fallbacks: Readonly<Record<string, string>>,
  ) {
    this.fileName = fileName;
    this.#sections = sections;
    this.#defaults = defaults;
    this.#fallbacks = fallbacks;
  }

  sectionNames(): string[] {
    return [...this.#sections.keys()];
  }

  hasSection(section: string): boolean {
    return this.#sections.has(section);
  }

  optionNames(section: string): string[] {
    const defaultNames = [...this.#defaults.options.keys()];
    if (section === DEFAULT_SECTION) return defaultNames;
    const own = this.#sections.get(section);
    if (!own) return [];
    const names = [...own.options.keys()];
    for (const name of defaultNames) if (!own.options.has(name)) names.push(name);
    return names;
  }

  ownOptionNames(section: string): string[] {
    const entry = section === DEFAULT_SECTION ? this.#defaults : this.#sections.get(section);
    return entry ? [...entry.options.keys()] : [];
  }

  get(section: string, option: string): string | undefined {
    const entry = this.#lookup(section, option);
    if (!entry) return undefined;
    const parts: string[] = [];
    this.#interpolate(section, option, entry.value, parts, 1);
    return parts.join("");
  }

  lineOf(section: string, option: string): number | undefined {
    return this.#lookup(section, option)?.line;
  }

  /** The value as written (multi-line joined), before interpolation. */
  raw(section: string, option: string): string | undefined {
    return this.#lookup(section, option)?.value;
  }

  /** The raw option entry: the section's own, else `[DEFAULT]`'s (configparser's lookup chain). */
  #lookup(section: string, option: string): OptionEntry | undefined {
    if (section !== DEFAULT_SECTION) {
      const own = this.#sections.get(section);
      if (!own) return undefined;
      const entry = own.options.get(option);
      if (entry) return entry;
    }
    return this.#defaults.options.get(option);
  }

  /** BasicInterpolation._interpolate_some: references resolve in the *requested* section at every depth. */
  #interpolate(section: string, option: string, text: string, parts: string[], depth: number): void {
    if (depth > MAX_INTERPOLATION_DEPTH) {
      throw this.#interpolationError(
        section,
        option,
        `references nest deeper than ${MAX_INTERPOLATION_DEPTH} levels (a reference loop?)`,
      );
    }
    let rest = text;
    while (rest !== "") {
      const percent = rest.indexOf("%");
      if (percent < 0) {
        parts.push(rest);
        return;
      }
      if (percent > 0) {
        parts.push(rest.slice(0, percent));
        rest = rest.slice(percent);
      }
      const next = rest.charAt(1);
      if (next === "%") {
        parts.push("%");
        rest = rest.slice(2);
      } else if (next === "(") {
        const match = INTERPOLATION_REFERENCE.exec(rest);
        if (!match) {
          throw this.#interpolationError(
            section,
            option,
            `bad reference ${quoteForMessage(rest)} (expected %(name)s; write %% for a literal %)`,
          );
        }
        const name = match[1]!;
        rest = rest.slice(match[0].length);
        const referenced = this.#lookup(section, name);
        if (referenced) {
          if (referenced.value.includes("%")) {
            this.#interpolate(section, option, referenced.value, parts, depth + 1);
          } else {
            parts.push(referenced.value);
          }
        } else if (Object.hasOwn(this.#fallbacks, name)) {
          parts.push(this.#fallbacks[name]!);
        } else {
          const where =
            section === DEFAULT_SECTION ? "[DEFAULT]" : `${describeSection(section)} or [DEFAULT]`;
          throw this.#interpolationError(section, option, `'%(${name})s' names no option of ${where}`);
        }
      } else {
        throw this.#interpolationError(
          section,
          option,
          `'%' must be followed by '%' or '(', found ${quoteForMessage(rest)} (write %% for a literal %)`,
        );
      }
    }
  }

  #interpolationError(section: string, option: string, problem: string): ConfigError {
    const line = this.lineOf(section, option);
    const where = line === undefined ? this.fileName : `line ${line} of ${this.fileName}`;
    return new ConfigError(
      `Bad interpolation in ${describeSection(section)} ${option} at ${where}: ${problem}`,
    );
  }
}

/**
 * The value of an option as written, before `%` interpolation (configparser's
 * `get(..., raw=True)`), for documents made by `parseIni`; `undefined` otherwise.
 */
export function rawValue(ini: IniDocument, section: string, option: string): string | undefined {
  return ini instanceof ParsedIni ? ini.raw(section, option) : undefined;
}

/**
 * Parses INI text the way bandersnatch's `ConfigParser(delimiters="=")` reads a file.
 *
 * - `[section]` headers; `name = value` options (only `=` separates, so `a: b = 1`
 *   defines option `a: b`); names are case-sensitive.
 * - Continuation lines indented deeper than their key line extend the value; blank
 *   lines inside are kept, trailing ones dropped; full-line `#`/`;` comments are
 *   dropped everywhere, even inside values. Inline comments stay in the value.
 * - `[DEFAULT]` keys are inherited by every section; `%(name)s` and `%%` are
 *   expanded when a value is read (`get`), not here.
 * - A leading UTF-8 BOM is ignored (configparser would reject it); CRLF and CR
 *   line ends are accepted, as Python's universal newlines do.
 *
 * @throws {ConfigError} on a duplicate section or option, a line before any section
 *   header, a line without `=`, or an empty option name; the message names the line.
 * @example
 * const ini = parseIni("[mirror]\nroot = /srv\ndirectory = %(root)s/pypi\n", "bunsnatch.conf");
 * ini.get("mirror", "directory"); // "/srv/pypi"
 */
export function parseIni(text: string, fileName: string, options: ParseIniOptions = {}): IniDocument {
  const sections = new Map<string, SectionEntry>();
  const defaults: SectionEntry = { name: DEFAULT_SECTION, options: new Map() };
  let currentSection: SectionEntry | undefined;
  let currentOption: OptionEntry | undefined;
  let indentLevel = 0;

  const lines = splitLines(stripBom(text));
  for (const [index, line] of lines.entries()) {
    const lineNumber = index + 1;
    const stripped = pyStrip(line);
    const at = `at line ${lineNumber} of ${fileName}`;

    if (stripped === "" || isComment(stripped)) {
      // empty_lines_in_values=True: a blank (not comment) line belongs to the open value.
      if (stripped === "" && currentOption) currentOption.lines.push("");
      continue;
    }

    const indent = indentOf(line);
    if (currentOption && indent > indentLevel) {
      currentOption.lines.push(stripped);
      continue;
    }
    indentLevel = indent;

    const headerName = sectionHeaderName(stripped);
    if (headerName !== undefined) {
      if (headerName === DEFAULT_SECTION) {
        // configparser allows [DEFAULT] to be reopened; its options stay strict.
        currentSection = defaults;
      } else if (sections.has(headerName)) {
        throw new ConfigError(`Duplicate section ${describeSection(headerName)} ${at}`);
      } else {
        currentSection = { name: headerName, options: new Map() };
        sections.set(headerName, currentSection);
      }
      currentOption = undefined;
      continue;
    }

    if (!currentSection) {
      throw new ConfigError(
        `Expected a [section] header before ${quoteForMessage(stripped)} ${at} (options must follow a section header)`,
      );
    }

    const delimiter = stripped.indexOf("=");
    if (delimiter < 0) {
      const hint = stripped.includes(":") ? " (only '=' separates a name from its value, not ':')" : "";
      throw new ConfigError(`Expected 'name = value', found ${quoteForMessage(stripped)} ${at}${hint}`);
    }
    const name = pyRstrip(stripped.slice(0, delimiter));
    if (name === "") {
      throw new ConfigError(`Empty option name in ${quoteForMessage(stripped)} ${at}`);
    }
    if (currentSection.options.has(name)) {
      throw new ConfigError(
        `Duplicate option '${name}' in section ${describeSection(currentSection.name)} ${at}`,
      );
    }
    currentOption = { name, lines: [pyStrip(stripped.slice(delimiter + 1))], value: "", line: lineNumber };
    currentSection.options.set(name, currentOption);
  }

  for (const section of [defaults, ...sections.values()]) {
    for (const option of section.options.values()) option.value = joinValueLines(option.lines);
  }
  return new ParsedIni(fileName, sections, defaults, options.interpolationFallbacks ?? {});
}

/** configparser's _join_multiline_values: `"\n".join(lines).rstrip()`. */
function joinValueLines(lines: string[]): string {
  return pyRstrip(lines.join("\n"));
}
