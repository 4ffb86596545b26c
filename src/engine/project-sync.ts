/**
 * One project, start to finish: fetch its page (waiting out a stale CDN),
 * filter, bring every promised file into place, then — only then — write its
 * pages and record it in the ledger. A failure leaves its old pages untouched.
 */

import type { MirrorOptions } from "../config/types.ts";
import { BunsnatchError, HostileDataError, StorageError } from "../errors.ts";
import type { FilterSet } from "../filters/types.ts";
import type { IndexWriter } from "../index/writer.ts";
import { log } from "../log.ts";
import type { Downloader } from "../pipeline/downloader.ts";
import type { FileRow, Ledger } from "../state/ledger.ts";
import type { Storage } from "../storage/storage.ts";
import type { JsonApiDocument, ProjectPage } from "../upstream/types.ts";
import { checkCurrent } from "./current-file.ts";
import type { UpstreamSource } from "./ports.ts";
import type { RunRecorder } from "./recorder.ts";
import { type WantedFile, wantedFiles } from "./wanted-files.ts";

export interface StaleRetry {
  /** Fetches of a page whose serial is behind before the project is deferred. */
  attempts: number;
  /** First wait; doubles each time (bandersnatch: 1 s, 2 s). */
  baseMs: number;
}

export interface ProjectSyncContext {
  options: MirrorOptions;
  storage: Storage;
  ledger: Ledger;
  source: UpstreamSource;
  filters: FilterSet;
  downloader: Downloader;
  indexWriter: IndexWriter;
  staleRetry: StaleRetry;
  recorder: RunRecorder;
}

export interface PlannedItem {
  name: string;
  displayName: string;
  /** Serial the page must reach (0: no check, as under `sync`). */
  requiredSerial: number;
  /** Serial used to name kept page versions (the feed's serial; 0 under `sync`). */
  listingSerial: number;
}

export type ProjectOutcome =
  | { kind: "synced"; downloaded: number; bytes: number }
  /** Upstream has no such project (404). */
  | { kind: "gone" }
  /** Metadata filters dropped the project. */
  | { kind: "filtered" }
  /** Upstream kept serving an older serial; retried next run. */
  | { kind: "deferred"; reason: string }
  | { kind: "failed"; reason: string; fatal: boolean };

/** Syncs one project; never throws for project-level problems (they become outcomes). */
export async function syncProject(context: ProjectSyncContext, item: PlannedItem): Promise<ProjectOutcome> {
  try {
    return await syncProjectUnguarded(context, item);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    // A disk that is full or read-only fails every project alike: stop the run.
    const fatal = error instanceof StorageError;
    if (!(error instanceof BunsnatchError)) log.debug(String((error as Error)?.stack ?? error));
    return { kind: "failed", reason, fatal };
  }
}

async function syncProjectUnguarded(context: ProjectSyncContext, item: PlannedItem): Promise<ProjectOutcome> {
  const { options } = context;
  log.info(`Fetching metadata for package: ${item.displayName} (serial ${item.requiredSerial})`);
  const fetched = await fetchFreshPage(context, item);
  if (fetched === "gone") {
    log.info(`${item.displayName} no longer exists on PyPI`);
    return { kind: "gone" };
  }
  if (typeof fetched === "string") return { kind: "deferred", reason: fetched };
  // PEP 792: a quarantined project lists no files and leaves the listing; the mirror drops it like a removed one.
  if (fetched.projectStatus?.status === "quarantined") {
    log.info(`${item.displayName} is quarantined upstream`);
    return { kind: "gone" };
  }
  let page = fetched;

  const needsJsonApi =
    options.json ||
    context.filters.needsJsonApi ||
    page.files.some((file) => !(options.digestName in file.hashes));
  if (needsJsonApi) {
    const jsonApi = await fetchFreshJsonApi(context, item);
    if (typeof jsonApi === "string" && jsonApi !== "gone") return { kind: "deferred", reason: jsonApi };
    if (jsonApi !== "gone") {
      page = withJsonApi(page, jsonApi.document);
      if (options.json) await saveJsonApi(context, page.name, jsonApi.saved);
    }
  }

  if (!context.filters.allowsMetadata(page)) {
    log.info(`${item.displayName} is excluded by a metadata filter`);
    return { kind: "filtered" };
  }
  const listedPaths = new Set(page.files.map((file) => `web/${file.mirrorPath}`));
  const selection = context.filters.selectFiles(page);
  page = { ...page, files: selection.files, versions: selection.versions };
  for (const file of page.files) {
    if (!(options.digestName in file.hashes)) {
      throw new HostileDataError(
        `${item.displayName}: configured digest '${options.digestName}' is not provided for ${file.filename}`,
      );
    }
  }

  const wanted = options.releaseFiles ? wantedFiles(page.files, options) : [];
  const { rows, downloaded, bytes, failures } = await bringFilesIntoPlace(context, page.name, wanted);
  if (failures.length > 0) {
    context.ledger.transaction(() => {
      for (const row of rows) context.ledger.upsertFile(row);
    });
    // One line per failed project: the caller logs this reason (with the project's name).
    const first = failures[0]!;
    return {
      kind: "failed",
      reason: `${failures.length} file(s) failed, first: ${first.message}`,
      fatal: failures.some((failure) => failure instanceof StorageError),
    };
  }

  // Files must be durable before the page that lists them is.
  await context.storage.flush();
  log.info(`Storing index page(s): ${page.name} - in ${context.indexWriter.projectDirectory(page.name)}`);
  const pagePaths = await context.indexWriter.writeProjectPages(page, item.listingSerial);
  for (const path of pagePaths) context.recorder.wrote(path);
  await context.storage.flush();

  const keptPaths = new Set(rows.map((row) => row.path));
  context.ledger.transaction(() => {
    for (const row of rows) context.ledger.upsertFile(row);
    for (const old of context.ledger.filesOfProject(page.name)) {
      if (keptPaths.has(old.path)) continue;
      if (options.deleteRemoved) {
        const listed = listedPaths.has(old.path.replace(/\.metadata$/, ""));
        context.ledger.queueDeletion({
          path: old.path,
          project: page.name,
          reason: listed ? "excluded by the filters" : "no longer listed upstream",
          serial: page.serial,
        });
      } else {
        context.ledger.deleteFile(old.path);
      }
    }
    context.ledger.upsertProject({ name: page.name, displayName: page.displayName, serial: page.serial });
    context.ledger.markPlanDone(page.name);
  });
  return { kind: "synced", downloaded, bytes };
}

/** The page at (at least) the required serial, "gone", or a deferral reason (string). */
async function fetchFreshPage(
  context: ProjectSyncContext,
  item: PlannedItem,
): Promise<ProjectPage | "gone" | string> {
  return fetchFresh(context, item, async () => {
    const page = await context.source.fetchPage(item.name, item.displayName);
    return page === "gone" ? page : { value: page, serial: page.serial };
  });
}

async function fetchFreshJsonApi(
  context: ProjectSyncContext,
  item: PlannedItem,
): Promise<{ document: JsonApiDocument; saved: string } | "gone" | string> {
  return fetchFresh(context, item, async () => {
    const result = await context.source.fetchJsonApi(item.name);
    return result === "gone" ? result : { value: result, serial: result.serial };
  });
}

/** bandersnatch's stale-CDN rule: retry with doubling waits while the serial is behind, then defer. */
async function fetchFresh<T>(
  context: ProjectSyncContext,
  item: PlannedItem,
  fetchOnce: () => Promise<{ value: T; serial: number } | "gone">,
): Promise<T | "gone" | string> {
  const { attempts, baseMs } = context.staleRetry;
  for (let attempt = 1; ; attempt++) {
    const result = await fetchOnce();
    if (result === "gone") return result;
    if (result.serial >= item.requiredSerial) return result.value;
    log.error(`Stale serial for package ${item.displayName} - Attempt ${attempt}`);
    if (attempt >= attempts) {
      return `upstream still serves serial ${result.serial} for ${item.displayName}, expected ${item.requiredSerial}; deferred to the next run`;
    }
    await Bun.sleep(baseMs * 2 ** (attempt - 1));
  }
}

/**
 * Adds the JSON API's digests (md5, blake2b_256) to the page's files, for a
 * `digest_name` the PEP 691 page lacks, and keeps the document for filters.
 */
function withJsonApi(page: ProjectPage, document: JsonApiDocument): ProjectPage {
  const digestsByFilename = new Map<string, Record<string, string>>();
  for (const files of Object.values(document.releases ?? {})) {
    for (const file of files) {
      const filename = file.filename;
      const digests = file.digests;
      if (typeof filename === "string" && digests && typeof digests === "object") {
        digestsByFilename.set(filename, digests as Record<string, string>);
      }
    }
  }
  const files = page.files.map((file) => {
    const extra = digestsByFilename.get(file.filename);
    if (!extra) return file;
    const hashes = { ...file.hashes };
    for (const [algorithm, value] of Object.entries(extra)) {
      if (typeof value !== "string" || !/^[0-9a-f]+$/i.test(value)) continue;
      const key = algorithm.toLowerCase();
      if (hashes[key] === undefined) hashes[key] = value.toLowerCase();
      else if (hashes[key] !== value.toLowerCase()) {
        throw new HostileDataError(
          `${page.name}: the JSON API's ${key} for ${file.filename} disagrees with the simple page`,
        );
      }
    }
    return { ...file, hashes };
  });
  return { ...page, files, jsonApi: document };
}

/** `json = true`: `web/json/<name>` and a copy at `web/pypi/<name>/json` (bandersnatch ≥ 5.3 copies). */
async function saveJsonApi(context: ProjectSyncContext, name: string, saved: string): Promise<void> {
  await context.storage.writeAtomic(`web/json/${name}`, saved);
  await context.storage.writeAtomic(`web/pypi/${name}/json`, saved);
  context.recorder.wrote(`web/json/${name}`);
  context.recorder.wrote(`web/pypi/${name}/json`);
}

interface PlacementResult {
  rows: FileRow[];
  downloaded: number;
  bytes: number;
  failures: Error[];
}

/** Checks every wanted file and downloads the ones that are missing or wrong, in parallel. */
async function bringFilesIntoPlace(
  context: ProjectSyncContext,
  project: string,
  wanted: WantedFile[],
): Promise<PlacementResult> {
  const result: PlacementResult = { rows: [], downloaded: 0, bytes: 0, failures: [] };
  const fail = (error: unknown) =>
    result.failures.push(error instanceof Error ? error : new Error(String(error)));
  const missing: WantedFile[] = [];
  await Promise.all(
    wanted.map(async (file) => {
      try {
        const state = await checkCurrent(file, project, {
          storage: context.storage,
          ledger: context.ledger,
          compareMethod: context.options.compareMethod,
        });
        if (state.current) result.rows.push(state.row);
        else missing.push(file);
      } catch (error) {
        fail(error);
      }
    }),
  );
  // Known to the ledger before any byte lands (one transaction for the project): if the run is
  // killed from here on, a later removal upstream still deletes the file and its temporary.
  // No mtime: such a row is never trusted as is.
  context.ledger.transaction(() => {
    for (const file of missing) {
      context.ledger.upsertFile({
        path: file.path,
        project,
        size: file.size ?? 0,
        sha256: file.digests.sha256 ?? "",
        mtimeMs: null,
        verifiedAt: null,
      });
    }
  });
  await Promise.all(
    missing.map(async (file) => {
      try {
        log.info(`Downloading: ${file.candidates[file.candidates.length - 1]}`);
        const download = await context.downloader.download({
          project,
          mirrorPath: file.path,
          candidates: file.candidates,
          expectedSize: file.size,
          maxSize: file.maxSize,
          expectedDigests: file.digests,
          mtime: file.mtime,
        });
        // The upload time was stamped as the mtime: no need to stat the file for it.
        const mtimeMs = file.mtime
          ? file.mtime.getTime()
          : ((await context.storage.stat(file.path))?.mtimeMs ?? null);
        result.rows.push({
          path: file.path,
          project,
          size: download.size,
          sha256: download.sha256,
          mtimeMs,
          verifiedAt: Date.now(),
        });
        result.downloaded++;
        result.bytes += download.size;
        context.recorder.wrote(file.path);
      } catch (error) {
        fail(error);
      }
    }),
  );
  return result;
}
