/**
 * `verify`: make the mirror on disk the truth again.
 *
 * 1. Files: every file the ledger holds is re-hashed against the SHA-256 recorded
 *    when it was downloaded (`verify-files.ts`; resumable). Without a ledger, the
 *    ledger is first filled from the index pages, as `mirror` does on adoption.
 * 2. Pages: every project's pages are present, whole, and list exactly its files;
 *    the root index lists exactly the mirror's projects (`verify-pages.ts`).
 * 3. Repairs: a project with a bad file or page is re-fetched from upstream, as
 *    `sync` does, through the same download pipeline as `mirror` (pages cannot be
 *    rebuilt from the ledger alone: they carry upstream facts). Projects upstream
 *    no longer has are removed when `delete-removed` is on.
 * 4. `--delete`: files and project entries no page references go
 *    (`verify-orphans.ts`), behind the `max-deletions` valve, into `deletions.log`.
 */

import type { DeletionLimit } from "../config/types.ts";
import { log } from "../log.ts";
import { readStatusSerial } from "../state/status-files.ts";
import { adoptExistingMirror } from "./adopt.ts";
import {
  AuditTrail,
  applyQueuedDeletions,
  type DeletionOutcome,
  deletionAllowance,
  valveAdvice,
} from "./deletions.ts";
import { type PlannedItem, type ProjectOutcome, syncProject } from "./project-sync.ts";
import { RunRecorder } from "./recorder.ts";
import { writeRootIndex } from "./root-index.ts";
import type { MirrorContext } from "./run.ts";
import { checkStoredFiles, type FileProblem, VERIFY_CURSOR_KEY, VERIFY_STARTED_KEY } from "./verify-files.ts";
import { openFileHasher } from "./verify-hasher.ts";
import { findOrphans } from "./verify-orphans.ts";
import { checkPages } from "./verify-pages.ts";
import { rates, type VerifySummary } from "./verify-report.ts";

export interface VerifyOptions {
  /** `--delete`: remove what no page references. */
  deleteOrphans: boolean;
  dryRun: boolean;
  /** `--json-update`: re-fetch every project from upstream (pages, JSON, new files). */
  jsonUpdate: boolean;
  /** Files hashed in parallel (threads). */
  workers: number;
  /** `--max-deletions` for this run. */
  maxDeletions?: DeletionLimit;
  /** Milliseconds to wait per file (tests). */
  delayMs?: number;
}

export async function runVerify(
  context: MirrorContext,
  verifyOptions: VerifyOptions,
): Promise<VerifySummary> {
  const started = new Date();
  const { storage, ledger, options } = context;
  const { dryRun } = verifyOptions;
  const resumed = !dryRun && ledger.getMeta(VERIFY_CURSOR_KEY) !== undefined;
  await adoptExistingMirror(context);
  log.info(
    `Verifying ${ledger.fileCount()} files of ${ledger.projectCount()} projects in ${storage.location}.`,
  );

  const hasher = openFileHasher(storage, verifyOptions.workers);
  let files: Awaited<ReturnType<typeof checkStoredFiles>>;
  try {
    files = await checkStoredFiles({
      storage,
      ledger,
      hasher,
      compareMethod: options.compareMethod,
      dryRun,
      ...(verifyOptions.delayMs ? { delayMs: verifyOptions.delayMs } : {}),
    });
  } finally {
    hasher.close();
  }
  const pages = await checkPages(context);
  for (const [project, problem] of pages.damaged) log.warning(`${project}: ${problem}`);
  if (pages.rootProblem) log.warning(pages.rootProblem);

  const repairs = repairList(files.problems, pages.damaged);
  // --json-update: every other project is re-fetched too (fresh JSON documents, new files).
  const refreshes = verifyOptions.jsonUpdate
    ? ledger
        .allProjects()
        .map((project) => project.name)
        .filter((name) => !repairs.has(name))
    : [];
  const failures: { project: string; reason: string }[] = [];
  let repaired = 0;
  let refreshed = 0;
  let deletions: DeletionOutcome = { deleted: [], projectsRemoved: [] };
  if (dryRun) {
    for (const [project, reason] of repairs)
      log.info(`[DRY RUN] would re-fetch ${project} from upstream: ${reason}`);
    if (refreshes.length > 0)
      log.info(`[DRY RUN] would refresh ${refreshes.length} more projects from upstream`);
    for (const project of repairs.keys()) failures.push({ project, reason: "not repaired (dry run)" });
  } else if (repairs.size + refreshes.length > 0) {
    log.info(`Re-fetching ${repairs.size + refreshes.length} projects from upstream.`);
    const outcomes = await repairProjects(context, [...repairs.keys(), ...refreshes]);
    for (const [project, outcome] of outcomes) {
      if (outcome.kind === "synced") {
        if (repairs.has(project)) repaired++;
        else refreshed++;
      } else if ((outcome.kind === "gone" || outcome.kind === "filtered") && options.deleteRemoved) {
        const reason =
          outcome.kind === "gone" ? "no longer exists upstream" : "excluded by a metadata filter";
        ledger.queueProjectRemoval(project, reason, ledger.getProject(project)?.serial ?? 0);
      } else failures.push({ project, reason: failureReason(outcome) });
    }
    if (options.deleteRemoved) {
      deletions = await applyQueuedDeletions({
        ...context,
        limit: verifyOptions.maxDeletions ?? options.maxDeletions,
      });
      if (deletions.blocked) {
        log.error(
          `Applying upstream removals would delete ${deletions.blocked.wanted} files, more than max-deletions allows (${deletions.blocked.limit}); nothing was deleted; ${valveAdvice("verify")}.`,
        );
      }
    }
  }

  const statusSerial = await readStatusSerial(storage);
  const rootRegenerated =
    !dryRun &&
    (pages.rootProblem !== null || repaired + refreshed > 0 || deletions.projectsRemoved.length > 0);
  if (rootRegenerated) {
    await writeRootIndex(context, statusSerial, true);
  }

  const orphans = verifyOptions.deleteOrphans
    ? await removeOrphans(context, {
        dryRun,
        serial: statusSerial,
        limit: verifyOptions.maxDeletions ?? options.maxDeletions,
      })
    : { found: 0, deleted: 0, blocked: undefined };
  await storage.flush();
  if (!dryRun) {
    ledger.deleteMeta(VERIFY_CURSOR_KEY);
    ledger.deleteMeta(VERIFY_STARTED_KEY);
    ledger.checkpoint();
  }

  const blocked = deletions.blocked ?? orphans.blocked ?? null;
  const problemsFound = files.problems.length > 0 || pages.damaged.size > 0 || pages.rootProblem !== null;
  const exitCode = failures.length > 0 || blocked || (dryRun && problemsFound) ? 1 : 0;
  const missing = files.problems.filter((problem) => problem.problem === "missing").length;
  return {
    command: "verify",
    startedAt: started.toISOString(),
    durationSeconds: (Date.now() - started.getTime()) / 1000,
    dryRun,
    resumed,
    files: {
      total: files.total,
      resumed: files.resumed,
      hashed: files.hashed,
      trusted: files.trusted,
      bytesHashed: files.throughput.bytes,
      missing,
      corrupt: files.problems.length - missing,
      downloaded: context.downloader.stats.files,
      bytesDownloaded: context.downloader.stats.bytes,
    },
    rate: rates(files.throughput),
    pages: { projectsChecked: pages.projectsChecked, damaged: pages.damaged.size, rootRegenerated },
    projects: { repaired, refreshed, removed: deletions.projectsRemoved.length, failed: failures.length },
    orphans: { found: orphans.found, deleted: orphans.deleted },
    deletionsBlocked: blocked,
    failures,
    exitCode,
  };
}

/** Project → why it must be re-fetched (its first problem). */
function repairList(fileProblems: FileProblem[], damagedPages: Map<string, string>): Map<string, string> {
  const repairs = new Map<string, string>();
  for (const problem of fileProblems) {
    if (!repairs.has(problem.project)) repairs.set(problem.project, `${problem.path}: ${problem.problem}`);
  }
  for (const [project, problem] of damagedPages) if (!repairs.has(project)) repairs.set(project, problem);
  return repairs;
}

/** Re-fetches projects like `sync`, `workers` at a time, re-hashing every file of theirs that is suspect. */
async function repairProjects(context: MirrorContext, names: string[]): Promise<Map<string, ProjectOutcome>> {
  const repairContext = {
    ...context,
    // A corrupt file may keep its size and upload-time mtime: never trust stat here.
    options: { ...context.options, compareMethod: "hash" as const },
    recorder: new RunRecorder(),
  };
  const outcomes = new Map<string, ProjectOutcome>();
  // An interrupted mirror run may have promised a newer serial: a repair must not settle for less.
  const promised = new Map(
    (context.ledger.loadPlan()?.projects ?? []).map((project) => [project.name, project.serial]),
  );
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const name = names[next++]!;
      const held = context.ledger.getProject(name);
      const serial = Math.max(held?.serial ?? 0, promised.get(name) ?? 0);
      const item: PlannedItem = {
        name,
        displayName: held?.displayName ?? name,
        requiredSerial: serial,
        listingSerial: serial,
      };
      const outcome = await syncProject(repairContext, item);
      outcomes.set(name, outcome);
      if (outcome.kind === "synced") log.info(`Repaired ${item.displayName}.`);
      else log.error(`Could not repair ${item.displayName}: ${failureReason(outcome)}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(context.options.workers, names.length) }, worker));
  return outcomes;
}

function failureReason(outcome: ProjectOutcome): string {
  switch (outcome.kind) {
    case "failed":
    case "deferred":
      return outcome.reason;
    case "gone":
      return "upstream no longer has it (delete-removed = false keeps it)";
    case "filtered":
      return "a metadata filter excludes it (delete-removed = false keeps it)";
    case "synced":
      return "repaired";
  }
}

/** `--delete`: removes unreferenced files and dead projects' entries, all or nothing under the valve. */
async function removeOrphans(
  context: MirrorContext,
  settings: { dryRun: boolean; serial: number; limit: DeletionLimit },
): Promise<{ found: number; deleted: number; blocked: { wanted: number; limit: number } | undefined }> {
  const { storage, ledger } = context;
  const orphans = await findOrphans(storage, ledger, context.indexWriter, context.options.hashIndex);
  const found = orphans.files.length + orphans.projectEntries.length;
  log.info(`We have ${ledger.fileCount()} files. ${found} unowned files and project entries.`);
  if (found === 0) return { found, deleted: 0, blocked: undefined };
  if (settings.dryRun) {
    for (const path of orphans.files) log.info(`[DRY RUN] would delete ${path}`);
    for (const entry of orphans.projectEntries)
      log.info(`[DRY RUN] would delete ${entry.path}${entry.directory ? "/" : ""}`);
    return { found, deleted: 0, blocked: undefined };
  }
  const allowed = deletionAllowance(settings.limit, ledger.fileCount() + found);
  if (found > allowed) {
    log.error(
      `verify --delete would delete ${found} unreferenced files and project entries, more than max-deletions allows (${allowed}); nothing was deleted; ${valveAdvice("verify --delete")}.`,
    );
    return { found, deleted: 0, blocked: { wanted: found, limit: allowed } };
  }
  const audit = new AuditTrail(storage);
  for (const path of orphans.files) {
    if (await storage.deleteFile(path))
      audit.record(settings.serial, "", path, "no page references it (verify --delete)");
    ledger.forgetDeletion(path);
  }
  for (const entry of orphans.projectEntries) {
    const removed = entry.directory
      ? await storage.deleteTree(entry.path)
      : await storage.deleteFile(entry.path);
    if (removed) {
      audit.record(
        settings.serial,
        entry.project,
        entry.directory ? `${entry.path}/` : entry.path,
        "project not on the mirror (verify --delete)",
      );
    }
  }
  await audit.flush();
  log.info(`Deleted ${audit.deleted.length} unreferenced files and project entries.`);
  return { found, deleted: audit.deleted.length, blocked: undefined };
}
