/**
 * `allowlist_project`: keeps only projects named in `[allowlist] packages`
 * (specifiers, extras and markers do not matter here). An empty list allows
 * every project, as in bandersnatch.
 */

import type { PluginDefinition } from "../loader-context.ts";
import type { ProjectPlugin } from "../types.ts";

export const allowlistProject: PluginDefinition = {
  name: "allowlist_project",
  stage: "project",
  isConfigured: (ini) => ini.hasSection("allowlist") && ini.get("allowlist", "packages") !== undefined,
  create(loader): ProjectPlugin | null {
    const allowed = new Set(
      loader.packageRequirements("allowlist").map((requirement) => requirement.normalizedName),
    );
    if (allowed.size === 0) {
      loader.warnings.push(
        `${loader.ini.fileName}: allowlist_project is enabled but [allowlist] packages is empty; every project is allowed`,
      );
      return null;
    }
    return {
      name: "allowlist_project",
      stage: "project",
      settings: { allowed: [...allowed].sort() },
      allows: (_displayName, normalizedName) => allowed.has(normalizedName),
    };
  },
};
