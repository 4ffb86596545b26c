/**
 * `project_requirements_pinned`: like `allowlist_release`, with the requirements
 * taken from the `[allowlist] requirements` files. When a requirement for the
 * project has a version specifier, this plugin alone decides its releases (the
 * other release plugins are skipped: bandersnatch's special case, applied by
 * `index.ts` through `hasPin`).
 */

import type { PluginDefinition } from "../loader-context.ts";
import { anyRequirementContains, describeRequirements, indexRequirements } from "../requirements.ts";
import type { ReleasePlugin } from "../types.ts";

export const PINNED_PLUGIN_NAME = "project_requirements_pinned";

/** The pinned plugin, with the question `index.ts` asks before running the release stage. */
export interface PinnedReleasePlugin extends ReleasePlugin {
  /**
   * Whether a requirement for the project has a non-empty specifier. bandersnatch
   * asked only the first requirement it found for the name (set order, so random
   * when a name appears twice); we ask all of them.
   */
  hasPin(normalizedName: string): boolean;
}

export const projectRequirementsPinned: PluginDefinition = {
  name: PINNED_PLUGIN_NAME,
  stage: "release",
  isConfigured: (ini) => ini.hasSection("allowlist") && ini.get("allowlist", "requirements") !== undefined,
  create(loader): PinnedReleasePlugin | null {
    const files = loader.requirementFiles();
    if (files.requirements.length === 0) {
      loader.warnings.push(
        `${loader.ini.fileName}: project_requirements_pinned is enabled but the [allowlist] requirements files hold no requirement; it does nothing`,
      );
      return null;
    }
    const index = indexRequirements(files.requirements);
    return {
      name: PINNED_PLUGIN_NAME,
      stage: "release",
      settings: { requirements: describeRequirements(files.requirements) },
      hasPin: (normalizedName) =>
        (index.get(normalizedName) ?? []).some((requirement) => requirement.specifier.clauses.length > 0),
      select(project, versions) {
        const forProject = index.get(project.page.name) ?? [];
        return versions.filter((version) => anyRequirementContains(forProject, version));
      },
    };
  },
};
