/**
 * Test helpers: a tiny configparser-like `IniDocument` (sections, `[DEFAULT]`
 * inheritance, indented multi-line values, full-line comments; no interpolation)
 * and hand-built project pages.
 */

import type { IniDocument } from "../../src/config/types.ts";
import { normalizeName } from "../../src/packaging/names.ts";
import type { JsonApiDocument, ProjectPage, ReleaseFile } from "../../src/upstream/types.ts";

interface Entry {
  value: string;
  line: number;
}

/** Parses INI text the way bandersnatch's ConfigParser does, for the parts filters use. */
export function iniFrom(text: string, fileName = "bandersnatch.conf"): IniDocument {
  const sections = new Map<string, Map<string, Entry>>();
  let current: Map<string, Entry> | null = null;
  let lastKey: string | null = null;
  text.split("\n").forEach((raw, index) => {
    const line = index + 1;
    if (/^\s*[#;]/.test(raw)) return;
    if (raw.trim() === "") {
      if (current && lastKey) current.get(lastKey)!.value += "\n";
      return;
    }
    const section = /^\[([^\]]+)\]\s*$/.exec(raw);
    if (section) {
      current = sections.get(section[1]!) ?? new Map();
      sections.set(section[1]!, current);
      lastKey = null;
      return;
    }
    if (/^\s/.test(raw) && current && lastKey) {
      current.get(lastKey)!.value += `\n${raw.trim()}`;
      return;
    }
    const eq = raw.indexOf("=");
    if (eq < 0 || !current) throw new Error(`bad ini line ${line}: ${raw}`);
    lastKey = raw.slice(0, eq).trim();
    current.set(lastKey, { value: raw.slice(eq + 1).trim(), line });
  });
  const clean = (value: string) => value.replace(/\n+$/, "");
  const defaults = sections.get("DEFAULT") ?? new Map<string, Entry>();
  const own = (section: string) => sections.get(section) ?? new Map<string, Entry>();
  return {
    fileName,
    sectionNames: () => [...sections.keys()].filter((name) => name !== "DEFAULT"),
    hasSection: (section) => section !== "DEFAULT" && sections.has(section),
    optionNames: (section) => [...new Set([...own(section).keys(), ...defaults.keys()])],
    ownOptionNames: (section) => [...own(section).keys()],
    get(section, option) {
      const entry = own(section).get(option) ?? defaults.get(option);
      return entry === undefined ? undefined : clean(entry.value);
    },
    lineOf: (section, option) => own(section).get(option)?.line,
  };
}

/** Strips the common indentation of a template literal, so configs read naturally in tests. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, "").split("\n");
  const indent = Math.min(
    ...lines.filter((line) => line.trim() !== "").map((line) => /^ */.exec(line)![0].length),
  );
  return lines.map((line) => line.slice(indent)).join("\n");
}

/** `iniFrom(dedent(text))`. */
export function config(text: string): IniDocument {
  return iniFrom(dedent(text));
}

/** A release file with plausible defaults; the version is parsed from the name unless given. */
export function releaseFile(filename: string, overrides: Partial<ReleaseFile> = {}): ReleaseFile {
  const isWheel = filename.endsWith(".whl");
  const isSdist = /\.(tar\.gz|zip|tar\.bz2)$/.test(filename) && !overrides.packageType;
  const version = filename.split("-")[1]?.replace(/\.(tar\.gz|zip|tar\.bz2)$/, "") ?? null;
  return {
    filename,
    url: `https://files.example/packages/aa/bb/${filename}`,
    mirrorPath: `packages/aa/bb/${filename}`,
    hashes: { sha256: "0".repeat(64) },
    requiresPython: null,
    size: 1000,
    uploadTime: "2024-01-01T00:00:00.000000Z",
    yanked: false,
    coreMetadata: undefined,
    provenance: null,
    version,
    packageType: isWheel ? "bdist_wheel" : isSdist ? "sdist" : "bdist_egg",
    ...overrides,
  };
}

/** A project page from a display name and files. */
export function projectPage(
  displayName: string,
  files: ReleaseFile[],
  extra: Partial<ProjectPage> = {},
): ProjectPage {
  const versions = [...new Set(files.map((file) => file.version).filter((version) => version !== null))];
  return {
    name: normalizeName(displayName),
    displayName,
    serial: 1,
    files,
    versions,
    projectStatus: null,
    jsonApi: null,
    ...extra,
  };
}

/** A JSON API document for the page (`info.version` given, releases from the files). */
export function jsonApiFor(page: ProjectPage, info: Record<string, unknown> = {}): JsonApiDocument {
  const releases: Record<string, Record<string, unknown>[]> = {};
  for (const version of page.versions ?? []) releases[version] = [];
  for (const file of page.files) {
    if (file.version === null) continue;
    const list = releases[file.version] ?? [];
    releases[file.version] = list;
    list.push({
      filename: file.filename,
      packagetype: file.packageType,
      requires_python: file.requiresPython,
      size: file.size,
      yanked: file.yanked !== false,
      upload_time_iso_8601: file.uploadTime,
      digests: file.hashes,
    });
  }
  return { info: { name: page.displayName, ...info }, releases };
}

/** Shorthand: sdists `name-<v>.tar.gz` for each version. */
export function sdists(name: string, versions: string[]): ReleaseFile[] {
  return versions.map((version) => releaseFile(`${name}-${version}.tar.gz`));
}

/** File names of a selection, for compact assertions. */
export function names(files: readonly ReleaseFile[]): string[] {
  return files.map((file) => file.filename);
}
