/**
 * What the engine needs from the stages around it, as small interfaces, so
 * each stage can be swapped (tests, S3) without the engine knowing.
 */

import type { FeedOutcome, ProjectSink } from "../upstream/change-feed.ts";
import type { JsonApiDocument, ProjectPage } from "../upstream/types.ts";

/** A project's upstream: its PEP 691 page and, on demand, its JSON API document. */
export interface UpstreamSource {
  /** The page, or "gone" when upstream answers 404. Throws UpstreamError / HostileDataError. */
  fetchPage(name: string, displayName: string): Promise<ProjectPage | "gone">;
  /** The JSON API document and the bytes to save, or "gone". */
  fetchJsonApi(name: string): Promise<{ document: JsonApiDocument; serial: number; saved: string } | "gone">;
}

/** What the mirror already holds, for change-feed diffs. */
export interface HeldProjects {
  /** The serial held for one project (an indexed lookup), or undefined. */
  serialOf(name: string): number | undefined;
  /** Every held name, streamed. */
  names(): Iterable<string>;
  /** Every held name with its serial, streamed: one pass to diff a full listing against. */
  entries(): Iterable<readonly [name: string, serial: number]>;
}

/** The upstream's change feed (XML-RPC journal or PEP 691 listing). */
export interface ChangeFeed {
  /**
   * Every change after `serial`; with 0, every project upstream has. Projects go
   * to `sink` as they are found (800,000 on a first run); the rest is returned.
   */
  changesSince(serial: number, held: HeldProjects, sink: ProjectSink): Promise<FeedOutcome>;
}
