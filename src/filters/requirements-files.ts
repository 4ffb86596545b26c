/**
 * `[allowlist] requirements_path` / `requirements`: the requirements files read by
 * `project_requirements` and `project_requirements_pinned`.
 *
 * Compared with bandersnatch: a glob keeps the matched file's path below
 * `requirements_path` (bandersnatch kept only its base name); a missing file or a
 * bad line is a `ConfigError` naming the file and line (bandersnatch crashed with a
 * traceback); hash-pinned files (`\` continuations, `--hash=`) and `#egg=` URL
 * lines work; other URL-only lines are skipped with a warning.
 */

import { readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import type { IniDocument } from "../config/types.ts";
import { ConfigError } from "../errors.ts";
import { configError, listLines, optionLabel, readOption, stripPipComment } from "./config.ts";
import { parseRequirement, type Requirement, RequirementSyntaxError } from "./requirements.ts";

export interface RequirementFiles {
  /** Resolved `requirements_path`. */
  directory: string;
  /** The files read, in order, with what each contributed. */
  files: { path: string; requirements: Requirement[] }[];
  /** All requirements of all files. */
  requirements: Requirement[];
  warnings: string[];
}

/**
 * Reads the requirements files named in `[allowlist]`. A relative
 * `requirements_path` (and its default, like bandersnatch's `Path()`) is taken
 * from `baseDir`. Throws `ConfigError` for an unreadable file or a bad line.
 */
export function loadRequirementFiles(ini: IniDocument, baseDir: string): RequirementFiles {
  const pathValue = readOption(ini, "allowlist", "requirements_path")?.trim();
  const directory = resolve(baseDir, pathValue ? pathValue : ".");
  const warnings: string[] = [];
  const files: RequirementFiles["files"] = [];
  for (const entry of listLines(readOption(ini, "allowlist", "requirements"))) {
    for (const path of expandEntry(ini, directory, entry, warnings)) {
      files.push({ path, requirements: readRequirementFile(path, ini, warnings) });
    }
  }
  return { directory, files, requirements: files.flatMap((file) => file.requirements), warnings };
}

/** A list entry is a file name, or a glob when it contains `*` (bandersnatch's rule). */
function expandEntry(ini: IniDocument, directory: string, entry: string, warnings: string[]): string[] {
  if (!entry.includes("*")) return [isAbsolute(entry) ? entry : join(directory, entry)];
  let matches: string[];
  try {
    matches = [...new Bun.Glob(entry).scanSync({ cwd: directory, onlyFiles: true })].sort();
  } catch (error) {
    throw configError(ini, "allowlist", "requirements", `cannot list ${directory}: ${String(error)}`, entry);
  }
  if (matches.length === 0) {
    warnings.push(
      `${optionLabel(ini, "allowlist", "requirements")}: ${entry} matches no file in ${directory}`,
    );
  }
  return matches.map((match) => join(directory, match));
}

function readRequirementFile(path: string, ini: IniDocument, warnings: string[]): Requirement[] {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as { code?: string }).code ?? String(error);
    throw configError(ini, "allowlist", "requirements", `cannot read requirements file ${path} (${code})`);
  }
  const text = decodeRequirementFile(bytes, path);
  return parseRequirementFileText(text, path, warnings);
}

/**
 * Parses the text of a pip requirements file into requirements. Skips blank lines,
 * comments and pip options; joins `\` continuations; drops per-requirement options
 * (`--hash=...`). Throws `ConfigError` naming `path:line` for a bad requirement.
 */
export function parseRequirementFileText(text: string, path: string, warnings: string[]): Requirement[] {
  const requirements: Requirement[] = [];
  for (const { lineNumber, line } of logicalLines(text)) {
    const content = stripPipComment(line);
    if (content === "") continue;
    if (content.startsWith("-")) {
      if (/^(-r|--requirement|-c|--constraint)\b/.test(content)) {
        warnings.push(
          `${path}:${lineNumber}: ${content}: nested requirement files are not followed (as in bandersnatch); list the file in [allowlist] requirements`,
        );
      }
      continue;
    }
    const requirementText = content.replace(/\s--[A-Za-z].*$/, "").trim();
    if (looksLikeUrlOrPath(requirementText)) {
      const eggName = /#egg=([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(requirementText)?.[1];
      if (eggName) {
        requirements.push(parseRequirement(eggName.replace(/[-_.]+$/, "")));
      } else {
        warnings.push(`${path}:${lineNumber}: ${requirementText}: URL or path without #egg=<name>, skipped`);
      }
      continue;
    }
    try {
      requirements.push(parseRequirement(requirementText));
    } catch (error) {
      if (error instanceof RequirementSyntaxError) {
        throw new ConfigError(`${path}:${lineNumber}: ${error.message}`);
      }
      throw error;
    }
  }
  return requirements;
}

/** Physical lines joined at trailing backslashes (pip), each with its first line number. */
function logicalLines(text: string): { lineNumber: number; line: string }[] {
  const result: { lineNumber: number; line: string }[] = [];
  const physical = text.split(/\r?\n|\r/);
  let pending: { lineNumber: number; line: string } | null = null;
  physical.forEach((raw, index) => {
    const continued = /\\$/.test(raw);
    const piece = continued ? raw.slice(0, -1) : raw;
    if (pending) pending.line += ` ${piece}`;
    else pending = { lineNumber: index + 1, line: piece };
    if (!continued) {
      result.push(pending);
      pending = null;
    }
  });
  if (pending) result.push(pending);
  return result;
}

function looksLikeUrlOrPath(text: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text) || /^(\.|\/|~)/.test(text);
}

const BOMS: { bytes: number[]; encoding: string }[] = [
  { bytes: [0x00, 0x00, 0xfe, 0xff], encoding: "utf-32be" },
  { bytes: [0xff, 0xfe, 0x00, 0x00], encoding: "utf-32le" },
  { bytes: [0xef, 0xbb, 0xbf], encoding: "utf-8" },
  { bytes: [0xfe, 0xff], encoding: "utf-16be" },
  { bytes: [0xff, 0xfe], encoding: "utf-16le" },
];

const CODING_LINE = /coding[:=]\s*([-\w.]+)/;

/**
 * bandersnatch's `auto_decode`: a byte-order mark, else a PEP 263 `coding:` comment
 * in the first two lines, else UTF-8 (the locale encoding bandersnatch falls back
 * to, under the usual UTF-8 locale). Throws `ConfigError` for undecodable bytes.
 */
export function decodeRequirementFile(bytes: Uint8Array, path: string): string {
  for (const bom of BOMS) {
    if (bom.bytes.every((byte, index) => bytes[index] === byte)) {
      return decodeWith(bom.encoding, bytes.subarray(bom.bytes.length), path);
    }
  }
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 4096)).split("\n").slice(0, 2);
  for (const line of head) {
    const coding = line.startsWith("#") ? CODING_LINE.exec(line) : null;
    if (coding) return decodeWith(pythonCodecLabel(coding[1]!), bytes, path);
  }
  return decodeWith("utf-8", bytes, path);
}

/** Python codec names as WHATWG encoding labels (`latin_1` → `latin1`, `utf8` → `utf-8`). */
function pythonCodecLabel(codec: string): string {
  const label = codec.toLowerCase().replace(/_/g, "-");
  if (label === "latin-1" || label === "l1") return "latin1";
  if (label === "utf8") return "utf-8";
  if (/^iso8859-\d+$/.test(label)) return label.replace("iso8859", "iso-8859");
  return label;
}

function decodeWith(encoding: string, bytes: Uint8Array, path: string): string {
  if (encoding === "utf-32le" || encoding === "utf-32be")
    return decodeUtf32(bytes, encoding === "utf-32le", path);
  try {
    // Bun types narrow the label to known encodings; unknown labels throw RangeError at run time.
    const label = encoding as ConstructorParameters<typeof TextDecoder>[0];
    return new TextDecoder(label, { fatal: true }).decode(bytes);
  } catch (error) {
    const reason = error instanceof RangeError ? `unknown encoding ${encoding}` : `not valid ${encoding}`;
    throw new ConfigError(`${path}: cannot decode requirements file: ${reason}`);
  }
}

function decodeUtf32(bytes: Uint8Array, littleEndian: boolean, path: string): string {
  if (bytes.length % 4 !== 0)
    throw new ConfigError(`${path}: cannot decode requirements file: not valid UTF-32`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let text = "";
  for (let offset = 0; offset < bytes.length; offset += 4) {
    const codePoint = view.getUint32(offset, littleEndian);
    if (codePoint > 0x10ffff)
      throw new ConfigError(`${path}: cannot decode requirements file: not valid UTF-32`);
    text += String.fromCodePoint(codePoint);
  }
  return text;
}
