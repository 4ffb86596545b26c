/**
 * What `allowlist_release` and `blocklist_release` share: a release plugin over the
 * `packages` requirements of one section, indexed by normalized project name. Each
 * says only which of a project's versions it keeps.
 */

import type { PluginDefinition } from "../loader-context.ts";
import {
  anyRequirementContains,
  describeRequirements,
  indexRequirements,
  type Requirement,
} from "../requirements.ts";

export function packageListReleasePlugin(
  name: string,
  section: "allowlist" | "blocklist",
  /** The versions to keep, given the project's requirements (undefined when the list has none for it). */
  keep: (forProject: readonly Requirement[] | undefined, versions: readonly string[]) => string[],
): PluginDefinition {
  return {
    name,
    stage: "release",
    isConfigured: (ini) => ini.hasSection(section) && ini.get(section, "packages") !== undefined,
    create(loader) {
      const requirements = loader.packageRequirements(section);
      if (requirements.length === 0) {
        loader.warnings.push(
          `${loader.ini.fileName}: ${name} is enabled but [${section}] packages is empty; it does nothing`,
        );
        return null;
      }
      const index = indexRequirements(requirements);
      return {
        name,
        stage: "release",
        settings: { requirements: describeRequirements(requirements) },
        select: (project, versions) => keep(index.get(project.page.name), versions),
      };
    },
  };
}

/** Whether any of the project's requirements contains `version` (false when there are none). */
export function listed(forProject: readonly Requirement[] | undefined, version: string): boolean {
  return forProject !== undefined && anyRequirementContains(forProject, version);
}
