/**
 * Where index pages live under `web/`, and how bandersnatch names kept page versions.
 */

import { formatInteger } from "../packaging/python-compat.ts";

/**
 * A project's page directory relative to `web/`: `simple/<name>`, or with `hash-index`
 * `simple/<name[0]>/<name>` (the first character, which may be a digit).
 *
 * @example projectDirectory("69", true) // "simple/6/69"
 * @throws {RangeError} on an empty name.
 */
export function projectDirectory(normalizedName: string, hashIndex: boolean): string {
  if (normalizedName === "") throw new RangeError("Empty project name");
  return hashIndex ? `simple/${normalizedName[0]}/${normalizedName}` : `simple/${normalizedName}`;
}

/**
 * The root index's link to a project: `name/`, with or without hash-index (bandersnatch; the web
 * server maps `/simple/<name>/` to `simple/<c>/<name>/` when hash-index is on).
 */
export function rootHref(normalizedName: string): string {
  return `${normalizedName}/`;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

/**
 * Python's `datetime.utcnow().isoformat() + "Z"` with `:` removed, as in bandersnatch's
 * kept-version file names: `2024-03-06T202402.571000Z`, or `2018-10-28T000000Z` when the
 * fraction is zero (isoformat omits it). JS dates carry milliseconds, so the fraction is
 * `mmm000`.
 */
export function versionTimestamp(now: Date): string {
  const time = now.getTime();
  if (Number.isNaN(time)) throw new RangeError("Invalid date");
  const milliseconds = now.getUTCMilliseconds();
  const fraction = milliseconds === 0 ? "" : `.${pad(milliseconds, 3)}000`;
  return (
    `${pad(now.getUTCFullYear(), 4)}-${pad(now.getUTCMonth() + 1, 2)}-${pad(now.getUTCDate(), 2)}` +
    `T${pad(now.getUTCHours(), 2)}${pad(now.getUTCMinutes(), 2)}${pad(now.getUTCSeconds(), 2)}${fraction}Z`
  );
}

/**
 * bandersnatch's `keep_index_versions` file name (under `simple/<name>/versions/`):
 * `index_{serial}_{timestamp}.{ext}`.
 *
 * @example versionedIndexName(42, new Date("2024-03-06T20:24:02.571Z"), "v1_json") // "index_42_2024-03-06T202402.571000Z.v1_json"
 */
export function versionedIndexName(serial: number, now: Date, ext: string): string {
  return `index_${formatInteger(serial)}_${versionTimestamp(now)}.${ext}`;
}
