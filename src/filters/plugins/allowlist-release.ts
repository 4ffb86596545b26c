/**
 * `allowlist_release`: keeps a version only when a `[allowlist] packages`
 * requirement for its project contains it (pre-releases included). As in
 * bandersnatch, a project with no requirement keeps no release at all (enable
 * `allowlist_project` too, or it gets an empty page), and versions that are not
 * PEP 440 are dropped. An empty list makes the plugin do nothing (bandersnatch
 * dropped every release of every project).
 */

import { listed, packageListReleasePlugin } from "./package-list-release.ts";

export const allowlistRelease = packageListReleasePlugin(
  "allowlist_release",
  "allowlist",
  (forProject, versions) => versions.filter((version) => listed(forProject, version)),
);
