/**
 * Bodies of the index host, serialized as PyPI serializes them: PEP 691 JSON and HTML
 * project pages and root list (B.3.3/B.3.4), the JSON API document (B.4) and PEP 740
 * provenance (B.3.6).
 */
import { compareVersions, describeFilename, isPrerelease } from "./names.ts";
import type { ProjectSnapshot, RawFileEntry, StoredFile, StoredRelease } from "./state.ts";
import { fileDigests, metadataDigests } from "./state.ts";

/** Base URLs of the two hosts, without a trailing slash. */
export interface Hosts {
  indexUrl: string;
  filesUrl: string;
}

/** The simple API version PyPI serves (PEP 792). */
export const API_VERSION = "1.4";

/** Escape text for HTML like Jinja's autoescape (markupsafe). */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&#34;")
    .replace(/'/g, "&#39;");
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort())
      sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
    return sorted;
  }
  return value;
}

/** JSON as PyPI writes it: compact separators, sorted keys, a trailing newline. */
export function sortedJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value))}\n`;
}

/** `YYYY-MM-DDTHH:MM:SS[.ffffff]`: the fraction is left out when the microseconds are 0 (Python `isoformat`). */
export function isoSeconds(seconds: number, micros: number): string {
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  return micros === 0 ? base : `${base}.${String(micros).padStart(6, "0")}`;
}

/** Percent-encode a filename as a URL path segment (pyramid's safe set). */
export function encodeFilename(filename: string): string {
  return encodeURIComponent(filename).replace(/%(24|26|2B|2C|3B|3D|3A|40)/g, (percentEscape) =>
    decodeURIComponent(percentEscape),
  );
}

/** Path of a file on the files host: `/packages/<b2[0:2]>/<b2[2:4]>/<b2[4:]>/<filename>` (B.5). */
export function filePath(file: StoredFile): string {
  const blake = fileDigests(file).blake2b256;
  return `/packages/${blake.slice(0, 2)}/${blake.slice(2, 4)}/${blake.slice(4)}/${encodeFilename(file.filename)}`;
}

/** PEP 740 provenance URL of a file. */
export function provenanceUrl(hosts: Hosts, project: string, file: StoredFile): string {
  return `${hosts.indexUrl}/integrity/${project}/${encodeURIComponent(file.version)}/${encodeFilename(file.filename)}/provenance`;
}

/** One file as a project page lists it (the PEP 691 JSON shape). */
type PageEntry = Record<string, unknown> & { filename: string; url: string };

function yankedValue(release: StoredRelease): boolean | string {
  return release.yanked && release.yankedReason ? release.yankedReason : release.yanked;
}

function storedEntry(
  hosts: Hosts,
  snapshot: ProjectSnapshot,
  release: StoredRelease,
  file: StoredFile,
): PageEntry {
  const digests = fileDigests(file);
  const metadata = metadataDigests(file);
  const coreMetadata = metadata ? { sha256: metadata.sha256 } : false;
  return {
    "core-metadata": coreMetadata,
    "data-dist-info-metadata": coreMetadata, // PEP 714: the legacy key, same value
    filename: file.filename,
    hashes: { sha256: digests.sha256 },
    provenance: file.provenance ? provenanceUrl(hosts, snapshot.normalized, file) : null,
    "requires-python": file.requiresPython,
    size: digests.size,
    "upload-time": `${isoSeconds(file.uploadTime.seconds, file.uploadTime.micros)}Z`,
    url: `${hosts.filesUrl}${filePath(file)}`,
    yanked: yankedValue(release),
  };
}

function rawEntry(entry: RawFileEntry): PageEntry {
  const result: PageEntry = { filename: entry.filename, url: entry.url, hashes: entry.hashes ?? {} };
  if (entry.coreMetadata !== undefined) {
    result["core-metadata"] = entry.coreMetadata;
    result["data-dist-info-metadata"] = entry.coreMetadata;
  }
  if (entry.provenance !== undefined) result.provenance = entry.provenance;
  if (entry.requiresPython !== undefined) result["requires-python"] = entry.requiresPython;
  if (entry.size !== undefined) result.size = entry.size;
  if (entry.uploadTime !== undefined) result["upload-time"] = entry.uploadTime;
  result.yanked = entry.yanked ?? false;
  return { ...result, ...entry.extra };
}

/** Files and versions of a project page: quarantined projects list nothing (B.6). */
export function pageEntries(
  hosts: Hosts,
  snapshot: ProjectSnapshot,
): { files: PageEntry[]; versions: string[] } {
  if (snapshot.status === "quarantined") return { files: [], versions: [] };
  if (snapshot.raw) {
    const versions: string[] = [];
    for (const entry of snapshot.raw)
      if (entry.version !== undefined && !versions.includes(entry.version)) versions.push(entry.version);
    return { files: snapshot.raw.map(rawEntry), versions };
  }
  const files: PageEntry[] = [];
  const versions: string[] = [];
  for (const release of snapshot.releases) {
    if (release.files.length === 0) continue; // PEP 700 `versions`: only versions with files
    versions.push(release.version);
    const sorted = [...release.files].sort((left, right) => (left.filename < right.filename ? -1 : 1));
    for (const file of sorted) files.push(storedEntry(hosts, snapshot, release, file));
  }
  return { files, versions };
}

/** `GET /simple/<project>/` as PEP 691 JSON (`application/vnd.pypi.simple.v1+json`). */
export function renderProjectJson(hosts: Hosts, snapshot: ProjectSnapshot): string {
  const { files, versions } = pageEntries(hosts, snapshot);
  return sortedJson({
    files,
    meta: { "_last-serial": snapshot.lastSerial, "api-version": API_VERSION },
    name: snapshot.normalized,
    "project-status": { status: snapshot.status },
    versions,
  });
}

function anchor(entry: PageEntry): string {
  const hashes = (entry.hashes ?? {}) as Record<string, string>;
  const algorithm = "sha256" in hashes ? "sha256" : Object.keys(hashes).sort()[0];
  const fragment = algorithm ? `#${algorithm}=${hashes[algorithm]}` : "";
  let attributes = "";
  const requiresPython = entry["requires-python"];
  if (typeof requiresPython === "string" && requiresPython)
    attributes += `data-requires-python="${escapeHtml(requiresPython)}" `;
  const yanked = entry.yanked;
  if (yanked) attributes += `data-yanked="${typeof yanked === "string" ? escapeHtml(yanked) : ""}" `;
  const coreMetadata = entry["core-metadata"];
  if (coreMetadata) {
    const value =
      typeof coreMetadata === "object"
        ? `sha256=${escapeHtml(String((coreMetadata as Record<string, string>).sha256 ?? ""))}`
        : "true";
    attributes += `data-dist-info-metadata="${value}" data-core-metadata="${value}"`;
  }
  const provenance = entry.provenance;
  if (typeof provenance === "string" && provenance)
    attributes += ` data-provenance="${escapeHtml(provenance)}"`;
  return `<a href="${escapeHtml(entry.url)}${escapeHtml(fragment)}" ${attributes}>${escapeHtml(entry.filename)}</a><br />`;
}

/** `GET /simple/<project>/` as HTML, following Warehouse's `api/simple/detail.html` template. */
export function renderProjectHtml(hosts: Hosts, snapshot: ProjectSnapshot): string {
  const { files } = pageEntries(hosts, snapshot);
  const name = escapeHtml(snapshot.normalized);
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "  <head>",
    `    <meta name="pypi:repository-version" content="${API_VERSION}">`,
    `    <meta name="pypi:project-status" content="${snapshot.status}">`,
    `    <title>Links for ${name}</title>`,
    "  </head>",
    "  <body>",
    `    <h1>Links for ${name}</h1>`,
    `    ${files.map((entry) => `${anchor(entry)}\n    `).join("")}</body>`,
    "</html>",
    `<!--SERIAL ${snapshot.lastSerial}-->`,
  ].join("\n");
}

/** Projects listed by `/simple/`: not quarantined, ordered by normalized name. */
export function listedProjects(snapshots: readonly ProjectSnapshot[]): ProjectSnapshot[] {
  return snapshots
    .filter((snapshot) => snapshot.status !== "quarantined")
    .sort((left, right) =>
      left.normalized < right.normalized ? -1 : left.normalized > right.normalized ? 1 : 0,
    );
}

/** `GET /simple/` as PEP 691 JSON. */
export function renderIndexJson(snapshots: readonly ProjectSnapshot[], lastSerial: number): string {
  return sortedJson({
    meta: { "_last-serial": lastSerial, "api-version": API_VERSION },
    projects: listedProjects(snapshots).map((snapshot) => ({
      "_last-serial": snapshot.lastSerial,
      name: snapshot.name,
    })),
  });
}

/** `GET /simple/` as HTML (Warehouse's `api/simple/index.html`). */
export function renderIndexHtml(snapshots: readonly ProjectSnapshot[]): string {
  const anchors = listedProjects(snapshots)
    .map(
      (snapshot) =>
        `<a href="/simple/${escapeHtml(snapshot.normalized)}/">${escapeHtml(snapshot.name)}</a>\n    `,
    )
    .join("");
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "  <head>",
    `    <meta name="pypi:repository-version" content="${API_VERSION}">`,
    "    <title>Simple index</title>",
    "  </head>",
    "  <body>",
    `    ${anchors}</body>`,
    "</html>",
  ].join("\n");
}

function jsonApiFile(hosts: Hosts, release: StoredRelease, file: StoredFile): Record<string, unknown> {
  const digests = fileDigests(file);
  const metadata = metadataDigests(file);
  const uploadTime = isoSeconds(file.uploadTime.seconds, file.uploadTime.micros);
  return {
    comment_text: "",
    "core-metadata": metadata ? { sha256: metadata.sha256 } : false,
    digests: { blake2b_256: digests.blake2b256, md5: digests.md5, sha256: digests.sha256 },
    downloads: -1,
    filename: file.filename,
    has_sig: false,
    md5_digest: digests.md5,
    packagetype: file.packagetype,
    python_version: file.pythonVersion,
    requires_python: file.requiresPython,
    size: digests.size,
    upload_time: isoSeconds(file.uploadTime.seconds, 0),
    upload_time_iso_8601: `${uploadTime}Z`,
    url: `${hosts.filesUrl}${filePath(file)}`,
    yanked: release.yanked,
    yanked_reason: release.yanked && release.yankedReason ? release.yankedReason : null,
  };
}

function rawJsonApiFile(entry: RawFileEntry): Record<string, unknown> {
  const hashes = entry.hashes ?? {};
  const info = describeFilename(entry.filename);
  return {
    comment_text: "",
    "core-metadata": entry.coreMetadata ?? false,
    digests: {
      blake2b_256: hashes.blake2b_256 ?? null,
      md5: hashes.md5 ?? null,
      sha256: hashes.sha256 ?? null,
    },
    downloads: -1,
    filename: entry.filename,
    has_sig: false,
    md5_digest: hashes.md5 ?? null,
    packagetype: info.packagetype,
    python_version: info.pythonVersion,
    requires_python: entry.requiresPython ?? null,
    size: entry.size ?? null,
    upload_time: entry.uploadTime?.slice(0, 19) ?? null,
    upload_time_iso_8601: entry.uploadTime ?? null,
    url: entry.url,
    yanked: Boolean(entry.yanked),
    yanked_reason: typeof entry.yanked === "string" ? entry.yanked : null,
  };
}

/** The release `info.version` shows: non-yanked first, then final releases, then the highest version. */
export function latestRelease(releases: readonly StoredRelease[]): StoredRelease | null {
  let best: StoredRelease | null = null;
  const rank = (release: StoredRelease) => (release.yanked ? 0 : 2) + (isPrerelease(release.version) ? 0 : 1);
  for (const release of releases) {
    if (
      !best ||
      rank(release) > rank(best) ||
      (rank(release) === rank(best) && compareVersions(release.version, best.version) > 0)
    )
      best = release;
  }
  return best;
}

/**
 * `GET /pypi/<project>/json` (or `/pypi/<project>/<version>/json` when `version` is given).
 * Null means 404: unknown version, no releases, or quarantined (B.4).
 */
export function renderJsonApi(hosts: Hosts, snapshot: ProjectSnapshot, version?: string): string | null {
  if (!snapshot.exists || snapshot.status === "quarantined") return null;
  if (snapshot.raw) return renderRawJsonApi(snapshot, version);
  const releases = snapshot.releases;
  const release =
    version === undefined
      ? latestRelease(releases)
      : (releases.find((candidate) => candidate.version === version) ??
        releases.find((candidate) => compareVersions(candidate.version, version) === 0) ??
        null);
  if (!release) return null;
  const files = [...release.files].sort((left, right) => (left.filename < right.filename ? -1 : 1));
  const document: Record<string, unknown> = {
    info: jsonApiInfo(hosts, snapshot, release),
    last_serial: snapshot.lastSerial,
    ownership: { organization: null, roles: [{ role: "Owner", user: "test-owner" }] },
    urls: files.map((file) => jsonApiFile(hosts, release, file)),
    vulnerabilities: [],
  };
  if (version === undefined) {
    const all: Record<string, unknown> = {};
    for (const each of releases) {
      const sorted = [...each.files].sort((left, right) => (left.filename < right.filename ? -1 : 1));
      all[each.version] = sorted.map((file) => jsonApiFile(hosts, each, file));
    }
    document.releases = all;
  }
  return sortedJson(document);
}

function jsonApiInfo(
  hosts: Hosts,
  snapshot: ProjectSnapshot,
  release: StoredRelease,
): Record<string, unknown> {
  const projectUrl = `${hosts.indexUrl}/project/${snapshot.name}/`;
  return {
    author: "Test Upstream",
    author_email: "upstream@example.invalid",
    bugtrack_url: null,
    classifiers: [],
    description: `${snapshot.name} ${release.version}.\n`,
    description_content_type: "text/plain",
    docs_url: null,
    download_url: null,
    downloads: { last_day: -1, last_month: -1, last_week: -1 },
    dynamic: null,
    home_page: `https://example.invalid/${snapshot.normalized}`,
    keywords: null,
    license: "MIT",
    license_expression: null,
    license_files: null,
    maintainer: null,
    maintainer_email: null,
    name: snapshot.name,
    package_url: projectUrl,
    platform: null,
    project_url: projectUrl,
    project_urls: null,
    provides_extra: null,
    release_url: `${projectUrl}${release.version}/`,
    requires_dist: null,
    requires_python: release.files[0]?.requiresPython ?? null,
    summary: `Test package ${snapshot.name}, generated by the bunsnatch test upstream`,
    version: release.version,
    yanked: release.yanked,
    yanked_reason: release.yanked && release.yankedReason ? release.yankedReason : null,
  };
}

function renderRawJsonApi(snapshot: ProjectSnapshot, version?: string): string | null {
  const byVersion = new Map<string, RawFileEntry[]>();
  for (const entry of snapshot.raw ?? []) {
    const key = entry.version ?? "0";
    byVersion.set(key, [...(byVersion.get(key) ?? []), entry]);
  }
  const versions = [...byVersion.keys()].sort(compareVersions);
  const chosen = version ?? versions.at(-1);
  if (chosen === undefined || !byVersion.has(chosen)) return null;
  const document: Record<string, unknown> = {
    info: { name: snapshot.name, version: chosen, yanked: false, yanked_reason: null, requires_python: null },
    last_serial: snapshot.lastSerial,
    urls: (byVersion.get(chosen) ?? []).map(rawJsonApiFile),
    vulnerabilities: [],
  };
  if (version === undefined) {
    const all: Record<string, unknown> = {};
    for (const [key, entries] of byVersion) all[key] = entries.map(rawJsonApiFile);
    document.releases = all;
  }
  return sortedJson(document);
}

/** A PEP 740 provenance object of valid shape for a file (the signatures are placeholders). */
export function renderProvenance(snapshot: ProjectSnapshot, file: StoredFile): string {
  const digests = fileDigests(file);
  const statement = {
    _type: "https://in-toto.io/Statement/v1",
    predicate: null,
    predicateType: "https://docs.pypi.org/attestations/publish/v1",
    subject: [{ digest: { sha256: digests.sha256 }, name: file.filename }],
  };
  const base64 = (text: string) => Buffer.from(text).toString("base64");
  return sortedJson({
    attestation_bundles: [
      {
        attestations: [
          {
            envelope: {
              signature: base64(`signature of ${file.filename}`),
              statement: base64(JSON.stringify(statement)),
            },
            verification_material: {
              certificate: base64(`certificate for ${snapshot.normalized}`),
              transparency_entries: [
                {
                  integratedTime: String(file.uploadTime.seconds),
                  kindVersion: { kind: "dsse", version: "0.0.1" },
                  logIndex: String(file.uploadTime.seconds % 100_000_000),
                },
              ],
            },
            version: 1,
          },
        ],
        publisher: {
          environment: "",
          kind: "GitHub",
          repository: `test-upstream/${snapshot.normalized}`,
          workflow: "release.yml",
        },
      },
    ],
    version: 1,
  });
}
