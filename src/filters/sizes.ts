/**
 * Human-readable sizes as `humanfriendly.parse_size(text, binary=True)` reads them,
 * which is what bandersnatch's `max_package_size` accepts.
 */

const SIZE = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/;
const PREFIXES = "kmgtpezy";

/**
 * Bytes for `1G`, `1.5 GB`, `512MiB`, `1048576`; units are binary (`1K` = 1024),
 * as with `binary=True`. Null when the text is not a size.
 *
 * @example parseHumanSize("1G") // 1073741824
 */
export function parseHumanSize(text: string): number | null {
  const match = SIZE.exec(text);
  if (!match) return null;
  const amount = Number(match[1]);
  const unit = match[2]!.toLowerCase().replace(/s$/, "");
  // humanfriendly: no unit, or any unit starting with "b" (bytes), is a byte count.
  if (unit === "" || unit.startsWith("b")) return Math.trunc(amount);
  // humanfriendly accepts any unit whose first letter is a known prefix (K, KB, KiB, kilobyte...).
  const power = PREFIXES.indexOf(unit[0]!);
  if (power < 0) return null;
  return Math.trunc(amount * 1024 ** (power + 1));
}
