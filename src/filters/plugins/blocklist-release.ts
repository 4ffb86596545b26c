/**
 * `blocklist_release`: drops versions inside a `[blocklist] packages` specifier for
 * their project (pre-releases included). A bare name has the empty specifier,
 * which contains every version, so all its releases go, as in bandersnatch.
 * Versions that are not PEP 440 are kept.
 */

import type { PluginDefinition } from "../loader-context.ts";
import { anyRequirementContains, describeRequirements, indexRequirements } from "../requirements.ts";
import type { ReleasePlugin } from "../types.ts";

export const blocklistRelease: PluginDefinition = {
  name: "blocklist_release",
  stage: "release",
  isConfigured: (ini) => ini.hasSection("blocklist") && ini.get("blocklist", "packages") !== undefined,
  create(loader): ReleasePlugin | null {
    const requirements = loader.packageRequirements("blocklist");
    if (requirements.length === 0) {
      loader.warnings.push(
        `${loader.ini.fileName}: blocklist_release is enabled but [blocklist] packages is empty; it does nothing`,
      );
      return null;
    }
    const index = indexRequirements(requirements);
    return {
      name: "blocklist_release",
      stage: "release",
      settings: { requirements: describeRequirements(requirements) },
      select(project, versions) {
        const forProject = index.get(project.page.name);
        if (!forProject) return [...versions];
        return versions.filter((version) => !anyRequirementContains(forProject, version));
      },
    };
  },
};
