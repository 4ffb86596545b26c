/**
 * `blocklist_release`: drops versions inside a `[blocklist] packages` specifier for
 * their project (pre-releases included). A bare name has the empty specifier,
 * which contains every version, so all its releases go, as in bandersnatch.
 * Versions that are not PEP 440 are kept.
 */

import { listed, packageListReleasePlugin } from "./package-list-release.ts";

export const blocklistRelease = packageListReleasePlugin(
  "blocklist_release",
  "blocklist",
  (forProject, versions) => versions.filter((version) => !listed(forProject, version)),
);
