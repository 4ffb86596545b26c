/**
 * The ledger: an embedded SQLite database (WAL) in the mirror directory that
 * knows every project and file we mirror. It makes "is this file current?"
 * O(1) without reading data, builds the root index without listing directories,
 * and keeps the plan of an interrupted run. It can always be rebuilt from the
 * index pages (see `adopt.ts`).
 */

import { Database, type Statement } from "bun:sqlite";
import * as path from "node:path";
import { StorageError } from "../errors.ts";
import type { RemovalEvent } from "../upstream/types.ts";

export const LEDGER_FILE = "bunsnatch.db";
const SCHEMA_VERSION = "1";
/** Rows per page when streaming a table (bounded memory, few statement calls). */
const PAGE_ROWS = 4096;
/** Plan rows per INSERT: one statement call per batch instead of per project (800,000 on a first run). */
const PLAN_BATCH_ROWS = 256;
const PLAN_INSERT = "INSERT INTO plan(name, display_name, serial, done) VALUES ";
const PLAN_UPSERT =
  " ON CONFLICT(name) DO UPDATE SET display_name = excluded.display_name, serial = MAX(plan.serial, excluded.serial), done = 0";

export interface ProjectRow {
  name: string;
  displayName: string;
  serial: number;
}

export interface FileRow {
  /** Storage path, e.g. `web/packages/ab/cd/<hex>/foo-1.0.tar.gz`. */
  path: string;
  project: string;
  size: number;
  sha256: string;
  /** Modification time we stamped on the file (ms since epoch), or null. */
  mtimeMs: number | null;
  /** When we last re-hashed it (ms since epoch), or null. */
  verifiedAt: number | null;
}

export interface PendingDeletion {
  /** Storage path (`web/packages/...`). */
  path: string;
  project: string;
  /** Why it goes (`removed upstream`, `filtered`, `remove project`...). */
  reason: string;
  serial: number;
}

export interface PlannedProject {
  name: string;
  displayName: string;
  serial: number;
}

export interface StoredPlan<Projects extends Iterable<PlannedProject> = PlannedProject[]> {
  targetSerial: number;
  projects: Projects;
  removals: RemovalEvent[];
}

export class Ledger {
  private readonly db: Database;
  private readonly statements: {
    getMeta: Statement;
    setMeta: Statement;
    deleteMeta: Statement;
    getProject: Statement;
    projectSerial: Statement;
    projectsAfter: Statement;
    upsertProject: Statement;
    deleteProject: Statement;
    getFile: Statement;
    upsertFile: Statement;
    deleteFile: Statement;
    filesOfProject: Statement;
    planInsert: Statement;
    planInsertBatch: Statement;
    forgetDeletion: Statement;
    planDone: Statement;
  };

  private constructor(
    db: Database,
    private readonly file: string,
  ) {
    this.db = db;
    this.statements = {
      getMeta: db.prepare("SELECT value FROM meta WHERE key = ?"),
      setMeta: db.prepare(
        "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      ),
      deleteMeta: db.prepare("DELETE FROM meta WHERE key = ?"),
      getProject: db.prepare("SELECT name, display_name AS displayName, serial FROM projects WHERE name = ?"),
      projectSerial: db.prepare("SELECT serial FROM projects WHERE name = ?"),
      projectsAfter: db.prepare(
        "SELECT rowid, name, serial FROM projects WHERE rowid > ? ORDER BY rowid LIMIT ?",
      ),
      upsertProject: db.prepare(
        "INSERT INTO projects(name, display_name, serial) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET display_name = excluded.display_name, serial = excluded.serial",
      ),
      deleteProject: db.prepare("DELETE FROM projects WHERE name = ?"),
      getFile: db.prepare(
        "SELECT path, project, size, sha256, mtime_ms AS mtimeMs, verified_at AS verifiedAt FROM files WHERE path = ?",
      ),
      upsertFile: db.prepare(
        "INSERT INTO files(path, project, size, sha256, mtime_ms, verified_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET project = excluded.project, size = excluded.size, sha256 = excluded.sha256, mtime_ms = excluded.mtime_ms, verified_at = excluded.verified_at",
      ),
      deleteFile: db.prepare("DELETE FROM files WHERE path = ?"),
      filesOfProject: db.prepare(
        "SELECT path, project, size, sha256, mtime_ms AS mtimeMs, verified_at AS verifiedAt FROM files WHERE project = ? ORDER BY path",
      ),
      planInsert: db.prepare(`${PLAN_INSERT}(?, ?, ?, 0)${PLAN_UPSERT}`),
      planInsertBatch: db.prepare(
        `${PLAN_INSERT}${Array.from({ length: PLAN_BATCH_ROWS }, () => "(?, ?, ?, 0)").join(", ")}${PLAN_UPSERT}`,
      ),
      planDone: db.prepare("UPDATE plan SET done = 1 WHERE name = ?"),
      forgetDeletion: db.prepare("DELETE FROM pending_deletions WHERE path = ?"),
    };
  }

  /** Opens (creating when needed) the ledger in `directory`. */
  static open(directory: string): Ledger {
    const file = path.join(directory, LEDGER_FILE);
    let db: Database;
    try {
      db = new Database(file, { create: true, strict: true });
      db.exec("PRAGMA journal_mode = WAL");
      db.exec("PRAGMA synchronous = NORMAL");
      db.exec("PRAGMA busy_timeout = 5000");
      Ledger.migrate(db);
    } catch (error) {
      throw new StorageError(
        `cannot open the ledger ${file}: ${error instanceof Error ? error.message : error}`,
      );
    }
    return new Ledger(db, file);
  }

  /** An in-memory ledger, for tests and dry runs. */
  static memory(): Ledger {
    const db = new Database(":memory:", { strict: true });
    Ledger.migrate(db);
    return new Ledger(db, ":memory:");
  }

  private static migrate(db: Database): void {
    db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS projects (
        name TEXT PRIMARY KEY,
        display_name TEXT NOT NULL,
        serial INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS files (
        path TEXT PRIMARY KEY,
        project TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        mtime_ms REAL,
        verified_at INTEGER
      );
      CREATE INDEX IF NOT EXISTS files_by_project ON files(project);
      CREATE TABLE IF NOT EXISTS plan (
        name TEXT PRIMARY KEY,
        display_name TEXT NOT NULL,
        serial INTEGER NOT NULL,
        done INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE IF NOT EXISTS pending_deletions (
        path TEXT PRIMARY KEY,
        project TEXT NOT NULL,
        reason TEXT NOT NULL,
        serial INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS pending_project_removals (
        name TEXT PRIMARY KEY,
        reason TEXT NOT NULL,
        serial INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS plan_removals (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        project TEXT NOT NULL,
        version TEXT,
        filename TEXT,
        serial INTEGER NOT NULL
      );
    `);
    const version = db.query("SELECT value FROM meta WHERE key = 'schema'").get() as { value: string } | null;
    if (!version) db.query("INSERT INTO meta(key, value) VALUES ('schema', ?)").run(SCHEMA_VERSION);
    else if (version.value !== SCHEMA_VERSION) {
      throw new Error(`unknown ledger schema version ${version.value}`);
    }
  }

  close(): void {
    this.db.close();
  }

  /** Runs `work` in one transaction (a savepoint when nested). */
  transaction<T>(work: () => T): T {
    // One wrapper for the ledger's lifetime: bun:sqlite builds a new one per `db.transaction` call.
    this.runInTransaction ??= this.db.transaction((inner: () => unknown) => inner());
    return this.write(() => this.runInTransaction!(work) as T);
  }

  private runInTransaction: ((work: () => unknown) => unknown) | undefined;

  /** Runs a write; a full, read-only or failing disk becomes a StorageError naming the ledger file. */
  private write<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw ledgerStorageError(this.file, error);
    }
  }

  getMeta(key: string): string | undefined {
    return (this.statements.getMeta.get(key) as { value: string } | null)?.value;
  }

  setMeta(key: string, value: string): void {
    this.write(() => this.statements.setMeta.run(key, value));
  }

  deleteMeta(key: string): void {
    this.write(() => this.statements.deleteMeta.run(key));
  }

  // --- projects ---

  getProject(name: string): ProjectRow | undefined {
    return (this.statements.getProject.get(name) as ProjectRow | null) ?? undefined;
  }

  /** Records a project as mirrored at `row.serial` (cancelling any queued removal of it). */
  upsertProject(row: ProjectRow): void {
    this.transaction(() => {
      this.statements.upsertProject.run(row.name, row.displayName, row.serial);
      this.forgetProjectRemoval(row.name);
    });
  }

  /** Forgets a project and its file rows. */
  deleteProject(name: string): void {
    this.transaction(() => {
      this.statements.deleteProject.run(name);
      this.db.query("DELETE FROM files WHERE project = ?").run(name);
    });
  }

  projectCount(): number {
    return (this.db.query("SELECT COUNT(*) AS n FROM projects").get() as { n: number }).n;
  }

  /** Every project, ordered by normalized name (Python's string order), streamed. */
  *iterateProjects(): Generator<ProjectRow> {
    const query = this.db.query(
      "SELECT name, display_name AS displayName, serial FROM projects ORDER BY name",
    );
    for (const row of query.iterate()) yield row as ProjectRow;
  }

  /** Every project, ordered by normalized name. */
  allProjects(): ProjectRow[] {
    return this.db
      .query("SELECT name, display_name AS displayName, serial FROM projects ORDER BY name")
      .all() as ProjectRow[];
  }

  /** The serial held for one project (an indexed lookup), or undefined. */
  projectSerial(name: string): number | undefined {
    return (this.statements.projectSerial.values(name) as [number][])[0]?.[0];
  }

  /** Every project's normalized name and serial, in no particular order, streamed page by page. */
  *projectSerialEntries(): Generator<[name: string, serial: number]> {
    let afterRowid = 0;
    while (true) {
      const rows = this.statements.projectsAfter.values(afterRowid, PAGE_ROWS) as [number, string, number][];
      for (const [, name, serial] of rows) yield [name, serial];
      if (rows.length < PAGE_ROWS) return;
      afterRowid = rows[rows.length - 1]![0];
    }
  }

  /** Every project's normalized name, in no particular order, streamed. */
  *projectNames(): Generator<string> {
    for (const [name] of this.projectSerialEntries()) yield name;
  }

  /** Normalized name → serial, for change-feed diffs. */
  projectSerials(): Map<string, number> {
    const result = new Map<string, number>();
    for (const [name, serial] of this.projectSerialEntries()) result.set(name, serial);
    return result;
  }

  // --- files ---

  getFile(filePath: string): FileRow | undefined {
    return (this.statements.getFile.get(filePath) as FileRow | null) ?? undefined;
  }

  /** Records a file as present and owned by `row.project` (cancelling any queued deletion of it). */
  upsertFile(row: FileRow): void {
    this.transaction(() => {
      this.statements.upsertFile.run(
        row.path,
        row.project,
        row.size,
        row.sha256,
        row.mtimeMs,
        row.verifiedAt,
      );
      this.statements.forgetDeletion.run(row.path);
    });
  }

  deleteFile(filePath: string): void {
    this.write(() => this.statements.deleteFile.run(filePath));
  }

  filesOfProject(project: string): FileRow[] {
    return this.statements.filesOfProject.all(project) as FileRow[];
  }

  /** Up to `limit` file rows with a path after `afterPath`, ordered by path (keyset paging for long scans such as `verify`). */
  filesAfter(afterPath: string, limit: number): FileRow[] {
    return this.db
      .query(
        "SELECT path, project, size, sha256, mtime_ms AS mtimeMs, verified_at AS verifiedAt FROM files WHERE path > ? ORDER BY path LIMIT ?",
      )
      .all(afterPath, limit) as FileRow[];
  }

  /** Number of file rows with a path up to and including `path`. */
  countFilesThrough(path: string): number {
    return (this.db.query("SELECT COUNT(*) AS n FROM files WHERE path <= ?").get(path) as { n: number }).n;
  }

  /** File rows up to and including `path` that carry no mtime (marked suspect, see `markUnverified`). */
  filesThroughWithoutMtime(path: string): FileRow[] {
    return this.db
      .query(
        "SELECT path, project, size, sha256, mtime_ms AS mtimeMs, verified_at AS verifiedAt FROM files WHERE path <= ? AND mtime_ms IS NULL ORDER BY path",
      )
      .all(path) as FileRow[];
  }

  /** Records a successful re-hash: the file's current mtime and when it was checked. */
  recordVerified(filePath: string, mtimeMs: number, at: number): void {
    this.write(() =>
      this.db
        .query("UPDATE files SET mtime_ms = ?, verified_at = ? WHERE path = ?")
        .run(mtimeMs, at, filePath),
    );
  }

  /** Stamps `verified_at` on every file with a path in (`afterPath`, `throughPath`]: one statement for a page of `verify`. */
  recordVerifiedRange(afterPath: string, throughPath: string, at: number): void {
    this.write(() =>
      this.db
        .query("UPDATE files SET verified_at = ? WHERE path > ? AND path <= ?")
        .run(at, afterPath, throughPath),
    );
  }

  /** Marks a file as suspect: the next sync re-hashes it instead of trusting its size and mtime. */
  markUnverified(filePath: string): void {
    this.write(() =>
      this.db.query("UPDATE files SET mtime_ms = NULL, verified_at = NULL WHERE path = ?").run(filePath),
    );
  }

  fileCount(): number {
    return (this.db.query("SELECT COUNT(*) AS n FROM files").get() as { n: number }).n;
  }

  /** Every file row, ordered by path (streamed). */
  *allFiles(): Generator<FileRow> {
    const query = this.db.query(
      "SELECT path, project, size, sha256, mtime_ms AS mtimeMs, verified_at AS verifiedAt FROM files ORDER BY path",
    );
    for (const row of query.iterate()) yield row as FileRow;
  }

  // --- deletions waiting for the run's safety valve (max-deletions) ---

  /** Queues a file for deletion; its ledger row goes (the pages no longer list it). */
  queueDeletion(deletion: PendingDeletion): void {
    this.transaction(() => {
      this.db
        .query(
          "INSERT INTO pending_deletions(path, project, reason, serial) VALUES (?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET reason = excluded.reason, serial = excluded.serial",
        )
        .run(deletion.path, deletion.project, deletion.reason, deletion.serial);
      this.statements.deleteFile.run(deletion.path);
    });
  }

  pendingDeletions(): PendingDeletion[] {
    return this.db
      .query("SELECT path, project, reason, serial FROM pending_deletions ORDER BY path")
      .all() as PendingDeletion[];
  }

  /** Drops a queued deletion (done, or the file is wanted again). */
  forgetDeletion(filePath: string): void {
    this.write(() => this.statements.forgetDeletion.run(filePath));
  }

  /** Queues a whole project for removal (gone upstream, quarantined, filtered out). */
  queueProjectRemoval(name: string, reason: string, serial: number): void {
    this.write(() =>
      this.db
        .query(
          "INSERT INTO pending_project_removals(name, reason, serial) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET reason = excluded.reason, serial = excluded.serial",
        )
        .run(name, reason, serial),
    );
  }

  pendingProjectRemovals(): { name: string; reason: string; serial: number }[] {
    return this.db.query("SELECT name, reason, serial FROM pending_project_removals ORDER BY name").all() as {
      name: string;
      reason: string;
      serial: number;
    }[];
  }

  forgetProjectRemoval(name: string): void {
    this.write(() => this.db.query("DELETE FROM pending_project_removals WHERE name = ?").run(name));
  }

  // --- the plan of the current run ---

  /**
   * Persists a plan (replacing any previous one) before work starts, in batched
   * inserts. Each project is read before the next is asked for, so a generator
   * may hand out one object, refilled.
   */
  savePlan(plan: StoredPlan<Iterable<PlannedProject>>): void {
    this.transaction(() => {
      this.db.exec("DELETE FROM plan; DELETE FROM plan_removals;");
      const batch: (string | number)[] = [];
      for (const project of plan.projects) {
        batch.push(project.name, project.displayName, project.serial);
        if (batch.length === PLAN_BATCH_ROWS * 3) {
          this.statements.planInsertBatch.run(...batch);
          batch.length = 0;
        }
      }
      for (let index = 0; index < batch.length; index += 3) {
        this.statements.planInsert.run(batch[index]!, batch[index + 1]!, batch[index + 2]!);
      }
      const insertRemoval = this.db.prepare(
        "INSERT INTO plan_removals(kind, project, version, filename, serial) VALUES (?, ?, ?, ?, ?)",
      );
      for (const removal of plan.removals) {
        insertRemoval.run(removal.kind, removal.project, removal.version, removal.filename, removal.serial);
      }
      this.setMeta("plan_target_serial", String(plan.targetSerial));
    });
  }

  /** The unfinished plan of an interrupted run, or undefined. Finished projects are left out. */
  loadPlan(): StoredPlan | undefined {
    const target = this.getMeta("plan_target_serial");
    if (target === undefined) return undefined;
    const projects = this.db
      .query("SELECT name, display_name AS displayName, serial FROM plan WHERE done = 0 ORDER BY name")
      .all() as PlannedProject[];
    const removals = (
      this.db
        .query("SELECT kind, project, version, filename, serial FROM plan_removals ORDER BY id")
        .all() as RemovalEvent[]
    ).map((removal) => ({ ...removal }));
    return { targetSerial: Number(target), projects, removals };
  }

  markPlanDone(name: string): void {
    this.write(() => this.statements.planDone.run(name));
  }

  /** Removes the stored plan once the run that made it has fully succeeded. */
  clearPlan(): void {
    this.transaction(() => {
      this.db.exec("DELETE FROM plan; DELETE FROM plan_removals;");
      this.deleteMeta("plan_target_serial");
    });
  }

  /** Makes everything written so far durable (a WAL checkpoint). */
  checkpoint(): void {
    this.write(() => this.db.exec("PRAGMA wal_checkpoint(PASSIVE)"));
  }
}

/** SQLite result codes that blame the disk, not the query. */
const DISK_FAILURE = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|PERM)/;

/** A disk failure of the ledger as a StorageError naming the file and the cause; any other error unchanged. */
function ledgerStorageError(file: string, error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (error instanceof StorageError || typeof code !== "string" || !DISK_FAILURE.test(code)) return error;
  return new StorageError(`cannot write the ledger ${file}: ${(error as Error).message} (${code})`, {
    code,
    cause: error,
  });
}
