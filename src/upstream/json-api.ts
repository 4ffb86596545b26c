/**
 * PyPI's JSON API, `{master}/pypi/<normalized>/json` (peers-and-protocol B.4):
 * fetched for `json = true`, for metadata filters, and for digests the simple
 * page lacks.
 *
 * Save format: bandersnatch writes `web/json/<name>` (and a byte copy at
 * `web/pypi/<name>/json`) re-serialized with `json.dump(indent=4, sort_keys=True)`,
 * not the upstream bytes. The compatibility contract is "same tree, same
 * formats", so `jsonApiFileContent` gives those bytes exactly, number literals
 * included (`python-json.ts`). The upstream bytes stay available (`bytes`) for
 * callers that want them.
 */

import { UpstreamError } from "../errors.ts";
import { normalizeName } from "../packaging/names.ts";
import { refuse } from "./hostile.ts";
import { DEFAULT_JSON_MAX_BYTES, type HttpClient, redactUrl } from "./http.ts";
import { isJsonObject } from "./json-safety.ts";
import { checkNameRedirect } from "./project-page.ts";
import { pythonJsonDumpsIndented, pythonJsonReformat } from "./python-json.ts";
import type { JsonApiDocument } from "./types.ts";
import type { UrlRules } from "./url-rules.ts";

/** What `fetchJsonApi` found. */
export type JsonApiResult =
  | {
      kind: "document";
      document: JsonApiDocument;
      /** The body as received. */
      bytes: Uint8Array;
      /** The body as text (input of `jsonApiFileContent`). */
      text: string;
      /** `X-PyPI-Last-Serial`, else `last_serial`, else 0. */
      serial: number;
      /** The serial is below `requiredSerial` (stale CDN copy); the caller retries or defers. */
      stale: boolean;
      url: string;
    }
  /** 404/410: unknown project, or one with no (non-quarantined) releases (B.6). */
  | { kind: "gone"; url: string };

export interface JsonApiRequest {
  normalizedName: string;
  requiredSerial?: number;
  maxBytes?: number;
}

/** `https://pypi.org/pypi/foo/json`. */
export function jsonApiUrl(master: URL | string, normalizedName: string): string {
  return `${String(master).replace(/\/+$/, "")}/pypi/${encodeURIComponent(normalizedName)}/json`;
}

/**
 * Fetches and checks one project's JSON API document. One request, no retries
 * (the caller owns them). Redirects only to `/pypi/<same name>/json` on the
 * master's origin. Throws `UpstreamError` (HTTP, not JSON) or `HostileDataError`
 * (wrong project, malformed document).
 *
 * @example
 * const result = await fetchJsonApi(http, rules, { normalizedName: "requests", requiredSerial });
 * if (result.kind === "document") await save(jsonApiFileContent(result.text));
 */
export async function fetchJsonApi(
  http: HttpClient,
  rules: UrlRules,
  request: JsonApiRequest,
): Promise<JsonApiResult> {
  const url = jsonApiUrl(rules.master, request.normalizedName);
  let response: Awaited<ReturnType<HttpClient["getJson"]>>;
  try {
    response = await http.getJson(url, {
      accept: "application/json",
      maxBytes: request.maxBytes ?? DEFAULT_JSON_MAX_BYTES,
      checkRedirect: (target, from) =>
        checkNameRedirect(target, from, rules, "pypi", request.normalizedName, "/json"),
    });
  } catch (error) {
    if (error instanceof UpstreamError && (error.status === 404 || error.status === 410)) {
      return { kind: "gone", url };
    }
    throw error;
  }
  const document = checkJsonApiDocument(response.body, request.normalizedName);
  const serial = jsonApiSerial(
    response.headers.get("x-pypi-last-serial"),
    document.last_serial,
    request.normalizedName,
  );
  return {
    kind: "document",
    document,
    bytes: response.bytes,
    text: response.text,
    serial,
    stale: serial < (request.requiredSerial ?? 0),
    url: response.finalUrl,
  };
}

/**
 * Checks the shape we rely on: an object with an `info` object whose `name`
 * normalizes to the project; `last_serial` an integer; `releases` an object of
 * arrays and `urls` an array when present. The rest passes through untouched.
 * Throws `HostileDataError`.
 */
export function checkJsonApiDocument(value: unknown, normalizedName: string): JsonApiDocument {
  const where = `JSON API document of ${normalizedName}`;
  if (!isJsonObject(value)) throw refuse(where, value, "must be a JSON object");
  const info = value["info"];
  if (!isJsonObject(info)) throw refuse(`${where}: info`, info, "must be an object");
  const name = info["name"];
  if (typeof name !== "string" || normalizeName(name) !== normalizedName) {
    throw refuse(`${where}: info.name`, name, `must normalize to ${normalizedName}`);
  }
  const lastSerial = value["last_serial"];
  if (
    lastSerial !== undefined &&
    (typeof lastSerial !== "number" || !Number.isSafeInteger(lastSerial) || lastSerial < 0)
  ) {
    throw refuse(`${where}: last_serial`, lastSerial, "must be a non-negative integer");
  }
  const releases = value["releases"];
  if (releases !== undefined) {
    if (!isJsonObject(releases)) throw refuse(`${where}: releases`, releases, "must be an object");
    for (const [version, files] of Object.entries(releases)) {
      if (!Array.isArray(files) || !files.every(isJsonObject)) {
        throw refuse(`${where}: releases[${JSON.stringify(version)}]`, files, "must be an array of objects");
      }
    }
  }
  const urls = value["urls"];
  if (urls !== undefined && (!Array.isArray(urls) || !urls.every(isJsonObject))) {
    throw refuse(`${where}: urls`, urls, "must be an array of objects");
  }
  return value as JsonApiDocument;
}

function jsonApiSerial(
  header: string | null,
  lastSerial: number | undefined,
  normalizedName: string,
): number {
  if (header !== null) {
    if (!/^\d{1,16}$/.test(header.trim())) {
      throw refuse(
        `JSON API of ${normalizedName}: X-PyPI-Last-Serial header`,
        header,
        "must be a non-negative integer",
      );
    }
    return Number(header.trim());
  }
  return lastSerial ?? 0;
}

/**
 * The bytes bandersnatch writes for a JSON API document, from the upstream text:
 * Python's `json.dumps(json.loads(text), indent=4, sort_keys=True)` exactly.
 * Throws `UpstreamError` if the text is not JSON.
 */
export function jsonApiFileContent(text: string, url = "JSON API document"): string {
  try {
    return pythonJsonReformat(text);
  } catch (error) {
    throw new UpstreamError(`${redactUrl(url)}: cannot re-serialize JSON (${(error as Error).message})`);
  }
}

/**
 * Python's `json.dumps(doc, indent=4, sort_keys=True)` of an already parsed
 * document (integral numbers as ints). Use `jsonApiFileContent(text)` when the
 * text is at hand: only it can tell `1.0` from `1`.
 */
export function serializeJsonApiLikeBandersnatch(document: unknown): string {
  return pythonJsonDumpsIndented(document);
}
