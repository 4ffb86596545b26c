/**
 * Decides what a `mirror` run will do, and persists it before any work starts:
 * the change feed since the last good serial, merged with the unfinished plan
 * of an interrupted run, minus projects the filters exclude and projects the
 * ledger already holds at (or past) the promised serial.
 *
 * At PyPI's size a first run plans 800,000 projects: the feed hands them over one
 * by one (`PlanCollector`), they are sorted and de-duplicated in one array that
 * becomes the plan, and the ledger is asked per project (`LedgerHeld`) rather
 * than loaded whole, unless a plan is long enough that one load is cheaper.
 */

import type { FilterSet } from "../filters/types.ts";
import { log } from "../log.ts";
import { normalizeName } from "../packaging/names.ts";
import type { Ledger, StoredPlan } from "../state/ledger.ts";
import { deleteTodo, readTodo, writeStatusSerial, writeTodo } from "../state/status-files.ts";
import type { Storage } from "../storage/storage.ts";
import type { ProjectSink } from "../upstream/change-feed.ts";
import { HeldSnapshot } from "../upstream/held-snapshot.ts";
import type { RemovalEvent } from "../upstream/types.ts";
import type { ChangeFeed, HeldProjects } from "./ports.ts";
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
  filters: FilterSet;
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
  const held = new LedgerHeld(ledger);
  const wanted = new PlanCollector();
  const changes = await inputs.feed.changesSince(since, held, wanted);
  // What the feed read (a 800,000-entry list, the held snapshot, the listing's buffers) is garbage now.
  Bun.gc(true);
  wanted.closeFeed();
  // The feed's entries win ties with the interrupted plan's: they come first.
  for (const project of stored?.projects ?? []) wanted.add(project.name, project.displayName, project.serial);

  // Removed after the interrupted plan promised it: a stale CDN copy of its page must not bring it back.
  const removedAt = new Map<string, number>();
  for (const removal of changes.removals) {
    if (removal.kind !== "remove project") continue;
    const name = normalizeName(removal.project);
    removedAt.set(name, Math.max(removedAt.get(name) ?? 0, removal.serial));
  }

  const recheckAll = inputs.forceCheck || filtersChanged;
  const excluded = new Set<string>();
  const items = wanted.take((item) => {
    if (item.requiredSerial < (removedAt.get(item.name) ?? 0)) return false;
    if (!filters.allowsProject(item.displayName)) {
      if (held.serialOf(item.name) !== undefined) excluded.add(item.name);
      return false;
    }
    if (recheckAll) return true;
    const heldSerial = held.serialOf(item.name);
    return heldSerial === undefined || heldSerial < item.requiredSerial;
  });
  if (filtersChanged) {
    // Held projects the project filters now exclude, even when the listing did not mention them.
    for (const row of ledger.iterateProjects()) {
      if (!filters.allowsProject(row.displayName)) excluded.add(row.name);
    }
  }

  const targetSerial = Math.max(statusSerial, stored?.targetSerial ?? 0, changes.targetSerial);
  const removals = [...(stored?.removals ?? []), ...changes.removals];
  const row = { name: "", displayName: "", serial: 0 };
  ledger.savePlan({
    targetSerial,
    // One row object, refilled: savePlan reads each row before asking for the next.
    projects: mapped(items, (item) => {
      row.name = item.name;
      row.displayName = item.displayName;
      row.serial = item.requiredSerial;
      return row;
    }),
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

/**
 * The feed's projects as one array of plan items; `take` sorts it by name, keeps
 * one item per name (the highest serial, the first of equals: feed before the
 * interrupted plan) and drops what `keep` refuses, in place.
 */
class PlanCollector implements ProjectSink {
  private items: PlannedItem[] = [];
  /** Name → how many items had been added when the feed withdrew it. */
  private readonly withdrawn = new Map<string, number>();

  add(name: string, displayName: string, serial: number): void {
    this.items.push({ name, displayName, requiredSerial: serial, listingSerial: serial });
    if (this.items.length % GC_HINT_EVERY === 0) Bun.gc(false);
  }

  remove(name: string): void {
    this.withdrawn.set(name, this.items.length);
  }

  reset(): void {
    this.items = [];
    this.withdrawn.clear();
  }

  /** Applies the feed's withdrawals (to what it added before each); call once the feed is done. */
  closeFeed(): void {
    if (this.withdrawn.size === 0) return;
    this.items = this.items.filter((item, index) => index >= (this.withdrawn.get(item.name) ?? 0));
    this.withdrawn.clear();
  }

  /** The plan: one item per name, sorted by name, each accepted by `keep`. The collector is empty afterwards. */
  take(keep: (item: PlannedItem) => boolean): PlannedItem[] {
    const items = this.items;
    this.items = [];
    items.sort(byName);
    let kept = 0;
    for (let index = 0; index < items.length; ) {
      let chosen = items[index]!;
      for (index++; index < items.length && items[index]!.name === chosen.name; index++) {
        if (items[index]!.requiredSerial > chosen.requiredSerial) chosen = items[index]!;
      }
      if (keep(chosen)) items[kept++] = chosen;
    }
    items.length = kept;
    return items;
  }
}

function byName(left: PlannedItem, right: PlannedItem): number {
  return left.name < right.name ? -1 : left.name > right.name ? 1 : 0;
}

/** Past this many lookups, one load of every held serial is cheaper than asking SQLite per name. */
const POINT_LOOKUPS = 50_000;

/**
 * What the ledger holds, for the feed and the planner: one indexed lookup per
 * name (an incremental run asks ~2,000 times), switching to one load of every
 * serial once a plan turns out long; nothing at all while the ledger is empty.
 */
class LedgerHeld implements HeldProjects {
  private readonly empty: boolean;
  private lookups = 0;
  private loaded: HeldSnapshot | undefined;

  constructor(private readonly ledger: Ledger) {
    this.empty = ledger.projectCount() === 0;
  }

  serialOf(name: string): number | undefined {
    if (this.empty) return undefined;
    if (this.loaded) return this.loaded.serialOf(name);
    if (++this.lookups > POINT_LOOKUPS) {
      this.loaded = new HeldSnapshot(this.ledger.projectSerialEntries());
      return this.loaded.serialOf(name);
    }
    return this.ledger.projectSerial(name);
  }

  names(): Iterable<string> {
    return this.empty ? [] : this.ledger.projectNames();
  }

  entries(): Iterable<readonly [string, number]> {
    return this.empty ? [] : this.ledger.projectSerialEntries();
  }
}

/**
 * Per this many projects streamed (from the feed, into the ledger and `todo`), a
 * hint to collect: each leaves ~100 bytes of garbage (strings, SQLite bindings)
 * that JavaScriptCore would let grow to about the live heap (~150 MB on a PyPI
 * first run) before collecting. Measured: `writeTodo` of 800,000 projects peaked
 * ~105 MB above its start without the hint, ~23 MB with it, in the same time.
 */
const GC_HINT_EVERY = 100_000;

/** A lazily mapped view of an array (no second 800,000-element array), hinting a collection now and then. */
function* mapped<T, U>(values: readonly T[], map: (value: T) => U): Generator<U> {
  for (let index = 0; index < values.length; index++) {
    if (index > 0 && index % GC_HINT_EVERY === 0) Bun.gc(false);
    yield map(values[index]!);
  }
}

/** Records the filter fingerprint once a run has applied it everywhere. */
export function recordFilterFingerprint(ledger: Ledger, filters: FilterSet): void {
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
