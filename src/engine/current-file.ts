/**
 * "Is this file already here and right?" — answered from the ledger and one
 * `stat` whenever possible, so unchanged files of a touched project are never
 * re-read (bandersnatch re-hashes them all; reference §10 row 10).
 */

import type { CompareMethod } from "../config/types.ts";
import { findDigestMismatch, MultiHasher } from "../pipeline/digests.ts";
import type { FileRow, Ledger } from "../state/ledger.ts";
import type { Storage } from "../storage/storage.ts";
import type { WantedFile } from "./wanted-files.ts";

export type Currentness =
  /** Present and matching; the row to record (unchanged when the ledger already had it). */
  { current: true; row: FileRow; reread: boolean } | { current: false; reason: string };

/** Milliseconds of mtime slack: ledger values round-trip through floats, bandersnatch stamps microseconds. */
const MTIME_TOLERANCE_MS = 1;

/**
 * Decides whether `wanted` is current:
 * 1. ledger row matches the page (size, sha256) and the disk (size, mtime) → current, nothing read;
 * 2. `compare-method = stat` and the disk's size and mtime match the page → current, nothing read;
 * 3. otherwise the file is hashed once: matching → current (mtime fixed), else not current.
 */
export async function checkCurrent(
  wanted: WantedFile,
  project: string,
  context: { storage: Storage; ledger: Ledger; compareMethod: CompareMethod },
): Promise<Currentness> {
  const stat = await context.storage.stat(wanted.path);
  if (!stat) return { current: false, reason: "missing" };
  if (wanted.size !== null && stat.size !== wanted.size) return { current: false, reason: "size differs" };

  const row = context.ledger.getFile(wanted.path);
  const expectedSha256 = wanted.digests.sha256;
  if (
    row &&
    row.size === stat.size &&
    (expectedSha256 === undefined || row.sha256 === expectedSha256) &&
    row.mtimeMs !== null &&
    Math.abs(row.mtimeMs - stat.mtimeMs) <= MTIME_TOLERANCE_MS
  ) {
    return { current: true, row: { ...row, project }, reread: false };
  }

  const present = (sha256: string, mtimeMs: number, verifiedAt: number | null): FileRow => ({
    path: wanted.path,
    project,
    size: stat.size,
    sha256,
    mtimeMs,
    verifiedAt,
  });
  const mtimeMatchesUpload =
    wanted.mtime !== null && Math.abs(stat.mtimeMs - wanted.mtime.getTime()) <= MTIME_TOLERANCE_MS;
  if (
    context.compareMethod === "stat" &&
    mtimeMatchesUpload &&
    expectedSha256 !== undefined &&
    wanted.size !== null
  ) {
    return { current: true, row: present(expectedSha256, stat.mtimeMs, null), reread: false };
  }

  const hasher = new MultiHasher(Object.keys(wanted.digests));
  await context.storage.readChunks(wanted.path, (chunk) => hasher.update(chunk));
  const digests = hasher.digests();
  if (findDigestMismatch(wanted.digests, digests)) return { current: false, reason: "digest differs" };
  let mtimeMs = stat.mtimeMs;
  if (wanted.mtime && !mtimeMatchesUpload) {
    await context.storage.setMtime(wanted.path, wanted.mtime);
    mtimeMs = (await context.storage.stat(wanted.path))?.mtimeMs ?? wanted.mtime.getTime();
  }
  return { current: true, row: present(digests.sha256!, mtimeMs, Date.now()), reread: true };
}
