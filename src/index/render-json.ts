/**
 * The per-project PEP 691 JSON page (`web/simple/<name>/index.v1_json`).
 *
 * A faithful superset of bandersnatch 8's `generate_json_simple_page`: same key order, same
 * `json.dumps` separators and ASCII escaping, one line, no trailing newline. Differences, each
 * deliberate (also in docs/index-format.md):
 * - `meta.api-version` is "1.4" (bandersnatch: "1.1") and `meta._last-serial` is an int
 *   (bandersnatch: a string, unlike its own root page and PEP 691).
 * - `yanked` is the reason string when there is one (PEP 592/691); bandersnatch loses the reason.
 * - `hashes` holds every digest upstream gave: `digest_name` first, then `sha256`, then the rest
 *   in name order (bandersnatch: only `digest_name`).
 * - `requires-python` is `null` when upstream gave none (bandersnatch: the same, or `""` when the
 *   key was missing from the JSON API entry).
 * - `size` and `upload-time` (PEP 700) are omitted when unknown (bandersnatch writes `""` for a
 *   missing upload time, which PEP 700 does not allow).
 * - `core-metadata` is upstream's dict (every digest) when it has a digest we can verify with,
 *   `false` when upstream said false, omitted otherwise (`true`, absent, no usable digest) and
 *   omitted entirely when the `core-metadata` option is off; bandersnatch keeps only the chosen
 *   digest. The legacy `dist-info-metadata` key is never written (PEP 714), as in bandersnatch.
 * - `provenance` (PEP 740): the provenance URL when there is one, omitted when null.
 * - `project-status` (PEP 792): `{"status": ..., "reason": ...}` when upstream gave one.
 * - `versions`: upstream's PEP 700 list in upstream order (all versions, also those without
 *   files); when upstream gave none, the versions of the listed files in page order.
 *   bandersnatch writes the string-sorted versions that kept files after filtering.
 * - Links follow the same rules as the HTML page (`fileLink`): an index-only mirror without
 *   `root_uri` links to the upstream URL.
 */

import { type JsonValue, pythonJsonDumps, sortCodePoints } from "../packaging/python-compat.ts";
import type { ProjectPage, ProjectStatus, ReleaseFile } from "../upstream/types.ts";
import { coreMetadataDigest, fileDigest, fileLink, type PageOptions, sortFilesByFilename } from "./links.ts";

/** The simple API version our JSON pages claim: PEP 691, 700, 714, 740, 792. */
export const JSON_API_VERSION = "1.4";

/** `hashes`: `digest_name` first (bandersnatch's only key), then sha256, then the rest by name. */
function fileHashes(file: ReleaseFile, options: PageOptions, projectName: string): Map<string, JsonValue> {
  const hashes = new Map<string, JsonValue>();
  hashes.set(options.digestName, fileDigest(file, options.digestName, projectName));
  const sha256 = file.hashes["sha256"];
  if (sha256 !== undefined && !hashes.has("sha256")) hashes.set("sha256", sha256);
  for (const algorithm of sortCodePoints(Object.keys(file.hashes))) {
    if (!hashes.has(algorithm)) hashes.set(algorithm, file.hashes[algorithm]!);
  }
  return hashes;
}

/** `core-metadata` value, or undefined to omit the key. */
function coreMetadataValue(file: ReleaseFile, options: PageOptions): JsonValue | undefined {
  if (!options.coreMetadata) return undefined;
  if (file.coreMetadata === false) return false;
  if (coreMetadataDigest(file.coreMetadata, options.digestName) === null) return undefined;
  const digests = new Map<string, JsonValue>();
  const coreMetadata = file.coreMetadata as Record<string, string>;
  for (const algorithm of Object.keys(coreMetadata)) digests.set(algorithm, coreMetadata[algorithm]!);
  return digests;
}

/** PEP 592/691: the reason string when there is one, else a boolean. */
function yankedValue(file: ReleaseFile): boolean | string {
  if (typeof file.yanked === "string") return file.yanked === "" ? true : file.yanked;
  return file.yanked;
}

function fileEntry(file: ReleaseFile, options: PageOptions, projectName: string): JsonValue {
  const entry: Record<string, JsonValue> = {
    filename: file.filename,
    hashes: fileHashes(file, options, projectName),
    "requires-python": file.requiresPython,
  };
  if (file.size !== null) entry["size"] = file.size;
  if (file.uploadTime !== null) entry["upload-time"] = file.uploadTime;
  entry["url"] = fileLink(file, options);
  entry["yanked"] = yankedValue(file);
  const coreMetadata = coreMetadataValue(file, options);
  if (coreMetadata !== undefined) entry["core-metadata"] = coreMetadata;
  if (file.provenance !== null) entry["provenance"] = file.provenance;
  return entry;
}

function projectStatusValue(status: ProjectStatus): JsonValue {
  const value: Record<string, JsonValue> = { status: status.status };
  if (status.reason !== undefined) value["reason"] = status.reason;
  return value;
}

/**
 * PEP 700 `versions`: upstream's list when it gave one, else the distinct versions of the
 * (sorted) files in first-seen order.
 */
export function pageVersions(page: ProjectPage, sortedFiles: readonly ReleaseFile[]): string[] {
  if (page.versions !== null) return [...page.versions];
  const seen = new Set<string>();
  for (const file of sortedFiles) {
    if (file.version !== null) seen.add(file.version);
  }
  return [...seen];
}

/**
 * Renders a project's PEP 691 JSON page (api-version 1.4), one line, no trailing newline.
 *
 * @example JSON.parse(renderProjectJson(page, options)).meta // { "api-version": "1.4", "_last-serial": 10333928 }
 * @throws {UpstreamError} when a file lacks the `digestName` hash.
 * @throws {HostileDataError} when a file URL is not under `/packages`.
 * @throws {RangeError} when the serial or a size is not an integer.
 */
export function renderProjectJson(page: ProjectPage, options: PageOptions): string {
  const files = sortFilesByFilename(page.files);
  const document: Record<string, JsonValue> = {
    files: files.map((file) => fileEntry(file, options, page.name)),
    meta: { "api-version": JSON_API_VERSION, "_last-serial": page.serial },
    name: page.name,
  };
  if (page.projectStatus !== null) document["project-status"] = projectStatusValue(page.projectStatus);
  document["versions"] = pageVersions(page, files);
  return pythonJsonDumps(document);
}
