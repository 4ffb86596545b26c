/**
 * `regex_project`: drops projects whose name a `[filter_regex] packages` pattern
 * matches (Python `re.match`: anchored at the start). bandersnatch matched only
 * the raw listing name; we drop the project when a pattern matches either the
 * listing name or its PEP 503 normalized form.
 */

import { compilePatternList, optionLabel } from "../config.ts";
import type { PluginDefinition } from "../loader-context.ts";
import type { ProjectPlugin } from "../types.ts";

export const regexProject: PluginDefinition = {
  name: "regex_project",
  stage: "project",
  isConfigured: (ini) => ini.hasSection("filter_regex") && ini.get("filter_regex", "packages") !== undefined,
  create(loader): ProjectPlugin | null {
    const patterns = compilePatternList(loader.ini, "filter_regex", "packages");
    if (patterns.length === 0) {
      loader.warnings.push(
        `${optionLabel(loader.ini, "filter_regex", "packages")}: no pattern; regex_project does nothing`,
      );
      return null;
    }
    return {
      name: "regex_project",
      stage: "project",
      settings: { patterns: patterns.map((pattern) => pattern.source) },
      allows: (displayName, normalizedName) =>
        !patterns.some((pattern) => pattern.match(displayName) || pattern.match(normalizedName)),
    };
  },
};
