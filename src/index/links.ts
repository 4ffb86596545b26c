/**
 * Where a project page points for each file, and which digests it advertises.
 * Shared by the HTML and JSON page renderers.
 */

import { HostileDataError, UpstreamError } from "../errors.ts";
import { sortByCodePointKey, sortCodePoints } from "../packaging/python-compat.ts";
import type { CoreMetadata, ReleaseFile } from "../upstream/types.ts";

/** What a project page needs from the `[mirror]` options. */
export interface PageOptions {
  /** `digest_name`: the hash in the `#<name>=<hex>` fragment and first in JSON `hashes`. */
  digestName: string;
  /** `core-metadata`: advertise PEP 658/714 metadata files. */
  coreMetadata: boolean;
  /** `root_uri` without a trailing slash, or null for links relative to the page. */
  rootUri: string | null;
  /** `release-files`: false means an index-only mirror whose links point upstream. */
  releaseFiles: boolean;
}

/** Release files in bandersnatch's page order: by file name, Python string order. Does not mutate. */
export function sortFilesByFilename(files: readonly ReleaseFile[]): ReleaseFile[] {
  return sortByCodePointKey([...files], (file) => file.filename);
}

/** bandersnatch's relative prefix: pages live at `simple/<name>/`, files at `packages/...`. */
const RELATIVE_PREFIX = "../..";

// scheme "://" authority, then the path up to "?" or "#" (urlparse's netloc/path split).
const URL_PATH = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/;

/**
 * The path of an absolute URL exactly as written (percent-encoding kept), like Python's
 * `urlparse(url).path` (except that `;params` stay in the path: PyPI file names never hold `;`).
 *
 * @example rawUrlPath("https://files.example/packages/a%2Bb.whl#sha256=00") // "/packages/a%2Bb.whl"
 * @throws {HostileDataError} when `url` is not an absolute URL.
 */
export function rawUrlPath(url: string): string {
  const match = URL_PATH.exec(url);
  if (!match) throw new HostileDataError(`Got invalid download URL: ${url}`);
  return match[1]!;
}

function withoutFragment(url: string): string {
  const hashIndex = url.indexOf("#");
  return hashIndex === -1 ? url : url.slice(0, hashIndex);
}

/**
 * The link a project page gives for a file, without the `#digest` fragment:
 * - `root_uri` set: `rootUri + path` (bandersnatch; a trailing `/` on rootUri is dropped, fixing
 *   its `//packages` defect);
 * - release files mirrored: `"../.." + path`, relative to `simple/<name>/` (also right with
 *   hash-index, where the server maps `/simple/<name>/` to `simple/<c>/<name>/`);
 * - index-only mirror without `root_uri`: the upstream URL itself (bandersnatch would use its
 *   files-host default `root_uri`, which gives the same bytes for PyPI's own file URLs).
 *
 * The path is the upstream URL path verbatim, percent-encoding kept, as bandersnatch writes it.
 *
 * @throws {HostileDataError} when a mirrored file's URL path is not under `/packages`.
 */
export function fileLink(file: ReleaseFile, options: PageOptions): string {
  if (options.rootUri === null && !options.releaseFiles) return withoutFragment(file.url);
  const path = rawUrlPath(file.url);
  // bandersnatch: RuntimeError("Got invalid download URL: ...").
  if (!path.startsWith("/packages")) throw new HostileDataError(`Got invalid download URL: ${file.url}`);
  const prefix = options.rootUri === null ? RELATIVE_PREFIX : options.rootUri.replace(/\/+$/, "");
  return prefix + path;
}

/**
 * The file's digest for the configured `digest_name`.
 *
 * @throws {UpstreamError} when upstream gave no such digest (bandersnatch's InvalidDigestFormat).
 */
export function fileDigest(file: ReleaseFile, digestName: string, projectName: string): string {
  const digest = file.hashes[digestName];
  if (digest === undefined || digest === "") {
    const available = sortCodePoints(Object.keys(file.hashes)).join(", ");
    throw new UpstreamError(
      `Configured digest '${digestName}' is not provided for ${file.filename} in ${projectName} ` +
        `(upstream gives: ${available})`,
    );
  }
  return digest;
}

/**
 * Python's `hashlib.algorithms_guaranteed` plus the OpenSSL extras of a usual Linux build:
 * the names bandersnatch accepts as a third-choice core-metadata digest.
 */
export const HASHLIB_ALGORITHMS: ReadonlySet<string> = new Set([
  "blake2b",
  "blake2s",
  "md5",
  "md5-sha1",
  "sha1",
  "sha224",
  "sha256",
  "sha384",
  "sha3_224",
  "sha3_256",
  "sha3_384",
  "sha3_512",
  "sha512",
  "sha512_224",
  "sha512_256",
  "shake_128",
  "shake_256",
  "sm3",
]);

/** A core-metadata (PEP 658) digest: algorithm name and hex value. */
export interface MetadataDigest {
  algorithm: string;
  hex: string;
}

/**
 * bandersnatch's `find_core_metadata_digest`: the digest to advertise and verify the
 * `<file>.metadata` download against. `digestName` if upstream gave it, else `sha256`, else the
 * first (code point order) algorithm hashlib knows. Null for `true` (no hash: nothing to verify,
 * so not mirrored), `false`, absent, or a dict without a usable entry.
 *
 * @example coreMetadataDigest({ sha256: "ab" }, "sha256") // { algorithm: "sha256", hex: "ab" }
 */
export function coreMetadataDigest(coreMetadata: CoreMetadata, digestName: string): MetadataDigest | null {
  if (typeof coreMetadata !== "object" || coreMetadata === null) return null;
  for (const algorithm of [digestName, "sha256"]) {
    const hex = Object.hasOwn(coreMetadata, algorithm) ? coreMetadata[algorithm] : undefined;
    if (typeof hex === "string" && hex !== "") return { algorithm, hex };
  }
  const algorithms = sortCodePoints(Object.keys(coreMetadata));
  for (const algorithm of algorithms) {
    const hex = coreMetadata[algorithm];
    if (HASHLIB_ALGORITHMS.has(algorithm) && typeof hex === "string" && hex !== "") return { algorithm, hex };
  }
  return null;
}
