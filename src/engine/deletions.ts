/**
 * Applies what upstream removed: files no longer on a project's page, and whole
 * projects that are gone, quarantined or filtered out. Guarded by the
 * `max-deletions` safety valve (all or nothing), and every deletion is appended
 * to `deletions.log` and reported for the diff file's `.deleted` sibling.
 * `delete` and `verify --delete` remove through the same helpers.
 */

import type { DeletionLimit } from "../config/types.ts";
import type { IndexWriter } from "../index/writer.ts";
import { log } from "../log.ts";
import type { Ledger } from "../state/ledger.ts";
import type { Storage } from "../storage/storage.ts";

/** The audit trail, in the mirror directory: one tab-separated line per deleted path. */
export const AUDIT_LOG = "deletions.log";

export interface DeletionOutcome {
  /** Storage paths deleted (files, pages, JSON), in order; directories end in `/`. */
  deleted: string[];
  /** Projects removed from the mirror. */
  projectsRemoved: string[];
  /** Set when the safety valve stopped every deletion. */
  blocked?: { wanted: number; limit: number };
}

/** The number of files a `max-deletions` setting allows for a mirror holding `mirrorFiles`. */
export function deletionAllowance(limit: DeletionLimit, mirrorFiles: number): number {
  return limit.kind === "count" ? limit.value : Math.floor((limit.value / 100) * mirrorFiles);
}

/** How to lift the valve for one run, for the messages of every command that has one. */
export function valveAdvice(command: string): string {
  return `if that is really wanted, run '${command}' again with --max-deletions N (or a percentage such as 20%) to allow it once`;
}

/** Everything queued in the ledger, as the files it would delete. */
export function countQueuedDeletions(ledger: Ledger): number {
  let count = ledger.pendingDeletions().length;
  for (const removal of ledger.pendingProjectRemovals()) count += ledger.filesOfProject(removal.name).length;
  return count;
}

/**
 * Collects deletions as they happen and appends them to `deletions.log`:
 * `<ISO time>\t<serial>\t<project>\t<path>\t<reason>` per line.
 */
export class AuditTrail {
  /** Every path recorded, in order. */
  readonly deleted: string[] = [];
  private readonly lines: string[] = [];
  private readonly stamp: string;

  constructor(
    private readonly storage: Storage,
    now: Date = new Date(),
  ) {
    this.stamp = now.toISOString();
  }

  record(serial: number, project: string, path: string, reason: string): void {
    this.lines.push([this.stamp, serial, project || "-", path, oneLine(reason)].join("\t"));
    this.deleted.push(path);
  }

  /** Appends what was recorded since the last flush. */
  async flush(): Promise<void> {
    if (this.lines.length === 0) return;
    const text = `${this.lines.join("\n")}\n`;
    this.lines.length = 0;
    if (this.storage.appendText) await this.storage.appendText(AUDIT_LOG, text);
    else await this.storage.writeAtomic(AUDIT_LOG, ((await this.storage.readText(AUDIT_LOG)) ?? "") + text);
  }
}

function oneLine(text: string): string {
  return text.replace(/[\t\r\n]+/g, " ");
}

export interface RemovalContext {
  storage: Storage;
  ledger: Ledger;
  indexWriter: IndexWriter;
}

/** Every storage path a project occupies (files, pages and JSON), for dry runs and counts. */
export function projectPaths(context: RemovalContext, name: string, extraFiles: Iterable<string> = []) {
  const files = new Set<string>(context.ledger.filesOfProject(name).map((row) => row.path));
  for (const pending of context.ledger.pendingDeletions())
    if (pending.project === name) files.add(pending.path);
  for (const path of extraFiles) files.add(path);
  return {
    files: [...files].sort(),
    directories: [context.indexWriter.projectDirectory(name), `web/pypi/${name}`],
    json: `web/json/${name}`,
  };
}

/**
 * Removes a project from the mirror: its files (ledger rows, queued deletions and
 * `extraFiles`, e.g. what its page lists when the ledger never knew it), its page
 * directory, `web/pypi/<name>/` and `web/json/<name>`; then forgets it in the ledger.
 * The caller regenerates the root index.
 */
export async function removeProject(
  context: RemovalContext,
  removal: { name: string; serial: number; reason: string },
  audit: AuditTrail,
  extraFiles: Iterable<string> = [],
): Promise<void> {
  const { storage, ledger } = context;
  const paths = projectPaths(context, removal.name, extraFiles);
  // Pages first: a run killed midway must not leave a page listing deleted files
  // (the queued removal, still in the ledger, finishes the files next run).
  for (const directory of paths.directories) {
    if (await storage.deleteTree(directory))
      audit.record(removal.serial, removal.name, `${directory}/`, removal.reason);
  }
  if (await storage.deleteFile(paths.json))
    audit.record(removal.serial, removal.name, paths.json, removal.reason);
  for (const file of paths.files) {
    if (await storage.deleteFile(file)) audit.record(removal.serial, removal.name, file, removal.reason);
    ledger.forgetDeletion(file);
  }
  ledger.deleteProject(removal.name);
  ledger.forgetProjectRemoval(removal.name);
}

export interface ApplyDeletionsInputs extends RemovalContext {
  limit: DeletionLimit;
  dryRun?: boolean;
  now?: () => Date;
}

/** Applies every queued deletion, unless there are more than the limit allows. */
export async function applyQueuedDeletions(inputs: ApplyDeletionsInputs): Promise<DeletionOutcome> {
  const { storage, ledger } = inputs;
  const fileDeletions = ledger.pendingDeletions();
  const projectRemovals = ledger.pendingProjectRemovals();
  const outcome: DeletionOutcome = { deleted: [], projectsRemoved: [] };
  if (fileDeletions.length === 0 && projectRemovals.length === 0) return outcome;

  const wanted = countQueuedDeletions(ledger);
  const mirrorFiles = ledger.fileCount() + fileDeletions.length;
  const allowed = deletionAllowance(inputs.limit, mirrorFiles);
  if (wanted > allowed) {
    outcome.blocked = { wanted, limit: allowed };
    return outcome;
  }

  const audit = new AuditTrail(storage, (inputs.now ?? (() => new Date()))());
  const removedNames = new Set(projectRemovals.map((removal) => removal.name));
  for (const deletion of fileDeletions) {
    if (removedNames.has(deletion.project)) continue;
    if (inputs.dryRun) {
      log.info(`[DRY RUN] would delete ${deletion.path} (${deletion.project}: ${deletion.reason})`);
      continue;
    }
    if (await storage.deleteFile(deletion.path))
      audit.record(deletion.serial, deletion.project, deletion.path, deletion.reason);
    ledger.forgetDeletion(deletion.path);
  }

  for (const removal of projectRemovals) {
    if (inputs.dryRun) {
      const files = ledger.filesOfProject(removal.name).length;
      log.info(`[DRY RUN] would remove project ${removal.name} (${files} files): ${removal.reason}`);
      continue;
    }
    await removeProject(inputs, removal, audit);
    outcome.projectsRemoved.push(removal.name);
    log.info(`Removed project ${removal.name}: ${removal.reason}`);
  }
  outcome.deleted = audit.deleted;
  await audit.flush();
  await storage.flush();
  return outcome;
}
