/**
 * `versions_count_project_metadata`: drops a project with fewer than
 * `min_versions` or more than `max_versions` releases (0 = no bound). Projects in
 * `[allowlist] packages` bypass it. The count is of all releases upstream lists
 * (JSON API `releases`, else PEP 700 `versions`, else the files' versions),
 * before any release filter. Bad numbers or `min_versions > max_versions` are a
 * `ConfigError` (bandersnatch disabled the plugin with a warning).
 */

import { configError, parseCountOption, readOption } from "../config.ts";
import { allowlistedProjects, type PluginDefinition } from "../loader-context.ts";
import type { MetadataPlugin, ProjectContext } from "../types.ts";

const SECTION = "versions_count_project_metadata";

export const versionsCountProjectMetadata: PluginDefinition = {
  name: SECTION,
  stage: "metadata",
  isConfigured: (ini) => ini.hasSection(SECTION),
  create(loader): MetadataPlugin | null {
    const { ini } = loader;
    const read = (option: string) => {
      const text = readOption(ini, SECTION, option);
      return text === undefined || text.trim() === "" ? 0 : parseCountOption(ini, SECTION, option, text);
    };
    const minVersions = read("min_versions");
    const maxVersions = read("max_versions");
    if (maxVersions > 0 && minVersions > maxVersions) {
      throw configError(
        ini,
        SECTION,
        "min_versions",
        `greater than max_versions (${maxVersions})`,
        String(minVersions),
      );
    }
    if (minVersions === 0 && maxVersions === 0) {
      loader.warnings.push(
        `${ini.fileName}: ${SECTION} is enabled but sets neither min_versions nor max_versions; it does nothing`,
      );
      return null;
    }
    const exempt = allowlistedProjects(loader);
    return {
      name: SECTION,
      stage: "metadata",
      needsJsonApi: false,
      settings: { minVersions, maxVersions, exempt: [...exempt].sort() },
      allows(project) {
        if (exempt.has(project.page.name)) return true;
        const count = versionCount(project);
        if (minVersions > 0 && count < minVersions) return false;
        if (maxVersions > 0 && count > maxVersions) return false;
        return true;
      },
    };
  },
};

/** Number of releases upstream lists for the project. */
export function versionCount(project: ProjectContext): number {
  if (project.hasJsonApi && project.document.releases) return Object.keys(project.document.releases).length;
  if (project.page.versions) return project.page.versions.length;
  return new Set(project.page.files.map((file) => file.version).filter((version) => version !== null)).size;
}
