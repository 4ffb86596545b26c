/**
 * What the engine needs from the stages around it, as small interfaces, so
 * each stage can be swapped (tests, S3) without the engine knowing.
 */

import type { FilterSet } from "../filters/types.ts";
import type { JsonApiDocument, ProjectPage, SyncPlan } from "../upstream/types.ts";

/** A project's upstream: its PEP 691 page and, on demand, its JSON API document. */
export interface UpstreamSource {
  /** The page, or "gone" when upstream answers 404. Throws UpstreamError / HostileDataError. */
  fetchPage(name: string, displayName: string): Promise<ProjectPage | "gone">;
  /** The JSON API document and the bytes to save, or "gone". */
  fetchJsonApi(name: string): Promise<{ document: JsonApiDocument; serial: number; saved: string } | "gone">;
}

/** The filter decisions the engine asks for (implemented by `filters/`). */
export type ProjectFilters = FilterSet;

/** What the mirror already holds, for change-feed diffs. */
export interface HeldProjects {
  serialOf(name: string): number | undefined;
  names(): Iterable<string>;
}

/** The upstream's change feed (XML-RPC journal or PEP 691 listing). */
export interface ChangeFeed {
  /** Every change after `serial`; with 0, every project upstream has. */
  changesSince(serial: number, held: HeldProjects): Promise<SyncPlan>;
}
