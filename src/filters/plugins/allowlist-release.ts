/**
 * `allowlist_release`: keeps a version only when a `[allowlist] packages`
 * requirement for its project contains it (pre-releases included). As in
 * bandersnatch, a project with no requirement keeps no release at all (enable
 * `allowlist_project` too, or it gets an empty page), and versions that are not
 * PEP 440 are dropped. An empty list makes the plugin do nothing (bandersnatch
 * dropped every release of every project).
 */

import type { PluginDefinition } from "../loader-context.ts";
import { anyRequirementContains, describeRequirements, indexRequirements } from "../requirements.ts";
import type { ReleasePlugin } from "../types.ts";

export const allowlistRelease: PluginDefinition = {
  name: "allowlist_release",
  stage: "release",
  isConfigured: (ini) => ini.hasSection("allowlist") && ini.get("allowlist", "packages") !== undefined,
  create(loader): ReleasePlugin | null {
    const requirements = loader.packageRequirements("allowlist");
    if (requirements.length === 0) {
      loader.warnings.push(
        `${loader.ini.fileName}: allowlist_release is enabled but [allowlist] packages is empty; it does nothing`,
      );
      return null;
    }
    const index = indexRequirements(requirements);
    return {
      name: "allowlist_release",
      stage: "release",
      settings: { requirements: describeRequirements(requirements) },
      select(project, versions) {
        const forProject = index.get(project.page.name) ?? [];
        return versions.filter((version) => anyRequirementContains(forProject, version));
      },
    };
  },
};
