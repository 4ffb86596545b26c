/**
 * `prerelease_release`: drops pre-release versions, of every project or only of
 * those in `[filter_prerelease] packages`. A version is a pre-release when
 * bandersnatch's patterns match it (`.+rc\d+$`, `.+a(lpha)?\d+$`, `.+b(eta)?\d+$`,
 * `.+dev\d+$`) or PEP 440 says so (`1.0c1`, `1.0rc1.post1`, `2.0.dev0+local`,
 * which the patterns miss). Names are normalized on both sides (bandersnatch
 * compared against the raw name, so `Django` never matched `django`).
 */

import { isValidProjectName, normalizeName } from "../../packaging/names.ts";
import { isPrerelease } from "../../packaging/version.ts";
import { configError, listLines, readOption } from "../config.ts";
import type { PluginDefinition } from "../loader-context.ts";
import type { ReleasePlugin } from "../types.ts";

const BANDERSNATCH_PATTERNS = [/^.+rc\d+$/, /^.+a(lpha)?\d+$/, /^.+b(eta)?\d+$/, /^.+dev\d+$/];

/** Whether prerelease_release treats `version` as a pre-release. */
export function isFilteredPrerelease(version: string): boolean {
  return BANDERSNATCH_PATTERNS.some((pattern) => pattern.test(version)) || isPrerelease(version);
}

export const prereleaseRelease: PluginDefinition = {
  name: "prerelease_release",
  stage: "release",
  isConfigured: (ini) => ini.hasSection("filter_prerelease"),
  create(loader): ReleasePlugin {
    const { ini } = loader;
    const names = listLines(readOption(ini, "filter_prerelease", "packages")).map((name) => {
      if (!isValidProjectName(name)) {
        throw configError(ini, "filter_prerelease", "packages", "not a project name", name);
      }
      return normalizeName(name);
    });
    const only = new Set(names);
    return {
      name: "prerelease_release",
      stage: "release",
      settings: { packages: [...only].sort() },
      select(project, versions) {
        if (only.size > 0 && !only.has(project.page.name)) return [...versions];
        return versions.filter((version) => !isFilteredPrerelease(version));
      },
    };
  },
};
