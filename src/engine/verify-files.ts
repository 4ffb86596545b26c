/**
 * `verify`, step 1: every file the ledger holds is re-hashed (or, with
 * `compare-method = stat`, trusted when its size and mtime match the ledger) and
 * compared with the size and SHA-256 recorded when it was downloaded.
 *
 * Resumable: the ledger's files are walked in path order, a page at a time, and
 * after each page the last path done is saved (`verify_cursor`). A killed verify
 * continues after that path. Files found wrong are marked suspect in the ledger
 * (no mtime), so a resumed run finds them again without re-reading the rest.
 */

import type { CompareMethod } from "../config/types.ts";
import { log } from "../log.ts";
import type { FileRow, Ledger } from "../state/ledger.ts";
import type { Storage } from "../storage/storage.ts";
import type { FileHasher, HashResult } from "./verify-hasher.ts";
import { formatRate, type Throughput } from "./verify-report.ts";

/** Ledger meta keys of an unfinished verify. */
export const VERIFY_CURSOR_KEY = "verify_cursor";
export const VERIFY_STARTED_KEY = "verify_started_at";

/** A page ends after this many files or bytes, whichever comes first: a kill re-reads at most one page. */
const PAGE_FILES = 64;
const PAGE_BYTES = 256 * 1024 * 1024;
/** mtimes round-trip through floats; bandersnatch stamps microseconds. */
const MTIME_TOLERANCE_MS = 1;
const PROGRESS_EVERY_MS = 10_000;

export interface FileProblem {
  path: string;
  project: string;
  /** `missing`, `size differs (…)`, `digest differs`, `unreadable: …`, `no SHA-256 recorded`. */
  problem: string;
}

export interface FileCheckResult {
  problems: FileProblem[];
  /** Files in the ledger. */
  total: number;
  /** Files skipped because an interrupted verify had already checked them. */
  resumed: number;
  /** Files read and hashed by this run. */
  hashed: number;
  /** Files trusted on size + mtime (`compare-method = stat`). */
  trusted: number;
  throughput: Throughput;
}

export interface FileCheckInputs {
  storage: Storage;
  ledger: Ledger;
  hasher: FileHasher;
  compareMethod: CompareMethod;
  /** Report only: no ledger writes, no resume. */
  dryRun: boolean;
  /** Milliseconds to wait per file (`BUNSNATCH_VERIFY_DELAY_MS`; tests interrupt a slowed verify). */
  delayMs?: number;
  now?: () => number;
}

/** Checks every file the ledger holds, continuing an interrupted verify when there is one. */
export async function checkStoredFiles(inputs: FileCheckInputs): Promise<FileCheckResult> {
  const { ledger, dryRun } = inputs;
  const now = inputs.now ?? Date.now;
  const total = ledger.fileCount();
  const cursor = dryRun ? "" : (ledger.getMeta(VERIFY_CURSOR_KEY) ?? "");
  const result: FileCheckResult = {
    problems: [],
    total,
    resumed: 0,
    hashed: 0,
    trusted: 0,
    throughput: { files: 0, bytes: 0, seconds: 0 },
  };
  if (cursor !== "") {
    result.resumed = ledger.countFilesThrough(cursor);
    const since = ledger.getMeta(VERIFY_STARTED_KEY);
    log.info(
      `Resuming an interrupted verify${since ? ` (started ${since})` : ""}: ${result.resumed} of ${total} files were already checked.`,
    );
    // Files found wrong before the interruption carry no mtime: check them again.
    const suspects = ledger.filesThroughWithoutMtime(cursor);
    if (suspects.length > 0)
      result.problems.push(
        ...(await finishPage(inputs, await startPage(inputs, null, suspects, result), result, now)),
      );
  } else if (!dryRun) {
    ledger.setMeta(VERIFY_STARTED_KEY, new Date(now()).toISOString());
  }

  const started = performance.now();
  let lastProgress = started;
  // Two pages in flight: the threads hash the next page while this one is recorded in the ledger.
  let current = await startPage(inputs, cursor, pageOf(ledger.filesAfter(cursor, PAGE_FILES)), result);
  while (current.rows.length > 0) {
    const lastPath = current.rows[current.rows.length - 1]!.path;
    const next = await startPage(inputs, lastPath, pageOf(ledger.filesAfter(lastPath, PAGE_FILES)), result);
    result.problems.push(...(await finishPage(inputs, current, result, now)));
    if (!dryRun) ledger.setMeta(VERIFY_CURSOR_KEY, lastPath);
    result.throughput.seconds = (performance.now() - started) / 1000;
    if (performance.now() - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = performance.now();
      const done = result.resumed + result.hashed + result.trusted;
      log.info(`Verified ${done} of ${total} files; ${formatRate(result.throughput)}`);
    }
    current = next;
  }
  result.throughput.seconds = (performance.now() - started) / 1000;
  return result;
}

/** Rows up to the page's byte budget (at least one). */
function pageOf(rows: FileRow[]): FileRow[] {
  let bytes = 0;
  for (let index = 0; index < rows.length; index++) {
    bytes += rows[index]!.size;
    if (bytes > PAGE_BYTES) return rows.slice(0, Math.max(1, index));
  }
  return rows;
}

interface PageInFlight {
  /** The path the page starts after, when its rows are every ledger row up to its last (not the suspects). */
  after: string | null;
  rows: FileRow[];
  toHash: FileRow[];
  hashes: Promise<HashResult[]>;
}

/** Trusts what `compare-method = stat` allows and sends the rest of a page to the hashing threads. */
async function startPage(
  inputs: FileCheckInputs,
  after: string | null,
  rows: FileRow[],
  result: FileCheckResult,
): Promise<PageInFlight> {
  const toHash: FileRow[] = [];
  for (const row of rows) {
    if (inputs.compareMethod === "stat" && (await trustedByStat(inputs.storage, row))) result.trusted++;
    else toHash.push(row);
  }
  const hashes = inputs.hasher.hash(toHash.map((row) => row.path));
  // Rejections are awaited in finishPage; keep an early one from counting as unhandled.
  hashes.catch(() => {});
  return { after, rows, toHash, hashes };
}

/** Waits for a page's hashes, compares them with the ledger and records the outcome (one transaction). */
async function finishPage(
  inputs: FileCheckInputs,
  page: PageInFlight,
  result: FileCheckResult,
  now: () => number,
): Promise<FileProblem[]> {
  const hashes = await page.hashes;
  if (inputs.delayMs) await Bun.sleep(inputs.delayMs * page.rows.length);
  const problems: FileProblem[] = [];
  /** Verified files whose mtime is not the ledger's (touched, or restored by someone). */
  const moved: { path: string; mtimeMs: number }[] = [];
  const verified: { path: string; mtimeMs: number }[] = [];
  page.toHash.forEach((row, index) => {
    const hash = hashes[index]!;
    if (hash.kind === "ok") {
      result.hashed++;
      result.throughput.files++;
      result.throughput.bytes += hash.size;
    }
    const problem = problemOf(row, hash);
    if (problem) problems.push({ path: row.path, project: row.project, problem });
    else if (hash.kind === "ok") {
      verified.push({ path: row.path, mtimeMs: hash.mtimeMs });
      if (row.mtimeMs === null || Math.abs(row.mtimeMs - hash.mtimeMs) > MTIME_TOLERANCE_MS)
        moved.push({ path: row.path, mtimeMs: hash.mtimeMs });
    }
  });
  if (!inputs.dryRun) {
    const at = now();
    const { ledger } = inputs;
    const wholeRange = page.after !== null && page.toHash.length === page.rows.length && page.rows.length > 0;
    ledger.transaction(() => {
      if (wholeRange) {
        // The common case in one statement: every row of the page was hashed.
        ledger.recordVerifiedRange(page.after!, page.rows[page.rows.length - 1]!.path, at);
        for (const file of moved) ledger.recordVerified(file.path, file.mtimeMs, at);
      } else {
        for (const file of verified) ledger.recordVerified(file.path, file.mtimeMs, at);
      }
      for (const problem of problems) ledger.markUnverified(problem.path);
    });
  }
  for (const problem of problems) log.warning(`${problem.path}: ${problem.problem}`);
  return problems;
}

async function trustedByStat(storage: Storage, row: FileRow): Promise<boolean> {
  if (row.mtimeMs === null) return false;
  const stat = await storage.stat(row.path);
  return (
    stat !== null && stat.size === row.size && Math.abs(stat.mtimeMs - row.mtimeMs) <= MTIME_TOLERANCE_MS
  );
}

/** What is wrong with a file given its hash, or null when it matches the ledger. */
export function problemOf(row: FileRow, hash: HashResult): string | null {
  if (hash.kind === "missing") return "missing";
  if (hash.kind === "error") return `unreadable: ${hash.message}`;
  if (hash.size !== row.size) return `size differs (${hash.size} bytes on disk, ${row.size} expected)`;
  if (row.sha256 === "") return "no SHA-256 recorded";
  if (hash.sha256 !== row.sha256) return "digest differs";
  return null;
}
