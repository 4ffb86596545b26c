/**
 * One `mirror` or `sync` run, from plan to status: projects in parallel
 * (`workers`), then upstream removals (behind the safety valve), the root index,
 * and — only when everything promised is on disk — the new serial.
 */

import * as path from "node:path";
import type { DeletionLimit, MirrorOptions } from "../config/types.ts";
import { StorageError } from "../errors.ts";
import type { FilterSet } from "../filters/types.ts";
import type { IndexWriter } from "../index/writer.ts";
import { log } from "../log.ts";
import { normalizeName, projectNameProblem } from "../packaging/names.ts";
import type { Downloader } from "../pipeline/downloader.ts";
import { startProgressLine } from "../pipeline/progress.ts";
import type { Ledger } from "../state/ledger.ts";
import {
  checkGeneration,
  deleteTodo,
  readStatusSerial,
  writeGeneration,
  writeLastModified,
  writeStatusSerial,
  writeTodo,
} from "../state/status-files.ts";
import type { Storage } from "../storage/storage.ts";
import { quoteValue } from "../upstream/hostile.ts";
import { adoptExistingMirror } from "./adopt.ts";
import { applyQueuedDeletions } from "./deletions.ts";
import { prepareDiffFiles, writeDiffFiles } from "./diff-file.ts";
import { makePlan, recordFilterFingerprint } from "./planner.ts";
import type { ChangeFeed, UpstreamSource } from "./ports.ts";
import { type PlannedItem, type ProjectOutcome, type StaleRetry, syncProject } from "./project-sync.ts";
import { RunRecorder } from "./recorder.ts";
import { writeRootIndex } from "./root-index.ts";
import type { RunSummary } from "./summary.ts";

export interface MirrorContext {
  options: MirrorOptions;
  storage: Storage;
  ledger: Ledger;
  source: UpstreamSource;
  feed: ChangeFeed;
  filters: FilterSet;
  downloader: Downloader;
  indexWriter: IndexWriter;
  staleRetry: StaleRetry;
  /** Show the live progress line (on a terminal only; off with --quiet). */
  progress?: boolean;
}

export interface MirrorRunOptions {
  forceCheck: boolean;
  /** `--max-deletions` for this run only. */
  maxDeletions?: DeletionLimit;
}

/** Prepares the mirror directory: layout, generation, adoption of an existing tree. */
export async function bootstrapMirror(context: MirrorContext): Promise<void> {
  const { storage, options } = context;
  for (const directory of ["web/simple", "web/packages", "web/local-stats/days"]) {
    await storage.ensureDirectory(directory);
  }
  if (options.json) {
    await storage.ensureDirectory("web/json");
    await storage.ensureDirectory("web/pypi");
  }
  const generation = await checkGeneration(storage);
  if (typeof generation === "object") {
    throw new StorageError(
      `unknown generation ${generation.unknown} in ${path.join(storage.location, "generation")}`,
    );
  }
  if (generation === "reset" && (await storage.stat("status")) !== null) {
    log.info("Old or missing generation file: resetting status and todo for a full sync.");
    await storage.deleteFile("status");
    await deleteTodo(storage);
  }
  await writeGeneration(storage);
  await adoptExistingMirror(context);
}

export async function runMirror(context: MirrorContext, runOptions: MirrorRunOptions): Promise<RunSummary> {
  const started = new Date();
  const { storage, ledger, options } = context;
  log.info(`Syncing with ${options.master}.`);
  prepareDiffFiles(options, started);
  await bootstrapMirror(context);
  const statusSerial = await readStatusSerial(storage);
  log.info(`Current mirror serial: ${statusSerial}`);

  const plan = await makePlan({
    storage,
    ledger,
    feed: context.feed,
    filters: context.filters,
    statusSerial,
    forceCheck: runOptions.forceCheck,
  });
  log.info(`Trying to reach serial: ${plan.targetSerial}`);
  log.info(`${plan.items.length} packages to sync.`);

  const recorder = new RunRecorder();
  const outcomes = await syncAll(context, plan.items, recorder);
  if (diskFailed(outcomes)) {
    // Deletions, the root index and `todo` would fail on the same disk; the ledger keeps the plan.
    return buildSummary("mirror", started, {
      previous: statusSerial,
      target: plan.targetSerial,
      recorded: statusSerial,
      planned: plan.items.length,
      outcomes,
      deletions: { deleted: [], projectsRemoved: [] },
      downloader: context.downloader,
      exitCode: 1,
    });
  }

  // Upstream removals reach the mirror (unless delete-removed = false).
  if (options.deleteRemoved) {
    const syncedNow = new Set<string>();
    for (const [name, outcome] of outcomes) if (outcome.kind === "synced") syncedNow.add(name);
    const queue = (name: string, reason: string, serial: number) => {
      // Files alone count: a run killed mid-project recorded its files before the project.
      const held = ledger.getProject(name) !== undefined || ledger.filesOfProject(name).length > 0;
      if (held && !syncedNow.has(name)) ledger.queueProjectRemoval(name, reason, serial);
    };
    for (const [name, outcome] of outcomes) {
      if (outcome.kind === "gone") queue(name, "no longer exists upstream", plan.targetSerial);
      if (outcome.kind === "filtered") queue(name, "excluded by a metadata filter", plan.targetSerial);
    }
    for (const name of plan.vanished) queue(name, "gone from the upstream listing", plan.targetSerial);
    for (const name of plan.excluded) queue(name, "excluded by the project filters", plan.targetSerial);
    for (const removal of plan.removals) {
      if (removal.kind === "remove project" || removal.kind === "project quarantined") {
        queue(normalizeName(removal.project), removal.kind, removal.serial);
      }
    }
  }
  const deletions = options.deleteRemoved
    ? await applyQueuedDeletions({
        storage,
        ledger,
        indexWriter: context.indexWriter,
        limit: runOptions.maxDeletions ?? options.maxDeletions,
      })
    : { deleted: [], projectsRemoved: [] };
  if (deletions.blocked) {
    log.error(
      `This run would delete ${deletions.blocked.wanted} files, more than max-deletions allows (${deletions.blocked.limit}); nothing was deleted. ` +
        "If upstream really removed them, run again with --max-deletions N (or a percentage such as 20%) to allow it once.",
    );
  }

  const counts = countOutcomes(outcomes);
  const success =
    counts.failed === 0 && counts.deferred === 0 && !deletions.blocked && outcomes.size === plan.items.length;
  const recordedSerial = success ? plan.targetSerial : statusSerial;

  // A new serial changes the root JSON's meta._last-serial even when no project changed (after `sync`).
  const changed =
    counts.synced > 0 || deletions.projectsRemoved.length > 0 || plan.full || recordedSerial !== statusSerial;
  if (changed || (await storage.stat("web/simple/index.v1_json")) === null) {
    // A removal plus an addition in one run keeps the count but shows up as a removal.
    const setChanged = deletions.projectsRemoved.length > 0;
    for (const written of await writeRootIndex(context, recordedSerial, setChanged)) recorder.wrote(written);
  }

  if (success) {
    recordFilterFingerprint(ledger, context.filters);
    ledger.clearPlan();
    await deleteTodo(storage);
    await writeLastModified(storage, started);
    await storage.flush();
    ledger.checkpoint();
    await writeStatusSerial(storage, plan.targetSerial);
    log.info(`New mirror serial: ${plan.targetSerial}`);
  } else {
    const remaining = ledger.loadPlan();
    if (remaining) {
      await writeTodo(storage, {
        targetSerial: remaining.targetSerial,
        projects: remaining.projects.map((project) => ({
          name: project.displayName,
          serial: project.serial,
        })),
      });
    }
  }
  await storage.flush();
  log.info(`${counts.synced} packages had changes`);
  if (options.diffFile)
    await writeDiffFiles(options, recorder.writtenPaths(), deletions.deleted, storage.location, started);

  return buildSummary("mirror", started, {
    previous: statusSerial,
    target: plan.targetSerial,
    recorded: recordedSerial,
    planned: plan.items.length,
    outcomes,
    deletions,
    downloader: context.downloader,
    exitCode: success ? 0 : 1,
  });
}

/** `sync <project...>`: just those projects; `status` untouched; root index unless skipped. */
export async function runSync(
  context: MirrorContext,
  projectNames: string[],
  options: { skipSimpleRoot: boolean },
): Promise<RunSummary> {
  const started = new Date();
  const { storage, ledger } = context;
  await bootstrapMirror(context);
  const statusSerial = await readStatusSerial(storage);
  // Names reach paths under web/simple/: refuse what is not a project name (`../x`, `/etc`, a newline).
  const refused = new Map<string, string>();
  for (const name of projectNames) {
    const problem = projectNameProblem(name);
    if (problem) refused.set(name, `Refusing project name ${quoteValue(name)}: ${problem}`);
  }
  for (const reason of refused.values()) log.error(reason);
  const accepted = projectNames.filter((name) => !refused.has(name));
  const items: PlannedItem[] = [...new Set(accepted.map(normalizeName))].map((name) => ({
    name,
    displayName: ledger.getProject(name)?.displayName ?? name,
    requiredSerial: 0,
    listingSerial: 0,
  }));
  log.info(`${items.length} packages to sync.`);
  const recorder = new RunRecorder();
  const outcomes = await syncAll(context, items, recorder);
  for (const [name, reason] of refused) outcomes.set(name, { kind: "failed", reason, fatal: false });
  const counts = countOutcomes(outcomes);
  if (!options.skipSimpleRoot && !diskFailed(outcomes)) {
    await writeRootIndex(context, statusSerial, true);
  }
  await storage.flush();
  const failed = counts.failed + counts.deferred + counts.gone;
  return buildSummary("sync", started, {
    previous: statusSerial,
    target: statusSerial,
    recorded: statusSerial,
    planned: items.length + refused.size,
    outcomes,
    deletions: { deleted: [], projectsRemoved: [] },
    downloader: context.downloader,
    exitCode: failed === 0 ? 0 : 1,
  });
}

/** Runs `syncProject` over the items with `workers` in flight; stops early on a fatal error. */
async function syncAll(
  context: MirrorContext,
  items: PlannedItem[],
  recorder: RunRecorder,
): Promise<Map<string, ProjectOutcome>> {
  const outcomes = new Map<string, ProjectOutcome>();
  let next = 0;
  let stop = false;
  let diskFailed = false;
  const projectContext = { ...context, recorder };
  const progress = startProgressLine(
    {
      projectsDone: () => outcomes.size,
      projectsTotal: () => items.length,
      files: () => context.downloader.stats.files,
      bytes: () => context.downloader.stats.bytes,
    },
    context.progress ?? false,
  );
  const worker = async () => {
    while (!stop && next < items.length) {
      const item = items[next++]!;
      const outcome = await syncProject(projectContext, item);
      outcomes.set(item.name, outcome);
      if (outcome.kind === "failed") {
        const line = `Error syncing package: ${item.displayName}@${item.requiredSerial}: ${outcome.reason}`;
        // Projects in flight when the disk failed fail the same way: one error line says it.
        if (outcome.fatal && diskFailed) log.info(line);
        else log.error(line);
        if (outcome.fatal) {
          if (!diskFailed) log.error("Stopping the run: the mirror directory cannot be written.");
          diskFailed = true;
          stop = true;
        } else if (context.options.stopOnError) {
          log.error("Exiting early after error.");
          stop = true;
        }
      } else if (outcome.kind === "deferred") {
        log.warning(outcome.reason);
      }
    }
  };
  try {
    await Promise.all(
      Array.from({ length: Math.min(context.options.workers, Math.max(1, items.length)) }, worker),
    );
  } finally {
    progress.stop();
  }
  return outcomes;
}

/** Whether a project failed because the mirror directory could not be written. */
function diskFailed(outcomes: Map<string, ProjectOutcome>): boolean {
  for (const outcome of outcomes.values()) if (outcome.kind === "failed" && outcome.fatal) return true;
  return false;
}

function countOutcomes(outcomes: Map<string, ProjectOutcome>) {
  const counts = { synced: 0, gone: 0, filtered: 0, deferred: 0, failed: 0 };
  for (const outcome of outcomes.values()) counts[outcome.kind]++;
  return counts;
}

function buildSummary(
  command: string,
  started: Date,
  parts: {
    previous: number;
    target: number;
    recorded: number;
    planned: number;
    outcomes: Map<string, ProjectOutcome>;
    deletions: { deleted: string[]; projectsRemoved: string[]; blocked?: { wanted: number; limit: number } };
    downloader: Downloader;
    exitCode: number;
  },
): RunSummary {
  const counts = countOutcomes(parts.outcomes);
  const failures: { project: string; reason: string }[] = [];
  for (const [project, outcome] of parts.outcomes) {
    if (outcome.kind === "failed" || outcome.kind === "deferred")
      failures.push({ project, reason: outcome.reason });
  }
  return {
    command,
    startedAt: started.toISOString(),
    durationSeconds: (Date.now() - started.getTime()) / 1000,
    serial: { previous: parts.previous, target: parts.target, recorded: parts.recorded },
    projects: { planned: parts.planned, ...counts, removed: parts.deletions.projectsRemoved.length },
    files: {
      downloaded: parts.downloader.stats.files,
      bytes: parts.downloader.stats.bytes,
      deleted: parts.deletions.deleted.length,
    },
    deletionsBlocked: parts.deletions.blocked ?? null,
    failures,
    exitCode: parts.exitCode,
  };
}
