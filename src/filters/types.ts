/**
 * What a filter plugin is, per bandersnatch stage (project → metadata →
 * release file → release), and what each stage is given.
 */

import type { JsonApiDocument, ProjectPage, ReleaseFile } from "../upstream/types.ts";

/** The filter chain the engine uses; built by `loadFilters` (`index.ts`). */
export interface FilterSet {
  /** Project plugins, at planning time, by listing (display) name. */
  allowsProject(displayName: string): boolean;
  /** True when an enabled metadata/release-file plugin needs the JSON API document (`page.jsonApi`). */
  readonly needsJsonApi: boolean;
  /** Metadata plugins, after the page (and JSON API doc when needed) was fetched. */
  allowsMetadata(page: ProjectPage): boolean;
  /**
   * Release-file then release plugins (bandersnatch's order and AND semantics, incl.
   * the project_requirements_pinned special case); versions left without files are dropped.
   */
  selectFiles(page: ProjectPage): { files: ReleaseFile[]; versions: string[] | null };
  /** Stable digest of the effective filter configuration, so the engine can tell that filters changed between runs. */
  readonly fingerprint: string;
  /** Names of the active plugins, for the log. */
  readonly active: string[];
}

export type FilterStage = "project" | "metadata" | "release_file" | "release";

/** One project as the metadata, release-file and release stages see it. */
export interface ProjectContext {
  page: ProjectPage;
  /** `page.jsonApi` when fetched; otherwise a minimal document built from the page (`document.ts`). */
  document: JsonApiDocument;
  /** True when `document` is upstream's JSON API document. */
  hasJsonApi: boolean;
}

/** One release file as the release-file stage sees it. */
export interface FileContext {
  file: ReleaseFile;
  /** The file's version: `file.version`, else found in the JSON API document; null when unknown. */
  version: string | null;
  /** The JSON API `release_file` dict for this file (upstream's, or synthesized; built on first use). */
  releaseFileDict(): Record<string, unknown>;
}

interface PluginBase {
  /** The `[plugins] enabled` name. */
  readonly name: string;
  /** JSON-serializable, canonical settings, for the fingerprint. */
  readonly settings: unknown;
}

export interface ProjectPlugin extends PluginBase {
  readonly stage: "project";
  /** Whether to mirror the project, given its listing name and PEP 503 name. */
  allows(displayName: string, normalizedName: string): boolean;
}

export interface MetadataPlugin extends PluginBase {
  readonly stage: "metadata";
  readonly needsJsonApi: boolean;
  allows(project: ProjectContext): boolean;
}

export interface ReleaseFilePlugin extends PluginBase {
  readonly stage: "release_file";
  readonly needsJsonApi: boolean;
  allows(project: ProjectContext, file: FileContext): boolean;
}

export interface ReleasePlugin extends PluginBase {
  readonly stage: "release";
  /**
   * The versions to keep, out of `versions` (each has at least one file left).
   * Per-version plugins filter one by one; `latest_release` ranks the survivors.
   * `filesByVersion` holds the files still selected for each of `versions`.
   */
  select(
    project: ProjectContext,
    versions: readonly string[],
    filesByVersion: ReadonlyMap<string, readonly ReleaseFile[]>,
  ): string[];
}

export type FilterPlugin = ProjectPlugin | MetadataPlugin | ReleaseFilePlugin | ReleasePlugin;
