/**
 * The state of the test upstream: projects, releases, files and the journal (B.1).
 * Every change writes journal rows with PyPI's exact action strings and moves the
 * project's last serial to its newest row. Project states are immutable snapshots, so
 * the page a project had before its last change can still be served (stale CDN).
 */
import type { ContentSource, FileDigests, GeneratedArtifact } from "./artifacts.ts";
import { buildArtifact, coreMetadataText, digestBytes } from "./artifacts.ts";
import { compareVersions, normalizeName } from "./names.ts";
import { hash32 } from "./rng.ts";

/** A journal row: `changelog_since_serial` returns these. */
export interface JournalEntry {
  serial: number;
  /** Display name of the project at the time of the event. */
  name: string;
  version: string | null;
  /** POSIX seconds, UTC. */
  timestamp: number;
  action: string;
}

/** PEP 792 status of a project. */
export type ProjectStatus = "active" | "archived" | "quarantined";

/** Upload time with PyPI's microsecond precision. */
export interface UploadTime {
  seconds: number;
  micros: number;
}

/** Where a file's PEP 658 metadata comes from. */
export type MetadataSource =
  | { kind: "generated"; artifact: GeneratedArtifact }
  | { kind: "bytes"; bytes: Uint8Array };

/** A file as the simulator stores it. Digests are computed on first need and kept. */
export interface StoredFile {
  readonly filename: string;
  readonly project: string;
  readonly version: string;
  readonly packagetype: string;
  readonly pythonVersion: string;
  readonly requiresPython: string | null;
  readonly uploadTime: UploadTime;
  readonly content: ContentSource;
  readonly metadata: MetadataSource | null;
  readonly provenance: boolean;
  digests: FileDigests | null;
  metadataDigests: FileDigests | null;
}

/** A file to add: everything but what the journal decides (upload time) and the digests. */
export type FileDraft = Omit<
  StoredFile,
  "uploadTime" | "digests" | "metadataDigests" | "project" | "version"
> & {
  uploadTime?: UploadTime;
  digests?: FileDigests | null;
};

/** A release: its files share the yank state (PEP 592 yanks whole releases). */
export interface StoredRelease {
  readonly version: string;
  readonly files: readonly StoredFile[];
  readonly yanked: boolean;
  readonly yankedReason: string;
}

/** A page entry given verbatim, for hostile-data tests. */
export interface RawFileEntry {
  filename: string;
  url: string;
  hashes?: Record<string, string>;
  size?: number;
  requiresPython?: string | null;
  yanked?: boolean | string;
  coreMetadata?: boolean | Record<string, string>;
  uploadTime?: string;
  provenance?: string | null;
  version?: string;
  /** Extra keys merged into the PEP 691 JSON entry as given. */
  extra?: Record<string, unknown>;
}

/** One immutable state of a project. */
export interface ProjectSnapshot {
  readonly name: string;
  readonly normalized: string;
  /** False once removed (pages answer 404). */
  readonly exists: boolean;
  readonly status: ProjectStatus;
  readonly lastSerial: number;
  /** Sorted by version (PyPI's order). */
  readonly releases: readonly StoredRelease[];
  /** Entries given verbatim (hostile projects); null for normal projects. */
  readonly raw: readonly RawFileEntry[] | null;
}

/** The pages that a stale CDN can serve out of date. */
export type PageKind = "simple" | "json";

interface ProjectRecord {
  current: ProjectSnapshot;
  /** The state before the last change, for stale pages. */
  previous: ProjectSnapshot | null;
  /** How many stale pages of each kind were served since the last change. */
  staleServed: Record<PageKind, number>;
}

/** A mutation that the upstream refuses (unknown project, reused filename, ...). */
export class SimulatorError extends Error {
  override name = "SimulatorError";
}

/** Options of the state: where serials and time start. */
export interface StateOptions {
  firstSerial: number;
  /** POSIX seconds of the first journal row; each serial adds {@link SECONDS_PER_SERIAL}. */
  startTime: number;
}

/** Journal time advances this much per serial, so timestamps are deterministic. */
export const SECONDS_PER_SERIAL = 37;

/** Digests of a stored file, computed on first use (generated and in-memory files). */
export function fileDigests(file: StoredFile): FileDigests {
  if (file.digests) return file.digests;
  if (file.content.kind === "generated") file.digests = digestBytes(buildArtifact(file.content.artifact));
  else if (file.content.kind === "bytes") file.digests = digestBytes(file.content.bytes);
  else throw new SimulatorError(`Digests of ${file.filename} were not computed when it was added`);
  return file.digests;
}

/** Bytes of a file's PEP 658 metadata, or null when it has none. */
export function metadataBytes(file: StoredFile): Uint8Array | null {
  if (!file.metadata) return null;
  if (file.metadata.kind === "bytes") return file.metadata.bytes;
  return new TextEncoder().encode(coreMetadataText(file.metadata.artifact));
}

/** Digests of a file's PEP 658 metadata, or null when it has none. */
export function metadataDigests(file: StoredFile): FileDigests | null {
  if (!file.metadata) return null;
  file.metadataDigests ??= digestBytes(metadataBytes(file)!);
  return file.metadataDigests;
}

/** Metadata of a generated wheel, as PEP 658 serves it. */
export function generatedMetadata(file: { content: ContentSource }): MetadataSource | null {
  if (file.content.kind !== "generated" || file.content.artifact.kind !== "wheel") return null;
  return { kind: "generated", artifact: file.content.artifact };
}

/** Projects, files and journal of the simulator. */
export class UpstreamState {
  readonly journal: JournalEntry[] = [];
  readonly #projects = new Map<string, ProjectRecord>();
  /** Every file ever uploaded, by filename (PyPI never reuses one; removed files stay servable). */
  readonly #filesByName = new Map<string, StoredFile>();
  readonly #options: StateOptions;
  /** Bumped on every change, serial or not; lets pages be cached. */
  generation = 0;

  constructor(options: StateOptions) {
    this.#options = options;
  }

  /** `changelog_last_serial`: the newest journal id (null when the journal is empty). */
  lastSerial(): number | null {
    return this.journal.at(-1)?.serial ?? null;
  }

  /** Journal rows with serial > `since`, ascending, at most `limit`. */
  journalSince(since: number, limit: number): JournalEntry[] {
    let low = 0;
    let high = this.journal.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.journal[middle]!.serial <= since) low = middle + 1;
      else high = middle;
    }
    return this.journal.slice(low, low + limit);
  }

  /** Current snapshot of a project by any spelling of its name (removed projects included). */
  snapshot(name: string): ProjectSnapshot | null {
    return this.#projects.get(normalizeName(name))?.current ?? null;
  }

  /** Current snapshots of all projects that exist (not removed), any status. */
  existingProjects(): ProjectSnapshot[] {
    const result: ProjectSnapshot[] = [];
    for (const record of this.#projects.values()) if (record.current.exists) result.push(record.current);
    return result;
  }

  /** A file by filename, including files removed from their project. */
  fileByName(filename: string): StoredFile | null {
    return this.#filesByName.get(filename) ?? null;
  }

  /**
   * The snapshot a (possibly stale) CDN serves for a page: the previous state for the first
   * `staleFetches` fetches after each change, the current state afterwards.
   */
  pageSnapshot(name: string, kind: PageKind, staleFetches: number): ProjectSnapshot | null {
    const record = this.#projects.get(normalizeName(name));
    if (!record) return null;
    if (record.previous && record.staleServed[kind] < staleFetches) {
      record.staleServed[kind] += 1;
      return record.previous;
    }
    return record.current;
  }

  #write(name: string, version: string | null, action: string): JournalEntry {
    const last = this.lastSerial();
    const serial = last === null ? this.#options.firstSerial : last + 1;
    const entry: JournalEntry = {
      serial,
      name,
      version,
      timestamp: this.#options.startTime + (serial - this.#options.firstSerial) * SECONDS_PER_SERIAL,
      action,
    };
    this.journal.push(entry);
    return entry;
  }

  #record(name: string): ProjectRecord {
    const record = this.#projects.get(normalizeName(name));
    if (!record?.current.exists) throw new SimulatorError(`No such project: ${name}`);
    return record;
  }

  /** Replace a project's state; the old one becomes the stale page. */
  #commit(record: ProjectRecord, next: ProjectSnapshot): void {
    record.previous = record.current;
    record.current = next;
    record.staleServed = { simple: 0, json: 0 };
    this.generation += 1;
  }

  /** Forget every previous page: the CDN has caught up (used after generating the initial projects). */
  settle(): void {
    for (const record of this.#projects.values()) record.previous = null;
  }

  /** Write a journal row for the project and return the snapshot with its new last serial. */
  #event(snapshot: ProjectSnapshot, version: string | null, action: string): ProjectSnapshot {
    const entry = this.#write(snapshot.name, version, action);
    return { ...snapshot, lastSerial: entry.serial };
  }

  /** Create a project (`create`, `add Owner <owner>`). A removed name can be created again. */
  createProject(name: string, owner = "test-owner", raw: readonly RawFileEntry[] | null = null): number {
    const normalized = normalizeName(name);
    const existing = this.#projects.get(normalized);
    if (existing?.current.exists) throw new SimulatorError(`Project already exists: ${name}`);
    let snapshot: ProjectSnapshot = {
      name,
      normalized,
      exists: true,
      status: "active",
      lastSerial: 0,
      releases: [],
      raw,
    };
    snapshot = this.#event(snapshot, null, "create");
    if (owner) snapshot = this.#event(snapshot, null, `add Owner ${owner}`);
    if (raw) {
      for (const entry of raw) {
        const python = entry.filename.endsWith(".whl") ? "py3" : "source";
        snapshot = this.#event(snapshot, entry.version ?? null, `add ${python} file ${entry.filename}`);
      }
    }
    if (existing) this.#commit(existing, snapshot);
    else {
      // Before it existed, a stale CDN answered 404 for it.
      const absent: ProjectSnapshot = { ...snapshot, exists: false, lastSerial: 0 };
      this.#projects.set(normalized, {
        current: snapshot,
        previous: absent,
        staleServed: { simple: 0, json: 0 },
      });
      this.generation += 1;
    }
    return snapshot.lastSerial;
  }

  /**
   * Upload files to a release (`new release` when the version is new, then
   * `add <python_version> file <filename>` each). Filenames can never be reused.
   */
  addFiles(project: string, version: string, drafts: readonly FileDraft[]): number {
    const record = this.#record(project);
    for (const draft of drafts) {
      if (this.#filesByName.has(draft.filename))
        throw new SimulatorError(`File already exists: ${draft.filename}`);
    }
    const seen = new Set<string>();
    for (const draft of drafts) {
      if (seen.has(draft.filename)) throw new SimulatorError(`Duplicate filename: ${draft.filename}`);
      seen.add(draft.filename);
    }
    let snapshot = record.current;
    let release = snapshot.releases.find((candidate) => candidate.version === version);
    if (!release) {
      snapshot = this.#event(snapshot, version, "new release");
      release = { version, files: [], yanked: false, yankedReason: "" };
    }
    const files = [...release.files];
    for (const draft of drafts) {
      snapshot = this.#event(snapshot, version, `add ${draft.pythonVersion} file ${draft.filename}`);
      const file: StoredFile = {
        ...draft,
        project: snapshot.normalized,
        version,
        uploadTime: draft.uploadTime ?? this.#uploadTime(draft.filename, snapshot.lastSerial),
        digests: draft.digests ?? null,
        metadataDigests: null,
      };
      files.push(file);
      this.#filesByName.set(file.filename, file);
    }
    snapshot = withRelease(snapshot, { ...release, files });
    this.#commit(record, snapshot);
    return snapshot.lastSerial;
  }

  #uploadTime(filename: string, serial: number): UploadTime {
    const hash = hash32("upload-time", filename);
    const seconds = this.#options.startTime + (serial - this.#options.firstSerial) * SECONDS_PER_SERIAL;
    // One file in five has whole seconds, so the fraction-less `upload-time` form appears too.
    return { seconds, micros: hash % 5 === 0 ? 0 : hash % 1_000_000 };
  }

  /** `remove file <filename>`. */
  removeFile(project: string, filename: string): number {
    const record = this.#record(project);
    const release = record.current.releases.find((candidate) =>
      candidate.files.some((file) => file.filename === filename),
    );
    if (!release) throw new SimulatorError(`No file ${filename} in ${project}`);
    let snapshot = this.#event(record.current, release.version, `remove file ${filename}`);
    snapshot = withRelease(snapshot, {
      ...release,
      files: release.files.filter((file) => file.filename !== filename),
    });
    this.#commit(record, snapshot);
    return snapshot.lastSerial;
  }

  /** `remove release`. */
  removeRelease(project: string, version: string): number {
    const record = this.#record(project);
    this.#release(record.current, version);
    const snapshot = this.#event(record.current, version, "remove release");
    this.#commit(record, {
      ...snapshot,
      releases: snapshot.releases.filter((release) => release.version !== version),
    });
    return snapshot.lastSerial;
  }

  /** `remove project`: pages answer 404 afterwards; file URLs keep working, as on PyPI. */
  removeProject(project: string): number {
    const record = this.#record(project);
    const snapshot = this.#event(record.current, null, "remove project");
    this.#commit(record, { ...snapshot, exists: false, releases: [], raw: null });
    return snapshot.lastSerial;
  }

  /** `yank release` (PEP 592), with an optional reason. */
  yank(project: string, version: string, reason = ""): number {
    const record = this.#record(project);
    const release = this.#release(record.current, version);
    const snapshot = this.#event(record.current, version, "yank release");
    this.#commit(record, withRelease(snapshot, { ...release, yanked: true, yankedReason: reason }));
    return snapshot.lastSerial;
  }

  /** `unyank release`. */
  unyank(project: string, version: string): number {
    const record = this.#record(project);
    const release = this.#release(record.current, version);
    const snapshot = this.#event(record.current, version, "unyank release");
    this.#commit(record, withRelease(snapshot, { ...release, yanked: false, yankedReason: "" }));
    return snapshot.lastSerial;
  }

  /** `project quarantined`: files hidden, status quarantined, absent from `/simple/`. */
  quarantine(project: string): number {
    const record = this.#record(project);
    const snapshot = this.#event(record.current, null, "project quarantined");
    this.#commit(record, { ...snapshot, status: "quarantined" });
    return snapshot.lastSerial;
  }

  /** `project quarantine cleared`. */
  clearQuarantine(project: string): number {
    const record = this.#record(project);
    const snapshot = this.#event(record.current, null, "project quarantine cleared");
    this.#commit(record, { ...snapshot, status: "active" });
    return snapshot.lastSerial;
  }

  /** Archive or unarchive: PEP 792 status changes with **no** journal row (as on PyPI). */
  setArchived(project: string, archived: boolean): number {
    const record = this.#record(project);
    this.#commit(record, { ...record.current, status: archived ? "archived" : "active" });
    return record.current.lastSerial;
  }

  /** `add <role> <user>`: a serial bump with no change to any page. */
  addRole(project: string, role: string, user: string): number {
    const record = this.#record(project);
    const snapshot = this.#event(record.current, null, `add ${role} ${user}`);
    this.#commit(record, snapshot);
    return snapshot.lastSerial;
  }

  /** Change the display name (case or separators); no journal row, like an admin rename. */
  renameDisplay(project: string, displayName: string): number {
    const record = this.#record(project);
    if (normalizeName(displayName) !== record.current.normalized)
      throw new SimulatorError(`${displayName} does not normalize to ${record.current.normalized}`);
    this.#commit(record, { ...record.current, name: displayName });
    return record.current.lastSerial;
  }

  #release(snapshot: ProjectSnapshot, version: string): StoredRelease {
    const release = snapshot.releases.find((candidate) => candidate.version === version);
    if (!release) throw new SimulatorError(`No release ${version} of ${snapshot.name}`);
    return release;
  }
}

function withRelease(snapshot: ProjectSnapshot, release: StoredRelease): ProjectSnapshot {
  const releases = snapshot.releases.filter((candidate) => candidate.version !== release.version);
  releases.push(release);
  releases.sort((left, right) => compareVersions(left.version, right.version));
  return { ...snapshot, releases };
}
