/**
 * `latest_release`: keeps the newest `[latest_release] keep` versions, by PEP 440
 * order (`sort_by = version`, the default) or by upload time (`sort_by = time`).
 * The project's current version (`info.version`) is always kept, taking the last
 * slot, as in bandersnatch.
 *
 * It ranks the versions the other release plugins left (bandersnatch ran it on a
 * dictionary the others were deleting from as it went, so the result depended on
 * upstream's key order). `info.version` comes from the JSON API document, else is
 * the highest non-yanked, non-pre-release version among the files; it takes a slot
 * only when it is still selected. A version's upload time is its earliest file's.
 * `keep = 0` (the default) keeps everything; a `keep` or `sort_by` bandersnatch
 * would have ignored silently is a `ConfigError` here.
 */

import { compareVersions } from "../../packaging/version.ts";
import type { ReleaseFile } from "../../upstream/types.ts";
import { configError, parseCountOption, readOption } from "../config.ts";
import type { PluginDefinition } from "../loader-context.ts";
import type { ReleasePlugin } from "../types.ts";

type SortBy = "version" | "time";

export const latestRelease: PluginDefinition = {
  name: "latest_release",
  stage: "release",
  isConfigured: (ini) => ini.hasSection("latest_release") && ini.get("latest_release", "keep") !== undefined,
  create(loader): ReleasePlugin | null {
    const { ini } = loader;
    const keepText = readOption(ini, "latest_release", "keep");
    if (keepText === undefined) {
      const hint = ini.hasSection("latest_releases") ? " (the section is spelled [latest_releases])" : "";
      loader.warnings.push(
        `${ini.fileName}: latest_release is enabled but [latest_release] keep is not set${hint}; it does nothing`,
      );
      return null;
    }
    const keep = parseCountOption(ini, "latest_release", "keep", keepText);
    const sortText = readOption(ini, "latest_release", "sort_by")?.trim() ?? "version";
    if (sortText !== "version" && sortText !== "time") {
      throw configError(ini, "latest_release", "sort_by", "expected version or time", sortText);
    }
    if (keep === 0) return null;
    const sortBy: SortBy = sortText;
    return {
      name: "latest_release",
      stage: "release",
      settings: { keep, sortBy },
      select(project, versions, filesByVersion) {
        if (keep >= versions.length) return [...versions];
        const ranked = sortBy === "time" ? rankByTime(versions, filesByVersion) : rankByVersion(versions);
        const kept = ranked.slice(0, keep);
        const current = project.document.info.version;
        if (typeof current === "string" && versions.includes(current) && !kept.includes(current)) {
          kept[kept.length - 1] = current;
        }
        const keptSet = new Set(kept);
        return versions.filter((version) => keptSet.has(version));
      },
    };
  },
};

/** Newest first by PEP 440 (invalid versions last). */
function rankByVersion(versions: readonly string[]): string[] {
  return [...versions].sort((left, right) => compareVersions(right, left));
}

/** Newest first by each version's earliest upload time; versions without one last. */
function rankByTime(
  versions: readonly string[],
  filesByVersion: ReadonlyMap<string, readonly ReleaseFile[]>,
): string[] {
  const uploaded = new Map(
    versions.map((version) => [version, earliestUpload(filesByVersion.get(version) ?? [])]),
  );
  return [...versions].sort((left, right) => uploaded.get(right)! - uploaded.get(left)!);
}

function earliestUpload(files: readonly ReleaseFile[]): number {
  let earliest = Number.POSITIVE_INFINITY;
  for (const file of files) {
    const time = file.uploadTime === null ? Number.NaN : Date.parse(file.uploadTime);
    if (!Number.isNaN(time) && time < earliest) earliest = time;
  }
  return earliest === Number.POSITIVE_INFINITY ? Number.NEGATIVE_INFINITY : earliest;
}
