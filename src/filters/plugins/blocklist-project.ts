/**
 * `blocklist_project`: drops projects named, without a version specifier, in
 * `[blocklist] packages`. Names are PEP 503 normalized on both sides; inline `#`
 * comments are stripped (bandersnatch crashed on them).
 */

import type { PluginDefinition } from "../loader-context.ts";
import type { ProjectPlugin } from "../types.ts";

export const blocklistProject: PluginDefinition = {
  name: "blocklist_project",
  stage: "project",
  isConfigured: (ini) => ini.get("blocklist", "packages") !== undefined && ini.hasSection("blocklist"),
  create(loader): ProjectPlugin | null {
    const blocked = new Set(
      loader
        .packageRequirements("blocklist")
        .filter((requirement) => requirement.specifier.clauses.length === 0 && requirement.url === null)
        .map((requirement) => requirement.normalizedName),
    );
    if (blocked.size === 0) {
      loader.warnings.push(
        `${loader.ini.fileName}: blocklist_project is enabled but [blocklist] packages names no project without a version specifier; it does nothing`,
      );
      return null;
    }
    return {
      name: "blocklist_project",
      stage: "project",
      settings: { blocked: [...blocked].sort() },
      allows: (_displayName, normalizedName) => !blocked.has(normalizedName),
    };
  },
};
