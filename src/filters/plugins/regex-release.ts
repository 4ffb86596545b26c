/**
 * `regex_release`: drops versions that a `[filter_regex] releases` pattern matches
 * (Python `re.match` on the version string as upstream wrote it).
 */

import { compilePatternList, optionLabel } from "../config.ts";
import type { PluginDefinition } from "../loader-context.ts";
import type { ReleasePlugin } from "../types.ts";

export const regexRelease: PluginDefinition = {
  name: "regex_release",
  stage: "release",
  isConfigured: (ini) => ini.hasSection("filter_regex") && ini.get("filter_regex", "releases") !== undefined,
  create(loader): ReleasePlugin | null {
    const patterns = compilePatternList(loader.ini, "filter_regex", "releases");
    if (patterns.length === 0) {
      loader.warnings.push(
        `${optionLabel(loader.ini, "filter_regex", "releases")}: no pattern; regex_release does nothing`,
      );
      return null;
    }
    return {
      name: "regex_release",
      stage: "release",
      settings: { patterns: patterns.map((pattern) => pattern.source) },
      select: (_project, versions) =>
        versions.filter((version) => !patterns.some((pattern) => pattern.match(version))),
    };
  },
};
