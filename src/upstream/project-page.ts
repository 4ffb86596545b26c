/**
 * A project's PEP 691 JSON page (`{master}/simple/<normalized>/`), fetched and
 * validated into a `ProjectPage` (DESIGN "Data flow" step 4).
 *
 * Validation is all-or-nothing: one bad file entry fails the whole project with
 * a `HostileDataError` naming project, value and rule. Dropping only the bad entry
 * would publish a page silently missing a file; failing the project publishes
 * nothing partial, keeps the old page, and lets the rest of the run proceed.
 */

import { HostileDataError, UpstreamError } from "../errors.ts";
import { packageTypeOf, versionOf } from "../packaging/filename.ts";
import { normalizeName } from "../packaging/names.ts";
import { assertSafeFilename, mirrorPathForUrl } from "../packaging/paths.ts";
import { quoteValue, refuse } from "./hostile.ts";
import { DEFAULT_JSON_MAX_BYTES, type HttpClient, redactUrl } from "./http.ts";
import { isJsonObject } from "./json-safety.ts";
import { checkApiVersion, SIMPLE_JSON } from "./simple-api.ts";
import type { CoreMetadata, ProjectPage, ProjectStatus, ReleaseFile, Yanked } from "./types.ts";
import { checkFileUrl, checkUpstreamUrl, type UrlRules } from "./url-rules.ts";

/** Largest file size we believe: 1 TiB (PyPI's own cap is 1 GiB per file). */
export const MAX_FILE_SIZE = 2 ** 40;

/** What `fetchProjectPage` found. */
export type ProjectPageResult =
  /** `stale`: the page's serial is below `requiredSerial` (a stale CDN copy); the caller retries or defers. */
  | { kind: "page"; page: ProjectPage; url: string; stale: boolean }
  /** 404/410: the project does not exist upstream (removed, or never existed). */
  | { kind: "gone"; url: string };

export interface ProjectPageRequest {
  normalizedName: string;
  /** Display name from the change feed; defaults to the normalized name. */
  displayName?: string;
  /** Serial the change feed promised; a lower page serial is reported as `stale`. */
  requiredSerial?: number;
  maxBytes?: number;
}

/** `https://pypi.org/simple/foo/` for master `https://pypi.org` and `foo`. */
export function projectPageUrl(master: URL | string, normalizedName: string): string {
  return `${String(master).replace(/\/+$/, "")}/simple/${encodeURIComponent(normalizedName)}/`;
}

/**
 * Fetches and validates one project page. One request, no retries: the caller
 * owns retry (`withRetry`) and stale-page deferral. Redirects are followed only
 * to `/simple/<a spelling of the same name>/` on the master's origin (PyPI 301s
 * non-normalized names). Throws `UpstreamError` (HTTP, HTML answer, unsupported
 * API version) or `HostileDataError` (invalid page).
 *
 * @example
 * const result = await fetchProjectPage(http, rules, { normalizedName: "requests", requiredSerial: 24891358 });
 * if (result.kind === "page" && result.stale) { ... retry later ... }
 */
export async function fetchProjectPage(
  http: HttpClient,
  rules: UrlRules,
  request: ProjectPageRequest,
): Promise<ProjectPageResult> {
  const url = projectPageUrl(rules.master, request.normalizedName);
  let response: Awaited<ReturnType<HttpClient["getJson"]>>;
  try {
    response = await http.getJson(url, {
      accept: SIMPLE_JSON,
      maxBytes: request.maxBytes ?? DEFAULT_JSON_MAX_BYTES,
      checkRedirect: (target, from) =>
        checkNameRedirect(target, from, rules, "simple", request.normalizedName, "/"),
    });
  } catch (error) {
    if (error instanceof UpstreamError && (error.status === 404 || error.status === 410)) {
      return { kind: "gone", url };
    }
    throw error;
  }
  const contentType = response.headers.get("content-type") ?? "";
  if (/html/i.test(contentType)) {
    throw new UpstreamError(`GET ${redactUrl(response.finalUrl)}: answered ${contentType}, not PEP 691 JSON`);
  }
  const page = parseProjectPage(response.body, {
    normalizedName: request.normalizedName,
    displayName: request.displayName,
    pageUrl: response.finalUrl,
    serialHeader: response.headers.get("x-pypi-last-serial"),
    rules,
  });
  return { kind: "page", page, url: response.finalUrl, stale: page.serial < (request.requiredSerial ?? 0) };
}

/**
 * Redirect rule for per-project requests: same origin as the master, and a path
 * `<master path>/<section>/<name><suffix>` whose name normalizes to the requested one.
 */
export function checkNameRedirect(
  target: URL,
  from: URL,
  rules: UrlRules,
  section: string,
  normalizedName: string,
  suffix: string,
): void {
  checkUpstreamUrl(target.href, rules, undefined, "redirect target");
  const refuseRedirect = (rule: string) =>
    new HostileDataError(`Refusing redirect from ${redactUrl(from)} to ${quoteValue(target.href)}: ${rule}`);
  if (target.origin !== rules.master.origin) throw refuseRedirect(`must stay on ${rules.master.origin}`);
  const prefix = `${rules.master.pathname.replace(/\/+$/, "")}/${section}/`;
  if (!target.pathname.startsWith(prefix) || !target.pathname.endsWith(suffix)) {
    throw refuseRedirect(`must lead to ${prefix}<name>${suffix}`);
  }
  const segment = target.pathname.slice(prefix.length, target.pathname.length - suffix.length);
  let name: string;
  try {
    name = decodeURIComponent(segment);
  } catch {
    throw refuseRedirect("name has malformed percent-encoding");
  }
  if (name.includes("/") || normalizeName(name) !== normalizedName) {
    throw refuseRedirect(`must lead to project ${normalizedName}`);
  }
}

/** Inputs of `parseProjectPage` besides the document. */
export interface ProjectPageContext {
  normalizedName: string;
  displayName?: string;
  /** URL the page came from (after redirects); file URLs are resolved against it. */
  pageUrl: string;
  /** `X-PyPI-Last-Serial` response header, or null. */
  serialHeader: string | null;
  rules: UrlRules;
}

/**
 * Validates a parsed PEP 691 project document into a `ProjectPage`. Pure.
 * Serial: `X-PyPI-Last-Serial`, else `meta._last-serial`, else 0. Throws
 * `UpstreamError` for an unsupported `api-version` and `HostileDataError` for
 * anything else wrong (name mismatch, a bad file entry, duplicate files).
 */
export function parseProjectPage(document: unknown, context: ProjectPageContext): ProjectPage {
  const project = context.normalizedName;
  const where = `project page of ${project}`;
  if (!isJsonObject(document)) throw refuse(where, document, "must be a JSON object");
  const meta = document["meta"];
  if (!isJsonObject(meta)) throw refuse(`${where}: meta`, meta, "must be an object");
  checkApiVersion(meta["api-version"], `GET ${redactUrl(context.pageUrl)}`);

  const name = document["name"];
  if (typeof name !== "string" || normalizeName(name) !== project) {
    throw refuse(`${where}: name`, name, `must normalize to ${project}`);
  }
  const serial = pageSerial(context.serialHeader, meta["_last-serial"], where);

  const entries = document["files"];
  if (!Array.isArray(entries)) throw refuse(`${where}: files`, entries, "must be an array");
  const files: ReleaseFile[] = [];
  const filenames = new Set<string>();
  const mirrorPaths = new Set<string>();
  for (const [index, entry] of entries.entries()) {
    const file = parseFileEntry(entry, index, context);
    if (filenames.has(file.filename)) throw refuse(`${where}: filename`, file.filename, "is listed twice");
    if (mirrorPaths.has(file.mirrorPath)) {
      throw refuse(`${where}: file path`, file.mirrorPath, "is listed twice");
    }
    filenames.add(file.filename);
    mirrorPaths.add(file.mirrorPath);
    files.push(file);
  }

  return {
    name: project,
    displayName: context.displayName ?? project,
    serial,
    files,
    versions: parseVersions(document["versions"], where),
    projectStatus: parseProjectStatus(document["project-status"], where),
    jsonApi: null,
  };
}

const SERIAL_TEXT = /^\d{1,16}$/;

/** `X-PyPI-Last-Serial` header, else `meta._last-serial`, else 0. */
function pageSerial(header: string | null, metaSerial: unknown, where: string): number {
  if (header !== null) {
    const trimmed = header.trim();
    if (!SERIAL_TEXT.test(trimmed)) {
      throw refuse(`${where}: X-PyPI-Last-Serial header`, header, "must be a non-negative integer");
    }
    return Number(trimmed);
  }
  if (metaSerial === undefined || metaSerial === null) return 0;
  if (typeof metaSerial !== "number" || !Number.isSafeInteger(metaSerial) || metaSerial < 0) {
    throw refuse(`${where}: meta._last-serial`, metaSerial, "must be a non-negative integer");
  }
  return metaSerial;
}

function parseVersions(value: unknown, where: string): string[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || !value.every((version) => typeof version === "string")) {
    throw refuse(`${where}: versions`, value, "must be an array of strings");
  }
  return value as string[];
}

const STATUS_TOKEN = /^[a-z][a-z0-9-]{0,31}$/;

/** PEP 792 `project-status`: `{status, reason?}`. */
function parseProjectStatus(value: unknown, where: string): ProjectStatus | null {
  if (value === undefined || value === null) return null;
  if (!isJsonObject(value)) throw refuse(`${where}: project-status`, value, "must be an object");
  const status = value["status"];
  if (typeof status !== "string" || !STATUS_TOKEN.test(status)) {
    throw refuse(`${where}: project-status.status`, status, "must be a lower-case word");
  }
  const reason = value["reason"];
  if (reason === undefined || reason === null) return { status };
  if (typeof reason !== "string") throw refuse(`${where}: project-status.reason`, reason, "must be a string");
  return { status, reason };
}

/** One `files[]` entry → `ReleaseFile`; throws `HostileDataError` naming project, value and rule. */
function parseFileEntry(entry: unknown, index: number, context: ProjectPageContext): ReleaseFile {
  const project = context.normalizedName;
  if (!isJsonObject(entry)) throw refuse(`project ${project}: files[${index}]`, entry, "must be an object");
  const filename = entry["filename"];
  if (typeof filename !== "string") {
    throw refuse(`project ${project}: files[${index}].filename`, filename, "must be a string");
  }
  assertSafeFilename(filename, `project ${project}: filename`);
  const where = `project ${project}: file ${quoteValue(filename)}`;

  const rawUrl = entry["url"];
  if (typeof rawUrl !== "string") throw refuse(`${where} url`, rawUrl, "must be a string");
  const url = checkFileUrl(rawUrl, context.rules, context.pageUrl);
  const mirrorPath = mirrorPathForUrl(url);
  if (mirrorPath.slice(mirrorPath.lastIndexOf("/") + 1) !== filename) {
    throw refuse(`${where} url`, rawUrl, "last path segment must be the filename");
  }

  return {
    filename,
    url: url.href,
    mirrorPath,
    hashes: parseHashes(entry["hashes"], `${where} hashes`, { requireSha256: true }),
    requiresPython: optionalString(entry["requires-python"], `${where} requires-python`),
    size: parseSize(entry["size"], `${where} size`),
    uploadTime: parseUploadTime(entry["upload-time"], `${where} upload-time`),
    yanked: parseYanked(entry["yanked"], `${where} yanked`),
    coreMetadata: parseCoreMetadata(entry, where),
    provenance: parseProvenance(entry["provenance"], `${where} provenance`, context),
    version: versionOf(filename, project),
    packageType: packageTypeOf(filename),
  };
}

/** Expected hex length of well-known digests. */
const DIGEST_HEX_LENGTH: Record<string, number> = {
  md5: 32,
  sha1: 40,
  sha224: 56,
  sha256: 64,
  sha384: 96,
  sha512: 128,
  sha3_224: 56,
  sha3_256: 64,
  sha3_384: 96,
  sha3_512: 128,
  blake2b_256: 64,
  blake2b: 128,
  blake2s: 64,
};
const HASH_NAME = /^[a-z][a-z0-9_]{0,31}$/;
const HEX = /^[0-9a-f]+$/;

/**
 * A `{algorithm: hexdigest}` object: algorithm names and digests lower-cased
 * (hex is case-insensitive; pages and comparisons use lower case), well-known
 * algorithms at their exact length, others 8–256 even hex digits.
 *
 * @example parseHashes({ sha256: "AB".repeat(32) }, "hashes", { requireSha256: true }) // { sha256: "abab…" }
 */
export function parseHashes(
  value: unknown,
  where: string,
  options: { requireSha256: boolean },
): Record<string, string> {
  if (!isJsonObject(value)) throw refuse(where, value, "must be an object of algorithm → hex digest");
  const hashes: Record<string, string> = {};
  for (const [rawName, rawDigest] of Object.entries(value)) {
    const algorithm = rawName.toLowerCase();
    if (!HASH_NAME.test(algorithm)) {
      throw refuse(`${where} algorithm`, rawName, "must be a lower-case identifier");
    }
    if (typeof rawDigest !== "string") {
      throw refuse(`${where} ${algorithm}`, rawDigest, "must be a hex string");
    }
    const digest = rawDigest.toLowerCase();
    const expected = DIGEST_HEX_LENGTH[algorithm];
    const lengthOk = expected
      ? digest.length === expected
      : digest.length >= 8 && digest.length <= 256 && digest.length % 2 === 0;
    if (!HEX.test(digest) || !lengthOk) {
      throw refuse(
        `${where} ${algorithm}`,
        rawDigest,
        expected ? `must be ${expected} hex digits` : "must be hex digits",
      );
    }
    if (Object.hasOwn(hashes, algorithm) && hashes[algorithm] !== digest) {
      throw refuse(`${where} ${algorithm}`, rawDigest, "is given twice with different values");
    }
    hashes[algorithm] = digest;
  }
  if (options.requireSha256 && !Object.hasOwn(hashes, "sha256")) {
    throw refuse(where, value, "must include sha256");
  }
  return hashes;
}

function optionalString(value: unknown, where: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw refuse(where, value, "must be a string or null");
  return value;
}

function parseSize(value: unknown, where: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0 || value > MAX_FILE_SIZE) {
    throw refuse(where, value, "must be a non-negative integer of at most 1 TiB");
  }
  return value;
}

/** PEP 700: ISO 8601 `yyyy-mm-ddThh:mm:ss[.ffffff]` with `Z` or an offset. */
const UPLOAD_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

function parseUploadTime(value: unknown, where: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || !UPLOAD_TIME.test(value) || Number.isNaN(Date.parse(value))) {
    throw refuse(where, value, "must be an ISO 8601 UTC timestamp");
  }
  return value;
}

/** PEP 592 as PEP 691 carries it: false, true or a reason string. */
function parseYanked(value: unknown, where: string): Yanked {
  if (value === undefined || value === null) return false;
  if (typeof value === "boolean" || typeof value === "string") return value;
  throw refuse(where, value, "must be a boolean or a reason string");
}

/** PEP 714: prefer `core-metadata`; fall back to the older `data-dist-info-metadata` / `dist-info-metadata`. */
function parseCoreMetadata(entry: Record<string, unknown>, where: string): CoreMetadata {
  for (const key of ["core-metadata", "data-dist-info-metadata", "dist-info-metadata"]) {
    const value = entry[key];
    if (value === undefined || value === null) continue;
    if (typeof value === "boolean") return value;
    return parseHashes(value, `${where} ${key}`, { requireSha256: false });
  }
  return undefined;
}

/** PEP 740 provenance URL: resolved, scheme/credential rules, index or file host. */
function parseProvenance(value: unknown, where: string, context: ProjectPageContext): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw refuse(where, value, "must be a URL or null");
  const url = checkUpstreamUrl(value, context.rules, context.pageUrl, `${where} URL`);
  if (!context.rules.fileHosts.has(url.hostname)) {
    throw refuse(where, value, `host ${url.hostname} is not the index host or an allowed file host`);
  }
  return url.href;
}
