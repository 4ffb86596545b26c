/**
 * `size_project_metadata`: drops a project whose files, over all its releases
 * (before any release filter), add up to more than `[size_project_metadata]
 * max_package_size` (bytes, or a size such as `1G` in binary units: 1G = 1024³).
 * Projects in `[allowlist] packages` bypass it. Sizes come from the JSON API
 * document when fetched, else from the page (PEP 700 `size`; unknown sizes count
 * as 0). An invalid size is a `ConfigError` (bandersnatch disabled the plugin with
 * a warning).
 */

import { configError, readOption } from "../config.ts";
import { allowlistedProjects, type PluginDefinition } from "../loader-context.ts";
import { parseHumanSize } from "../sizes.ts";
import type { MetadataPlugin, ProjectContext } from "../types.ts";

const SECTION = "size_project_metadata";

export const sizeProjectMetadata: PluginDefinition = {
  name: SECTION,
  stage: "metadata",
  isConfigured: (ini) => ini.hasSection(SECTION) && ini.get(SECTION, "max_package_size") !== undefined,
  create(loader): MetadataPlugin | null {
    const { ini } = loader;
    const text = readOption(ini, SECTION, "max_package_size");
    if (text === undefined) {
      loader.warnings.push(
        `${ini.fileName}: ${SECTION} is enabled but [${SECTION}] max_package_size is not set; it does nothing`,
      );
      return null;
    }
    const maxBytes = parseHumanSize(text);
    if (maxBytes === null) {
      throw configError(ini, SECTION, "max_package_size", "expected a size in bytes or like 500M, 1G", text);
    }
    if (maxBytes <= 0) return null;
    const exempt = allowlistedProjects(loader);
    return {
      name: SECTION,
      stage: "metadata",
      needsJsonApi: false,
      settings: { maxBytes, exempt: [...exempt].sort() },
      allows: (project) => exempt.has(project.page.name) || totalSize(project) <= maxBytes,
    };
  },
};

/** Σ of every file's size over every release. */
export function totalSize(project: ProjectContext): number {
  let total = 0;
  if (project.hasJsonApi) {
    for (const files of Object.values(project.document.releases ?? {})) {
      if (!Array.isArray(files)) continue;
      for (const file of files) total += typeof file["size"] === "number" ? file["size"] : 0;
    }
    return total;
  }
  for (const file of project.page.files) total += file.size ?? 0;
  return total;
}
