/**
 * The change feed (DESIGN "Data flow" step 3): what changed upstream since the
 * serial we hold, as a `SyncPlan`.
 *
 * - `xmlrpc`: `changelog_since_serial` pages (uncached, carries removals); on a
 *   first run `list_packages_with_serial`, caught up through the changelog.
 * - `simple`: the PEP 691 `/simple/` listing, diffing `_last-serial` per project
 *   (what bandersnatch 8 does; works against any PEP 691 index).
 *
 * The projects of a plan go to a `ProjectSink` as they are found, so a first run
 * at PyPI's size (800,000 projects) never holds them as a Map on top of the plan
 * the engine builds; `buildSyncPlan` and the `planFrom…` functions collect them
 * into `SyncPlan.projects` for callers that want the whole plan.
 */

import type { ApiMethod } from "../config/types.ts";
import { describeError, UpstreamError } from "../errors.ts";
import { log } from "../log.ts";
import { normalizeName, projectNameProblem } from "../packaging/names.ts";
import { assertSafeFilename } from "../packaging/paths.ts";
import { HeldSnapshot } from "./held-snapshot.ts";
import { quoteValue } from "./hostile.ts";
import { type HttpClient, redactUrl } from "./http.ts";
import { isJsonObject } from "./json-safety.ts";
import { DEFAULT_RETRY_POLICY, type RetryHooks, type RetryPolicy, withRetry } from "./retry.ts";
import { checkApiVersion, SIMPLE_JSON } from "./simple-api.ts";
import { type ListingDocument, ListingFormatError, SimpleListingScanner } from "./simple-listing.ts";
import type { RemovalEvent, RemovalKind, SyncPlan } from "./types.ts";
import {
  type ChangelogEvent,
  type XmlRpcApi,
  XmlRpcClient,
  XmlRpcFaultError,
  XmlRpcFormatError,
} from "./xmlrpc.ts";

/** PyPI's `LIMIT` on `changelog_since_serial`: a full page means there may be more. */
export const CHANGELOG_PAGE_SIZE = 50_000;
/** Warnings printed one per line before the rest are only counted. */
const MAX_WARNING_LINES = 50;

/** What we hold, as the change feed needs to know it. */
export interface HeldState {
  /** Serial recorded by the last complete run (`status`), 0 on a first run. */
  currentSerial: number;
  /** Serial we hold for a normalized project name, if we hold it. */
  heldSerial?: (normalizedName: string) => number | undefined;
  /** Normalized names we hold (for `vanished`). */
  heldNames?: Iterable<string>;
  /**
   * Every held normalized name with its serial, streamed. When given, a full
   * listing is diffed against one snapshot of it (`HeldSnapshot`) rather than
   * through `heldSerial` and `heldNames`: one pass at PyPI's size instead of
   * 800,000 lookups and a second set of names.
   */
  heldEntries?: () => Iterable<readonly [name: string, serial: number]>;
}

/**
 * Receives the projects of a plan as the feed finds them. A name may come more
 * than once: the highest serial wins, the first of equal serials keeps its display name.
 */
export interface ProjectSink {
  /** Upstream has `normalizedName` at `serial`: the page must reach it. */
  add(normalizedName: string, displayName: string, serial: number): void;
  /** Forget what was added for `normalizedName` (its latest event removed it); it is not added again. */
  remove(normalizedName: string): void;
  /** Forget everything added so far (the listing is being read again). */
  reset(): void;
}

/** A plan without its projects (those went to a `ProjectSink`). */
export type FeedOutcome = Omit<SyncPlan, "projects">;

/** A `ProjectSink` that collects `SyncPlan.projects`. */
export class ProjectMap implements ProjectSink {
  readonly projects = new Map<string, { displayName: string; serial: number }>();

  add(normalizedName: string, displayName: string, serial: number): void {
    const existing = this.projects.get(normalizedName);
    if (!existing || serial > existing.serial) this.projects.set(normalizedName, { displayName, serial });
  }

  remove(normalizedName: string): void {
    this.projects.delete(normalizedName);
  }

  reset(): void {
    this.projects.clear();
  }
}

/** Retry settings for the feed's requests. */
export interface FeedRetry {
  retry?: RetryPolicy;
  retryHooks?: RetryHooks;
}

// --- names --------------------------------------------------------------------

/**
 * Counts warnings and stops printing them one per line after `MAX_WARNING_LINES`.
 * A deferred budget keeps its lines until `summarize`, for a body that may still be refused whole.
 */
class WarningBudget {
  count = 0;
  private readonly held: string[] | null;

  constructor(
    private readonly source: string,
    options: { deferred?: boolean } = {},
  ) {
    this.held = options.deferred ? [] : null;
  }

  warn(message: string): void {
    this.count++;
    if (this.count > MAX_WARNING_LINES) return;
    if (this.held) this.held.push(message);
    else log.warning(message);
  }

  summarize(): void {
    for (const message of this.held?.splice(0) ?? []) log.warning(message);
    if (this.count > MAX_WARNING_LINES) {
      log.warning(
        `${this.source}: ${this.count - MAX_WARNING_LINES} more entries skipped (${this.count} in all)`,
      );
    }
  }
}

/** The caller's retry hooks, with a warning line per retry unless the caller logs itself. */
function retryHooksWithLog(hooks: RetryHooks | undefined): RetryHooks {
  return {
    onRetry: ({ attempt, delayMs, error }) =>
      log.warning(
        `${describeError(error)} (attempt ${attempt}); retrying in ${(delayMs / 1000).toFixed(1)} s`,
      ),
    ...hooks,
  };
}

// --- changelog collapsing -----------------------------------------------------

const REMOVE_FILE_PREFIX = "remove file ";
/** `add py3 file foo-1.0-py3-none-any.whl`, `add source file foo-1.0.tar.gz`. */
const ADD_FILE = /^add \S+ file (.+)$/;

/** The result of collapsing changelog events (pure; see `collapseChangelog`). */
export interface CollapsedChangelog {
  /** normalized name → display name and serial the page must reach. */
  projects: Map<string, { displayName: string; serial: number }>;
  removals: RemovalEvent[];
  /** Normalized names whose latest event is `remove project` (not in `projects`). */
  removedProjects: Set<string>;
  /** Highest serial among all events, skipped ones included; 0 when there were none. */
  highestSerial: number;
  /** Events skipped for a bad project name or file name. */
  skipped: number;
}

interface ProjectHistory {
  displayName: string;
  serial: number;
  removedProject: boolean;
  removals: RemovalEvent[];
}

/**
 * Collapses changelog events into normalized name → highest serial (display name
 * from the latest event) plus the removals to apply. Rules:
 * - a project whose latest event is `remove project` is not scheduled for a
 *   fetch (its page is a 404); it is in `removedProjects` and `removals`;
 * - a later event re-creating what a removal removed wins and drops that removal
 *   (`create`/`new release`/`add … file` after `remove project`; `new release v`
 *   or a file of `v` after `remove release v`; `add … file f` after `remove file f`;
 *   `project quarantine cleared` after `project quarantined`), so applying the
 *   remaining removals before or after the project's fetch gives the same mirror;
 * - `remove project` replaces earlier removals of the same project;
 * - `project quarantined` keeps the project scheduled (its page turns empty with
 *   status `quarantined`) and records the removal;
 * - events with an invalid project name are skipped with one warning per name
 *   (however many events carry it), a `remove file` with an unsafe file name with
 *   a warning each; their serials still count.
 */
export function collapseChangelog(events: readonly ChangelogEvent[]): CollapsedChangelog {
  const ordered = [...events].sort((left, right) => left[4] - right[4]);
  const histories = new Map<string, ProjectHistory>();
  const refusedNames = new Map<string, { problem: string; serials: number[] }>();
  const warnings = new WarningBudget("changelog");
  let highestSerial = 0;

  for (const [name, version, , action, serial] of ordered) {
    if (serial > highestSerial) highestSerial = serial;
    const problem = projectNameProblem(name);
    if (problem) {
      const refused = refusedNames.get(name);
      if (refused) refused.serials.push(serial);
      else refusedNames.set(name, { problem, serials: [serial] });
      continue;
    }
    const normalizedName = normalizeName(name);
    let history = histories.get(normalizedName);
    if (!history) {
      history = { displayName: name, serial, removedProject: false, removals: [] };
      histories.set(normalizedName, history);
    }
    history.displayName = name;
    history.serial = serial;

    const removal = removalOf(name, version, action, serial, warnings);
    if (removal?.kind === "remove project") {
      history.removedProject = true;
      history.removals = [removal];
      continue;
    }
    history.removedProject = false;
    history.removals = history.removals.filter((earlier) => !supersedes(action, version, earlier));
    if (removal) history.removals.push(removal);
  }
  let skipped = warnings.count;
  for (const [name, { problem, serials }] of refusedNames) {
    const events =
      serials.length === 1
        ? `changelog event ${serials[0]}`
        : `${serials.length} changelog events (serials ${serials[0]} to ${serials.at(-1)})`;
    warnings.warn(`Skipping ${events} for project name ${quoteValue(name)}: ${problem}`);
    skipped += serials.length;
  }
  warnings.summarize();

  const projects = new Map<string, { displayName: string; serial: number }>();
  const removedProjects = new Set<string>();
  const removals: RemovalEvent[] = [];
  for (const [normalizedName, history] of histories) {
    if (history.removedProject) removedProjects.add(normalizedName);
    else projects.set(normalizedName, { displayName: history.displayName, serial: history.serial });
    removals.push(...history.removals);
  }
  removals.sort((left, right) => left.serial - right.serial);
  return { projects, removals, removedProjects, highestSerial, skipped };
}

function removalOf(
  project: string,
  version: string | null,
  action: string,
  serial: number,
  warnings: WarningBudget,
): RemovalEvent | null {
  const make = (kind: RemovalKind, filename: string | null = null): RemovalEvent => ({
    kind,
    project,
    version,
    filename,
    serial,
  });
  if (action === "remove project") return make("remove project");
  if (action === "remove release") return make("remove release");
  if (action === "project quarantined") return make("project quarantined");
  if (action.startsWith(REMOVE_FILE_PREFIX)) {
    const filename = action.slice(REMOVE_FILE_PREFIX.length);
    try {
      assertSafeFilename(filename, "removed file name");
    } catch (error) {
      warnings.warn(`Skipping changelog event ${serial} of ${project}: ${(error as Error).message}`);
      return null;
    }
    return make("remove file", filename);
  }
  return null;
}

/** Whether `action` (with its `version`) re-creates what `earlier` removed. */
function supersedes(action: string, version: string | null, earlier: RemovalEvent): boolean {
  const addedFile = ADD_FILE.exec(action)?.[1];
  switch (earlier.kind) {
    case "remove project":
      return action === "create" || action === "new release" || addedFile !== undefined;
    case "remove release":
      return (action === "new release" || addedFile !== undefined) && version === earlier.version;
    case "remove file":
      return addedFile === earlier.filename;
    case "project quarantined":
      return action === "project quarantine cleared";
  }
}

// --- xmlrpc -------------------------------------------------------------------

/** Options of `planFromXmlRpc`. */
export interface XmlRpcPlanOptions extends HeldState, FeedRetry {
  /** Page size at which another `changelog_since_serial` call is made (PyPI: 50,000). */
  pageSize?: number;
}

/**
 * Builds the plan from XML-RPC.
 *
 * First run (`currentSerial === 0`): `changelog_last_serial` (S0), then
 * `list_packages_with_serial` (every project at its serial; L = highest listed
 * serial). The list is a consistent snapshot but may be cached (Redis, up to an
 * hour): when S0 > L, the list may lack events up to S0, so the changelog is read
 * from L and merged (later events win, removals included). Only then is
 * targetSerial = max(L, S0, events): taking S0 alone when it is higher would lose
 * every event the cached list missed; taking L alone would be safe but replay
 * events next run. When L >= S0 the list is at least as fresh as S0 and
 * targetSerial = L; later events are read by the next run.
 *
 * Later runs: `changelog_since_serial` from `currentSerial`, again from the
 * highest serial seen while a page comes back full (`pageSize`).
 *
 * Throws `UpstreamError`; an upstream without XML-RPC gets a message that
 * suggests `api-method = simple`.
 */
export async function planFromXmlRpc(api: XmlRpcApi, options: XmlRpcPlanOptions): Promise<SyncPlan> {
  const collected = new ProjectMap();
  const outcome = await streamFromXmlRpc(api, options, collected);
  return { ...outcome, projects: collected.projects };
}

/** `planFromXmlRpc` with the projects going to `sink` as they are found. */
export async function streamFromXmlRpc(
  api: XmlRpcApi,
  options: XmlRpcPlanOptions,
  sink: ProjectSink,
): Promise<FeedOutcome> {
  const call = <T>(operation: () => Promise<T>) => callXmlRpc(api, operation, options);
  if (options.currentSerial === 0) return firstRunPlan(api, options, call, sink);

  const events = await readChangelog(
    api,
    options.currentSerial,
    options.pageSize ?? CHANGELOG_PAGE_SIZE,
    call,
  );
  const collapsed = collapseChangelog(events);
  for (const [normalizedName, change] of collapsed.projects) {
    sink.add(normalizedName, change.displayName, change.serial);
  }
  return {
    targetSerial: Math.max(options.currentSerial, collapsed.highestSerial),
    removals: collapsed.removals,
    vanished: [],
  };
}

async function firstRunPlan(
  api: XmlRpcApi,
  options: XmlRpcPlanOptions,
  call: <T>(operation: () => Promise<T>) => Promise<T>,
  sink: ProjectSink,
): Promise<FeedOutcome> {
  const journalHead = await call(() => api.changelogLastSerial());
  const held = heldSnapshot(options);
  const listedHighest = await readProjectList(api, call, held, sink);
  // The list (800,000 entries at PyPI's size) died with readProjectList; collect it before the
  // changelog pages are decoded (a tree costs ~25× its body). Measured: −45 MB peak at PyPI's size.
  Bun.gc(true);

  let removals: RemovalEvent[] = [];
  let targetSerial = listedHighest;
  if (journalHead > listedHighest) {
    log.info(
      `Project list is at serial ${listedHighest}, the journal at ${journalHead}: catching up from the changelog`,
    );
    const events = await readChangelog(api, listedHighest, options.pageSize ?? CHANGELOG_PAGE_SIZE, call);
    const collapsed = collapseChangelog(events);
    // Events above the list's highest serial outrank every listed entry, display name included.
    for (const [normalizedName, change] of collapsed.projects) {
      sink.add(normalizedName, change.displayName, change.serial);
    }
    for (const normalizedName of collapsed.removedProjects) sink.remove(normalizedName);
    removals = collapsed.removals;
    targetSerial = Math.max(listedHighest, journalHead, collapsed.highestSerial);
  }
  return { targetSerial, removals, vanished: held.unlisted() };
}

/**
 * `list_packages_with_serial` into `sink` (valid names only, one warning per bad
 * one), marking the listed names in `held`; returns the highest listed serial.
 * The list (800,000 entries at PyPI's size) is dropped on return.
 */
async function readProjectList(
  api: XmlRpcApi,
  call: <T>(operation: () => Promise<T>) => Promise<T>,
  held: HeldSnapshot,
  sink: ProjectSink,
): Promise<number> {
  const listed = await call(() => api.listPackagesWithSerial());
  if (listed.size === 0) {
    throw new UpstreamError(
      `list_packages_with_serial at ${redactUrl(api.endpoint)} returned no projects; refusing an empty mirror plan`,
    );
  }
  const warnings = new WarningBudget("list_packages_with_serial");
  let listedHighest = 0;
  for (const [displayName, serial] of listed) {
    if (serial > listedHighest) listedHighest = serial;
    const problem = projectNameProblem(displayName);
    if (problem) {
      warnings.warn(`Skipping listed project name ${quoteValue(displayName)}: ${problem}`);
      continue;
    }
    const normalizedName = normalizedNameOf(displayName);
    held.listed(normalizedName);
    sink.add(normalizedName, displayName, serial);
  }
  warnings.summarize();
  return listedHighest;
}

async function readChangelog(
  api: XmlRpcApi,
  fromSerial: number,
  pageSize: number,
  call: <T>(operation: () => Promise<T>) => Promise<T>,
): Promise<ChangelogEvent[]> {
  const events: ChangelogEvent[] = [];
  let since = fromSerial;
  while (true) {
    const page = await call(() => api.changelogSinceSerial(since));
    let highest = since;
    for (const event of page) {
      // The journal only returns serials above `since`; anything else is ignored.
      if (event[4] <= since) continue;
      events.push(event);
      if (event[4] > highest) highest = event[4];
    }
    if (page.length < pageSize) break;
    if (highest === since) {
      throw new UpstreamError(
        `changelog_since_serial at ${redactUrl(api.endpoint)}: a full page of ${page.length} events did not advance past serial ${since}`,
      );
    }
    log.debug(`changelog_since_serial(${since}): ${page.length} events, reading on from ${highest}`);
    since = highest;
  }
  return events;
}

async function callXmlRpc<T>(api: XmlRpcApi, operation: () => Promise<T>, options: FeedRetry): Promise<T> {
  try {
    return await withRetry(
      operation,
      options.retry ?? DEFAULT_RETRY_POLICY,
      retryHooksWithLog(options.retryHooks),
    );
  } catch (error) {
    const reason = notXmlRpcReason(error);
    if (reason) {
      throw new UpstreamError(
        `${redactUrl(api.endpoint)} does not answer XML-RPC (${reason}); set api-method = simple in [mirror] for this upstream`,
        { cause: error, status: error instanceof UpstreamError ? error.status : undefined },
      );
    }
    throw error;
  }
}

/** Why an error shows the upstream has no (usable) XML-RPC, or null for an ordinary failure. */
function notXmlRpcReason(error: unknown): string | null {
  if (error instanceof XmlRpcFaultError) {
    return error.faultCode === -32601 ? `fault -32601: ${error.faultString}` : null;
  }
  if (!(error instanceof UpstreamError)) return null;
  if (error.cause instanceof XmlRpcFormatError) return error.cause.message;
  if (error.status !== undefined && [400, 403, 404, 405, 406, 410, 415, 501].includes(error.status)) {
    return `HTTP ${error.status}`;
  }
  return null;
}

/** What we hold, as one snapshot to diff a full listing against. */
function heldSnapshot(held: HeldState): HeldSnapshot {
  if (held.heldEntries) return new HeldSnapshot(held.heldEntries());
  const { heldSerial } = held;
  return new HeldSnapshot(
    (function* () {
      for (const name of held.heldNames ?? []) yield [name, heldSerial?.(name)] as const;
    })(),
    heldSerial,
  );
}

/** `normalizeName`, returning `name` itself when it is already normalized (one string, not two, per project). */
function normalizedNameOf(name: string): string {
  const normalized = normalizeName(name);
  return normalized === name ? name : normalized;
}

// --- simple -------------------------------------------------------------------

/** Options of `planFromSimpleIndex`. */
export interface SimplePlanOptions extends HeldState, FeedRetry {
  maxBytes?: number;
}

/**
 * Builds the plan from the PEP 691 root listing `{master}/simple/`: every
 * project whose `_last-serial` is above the serial we hold for it (or above
 * `currentSerial` for projects we do not hold, as bandersnatch does); `vanished`
 * = held names the listing lacks. targetSerial = max(currentSerial,
 * `meta._last-serial` (or `X-PyPI-Last-Serial`), highest project serial).
 * Entries with a bad name or serial are skipped with a warning each.
 * Throws `UpstreamError` for HTML, a listing without serials, or an empty listing
 * while we hold projects.
 */
export async function planFromSimpleIndex(
  http: HttpClient,
  master: string,
  options: SimplePlanOptions,
): Promise<SyncPlan> {
  const collected = new ProjectMap();
  const outcome = await streamFromSimpleIndex(http, master, options, collected);
  return { ...outcome, projects: collected.projects };
}

/**
 * `planFromSimpleIndex` with the projects going to `sink` as they are found. The
 * listing is scanned as it streams in (`SimpleListingScanner`); the entry
 * warnings wait until the document has passed its checks, as they did when the
 * body was parsed first.
 */
export async function streamFromSimpleIndex(
  http: HttpClient,
  master: string,
  options: SimplePlanOptions,
  sink: ProjectSink,
): Promise<FeedOutcome> {
  const url = `${master.replace(/\/+$/, "")}/simple/`;
  const where = `GET ${redactUrl(url)}`;
  const held = heldSnapshot(options);
  let listing: Awaited<ReturnType<typeof readSimpleListing>>;
  try {
    listing = await withRetry(
      () => readSimpleListing(http, url, options, held, sink),
      options.retry ?? DEFAULT_RETRY_POLICY,
      retryHooksWithLog(options.retryHooks),
    );
  } catch (error) {
    if (error instanceof UpstreamError && /not JSON|answered/.test(error.message)) {
      throw new UpstreamError(`${error.message}; api-method = simple needs an index serving PEP 691 JSON`, {
        cause: error,
      });
    }
    throw error;
  }
  const { document, headers, entries } = listing;
  const meta = document.meta;
  if (!document.isObject || !isJsonObject(meta) || document.projects !== "array") {
    throw new UpstreamError(`${where}: not a PEP 691 project listing (needs "meta" and "projects")`);
  }
  checkApiVersion(meta["api-version"], where);
  const listingSerial = serialOf(meta["_last-serial"]) ?? serialOf(headers.get("x-pypi-last-serial"));
  if (listingSerial === null) {
    throw new UpstreamError(
      `${where}: listing has no meta._last-serial (nor X-PyPI-Last-Serial); cannot tell what changed`,
    );
  }
  if (entries.count > 0 && !entries.anySerial) {
    throw new UpstreamError(
      `${where}: no project in the listing has a _last-serial (a bandersnatch mirror?); api-method = simple needs per-project serials`,
    );
  }
  entries.warnings.summarize();
  if (entries.usable === 0 && held.size > 0) {
    throw new UpstreamError(
      `${where}: listing has no usable projects; refusing to treat all ${held.size} held projects as vanished`,
    );
  }
  return {
    targetSerial: Math.max(options.currentSerial, listingSerial, entries.highestSerial),
    removals: [],
    vanished: held.unlisted(),
  };
}

/** What the entries of one `projects` array came to. */
class ListingEntries {
  /** Elements seen. */
  count = 0;
  /** Whether any element is an object with a usable `_last-serial`. */
  anySerial = false;
  /** Elements with a valid name and serial. */
  usable = 0;
  highestSerial = 0;
  readonly warnings = new WarningBudget("/simple/ listing", { deferred: true });

  constructor(
    private readonly currentSerial: number,
    private readonly held: HeldSnapshot,
    private readonly sink: ProjectSink,
  ) {}

  /**
   * One element: every project whose `_last-serial` is above the serial we hold
   * for it (or above `currentSerial` for one we do not hold) goes to the sink.
   */
  entry(isObject: boolean, name: unknown, lastSerial: unknown, element: unknown): void {
    this.count++;
    const serial = isObject ? serialOf(lastSerial) : null;
    if (serial !== null) this.anySerial = true;
    if (typeof name !== "string") {
      this.warnings.warn(`Skipping malformed project entry in simple index: ${quoteValue(element)}: no name`);
      return;
    }
    const problem = projectNameProblem(name);
    if (problem) {
      this.warnings.warn(`Skipping project name ${quoteValue(name)} in simple index: ${problem}`);
      return;
    }
    if (serial === null) {
      this.warnings.warn(
        `Skipping project ${quoteValue(name)} in simple index: _last-serial is not a non-negative integer`,
      );
      return;
    }
    this.usable++;
    if (serial > this.highestSerial) this.highestSerial = serial;
    const normalizedName = normalizedNameOf(name);
    if (serial > (this.held.listed(normalizedName) ?? this.currentSerial)) {
      this.sink.add(normalizedName, name, serial);
    }
  }
}

/**
 * One GET of the listing, scanned as it arrives. The sink and the snapshot's marks
 * start over with each attempt and with each `projects` array of the document.
 * Throws `UpstreamError` worded as `HttpClient.getJson` words it.
 */
async function readSimpleListing(
  http: HttpClient,
  url: string,
  options: SimplePlanOptions,
  held: HeldSnapshot,
  sink: ProjectSink,
): Promise<{ document: ListingDocument; headers: Headers; entries: ListingEntries }> {
  const startOver = () => {
    sink.reset();
    held.clearMarks();
    return new ListingEntries(options.currentSerial, held, sink);
  };
  let entries = startOver();
  const scanner = new SimpleListingScanner({
    projectsStart: () => {
      entries = startOver();
    },
    entry: (isObject, name, lastSerial, element) => entries.entry(isObject, name, lastSerial, element),
  });
  const stream = await http.open("GET", url, {
    accept: SIMPLE_JSON,
    maxBytes: options.maxBytes ?? 512 * 1024 * 1024,
  });
  let document: ListingDocument;
  try {
    for await (const chunk of stream.chunks()) scanner.push(chunk);
    document = scanner.end();
  } catch (error) {
    await stream.cancel();
    if (!(error instanceof ListingFormatError)) throw error;
    const where = `GET ${redactUrl(stream.finalUrl)}`;
    const contentType = stream.headers.get("content-type");
    if (error.reason === "syntax" && (/html/i.test(contentType ?? "") || error.looksLikeMarkup)) {
      throw new UpstreamError(`${where}: answered ${contentType ?? "HTML"}, not JSON`);
    }
    throw new UpstreamError(`${where}: ${error.message}`);
  }
  return { document, headers: stream.headers, entries };
}

/** A non-negative safe integer from a JSON number or a decimal string, else null. */
function serialOf(value: unknown): number | null {
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 0 ? value : null;
  if (typeof value === "string" && /^\d{1,16}$/.test(value.trim())) return serialOf(Number(value.trim()));
  return null;
}

// --- entry point --------------------------------------------------------------

/**
 * The plan for one `mirror` run, by `api-method`.
 *
 * @example
 * const plan = await buildSyncPlan({ apiMethod: "xmlrpc", master: "https://pypi.org" }, http, { currentSerial });
 */
export async function buildSyncPlan(
  mirror: { apiMethod: ApiMethod; master: string },
  http: HttpClient,
  held: HeldState & FeedRetry & { pageSize?: number },
): Promise<SyncPlan> {
  const collected = new ProjectMap();
  const outcome = await streamSyncPlan(mirror, http, held, collected);
  return { ...outcome, projects: collected.projects };
}

/**
 * `buildSyncPlan` with the projects going to `sink` as they are found (the
 * engine's planner: no Map of every project on a first run).
 */
export async function streamSyncPlan(
  mirror: { apiMethod: ApiMethod; master: string },
  http: HttpClient,
  held: HeldState & FeedRetry & { pageSize?: number },
  sink: ProjectSink,
): Promise<FeedOutcome> {
  if (mirror.apiMethod === "simple") return streamFromSimpleIndex(http, mirror.master, held, sink);
  const api = new XmlRpcClient(http, `${mirror.master.replace(/\/+$/, "")}/pypi`);
  return streamFromXmlRpc(api, held, sink);
}
