/**
 * The per-project HTML page (`web/simple/<name>/index.html` and `index.v1_html`), byte-identical
 * to bandersnatch 8's `generate_html_simple_page` for the same data and options.
 *
 * Input trust: the upstream readers refuse control characters in display names, file names and
 * URL paths, but a file name may still hold `<`, `>`, `"`, `'` or `&` (docs/security.md).
 * bandersnatch writes those three verbatim; we pass them through `htmlEscape` as well, which never
 * changes a byte for ordinary names and keeps a hostile upstream from injecting markup. Attribute
 * values (requires-python, yank reason) are escaped exactly as bandersnatch does
 * (`html.escape(quote=True)`).
 */

import { formatInteger, htmlEscape } from "../packaging/python-compat.ts";
import type { ProjectPage, ReleaseFile } from "../upstream/types.ts";
import { coreMetadataDigest, fileDigest, fileLink, type PageOptions, sortFilesByFilename } from "./links.ts";

/** PEP 629 repository version bandersnatch writes; PEP 833 froze the HTML format. */
export const HTML_REPOSITORY_VERSION = "1.0";

/** The attributes after `href`, each with a leading space, in bandersnatch's order. */
function fileAttributes(file: ReleaseFile, options: PageOptions): string {
  let attributes = "";
  if (file.requiresPython !== null) {
    attributes += ` data-requires-python="${htmlEscape(file.requiresPython)}"`;
  }
  if (options.coreMetadata) {
    const digest = coreMetadataDigest(file.coreMetadata, options.digestName);
    if (digest !== null) {
      // PEP 714: the legacy PEP 658 attribute carries the same value.
      const value = htmlEscape(`${digest.algorithm}=${digest.hex}`);
      attributes += ` data-core-metadata="${value}" data-dist-info-metadata="${value}"`;
    }
  }
  if (file.yanked !== false) {
    // PEP 592: an empty data-yanked when there is no reason.
    const reason = typeof file.yanked === "string" ? file.yanked : "";
    attributes += ` data-yanked="${htmlEscape(reason)}"`;
  }
  return attributes;
}

function anchorLine(file: ReleaseFile, options: PageOptions, projectName: string): string {
  const digest = fileDigest(file, options.digestName, projectName);
  const href = htmlEscape(`${fileLink(file, options)}#${options.digestName}=${digest}`);
  return `    <a href="${href}"${fileAttributes(file, options)}>${htmlEscape(file.filename)}</a><br/>`;
}

/**
 * Renders a project's HTML detail page: bandersnatch's template, files sorted by name,
 * `<!--SERIAL n-->` last with no trailing newline, and an empty line in place of the links
 * when the project has no files.
 *
 * @example renderProjectHtml(page, { digestName: "sha256", coreMetadata: true, rootUri: null, releaseFiles: true })
 * @throws {UpstreamError} when a file lacks the `digestName` hash.
 * @throws {HostileDataError} when a file URL is not under `/packages`.
 */
export function renderProjectHtml(page: ProjectPage, options: PageOptions): string {
  const title = htmlEscape(page.displayName);
  const anchors = sortFilesByFilename(page.files).map((file) => anchorLine(file, options, page.name));
  return (
    "<!DOCTYPE html>\n" +
    "<html>\n" +
    "  <head>\n" +
    `    <meta name="pypi:repository-version" content="${HTML_REPOSITORY_VERSION}">\n` +
    `    <title>Links for ${title}</title>\n` +
    "  </head>\n" +
    "  <body>\n" +
    `    <h1>Links for ${title}</h1>\n` +
    anchors.join("\n") +
    `\n  </body>\n</html>\n<!--SERIAL ${formatInteger(page.serial)}-->`
  );
}
