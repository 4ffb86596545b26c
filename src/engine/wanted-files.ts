/**
 * Which files a project page promises, as download jobs: every release file,
 * plus its PEP 658 `.metadata` when `core-metadata` carries a hash we can check.
 */

import type { MirrorOptions } from "../config/types.ts";
import { rawUrlPath } from "../index/links.ts";
import { isSupportedDigest } from "../pipeline/digests.ts";
import { MAX_FILE_SIZE } from "../upstream/project-page.ts";
import type { ReleaseFile } from "../upstream/types.ts";

/** Largest `.metadata` file we accept (a wheel's METADATA; real ones are kilobytes). */
export const MAX_METADATA_SIZE = 64 * 1024 * 1024;

export interface WantedFile {
  kind: "dist" | "metadata";
  /** Storage path: `web/packages/...`. */
  path: string;
  /** URLs to try, in order. */
  candidates: string[];
  size: number | null;
  /** Largest body accepted when `size` is null. */
  maxSize: number;
  /** algorithm → hex the bytes must match. */
  digests: Record<string, string>;
  /** Upload time to stamp as mtime (`compare-method = stat` relies on it). */
  mtime: Date | null;
}

/** The jobs for a project's (already filtered) files. */
export function wantedFiles(files: readonly ReleaseFile[], options: MirrorOptions): WantedFile[] {
  const wanted: WantedFile[] = [];
  for (const file of files) {
    const mtime = parseUploadTime(file.uploadTime);
    const path = `web/${file.mirrorPath}`;
    wanted.push({
      kind: "dist",
      path,
      candidates: candidateUrls(file.url, options),
      size: file.size,
      maxSize: MAX_FILE_SIZE,
      digests: checkableDigests(file.hashes),
      mtime,
    });
    const metadataDigests = metadataDigestsOf(file);
    if (options.coreMetadata && metadataDigests) {
      wanted.push({
        kind: "metadata",
        path: `${path}.metadata`,
        candidates: candidateUrls(`${file.url}.metadata`, options),
        size: null,
        maxSize: MAX_METADATA_SIZE,
        digests: metadataDigests,
        mtime,
      });
    }
  }
  return wanted;
}

/** PEP 658/714: the `.metadata` digests we can verify, or null when there is no usable hash. */
export function metadataDigestsOf(file: ReleaseFile): Record<string, string> | null {
  if (typeof file.coreMetadata !== "object" || file.coreMetadata === null) return null;
  const digests = checkableDigests(file.coreMetadata);
  return Object.keys(digests).length > 0 ? digests : null;
}

function checkableDigests(hashes: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [algorithm, value] of Object.entries(hashes)) {
    if (isSupportedDigest(algorithm)) result[algorithm.toLowerCase()] = value.toLowerCase();
  }
  return result;
}

/** `download-mirror` + the URL's path first (unless it is the only source), then the upstream URL. */
export function candidateUrls(url: string, options: MirrorOptions): string[] {
  if (!options.downloadMirror) return [url];
  const mirrored = options.downloadMirror + rawUrlPath(url);
  return options.downloadMirrorNoFallback ? [mirrored] : [mirrored, url];
}

/** PEP 700 `upload-time` → Date, or null when absent or unparsable. */
export function parseUploadTime(uploadTime: string | null): Date | null {
  if (!uploadTime) return null;
  const ms = Date.parse(uploadTime);
  return Number.isNaN(ms) ? null : new Date(ms);
}
