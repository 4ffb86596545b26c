/**
 * The root index (`web/simple/index.html`, `index.v1_html`, `index.v1_json`).
 *
 * HTML: byte-identical to bandersnatch 8's `sync_index_page`. JSON: PyPI's shape rather than
 * bandersnatch's, so that another bunsnatch (or bandersnatch) can mirror from us: every entry
 * carries `_last-serial` and the display name, and `meta._last-serial` is the serial passed in
 * (bandersnatch: no per-project serials, normalized names, and the previous run's serial).
 *
 * Built for 800,000 projects: one array of flat parts joined once (no per-entry concatenation),
 * one regex test per name, and no sort when the input is already in order (names read with
 * SQLite's `ORDER BY`, BINARY collation on UTF-8, come in code point order, as Python sorts).
 */

import { normalizeName } from "../packaging/names.ts";
import {
  compareCodePoints,
  formatInteger,
  htmlEscape,
  pythonJsonStringContent,
  sortCodePoints,
} from "../packaging/python-compat.ts";
import { rootHref } from "./layout.ts";
import { HTML_REPOSITORY_VERSION } from "./render-html.ts";
import { JSON_API_VERSION } from "./render-json.ts";

const ROOT_HTML_HEAD =
  "<!DOCTYPE html>\n" +
  "<html>\n" +
  "  <head>\n" +
  `    <meta name="pypi:repository-version" content="${HTML_REPOSITORY_VERSION}">\n` +
  "    <title>Simple Index</title>\n" +
  "  </head>\n" +
  "  <body>\n";

const ROOT_HTML_TAIL = "  </body>\n</html>";

// Anything that needs escaping (HTML or JSON) or breaks "UTF-16 order = code point order".
const NOT_PLAIN = /[^\x20-\x7e]|[&<>"'\\]/;

/** Whether every string is printable ASCII without markup or JSON specials. */
function allPlain(strings: readonly string[]): boolean {
  for (const value of strings) {
    if (NOT_PLAIN.test(value)) return false;
  }
  return true;
}

/** Whether `strings` is strictly ascending in UTF-16 code unit order (code point order for plain ASCII). */
function isStrictlyAscending(strings: readonly string[]): boolean {
  for (let index = 1; index < strings.length; index++) {
    if (!(strings[index - 1]! < strings[index]!)) return false;
  }
  return true;
}

/**
 * Renders the root HTML index: one line per distinct name, sorted in Python string order,
 * `href` = `name/` (also with hash-index), and no newline after `</html>`.
 *
 * Names are PEP 503 normalized project names (no markup characters); like bandersnatch we do
 * not need to escape them, but any name that holds markup characters is escaped anyway.
 *
 * @example renderRootHtml(["foo"]).includes('    <a href="foo/">foo</a><br/>\n') // true
 */
export function renderRootHtml(normalizedNames: readonly string[]): string {
  const names =
    allPlain(normalizedNames) && isStrictlyAscending(normalizedNames)
      ? normalizedNames
      : sortCodePoints([...normalizedNames]);
  return [...rootHtmlChunks(names)].join("");
}

/** Entries per chunk of the streamed root pages: big enough to be cheap, small enough to stay flat in memory. */
const CHUNK_ENTRIES = 2048;

/**
 * The root HTML index in chunks, for names already in Python string order (SQLite's
 * `ORDER BY` gives that order): 800,000 projects without holding the page in memory.
 */
export function* rootHtmlChunks(sortedNames: Iterable<string>): Generator<string> {
  let parts: string[] = [ROOT_HTML_HEAD];
  let previous: string | undefined;
  for (const name of sortedNames) {
    // bandersnatch lists directories: each name once.
    if (name === previous) continue;
    previous = name;
    const plain = !NOT_PLAIN.test(name);
    parts.push(
      '    <a href="',
      plain ? rootHref(name) : htmlEscape(rootHref(name)),
      '">',
      plain ? name : htmlEscape(name),
      "</a><br/>\n",
    );
    if (parts.length >= CHUNK_ENTRIES * 5) {
      yield parts.join("");
      parts = [];
    }
  }
  parts.push(ROOT_HTML_TAIL);
  yield parts.join("");
}

/** One project of the root JSON index. */
export interface RootProject {
  /** Display name (PyPI puts display names in its listing). */
  name: string;
  /** The project's last serial as mirrored. */
  serial: number;
  /** PEP 503 normalized name, when the caller has it (saves normalizing 800,000 names). */
  normalizedName?: string;
}

/** Indices of `keys` in Python string order of the keys (stable). */
function sortedOrder(keys: readonly string[]): number[] {
  const order = new Array<number>(keys.length);
  for (let index = 0; index < keys.length; index++) order[index] = index;
  if (allPlain(keys)) {
    if (isStrictlyAscending(keys)) return order;
    // Plain ASCII: UTF-16 code unit order is code point order.
    return order.sort((left, right) => {
      const leftKey = keys[left]!;
      const rightKey = keys[right]!;
      return leftKey < rightKey ? -1 : leftKey > rightKey ? 1 : 0;
    });
  }
  return order.sort((left, right) => compareCodePoints(keys[left]!, keys[right]!));
}

/**
 * Renders the root PEP 691 JSON index in PyPI's shape, sorted by normalized name:
 * `{"meta": {"_last-serial": N, "api-version": "1.4"}, "projects": [{"_last-serial": n, "name": "<display>"}, ...]}`.
 * One line, Python `json.dumps` separators and escaping, no trailing newline. Callers pass one
 * entry per project.
 *
 * @throws {RangeError} when a serial is not an integer.
 */
export function renderRootJson(projects: readonly RootProject[], serial: number): string {
  const keys = projects.map((project) => project.normalizedName ?? normalizeName(project.name));
  const order = sortedOrder(keys);
  return [
    ...rootJsonChunks(
      order.map((index) => projects[index]!),
      serial,
    ),
  ].join("");
}

/**
 * The root JSON index in chunks, for projects already in normalized-name order (as the
 * ledger gives them).
 *
 * @throws {RangeError} when a serial is not an integer.
 */
export function* rootJsonChunks(sortedProjects: Iterable<RootProject>, serial: number): Generator<string> {
  let parts: string[] = [
    `{"meta": {"_last-serial": ${formatInteger(serial)}, "api-version": "${JSON_API_VERSION}"}, "projects": [`,
  ];
  let first = true;
  for (const project of sortedProjects) {
    parts.push(
      first ? '{"_last-serial": ' : '"}, {"_last-serial": ',
      formatInteger(project.serial),
      ', "name": "',
      pythonJsonStringContent(project.name),
    );
    first = false;
    if (parts.length >= CHUNK_ENTRIES * 4) {
      yield parts.join("");
      parts = [];
    }
  }
  parts.push(first ? "]}" : '"}]}');
  yield parts.join("");
}
