/**
 * `regex_project_metadata`: keeps a project only when its JSON API document passes
 * every rule of `[regex_project_metadata]` (see `regex-metadata.ts`). Needs the
 * JSON API document.
 */

import type { PluginDefinition } from "../loader-context.ts";
import type { MetadataPlugin } from "../types.ts";
import { describeRegexRules, passesRegexRule, readEnabledRegexRules } from "./regex-metadata.ts";

const SECTION = "regex_project_metadata";

export const regexProjectMetadata: PluginDefinition = {
  name: SECTION,
  stage: "metadata",
  isConfigured: (ini) => ini.hasSection(SECTION) && ini.ownOptionNames(SECTION).length > 0,
  create(loader): MetadataPlugin | null {
    const rules = readEnabledRegexRules(loader, SECTION);
    if (!rules) return null;
    return {
      name: SECTION,
      stage: "metadata",
      needsJsonApi: true,
      settings: { rules: describeRegexRules(rules) },
      allows: (project) => rules.every((rule) => passesRegexRule(rule, project.document)),
    };
  },
};
