/**
 * Domain types for what the upstream tells us. Everything here has been
 * validated by the readers in `upstream/` before other stages see it.
 */

/** PEP 691 `yanked`: false, true (no reason) or the reason string (PEP 592). */
export type Yanked = boolean | string;

/** PEP 658/714 `core-metadata`: absent, `false`, `true` (no hash) or `{algo: hex}`. */
export type CoreMetadata = boolean | Record<string, string> | undefined;

/** One distribution file as listed on a project page. */
export interface ReleaseFile {
  filename: string;
  /** Absolute URL, already resolved against the page URL and checked by the URL rules. */
  url: string;
  /** Path of the file under `web/`, e.g. `packages/ab/cd/<60 hex>/foo-1.0.tar.gz` (URL path, percent-decoded). */
  mirrorPath: string;
  /** Lower-case algorithm name → lower-case hex digest. Always has `sha256`. */
  hashes: Record<string, string>;
  /** `requires-python`; `null` when upstream gave none (bandersnatch omits the attribute then). */
  requiresPython: string | null;
  /** Size in bytes (PEP 700); `null` when upstream did not say. */
  size: number | null;
  /** PEP 700 `upload-time`, ISO 8601 as upstream wrote it; `null` when absent. */
  uploadTime: string | null;
  yanked: Yanked;
  coreMetadata: CoreMetadata;
  /** PEP 740 provenance URL (absolute), or null. */
  provenance: string | null;
  /** Release version this file belongs to, when known (JSON API, or parsed from the filename). */
  version: string | null;
  /** bandersnatch `packagetype` (`sdist`, `bdist_wheel`, ...), from the JSON API or the filename. */
  packageType: string;
}

/** PEP 792 project status. */
export interface ProjectStatus {
  status: string;
  reason?: string;
}

/** A project's PEP 691 detail page, validated. */
export interface ProjectPage {
  /** PEP 503 normalized name. */
  name: string;
  /** Display name (from the change feed or root listing; falls back to `name`). */
  displayName: string;
  /** `X-PyPI-Last-Serial` or `meta._last-serial`. */
  serial: number;
  files: ReleaseFile[];
  /** PEP 700 `versions`, in upstream order; null when upstream gave none. */
  versions: string[] | null;
  projectStatus: ProjectStatus | null;
  /** The JSON API document (`/pypi/<name>/json`), when it was fetched. */
  jsonApi: JsonApiDocument | null;
}

/** The parts of PyPI's JSON API document that we read; the rest is passed through untouched. */
export interface JsonApiDocument {
  info: Record<string, unknown> & { name?: string; version?: string };
  last_serial?: number;
  releases?: Record<string, Record<string, unknown>[]>;
  urls?: Record<string, unknown>[];
  [key: string]: unknown;
}

/** A change-feed event kind we act on. */
export type RemovalKind = "remove project" | "remove release" | "remove file" | "project quarantined";

/** A removal seen in the change feed; applied by the deletion stage. */
export interface RemovalEvent {
  kind: RemovalKind;
  /** Display name as the journal gave it. */
  project: string;
  version: string | null;
  /** File name, for `remove file`. */
  filename: string | null;
  serial: number;
}

/** What one `mirror` run sets out to do. */
export interface SyncPlan {
  /** Serial the mirror will be at once every project in `projects` is done. */
  targetSerial: number;
  /** normalized name → { display name, serial the page must reach }. */
  projects: Map<string, { displayName: string; serial: number }>;
  removals: RemovalEvent[];
  /** Projects that the full listing no longer has (api-method = simple, or a full XML-RPC list). */
  vanished: string[];
}
