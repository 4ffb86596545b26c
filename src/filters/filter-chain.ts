/**
 * The `FilterSet`: runs the active plugins stage by stage with bandersnatch's
 * order and AND semantics.
 */

import { normalizeName } from "../packaging/names.ts";
import { sortVersions } from "../packaging/version.ts";
import type { ProjectPage, ReleaseFile } from "../upstream/types.ts";
import { DocumentFiles, projectContext } from "./document.ts";
import { filterFingerprint } from "./fingerprint.ts";
import { PINNED_PLUGIN_NAME, type PinnedReleasePlugin } from "./plugins/project-requirements-pinned.ts";
import type {
  FilterPlugin,
  FilterSet,
  MetadataPlugin,
  ProjectContext,
  ProjectPlugin,
  ReleaseFilePlugin,
  ReleasePlugin,
} from "./types.ts";

/** Builds the filter set from plugins already in stage order. */
export function createFilterSet(plugins: readonly FilterPlugin[]): FilterSet {
  const projectPlugins = plugins.filter((plugin): plugin is ProjectPlugin => plugin.stage === "project");
  const metadataPlugins = plugins.filter((plugin): plugin is MetadataPlugin => plugin.stage === "metadata");
  const filePlugins = plugins.filter(
    (plugin): plugin is ReleaseFilePlugin => plugin.stage === "release_file",
  );
  const releasePlugins = plugins.filter((plugin): plugin is ReleasePlugin => plugin.stage === "release");
  const pinned = releasePlugins.find((plugin) => plugin.name === PINNED_PLUGIN_NAME) as
    | PinnedReleasePlugin
    | undefined;
  const contexts = new WeakMap<ProjectPage, ProjectContext>();
  const contextOf = (page: ProjectPage): ProjectContext => {
    let context = contexts.get(page);
    if (!context) {
      context = projectContext(page);
      contexts.set(page, context);
    }
    return context;
  };

  return {
    needsJsonApi: [...metadataPlugins, ...filePlugins].some((plugin) => plugin.needsJsonApi),
    fingerprint: filterFingerprint(plugins),
    active: plugins.map((plugin) => plugin.name),

    allowsProject(displayName) {
      const normalizedName = normalizeName(displayName);
      return projectPlugins.every((plugin) => plugin.allows(displayName, normalizedName));
    },

    allowsMetadata(page) {
      if (metadataPlugins.length === 0) return true;
      const project = contextOf(page);
      return metadataPlugins.every((plugin) => plugin.allows(project));
    },

    selectFiles(page) {
      const project = contextOf(page);
      const documentFiles = new DocumentFiles(project);
      const candidates = page.files
        .map((file) => documentFiles.fileContext(file))
        .filter((file) => filePlugins.every((plugin) => plugin.allows(project, file)));

      // Versions left without files are dropped (bandersnatch, for every project).
      const filesByVersion = new Map<string, ReleaseFile[]>();
      for (const candidate of candidates) {
        if (candidate.version === null) continue;
        const list = filesByVersion.get(candidate.version) ?? [];
        list.push(candidate.file);
        filesByVersion.set(candidate.version, list);
      }

      // bandersnatch: a pinned requirement makes project_requirements_pinned the only release plugin.
      const stage = pinned?.hasPin(page.name) ? [pinned] : releasePlugins;
      let versions = [...filesByVersion.keys()];
      for (const plugin of stage) versions = plugin.select(project, versions, filesByVersion);

      const kept = new Set(versions);
      // Files whose version is unknown pass the release stage: no plugin can judge them.
      const files = candidates
        .filter((candidate) => candidate.version === null || kept.has(candidate.version))
        .map((candidate) => candidate.file);
      return { files, versions: page.versions === null ? null : sortVersions([...kept]) };
    },
  };
}
