/**
 * `project_requirements`: like `allowlist_project`, with the names taken from the
 * requirements files of `[allowlist] requirements_path` / `requirements`.
 * No requirement at all allows every project, as in bandersnatch.
 */

import type { PluginDefinition } from "../loader-context.ts";
import type { ProjectPlugin } from "../types.ts";

export const projectRequirements: PluginDefinition = {
  name: "project_requirements",
  stage: "project",
  isConfigured: (ini) => ini.hasSection("allowlist") && ini.get("allowlist", "requirements") !== undefined,
  create(loader): ProjectPlugin | null {
    const files = loader.requirementFiles();
    const allowed = new Set(files.requirements.map((requirement) => requirement.normalizedName));
    if (allowed.size === 0) {
      loader.warnings.push(
        `${loader.ini.fileName}: project_requirements is enabled but the [allowlist] requirements files name no project; every project is allowed`,
      );
      return null;
    }
    return {
      name: "project_requirements",
      stage: "project",
      settings: { allowed: [...allowed].sort() },
      allows: (_displayName, normalizedName) => allowed.has(normalizedName),
    };
  },
};
