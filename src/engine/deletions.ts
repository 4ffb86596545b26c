/**
 * Applies what upstream removed: files no longer on a project's page, and whole
 * projects that are gone, quarantined or filtered out. Guarded by the
 * `max-deletions` safety valve (all or nothing), and every deletion is appended
 * to `deletions.log` and reported for the diff file's `.deleted` sibling.
 */

import type { DeletionLimit } from "../config/types.ts";
import type { IndexWriter } from "../index/writer.ts";
import { log } from "../log.ts";
import type { Ledger } from "../state/ledger.ts";
import type { Storage } from "../storage/storage.ts";

export const AUDIT_LOG = "deletions.log";

export interface DeletionOutcome {
  /** Storage paths deleted (files, pages, JSON), in order. */
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

/** Everything queued in the ledger, as the files it would delete. */
export function countQueuedDeletions(ledger: Ledger): number {
  let count = ledger.pendingDeletions().length;
  for (const removal of ledger.pendingProjectRemovals()) count += ledger.filesOfProject(removal.name).length;
  return count;
}

export interface ApplyDeletionsInputs {
  storage: Storage;
  ledger: Ledger;
  indexWriter: IndexWriter;
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

  const audit: string[] = [];
  const stamp = (inputs.now ?? (() => new Date()))().toISOString();
  const record = (serial: number, project: string, path: string, reason: string) => {
    audit.push([stamp, serial, project, path, reason].join("\t"));
    outcome.deleted.push(path);
  };

  for (const deletion of fileDeletions) {
    if (inputs.dryRun) {
      log.info(`[DRY RUN] would delete ${deletion.path} (${deletion.project}: ${deletion.reason})`);
      continue;
    }
    if (await storage.deleteFile(deletion.path))
      record(deletion.serial, deletion.project, deletion.path, deletion.reason);
    ledger.forgetDeletion(deletion.path);
  }

  for (const removal of projectRemovals) {
    const files = ledger.filesOfProject(removal.name);
    if (inputs.dryRun) {
      log.info(`[DRY RUN] would remove project ${removal.name} (${files.length} files): ${removal.reason}`);
      continue;
    }
    for (const file of files) {
      if (await storage.deleteFile(file.path))
        record(removal.serial, removal.name, file.path, removal.reason);
    }
    const directories = [inputs.indexWriter.projectDirectory(removal.name), `web/pypi/${removal.name}`];
    for (const directory of directories) {
      if (await storage.deleteTree(directory))
        record(removal.serial, removal.name, `${directory}/`, removal.reason);
    }
    if (await storage.deleteFile(`web/json/${removal.name}`)) {
      record(removal.serial, removal.name, `web/json/${removal.name}`, removal.reason);
    }
    ledger.deleteProject(removal.name);
    ledger.forgetProjectRemoval(removal.name);
    outcome.projectsRemoved.push(removal.name);
    log.info(`Removed project ${removal.name}: ${removal.reason}`);
  }
  if (audit.length > 0) await appendAudit(storage, audit);
  await storage.flush();
  return outcome;
}

async function appendAudit(storage: Storage, lines: string[]): Promise<void> {
  const previous = (await storage.readText(AUDIT_LOG)) ?? "";
  await storage.writeAtomic(AUDIT_LOG, previous + lines.join("\n") + "\n");
}
