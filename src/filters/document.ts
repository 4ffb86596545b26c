/**
 * The JSON API shapes the metadata plugins walk: upstream's document when it was
 * fetched, else one synthesized from the PEP 691 page, so plugins that only need
 * file data work without the extra request.
 */

import { compareVersions, isPrerelease } from "../packaging/version.ts";
import { tryParseWheelFilename } from "../packaging/wheel.ts";
import type { JsonApiDocument, ProjectPage, ReleaseFile } from "../upstream/types.ts";
import type { FileContext, ProjectContext } from "./types.ts";

/** Builds the context the metadata, release-file and release stages share for one page. */
export function projectContext(page: ProjectPage): ProjectContext {
  if (page.jsonApi) return { page, document: page.jsonApi, hasJsonApi: true };
  let document: JsonApiDocument | null = null;
  return {
    page,
    hasJsonApi: false,
    // Built on first use: most filter sets never read it.
    get document() {
      document ??= synthesizeDocument(page);
      return document;
    },
  };
}

/**
 * A minimal JSON API document from the page: `info.name` (display name),
 * `info.version` (`latestVersion`), `releases` (version → synthesized file dicts)
 * and `urls` (files of `info.version`).
 */
export function synthesizeDocument(page: ProjectPage): JsonApiDocument {
  const releases: Record<string, Record<string, unknown>[]> = {};
  for (const version of page.versions ?? []) releases[version] = [];
  for (const file of page.files) {
    if (file.version === null) continue;
    const list = releases[file.version] ?? [];
    list.push(synthesizeReleaseFileDict(file));
    releases[file.version] = list;
  }
  const version = latestVersion(page.files);
  const info: JsonApiDocument["info"] = { name: page.displayName };
  if (version !== null) info.version = version;
  return { info, releases, urls: version === null ? [] : (releases[version] ?? []) };
}

/**
 * What PyPI reports as `info.version` when we have no JSON API document: the
 * highest version that has a non-yanked file and is not a pre-release; failing
 * that, the highest version with a non-yanked file; null when there is none.
 */
export function latestVersion(files: readonly ReleaseFile[]): string | null {
  const live = new Set<string>();
  for (const file of files) if (file.version !== null && file.yanked === false) live.add(file.version);
  const ordered = [...live].sort(compareVersions).reverse();
  return ordered.find((version) => !isPrerelease(version)) ?? ordered[0] ?? null;
}

/**
 * A JSON API `release_file` dict built from a page's file: `filename`, `packagetype`,
 * `python_version` (from the file name: the wheel's python tag, `source` for sdists,
 * the egg's Python version), `requires_python`, `size`, `yanked`, `yanked_reason`,
 * `upload_time_iso_8601`, `digests`, `url`, and `md5_digest` when known.
 */
export function synthesizeReleaseFileDict(file: ReleaseFile): Record<string, unknown> {
  const dict: Record<string, unknown> = {
    filename: file.filename,
    packagetype: file.packageType,
    python_version: pythonVersionOf(file),
    requires_python: file.requiresPython,
    size: file.size,
    yanked: file.yanked !== false,
    yanked_reason: typeof file.yanked === "string" ? file.yanked : null,
    upload_time_iso_8601: file.uploadTime,
    digests: { ...file.hashes },
    url: file.url,
  };
  if (file.hashes["md5"]) dict["md5_digest"] = file.hashes["md5"];
  return dict;
}

function pythonVersionOf(file: ReleaseFile): string | null {
  if (file.packageType === "sdist") return "source";
  const wheel = file.filename.endsWith(".whl") ? tryParseWheelFilename(file.filename) : null;
  if (wheel) return wheel.pythonTags.join(".");
  const egg = /-py(\d+(?:\.\d+)?)(?:-[^/]*)?\.egg$/.exec(file.filename);
  return egg ? egg[1]! : null;
}

/** Looks up files of the JSON API document by file name, once per project. */
export class DocumentFiles {
  private byFilename: Map<string, { version: string; dict: Record<string, unknown> }> | null = null;
  constructor(private readonly project: ProjectContext) {}

  /** The document's version and dict for `filename`, when upstream's document lists it. */
  find(filename: string): { version: string; dict: Record<string, unknown> } | undefined {
    if (!this.project.hasJsonApi) return undefined;
    if (!this.byFilename) this.byFilename = indexDocument(this.project.document);
    return this.byFilename.get(filename);
  }

  /** The file's context for the release-file stage. */
  fileContext(file: ReleaseFile): FileContext {
    const fromDocument = this.find(file.filename);
    let dict: Record<string, unknown> | null = null;
    return {
      file,
      version: file.version ?? fromDocument?.version ?? null,
      releaseFileDict: () => {
        dict ??= fromDocument?.dict ?? synthesizeReleaseFileDict(file);
        return dict;
      },
    };
  }
}

function indexDocument(
  document: JsonApiDocument,
): Map<string, { version: string; dict: Record<string, unknown> }> {
  const index = new Map<string, { version: string; dict: Record<string, unknown> }>();
  for (const [version, files] of Object.entries(document.releases ?? {})) {
    if (!Array.isArray(files)) continue;
    for (const dict of files) {
      if (dict && typeof dict === "object" && typeof dict["filename"] === "string") {
        index.set(dict["filename"], { version, dict });
      }
    }
  }
  return index;
}
