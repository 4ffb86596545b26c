/**
 * Scalar value readers with Python configparser's meaning (`getboolean`, `getint`,
 * `getfloat`), for `[mirror]` and for the filter and storage sections. Each returns
 * `undefined` for a value it does not accept; callers turn that into a `ConfigError`
 * that names the option (see `options.ts`).
 */

import type { DeletionLimit } from "./types.ts";

const BOOLEAN_STATES: Readonly<Record<string, boolean>> = {
  "1": true,
  yes: true,
  true: true,
  on: true,
  "0": false,
  no: false,
  false: false,
  off: false,
};

/**
 * configparser's `getboolean`: `1/yes/true/on` and `0/no/false/off`, any case.
 *
 * @example
 * parseBoolean("Yes"); // true
 * parseBoolean("maybe"); // undefined
 */
export function parseBoolean(value: string): boolean | undefined {
  return BOOLEAN_STATES[value.toLowerCase()];
}

/**
 * A whole number written in decimal (`getint` without Python's `1_000` and
 * non-ASCII digits).
 *
 * @example
 * parseWholeNumber(" +12 "); // 12
 * parseWholeNumber("1.5"); // undefined
 */
export function parseWholeNumber(value: string): number | undefined {
  const trimmed = value.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) return undefined;
  const parsed = Number(trimmed);
  return Number.isSafeInteger(parsed) ? parsed : undefined;
}

/**
 * A finite decimal number (`getfloat` without `inf`, `nan` and `1_000`).
 *
 * @example
 * parseDecimal("1e3"); // 1000
 * parseDecimal("ten"); // undefined
 */
export function parseDecimal(value: string): number | undefined {
  const trimmed = value.trim();
  if (!/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(trimmed)) return undefined;
  const parsed = Number(trimmed);
  return Number.isFinite(parsed) ? parsed : undefined;
}

const BINARY_UNITS: Readonly<Record<string, number>> = {
  "": 1,
  K: 1024,
  M: 1024 ** 2,
  G: 1024 ** 3,
  T: 1024 ** 4,
};

/**
 * A byte count or rate with binary units: `800K`, `50M`, `1.5G`, `2T`, an optional
 * `B`/`iB` and `/s` suffix (`50MiB/s`), or plain bytes. The unit letter may be
 * lower-case; a lower-case `b` (bits) is not accepted. Rounded to whole bytes.
 *
 * @example
 * parseByteSize("1.5G"); // 1610612736
 * parseByteSize("50Mb"); // undefined
 */
export function parseByteSize(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?|\.\d+)\s*(?:([kKmMgGtT])(iB|B)?|(B))?(\/s)?$/.exec(value.trim());
  if (!match) return undefined;
  const unit = (match[2] ?? "").toUpperCase();
  const bytes = Math.round(Number(match[1]) * BINARY_UNITS[unit]!);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

const PERCENTAGE = /^(\d+(?:\.\d+)?)\s*%$/;

/**
 * `max-deletions`: a percentage of the mirror's files (`5%`, at most 100%) or a
 * whole number of files; undefined when it is neither.
 *
 * @example parseDeletionLimit("5%") // { kind: "percent", value: 5 }
 */
export function parseDeletionLimit(value: string): DeletionLimit | undefined {
  const percent = PERCENTAGE.exec(value.trim());
  if (percent) {
    const share = Number(percent[1]);
    return share <= 100 ? { kind: "percent", value: share } : undefined;
  }
  const count = parseWholeNumber(value);
  return count !== undefined && count >= 0 ? { kind: "count", value: count } : undefined;
}
