/**
 * JSON from upstream, parsed with limits. `JSON.parse` in Bun copes with
 * million-deep `[[[[` itself, but every recursive walker after it (validators,
 * serializers) would overflow the stack, so nesting is refused before parsing.
 */

/** Deepest nesting of arrays and objects we accept; PyPI's documents nest 4–5 deep. */
export const MAX_JSON_DEPTH = 64;

/** JSON's structural characters, as UTF-16 code units and UTF-8 bytes alike (they are ASCII). */
export const OPEN_BRACKET = 0x5b;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACKET = 0x5d;
export const CLOSE_BRACE = 0x7d;
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;

/**
 * The deepest array/object nesting in `text`, stopping early (returning a value
 * greater than `limit`) once `limit` is exceeded. Strings are skipped, escapes included.
 *
 * @example jsonNestingDepth('{"a":[[1]]}') // 3
 */
export function jsonNestingDepth(text: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === BACKSLASH) index++;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) inString = true;
    else if (code === OPEN_BRACKET || code === OPEN_BRACE) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (code === CLOSE_BRACKET || code === CLOSE_BRACE) depth--;
  }
  return deepest;
}

/** Why a JSON body was refused; the caller wraps it with the URL. */
export class JsonShapeError extends Error {}

/**
 * `JSON.parse` after refusing nesting deeper than `maxDepth`.
 * Throws `JsonShapeError` (too deep) or `SyntaxError` (not JSON).
 *
 * @example parseJsonLimited("[[[1]]]", { maxDepth: 2 }) // throws JsonShapeError
 */
export function parseJsonLimited(
  text: string,
  options: {
    maxDepth?: number;
    reviver?: (this: unknown, key: string, value: unknown, context: { source?: string }) => unknown;
  } = {},
): unknown {
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  if (jsonNestingDepth(text, maxDepth) > maxDepth) {
    throw new JsonShapeError(`JSON nests deeper than ${maxDepth} levels`);
  }
  return options.reviver
    ? JSON.parse(text, options.reviver as (this: unknown, key: string, value: unknown) => unknown)
    : JSON.parse(text);
}

/** Whether `value` is a plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
