/**
 * "Did you mean ...?" for misspelled plugin names, sections, tags and tokens,
 * using the config reader's matcher (`config/suggest.ts`).
 */

import { closestName } from "../config/suggest.ts";

/**
 * The candidate `word` was probably meant to be, or null.
 *
 * @example closestMatch("exclude_platforms", ["exclude_platform", "latest_release"]) // "exclude_platform"
 */
export function closestMatch(word: string, candidates: readonly string[]): string | null {
  return closestName(word, candidates) ?? null;
}

/** ` (did you mean "x"?)` or the empty string. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const match = closestMatch(word, candidates);
  return match === null ? "" : ` (did you mean ${JSON.stringify(match)}?)`;
}
