/**
 * Every filter plugin bunsnatch knows, under bandersnatch 8's `[plugins] enabled`
 * names, in the order each stage runs them (`latest_release` last, so it ranks
 * what the other release plugins left).
 */

import type { PluginDefinition } from "./loader-context.ts";
import { allowlistProject } from "./plugins/allowlist-project.ts";
import { allowlistRelease } from "./plugins/allowlist-release.ts";
import { blocklistProject } from "./plugins/blocklist-project.ts";
import { blocklistRelease } from "./plugins/blocklist-release.ts";
import { excludePlatform } from "./plugins/exclude-platform.ts";
import { latestRelease } from "./plugins/latest-release.ts";
import { prereleaseRelease } from "./plugins/prerelease-release.ts";
import { projectRequirements } from "./plugins/project-requirements.ts";
import { projectRequirementsPinned } from "./plugins/project-requirements-pinned.ts";
import { regexProject } from "./plugins/regex-project.ts";
import { regexProjectMetadata } from "./plugins/regex-project-metadata.ts";
import { regexRelease } from "./plugins/regex-release.ts";
import { regexReleaseFileMetadata } from "./plugins/regex-release-file-metadata.ts";
import { sizeProjectMetadata } from "./plugins/size-project-metadata.ts";
import { versionRangeReleaseFileMetadata } from "./plugins/version-range-release-file-metadata.ts";
import { versionsCountProjectMetadata } from "./plugins/versions-count-project-metadata.ts";

/** The `[plugins] enabled` plugins, stage by stage. */
export const PLUGIN_DEFINITIONS: readonly PluginDefinition[] = [
  blocklistProject,
  allowlistProject,
  regexProject,
  projectRequirements,
  regexProjectMetadata,
  sizeProjectMetadata,
  versionsCountProjectMetadata,
  regexReleaseFileMetadata,
  versionRangeReleaseFileMetadata,
  excludePlatform,
  blocklistRelease,
  allowlistRelease,
  prereleaseRelease,
  regexRelease,
  projectRequirementsPinned,
  latestRelease,
];

export const PLUGIN_NAMES: readonly string[] = PLUGIN_DEFINITIONS.map((definition) => definition.name);

/** Names users may still write, and what to tell them. */
export const RETIRED_PLUGIN_NAMES: Readonly<Record<string, string>> = {
  whitelist_project: 'renamed "allowlist_project" in bandersnatch 5.0',
  whitelist_release: 'renamed "allowlist_release" in bandersnatch 5.0',
  blacklist_project: 'renamed "blocklist_project" in bandersnatch 5.0',
  blacklist_release: 'renamed "blocklist_release" in bandersnatch 5.0',
  version_range_project_metadata: "has no entry point in bandersnatch 8, so it could never be enabled",
  wheel_tags: "needs no [plugins] entry: the [wheel_tags] section turns it on",
};

/** Filter sections and their known options (the metadata sections take free-form keys). */
export const FILTER_SECTION_OPTIONS: Readonly<Record<string, readonly string[] | null>> = {
  plugins: ["enabled"],
  blocklist: ["packages", "platforms"],
  allowlist: ["packages", "requirements_path", "requirements"],
  filter_prerelease: ["packages"],
  filter_regex: ["packages", "releases"],
  latest_release: ["keep", "sort_by"],
  size_project_metadata: ["max_package_size"],
  versions_count_project_metadata: ["min_versions", "max_versions"],
  regex_project_metadata: null,
  regex_release_file_metadata: null,
  version_range_release_file_metadata: null,
  wheel_tags: null,
};

/** Sections that are not filter sections but belong in the file. */
export const OTHER_KNOWN_SECTIONS: readonly string[] = ["mirror", "s3", "swift"];
