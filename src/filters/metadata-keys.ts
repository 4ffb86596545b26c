/**
 * Keys of the metadata filter sections (`[regex_project_metadata]`,
 * `[regex_release_file_metadata]`, `[version_range_release_file_metadata]`):
 * `tag:tag:dotted.path`, and walking the dotted path through a JSON document.
 */

import type { IniDocument } from "../config/types.ts";
import { optionLabel } from "./config.ts";
import { didYouMean } from "./did-you-mean.ts";

export type MatchMode = "any" | "all" | "none";

export interface MetadataKey {
  /** The option name as written. */
  option: string;
  path: string[];
  mode: MatchMode;
  /** `match-null` / `not-null` as written last in the key; null when neither was given. */
  nullTag: "match-null" | "not-null" | null;
}

const MODE_TAGS = ["any", "all", "none"];
const NULL_TAGS = ["match-null", "not-null"];

/**
 * Splits `not-null:any:info.classifiers` into tags and path. Unknown tags are
 * warnings (bandersnatch ignored them silently); tags that `allowed` leaves out
 * are warned about as having no effect.
 */
export function parseMetadataKey(
  ini: IniDocument,
  section: string,
  option: string,
  warnings: string[],
  allowedTags: readonly string[] = [...MODE_TAGS, ...NULL_TAGS],
): MetadataKey {
  const tags = option.split(":");
  const path = tags.pop()!.split(".");
  let mode: MatchMode = "any";
  let nullTag: MetadataKey["nullTag"] = null;
  for (const tag of tags) {
    if (!allowedTags.includes(tag)) {
      const known = [...MODE_TAGS, ...NULL_TAGS].includes(tag);
      warnings.push(
        known
          ? `${optionLabel(ini, section, option)}: tag ${JSON.stringify(tag)} has no effect in [${section}]`
          : `${optionLabel(ini, section, option)}: unknown tag ${JSON.stringify(tag)}, ignored${didYouMean(tag, allowedTags)}`,
      );
      continue;
    }
    if (tag === "match-null" || tag === "not-null") nullTag = tag;
    else mode = tag as MatchMode;
  }
  return { option, path, mode, nullTag };
}

/**
 * The node at `path`, or undefined when a step is missing or `null` (bandersnatch:
 * a missing or `None` node is "null"). Only objects are walked into.
 */
export function nodeAtPath(root: unknown, path: readonly string[]): unknown {
  let node: unknown = root;
  for (const step of path) {
    if (node === null || typeof node !== "object" || Array.isArray(node)) return undefined;
    const next = (node as Record<string, unknown>)[step];
    if (next === undefined || next === null) return undefined;
    node = next;
  }
  return node;
}

/**
 * The strings a regex is matched against: a list's scalar entries, or the scalar
 * itself. Numbers and booleans are matched as their JSON text (`12345`, `true`);
 * objects are skipped (bandersnatch crashed on non-strings).
 */
export function nodeValues(node: unknown): string[] {
  const items = node === undefined ? [] : Array.isArray(node) ? node : [node];
  const values: string[] = [];
  for (const item of items) {
    if (typeof item === "string") values.push(item);
    else if (typeof item === "number" || typeof item === "boolean") values.push(JSON.stringify(item));
  }
  return values;
}
