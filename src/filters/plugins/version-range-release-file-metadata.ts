/**
 * `version_range_release_file_metadata`: each key of the section is
 * `[tag:]dotted.path` naming a specifier in the file's metadata (e.g.
 * `release_file.requires_python`), its value a list of versions; a file is kept
 * when, for every key, some listed version is inside that specifier
 * (pre-releases allowed). A missing or empty specifier passes, unless the key is
 * tagged `not-null`, which drops the file (bandersnatch crashed there).
 *
 * Also fixed: `[DEFAULT]` keys are not rules; a specifier that is not PEP 440
 * (`>=3.6.*`, `3.6`) keeps the file, as pip ignores such a `Requires-Python`
 * (bandersnatch failed the whole project); a bad version in the config is a
 * `ConfigError`.
 */

import { parseSpecifierSet, parseVersion, satisfies } from "../../packaging/version.ts";
import { configError, listLines } from "../config.ts";
import type { PluginDefinition } from "../loader-context.ts";
import { type MetadataKey, nodeAtPath, parseMetadataKey } from "../metadata-keys.ts";
import type { ReleaseFilePlugin } from "../types.ts";
import { rulesNeedInfo } from "./regex-metadata.ts";

const SECTION = "version_range_release_file_metadata";

interface RangeRule {
  key: MetadataKey;
  versions: string[];
}

export const versionRangeReleaseFileMetadata: PluginDefinition = {
  name: SECTION,
  stage: "release_file",
  isConfigured: (ini) => ini.hasSection(SECTION) && ini.ownOptionNames(SECTION).length > 0,
  create(loader): ReleaseFilePlugin | null {
    const { ini } = loader;
    const rules: RangeRule[] = (ini.hasSection(SECTION) ? ini.ownOptionNames(SECTION) : []).map((option) => ({
      key: parseMetadataKey(ini, SECTION, option, loader.warnings, ["match-null", "not-null"]),
      versions: listLines(ini.get(SECTION, option)).map((version) => {
        if (!parseVersion(version)) throw configError(ini, SECTION, option, "not a PEP 440 version", version);
        return version;
      }),
    }));
    if (rules.length === 0) {
      loader.warnings.push(
        `${ini.fileName}: ${SECTION} is enabled but [${SECTION}] has no rule; it does nothing`,
      );
      return null;
    }
    return {
      name: SECTION,
      stage: "release_file",
      needsJsonApi: rulesNeedInfo(rules.map((rule) => rule.key.path)),
      settings: {
        rules: rules
          .map((rule) => ({
            path: rule.key.path.join("."),
            nullTag: rule.key.nullTag,
            versions: [...rule.versions].sort(),
          }))
          .sort((left, right) => JSON.stringify(left).localeCompare(JSON.stringify(right))),
      },
      allows(project, file) {
        const metadata = {
          info: project.document.info,
          release: file.version,
          release_file: file.releaseFileDict(),
        };
        return rules.every((rule) => passesRangeRule(rule, nodeAtPath(metadata, rule.key.path)));
      },
    };
  },
};

function passesRangeRule(rule: RangeRule, node: unknown): boolean {
  if (node === undefined || node === "" || (Array.isArray(node) && node.length === 0)) {
    return rule.key.nullTag !== "not-null";
  }
  const specifier = typeof node === "string" ? parseSpecifierSet(node) : null;
  if (!specifier) return true;
  return rule.versions.some((version) => satisfies(version, specifier));
}
