/**
 * The few Python behaviours that bandersnatch's page bytes depend on:
 * `html.escape(s, quote=True)`, `sorted()` on `str` (code point order) and
 * `json.dumps` with its defaults (`ensure_ascii=True`, separators `", "` / `": "`).
 */

const HTML_SPECIAL = /[&<>"']/;
const HTML_SPECIAL_ALL = /[&<>"']/g;
const HTML_ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#x27;",
};

/**
 * Python's `html.escape(text, quote=True)`.
 *
 * @example htmlEscape('>=3.6 "x"') // "&gt;=3.6 &quot;x&quot;"
 */
export function htmlEscape(text: string): string {
  if (!HTML_SPECIAL.test(text)) return text;
  return text.replace(HTML_SPECIAL_ALL, (char) => HTML_ENTITIES[char]!);
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** Maps a UTF-16 code unit so that code-unit comparison equals code point comparison. */
function codePointRank(codeUnit: number): number {
  if (codeUnit >= 0xd800 && codeUnit <= 0xdfff) return codeUnit + 0x2000;
  if (codeUnit >= 0xe000) return codeUnit - 0x800;
  return codeUnit;
}

/**
 * Compares like Python compares `str`: by Unicode code point, not by locale and not by
 * UTF-16 code unit (the two differ only for astral characters against U+E000–U+FFFF).
 *
 * @example ["a", "Z", "_"].sort(compareCodePoints) // ["Z", "_", "a"]
 */
export function compareCodePoints(left: string, right: string): number {
  if (left === right) return 0;
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index++) {
    const leftUnit = left.charCodeAt(index);
    const rightUnit = right.charCodeAt(index);
    if (leftUnit !== rightUnit) return codePointRank(leftUnit) - codePointRank(rightUnit);
  }
  return left.length - right.length;
}

/**
 * Sorts strings in place in Python's `sorted()` order and returns the array. Uses the
 * engine's native code-unit sort when no string holds a surrogate (then both orders agree).
 */
export function sortCodePoints(strings: string[]): string[] {
  if (strings.some((value) => SURROGATE.test(value))) return strings.sort(compareCodePoints);
  return strings.sort();
}

/** Sorts items in place by a string key in Python's `sorted(key=...)` order (stable). */
export function sortByCodePointKey<T>(items: T[], key: (item: T) => string): T[] {
  return items.sort((left, right) => compareCodePoints(key(left), key(right)));
}

// Python's json ESCAPE_ASCII: `\`, `"` and everything outside printable ASCII.
const JSON_NEEDS_ESCAPE = /[\\"]|[^\x20-\x7e]/;
const JSON_NEEDS_ESCAPE_ALL = /[\\"]|[^\x20-\x7e]/g;
const JSON_SHORT_ESCAPES: Record<string, string> = {
  "\\": "\\\\",
  '"': '\\"',
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

function escapeJsonChar(char: string): string {
  const short = JSON_SHORT_ESCAPES[char];
  if (short !== undefined) return short;
  // One UTF-16 code unit at a time, so astral characters become surrogate pairs, as in Python.
  return "\\u" + char.charCodeAt(0).toString(16).padStart(4, "0");
}

/**
 * The inside of a JSON string literal (no quotes) exactly as Python's `json.dumps` escapes it
 * (`ensure_ascii=True`: non-ASCII as lower-case `\uXXXX`, astral characters as surrogate pairs).
 *
 * @example pythonJsonStringContent('é"') // '\\u00e9\\"'
 */
export function pythonJsonStringContent(text: string): string {
  if (!JSON_NEEDS_ESCAPE.test(text)) return text;
  return text.replace(JSON_NEEDS_ESCAPE_ALL, escapeJsonChar);
}

/**
 * A JSON string literal exactly as Python's `json.dumps(text)` writes it.
 *
 * @example pythonJsonString('é"') // '"\\u00e9\\""'
 */
export function pythonJsonString(text: string): string {
  return '"' + pythonJsonStringContent(text) + '"';
}

/**
 * Decimal form of an integer for a JSON document or file name.
 *
 * @throws {RangeError} when `value` is not a safe integer (NaN or a fraction would corrupt the page).
 */
export function formatInteger(value: number): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`Not an integer: ${value}`);
  return String(value);
}

/**
 * A JSON value. Use a `Map` for objects whose keys come from upstream data: plain objects put
 * integer-like keys first, a `Map` keeps insertion order for every key.
 */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | Map<string, JsonValue>
  | { [key: string]: JsonValue };

/**
 * Python's `json.dumps(value)` with default arguments: separators `", "` and `": "`, keys in
 * insertion order (see `JsonValue`), `ensure_ascii=True`. Numbers must be integers (our pages hold no floats).
 *
 * @example pythonJsonDumps({ a: [1, true, null] }) // '{"a": [1, true, null]}'
 * @throws {RangeError} on a non-integer number.
 */
export function pythonJsonDumps(value: JsonValue): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "number":
      return formatInteger(value);
    case "string":
      return pythonJsonString(value);
  }
  if (Array.isArray(value)) return "[" + value.map(pythonJsonDumps).join(", ") + "]";
  const members: string[] = [];
  if (value instanceof Map) {
    for (const [key, member] of value) members.push(pythonJsonString(key) + ": " + pythonJsonDumps(member));
    return "{" + members.join(", ") + "}";
  }
  for (const key of Object.keys(value)) {
    members.push(pythonJsonString(key) + ": " + pythonJsonDumps(value[key]!));
  }
  return "{" + members.join(", ") + "}";
}
