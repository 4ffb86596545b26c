/**
 * `[wheel_tags]` (a bunsnatch addition): keeps only wheels built for the listed
 * tags. Active whenever the section is present; no `[plugins]` entry is needed.
 *
 * ```ini
 * [wheel_tags]
 * python = cp3* py3
 * abi = cp311 cp312 abi3 none
 * platform = manylinux*_x86_64 any
 * sdist = true
 * ```
 *
 * `python`, `abi` and `platform` are lists of glob patterns (`*`, `?`; case does
 * not matter); a missing key means "any". A wheel is kept when one of its tag
 * triples (compressed tag sets expanded, PEP 425) matches all three lists; a
 * legacy manylinux platform tag and its PEP 600 name match each other's
 * patterns. `sdist = false` drops source distributions (default `true`). Files
 * that are neither wheels nor sdists (eggs, `.exe`, `.msi`, `.rpm`, `.dmg`, dumb
 * builds), which pip cannot install, and wheels whose name is not PEP 427, are
 * dropped. Only the section's own keys count (not `[DEFAULT]`'s).
 */

import type { IniDocument } from "../../config/types.ts";
import { expandTags, platformAliases, tryParseWheelFilename } from "../../packaging/wheel.ts";
import type { ReleaseFile } from "../../upstream/types.ts";
import { configError, listWords, optionLabel, parseBooleanOption } from "../config.ts";
import { didYouMean } from "../did-you-mean.ts";
import type { PluginDefinition } from "../loader-context.ts";
import type { ReleaseFilePlugin } from "../types.ts";

export const WHEEL_TAGS_SECTION = "wheel_tags";
const LIST_KEYS = ["python", "abi", "platform"] as const;
const KEYS = [...LIST_KEYS, "sdist"];
const GLOB = /^[A-Za-z0-9_.*?]+$/;

/** A compiled `[wheel_tags]` selection. `null` lists mean "any". */
export interface WheelTagSelection {
  python: RegExp[] | null;
  abi: RegExp[] | null;
  platform: RegExp[] | null;
  sdist: boolean;
}

/** Compiles a tag glob: `*` any run, `?` one character, whole tag, any case. */
export function compileTagGlob(pattern: string): RegExp {
  const body = pattern.replace(/[.]/g, "\\.").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`, "i");
}

/** Whether the selection keeps `file`. */
export function wheelTagsAllow(selection: WheelTagSelection, file: ReleaseFile): boolean {
  if (file.packageType === "sdist") return selection.sdist;
  const isWheel = file.packageType === "bdist_wheel" || file.filename.toLowerCase().endsWith(".whl");
  if (!isWheel) return false;
  const wheel = tryParseWheelFilename(file.filename);
  if (!wheel) return false;
  return expandTags(wheel).some(
    (triple) =>
      matchesAny(selection.python, [triple.python]) &&
      matchesAny(selection.abi, [triple.abi]) &&
      matchesAny(selection.platform, platformAliases(triple.platform)),
  );
}

function matchesAny(patterns: RegExp[] | null, tags: string[]): boolean {
  return patterns === null || patterns.some((pattern) => tags.some((tag) => pattern.test(tag)));
}

/** Reads `[wheel_tags]`; ConfigError for an empty list, a bad pattern or a bad `sdist`. */
export function readWheelTagSelection(
  ini: IniDocument,
  warnings: string[],
): { selection: WheelTagSelection; settings: unknown } {
  const own = ini.ownOptionNames(WHEEL_TAGS_SECTION);
  for (const key of own) {
    if (!KEYS.includes(key)) {
      warnings.push(
        `${optionLabel(ini, WHEEL_TAGS_SECTION, key)}: unknown option, ignored${didYouMean(key, KEYS)}`,
      );
    }
  }
  const settings: Record<string, unknown> = {};
  const lists: Partial<Record<(typeof LIST_KEYS)[number], RegExp[] | null>> = {};
  for (const key of LIST_KEYS) {
    if (!own.includes(key)) {
      lists[key] = null;
      settings[key] = null;
      continue;
    }
    const value = ini.get(WHEEL_TAGS_SECTION, key) ?? "";
    const patterns = listWords(value).map((pattern) => pattern.toLowerCase());
    if (patterns.length === 0) {
      throw configError(
        ini,
        WHEEL_TAGS_SECTION,
        key,
        "empty list; remove the option to allow any tag",
        value,
      );
    }
    for (const pattern of patterns) {
      if (!GLOB.test(pattern)) {
        throw configError(
          ini,
          WHEEL_TAGS_SECTION,
          key,
          "a tag pattern has only letters, digits, _ . * ?",
          pattern,
        );
      }
    }
    lists[key] = patterns.map(compileTagGlob);
    settings[key] = [...new Set(patterns)].sort();
  }
  const sdistText = own.includes("sdist") ? ini.get(WHEEL_TAGS_SECTION, "sdist") : undefined;
  const sdist =
    sdistText === undefined ? true : parseBooleanOption(ini, WHEEL_TAGS_SECTION, "sdist", sdistText);
  settings["sdist"] = sdist;
  return {
    selection: {
      python: lists.python ?? null,
      abi: lists.abi ?? null,
      platform: lists.platform ?? null,
      sdist,
    },
    settings,
  };
}

export const wheelTags: PluginDefinition = {
  name: WHEEL_TAGS_SECTION,
  stage: "release_file",
  isConfigured: (ini) => ini.hasSection(WHEEL_TAGS_SECTION),
  create(loader): ReleaseFilePlugin | null {
    if (!loader.ini.hasSection(WHEEL_TAGS_SECTION)) return null;
    const { selection, settings } = readWheelTagSelection(loader.ini, loader.warnings);
    return {
      name: WHEEL_TAGS_SECTION,
      stage: "release_file",
      needsJsonApi: false,
      settings,
      allows: (_project, file) => wheelTagsAllow(selection, file.file),
    };
  },
};
