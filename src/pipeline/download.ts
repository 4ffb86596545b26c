/**
 * One file, one stream: GET → chunks → byte count (abort past the advertised
 * size) → hashers → a temporary file in the destination directory → compare
 * size and digests → fsync → rename → mtime. Any failure deletes the temporary
 * file; nothing unverified is ever visible under the final name.
 */

import { IntegrityError, UpstreamError } from "../errors.ts";
import type { StagedFile, Storage } from "../storage/storage.ts";
import type { HttpClient } from "../upstream/http.ts";
import type { BandwidthLimiter } from "./bandwidth.ts";
import { findDigestMismatch, MultiHasher } from "./digests.ts";

/**
 * The digests worth computing: sha256 (the ledger keeps it) proves the bytes on its
 * own, so the others a page lists (md5, blake2b_256 from the JSON API) are checked
 * only when sha256 is not among the expected ones. Each extra digest costs a full
 * pass over the bytes (three together run at ~300 MiB/s instead of ~1.2 GiB/s).
 */
export function digestsToCompute(expected: Record<string, string>): string[] {
  const algorithms = Object.keys(expected).map((algorithm) => algorithm.toLowerCase());
  return algorithms.includes("sha256") ? ["sha256"] : algorithms;
}

export interface DownloadRequest {
  /** Project the file belongs to (for messages). */
  project: string;
  /** Destination, relative to the mirror directory (`web/packages/...`). */
  mirrorPath: string;
  /** URLs to try in order (download-mirror first, then upstream). */
  candidates: string[];
  /** Advertised size, or null when upstream did not say. */
  expectedSize: number | null;
  /** Largest body accepted when `expectedSize` is null. */
  maxSize: number;
  /** algorithm → hex digest the bytes must have; at least one. */
  expectedDigests: Record<string, string>;
  /** Modification time to stamp (the upload time), or null. */
  mtime: Date | null;
}

export interface DownloadResult {
  size: number;
  sha256: string;
  /** The URL the bytes came from. */
  url: string;
}

export interface FetchFileOptions {
  storage: Storage;
  http: HttpClient;
  /** Checks a URL before it is fetched; throws to refuse. */
  checkUrl: (url: string) => void;
  /** Checks every redirect target; throws to refuse. */
  checkRedirect: (target: URL) => void;
  bandwidth: BandwidthLimiter;
  /** Called with each chunk's length (progress accounting). */
  onBytes?: (count: number) => void;
}

/**
 * Fetches one URL into a staged file and publishes it when size and digests match.
 *
 * @throws UpstreamError (retryable for network faults, 5xx, 429, truncation),
 *   IntegrityError (digest mismatch, oversized body), StorageError (disk).
 */
export async function fetchFileOnce(
  request: DownloadRequest,
  url: string,
  options: FetchFileOptions,
): Promise<DownloadResult> {
  options.checkUrl(url);
  const limit = request.expectedSize ?? request.maxSize;
  // One byte over the limit must reach us so that we, not the client's cap, report it.
  const stream = await options.http.open("GET", url, {
    maxBytes: limit + 1,
    rawBody: true,
    checkRedirect: options.checkRedirect,
  });
  let staged: StagedFile | undefined;
  try {
    const declared = Number(stream.headers.get("content-length") ?? Number.NaN);
    if (request.expectedSize !== null && Number.isFinite(declared) && declared < request.expectedSize) {
      throw new UpstreamError(
        `${request.project}: ${url} announces ${declared} bytes but the page says ${request.expectedSize} (truncated)`,
        { retryable: true },
      );
    }
    const hasher = new MultiHasher(digestsToCompute(request.expectedDigests));
    staged = await options.storage.stage(request.mirrorPath);
    let received = 0;
    for await (const chunk of stream.chunks()) {
      received += chunk.length;
      if (received > limit) {
        throw new IntegrityError(
          `${request.project}: ${url} sent more than the ${request.expectedSize === null ? "maximum" : "advertised"} ${limit} bytes; cut off`,
        );
      }
      hasher.update(chunk);
      // Awaited only when they return a promise: a microtask per chunk adds up at ~16k chunks per GiB.
      const written = staged.write(chunk);
      if (written) await written;
      options.onBytes?.(chunk.length);
      const paced = options.bandwidth.consume(chunk.length);
      if (paced) await paced;
    }
    if (request.expectedSize !== null && received !== request.expectedSize) {
      throw new UpstreamError(
        `${request.project}: ${url} ended after ${received} of ${request.expectedSize} bytes (truncated)`,
        { retryable: true },
      );
    }
    const digests = hasher.digests();
    const mismatch = findDigestMismatch(request.expectedDigests, digests);
    if (mismatch) {
      throw new IntegrityError(
        `${request.project}: ${url} has ${mismatch.algorithm} ${mismatch.actual}, expected ${mismatch.expected}`,
      );
    }
    await staged.commit(request.mtime ? { mtime: request.mtime } : {});
    return { size: received, sha256: digests.sha256!, url };
  } catch (error) {
    await stream.cancel();
    await staged?.abort();
    throw error;
  }
}
