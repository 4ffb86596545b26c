/**
 * Where upstream files land under `web/`, and the rules that keep every such
 * path inside the mirror. bandersnatch compatibility: the local path of a release
 * file is the upstream URL path, percent-decoded (`web/packages/aa/bb/<60 hex>/<file>`).
 */

import { isAbsolute, resolve, sep } from "node:path";
import { refuse } from "../upstream/hostile.ts";

/** Longest path segment (file or directory name) we write; the limit of ext4, XFS and most others. */
export const MAX_SEGMENT_BYTES = 255;

const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
const textEncoder = new TextEncoder();

/** Whether `segment` is `.`, `..` or a percent-encoded spelling of either (`%2e`, `.%2E`...). */
export function isDotSegment(segment: string): boolean {
  return /^(?:\.|%2e){1,2}$/i.test(segment);
}

/**
 * The rule a single decoded path segment breaks, or `null` when it is safe to use
 * as a file or directory name.
 *
 * @example segmentProblem("..") // "is a dot segment"
 * @example segmentProblem("foo-1.0.tar.gz") // null
 */
export function segmentProblem(segment: string, options: { allowLeadingDot?: boolean } = {}): string | null {
  if (segment === "") return "is an empty path segment";
  if (segment === "." || segment === "..") return "is a dot segment";
  if (segment.includes("/")) return "contains '/'";
  if (segment.includes("\\")) return "contains a backslash";
  if (segment.includes("\u0000")) return "contains NUL";
  if (CONTROL_CHARACTER.test(segment)) return "contains a control character";
  if (segment.startsWith(".") && !options.allowLeadingDot) return "starts with '.'";
  if (textEncoder.encode(segment).length > MAX_SEGMENT_BYTES) {
    return `is longer than ${MAX_SEGMENT_BYTES} bytes`;
  }
  return null;
}

/**
 * Checks a distribution filename from upstream before it names anything on disk.
 * Throws `HostileDataError` naming the filename and the rule.
 *
 * @example assertSafeFilename("../../etc/passwd") // throws: ... contains '/'
 */
export function assertSafeFilename(filename: string, what = "filename"): void {
  const problem = segmentProblem(filename);
  if (problem) throw refuse(what, filename, problem);
}

/**
 * The path a release file is stored at under `web/`: `packages/...`, the URL path
 * percent-decoded segment by segment, every segment checked by `segmentProblem`.
 * Throws `HostileDataError` for a path outside `/packages/`, dot segments in any
 * encoding, empty segments (`//`), encoded `/` or `\`, NUL or control characters.
 *
 * @example mirrorPathForUrl("https://files.pythonhosted.org/packages/ab/cd/ef/foo-1.0.tar.gz")
 *   // "packages/ab/cd/ef/foo-1.0.tar.gz"
 */
export function mirrorPathForUrl(url: string | URL): string {
  const parsed = typeof url === "string" ? parseAbsolute(url) : url;
  if (typeof url === "string") {
    for (const rawSegment of rawPathOf(url).split("/")) {
      if (isDotSegment(rawSegment)) throw refuse("file URL", url, "path has a dot segment");
    }
  }
  const pathname = parsed.pathname;
  if (!pathname.startsWith("/packages/")) {
    throw refuse("file URL", parsed.href, "path must start with /packages/");
  }
  const decodedSegments: string[] = [];
  for (const encoded of pathname.slice(1).split("/")) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(encoded);
    } catch {
      throw refuse(
        "file URL",
        parsed.href,
        `path segment ${JSON.stringify(encoded)} has malformed percent-encoding`,
      );
    }
    const problem = segmentProblem(decoded);
    if (problem) throw refuse("file URL", parsed.href, `path segment ${JSON.stringify(decoded)} ${problem}`);
    decodedSegments.push(decoded);
  }
  if (decodedSegments.length < 2) {
    throw refuse("file URL", parsed.href, "path names no file under /packages/");
  }
  return decodedSegments.join("/");
}

/**
 * The absolute path of `relativePath` under `root`, after checking it cannot
 * leave `root`: relative, no `..`/`.`/empty segments, no NUL or backslash.
 * (Symbolic links inside the mirror are the storage layer's concern.)
 *
 * @example assertInside("/srv/mirror/web", "packages/ab/foo.whl") // "/srv/mirror/web/packages/ab/foo.whl"
 * @example assertInside("/srv/mirror/web", "../etc/passwd") // throws HostileDataError
 */
export function assertInside(root: string, relativePath: string): string {
  if (relativePath === "" || isAbsolute(relativePath)) {
    throw refuse("path", relativePath, `must be a non-empty path relative to ${root}`);
  }
  for (const segment of relativePath.split("/")) {
    // Leading dots are allowed here: the pipeline's own temporary names are `.<filename>.<random>`.
    const problem = segmentProblem(segment, { allowLeadingDot: true });
    if (problem) throw refuse("path", relativePath, `segment ${JSON.stringify(segment)} ${problem}`);
  }
  const rootResolved = resolve(root);
  const absolute = resolve(rootResolved, relativePath);
  const prefix = rootResolved.endsWith(sep) ? rootResolved : rootResolved + sep;
  if (!absolute.startsWith(prefix)) throw refuse("path", relativePath, `resolves outside ${rootResolved}`);
  return absolute;
}

function parseAbsolute(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw refuse("file URL", url, "is not an absolute URL");
  }
}

/** The path part of a URL or reference as written (scheme, authority, query and fragment cut off). */
export function rawPathOf(reference: string): string {
  let rest = reference.replace(/^[a-z][a-z0-9+.-]*:/i, "");
  if (rest.startsWith("//")) {
    const end = rest.slice(2).search(/[/?#]/);
    rest = end === -1 ? "" : rest.slice(2 + end);
  }
  const cut = rest.search(/[?#]/);
  return cut === -1 ? rest : rest.slice(0, cut);
}
