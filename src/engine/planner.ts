/**
 * Decides what a `mirror` run will do, and persists it before any work starts:
 * the change feed since the last good serial, merged with the unfinished plan
 * of an interrupted run, minus projects the filters exclude and projects the
 * ledger already holds at (or past) the promised serial.
 */

import { log } from "../log.ts";
import { normalizeName } from "../packaging/names.ts";
import type { Ledger, StoredPlan } from "../state/ledger.ts";
import { deleteTodo, readTodo, writeStatusSerial, writeTodo } from "../state/status-files.ts";
import type { Storage } from "../storage/storage.ts";
import type { RemovalEvent } from "../upstream/types.ts";
import type { ChangeFeed, ProjectFilters } from "./ports.ts";
import type { PlannedItem } from "./project-sync.ts";

export interface RunPlan {
  targetSerial: number;
  /** Projects to sync, sorted by normalized name. */
  items: PlannedItem[];
  /** Removal events from the journal. */
  removals: RemovalEvent[];
  /** Held projects that the full listing no longer has. */
  vanished: string[];
  /** Held projects that the project filters now exclude. */
  excluded: string[];
  /** Whether the feed was asked for everything (first run, --force-check, filter change). */
  full: boolean;
}

export interface PlanInputs {
  storage: Storage;
  ledger: Ledger;
  feed: ChangeFeed;
  filters: ProjectFilters;
  statusSerial: number;
  forceCheck: boolean;
}

const FINGERPRINT_KEY = "filter_fingerprint";
/** The fingerprint a run started applying: pages may follow it even when that run did not finish. */
const APPLYING_KEY = "filter_fingerprint_applying";

export async function makePlan(inputs: PlanInputs): Promise<RunPlan> {
  const { storage, ledger, filters } = inputs;
  let statusSerial = inputs.statusSerial;
  if (inputs.forceCheck) {
    if ((await storage.stat("status")) !== null) {
      await writeStatusSerial(storage, 0);
      log.info(`Status file was reset to serial 0 (from ${statusSerial}) - full sync`);
    } else {
      log.info("No status file to reset - Full sync will occur");
    }
    statusSerial = 0;
    ledger.clearPlan();
    await deleteTodo(storage);
  }

  const stored = ledger.loadPlan() ?? (await planFromTodoFile(storage));
  const recordedFingerprint = ledger.getMeta(FINGERPRINT_KEY);
  const applyingFingerprint = ledger.getMeta(APPLYING_KEY);
  // Also after an unfinished run with other filters (e.g. stopped by max-deletions) wrote some pages.
  const filtersChanged =
    (recordedFingerprint !== undefined && recordedFingerprint !== filters.fingerprint) ||
    (applyingFingerprint !== undefined && applyingFingerprint !== filters.fingerprint);
  if (filtersChanged) log.info("Filter configuration changed since the last run: re-checking every project.");
  if (recordedFingerprint !== filters.fingerprint) ledger.setMeta(APPLYING_KEY, filters.fingerprint);

  const since = filtersChanged ? 0 : (stored?.targetSerial ?? statusSerial);
  const full = since === 0;
  if (stored) log.info("Resuming interrupted sync from local todo list.");
  log.info(full ? "Syncing all packages." : "Syncing based on changelog.");
  const projectSerials = ledger.projectSerials();
  const changes = await inputs.feed.changesSince(since, {
    serialOf: (name) => projectSerials.get(name),
    names: () => projectSerials.keys(),
  });

  // The feed's map is ours: merge the interrupted plan into it rather than copy 800,000 entries.
  const wanted = changes.projects;
  for (const project of stored?.projects ?? []) {
    const change = wanted.get(project.name);
    if (!change || change.serial < project.serial) {
      wanted.set(project.name, { displayName: project.displayName, serial: project.serial });
    }
  }
  // Removed after the interrupted plan promised it: a stale CDN copy of its page must not bring it back.
  for (const removal of changes.removals) {
    if (removal.kind !== "remove project") continue;
    const name = normalizeName(removal.project);
    if ((wanted.get(name)?.serial ?? Number.POSITIVE_INFINITY) < removal.serial) wanted.delete(name);
  }

  const recheckAll = inputs.forceCheck || filtersChanged;
  const items: PlannedItem[] = [];
  const excluded = new Set<string>();
  for (const [name, project] of wanted) {
    if (!filters.allowsProject(project.displayName)) {
      if (projectSerials.has(name)) excluded.add(name);
      continue;
    }
    const held = projectSerials.get(name);
    if (!recheckAll && held !== undefined && held >= project.serial) continue;
    items.push({
      name,
      displayName: project.displayName,
      requiredSerial: project.serial,
      listingSerial: project.serial,
    });
  }
  if (filtersChanged) {
    // Held projects the project filters now exclude, even when the listing did not mention them.
    for (const name of projectSerials.keys()) {
      const row = ledger.getProject(name);
      if (row && !filters.allowsProject(row.displayName)) excluded.add(name);
    }
  }
  items.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));

  const targetSerial = Math.max(statusSerial, stored?.targetSerial ?? 0, changes.targetSerial);
  const removals = [...(stored?.removals ?? []), ...changes.removals];
  ledger.savePlan({
    targetSerial,
    projects: mapped(items, (item) => ({
      name: item.name,
      displayName: item.displayName,
      serial: item.requiredSerial,
    })),
    removals,
  });
  if (items.length > 0 || removals.length > 0) {
    await writeTodo(storage, {
      targetSerial,
      projects: mapped(items, (item) => ({ name: item.displayName, serial: item.requiredSerial })),
    });
  } else {
    await deleteTodo(storage);
  }
  return { targetSerial, items, removals, vanished: changes.vanished, excluded: [...excluded], full };
}

/** A lazily mapped view of an array (no second 800,000-element array). */
function* mapped<T, U>(values: readonly T[], map: (value: T) => U): Generator<U> {
  for (const value of values) yield map(value);
}

/** Records the filter fingerprint once a run has applied it everywhere. */
export function recordFilterFingerprint(ledger: Ledger, filters: ProjectFilters): void {
  ledger.setMeta(FINGERPRINT_KEY, filters.fingerprint);
  ledger.setMeta(APPLYING_KEY, filters.fingerprint);
}

/** bandersnatch's `todo` (an interrupted bandersnatch run), when there is no plan in the ledger. */
async function planFromTodoFile(storage: Storage): Promise<StoredPlan | undefined> {
  const todo = await readTodo(storage);
  if (todo === undefined) return undefined;
  if (todo === "inconsistent") {
    log.info("Removing inconsistent todo list.");
    await deleteTodo(storage);
    return undefined;
  }
  return {
    targetSerial: todo.targetSerial,
    projects: todo.projects.map((project) => ({
      name: normalizeName(project.name),
      displayName: project.name,
      serial: project.serial,
    })),
    removals: [],
  };
}
