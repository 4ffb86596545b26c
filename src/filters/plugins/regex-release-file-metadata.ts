/**
 * `regex_release_file_metadata`: keeps a file only when
 * `{"info": ..., "release": <version>, "release_file": <file dict>}` passes every
 * rule of `[regex_release_file_metadata]` (see `regex-metadata.ts`). The JSON API
 * document is needed only when a rule reads `info`; otherwise the `release_file`
 * dict is synthesized from the page (`document.ts`).
 */

import type { PluginDefinition } from "../loader-context.ts";
import type { ReleaseFilePlugin } from "../types.ts";
import {
  describeRegexRules,
  passesRegexRule,
  readEnabledRegexRules,
  rulesNeedInfo,
} from "./regex-metadata.ts";

const SECTION = "regex_release_file_metadata";

export const regexReleaseFileMetadata: PluginDefinition = {
  name: SECTION,
  stage: "release_file",
  isConfigured: (ini) => ini.hasSection(SECTION) && ini.ownOptionNames(SECTION).length > 0,
  create(loader): ReleaseFilePlugin | null {
    const rules = readEnabledRegexRules(loader, SECTION);
    if (!rules) return null;
    return {
      name: SECTION,
      stage: "release_file",
      needsJsonApi: rulesNeedInfo(rules.map((rule) => rule.key.path)),
      settings: { rules: describeRegexRules(rules) },
      allows(project, file) {
        const metadata = {
          info: project.document.info,
          release: file.version,
          release_file: file.releaseFileDict(),
        };
        return rules.every((rule) => passesRegexRule(rule, metadata));
      },
    };
  },
};
