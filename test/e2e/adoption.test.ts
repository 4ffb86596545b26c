/**
 * Adoption: pointed at a mirror directory written in bandersnatch's formats
 * (here written by hand from the upstream's data, without our code), bunsnatch
 * continues from its serial, fills its ledger from the index pages, and
 * downloads nothing that is already there.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import * as path from "node:path";
import type { FileView } from "../upstream/index.ts";
import { createFixture, type MirrorFixture } from "./harness.ts";

/** html.escape(quote=True) */
function htmlEscape(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#x27;");
}

/** bandersnatch 8's per-project page template (reference §3.4), written out by hand. */
function bandersnatchPage(displayName: string, serial: number, files: FileView[]): string {
  const anchors = [...files]
    .sort((left, right) => (left.filename < right.filename ? -1 : 1))
    .map((file) => {
      let attributes = "";
      if (file.requiresPython !== null)
        attributes += ` data-requires-python="${htmlEscape(file.requiresPython)}"`;
      if (file.metadataSha256) {
        attributes += ` data-core-metadata="sha256=${file.metadataSha256}" data-dist-info-metadata="sha256=${file.metadataSha256}"`;
      }
      if (file.yanked !== false)
        attributes += ` data-yanked="${file.yanked === true ? "" : htmlEscape(file.yanked)}"`;
      return `    <a href="../..${file.path}#sha256=${file.sha256}"${attributes}>${file.filename}</a><br/>`;
    });
  return [
    "<!DOCTYPE html>",
    "<html>",
    "  <head>",
    '    <meta name="pypi:repository-version" content="1.0">',
    `    <title>Links for ${displayName}</title>`,
    "  </head>",
    "  <body>",
    `    <h1>Links for ${displayName}</h1>`,
    anchors.join("\n"),
    "  </body>",
    "</html>",
    `<!--SERIAL ${serial}-->`,
  ].join("\n");
}

describe("adopting a bandersnatch mirror", () => {
  let fixture: MirrorFixture;
  let pagesBefore: Map<string, string>;

  beforeAll(async () => {
    fixture = await createFixture({ upstream: { projects: 12, seed: 31 } });
    const { upstream } = fixture;
    fs.mkdirSync(fixture.at("web/simple"), { recursive: true });
    pagesBefore = new Map();
    for (const summary of upstream.listProjects()) {
      const project = upstream.project(summary.normalized)!;
      for (const file of project.files) {
        const target = fixture.at(`web${file.path}`);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, await upstream.fileBytes(file.filename));
        if (file.metadataSha256)
          fs.writeFileSync(`${target}.metadata`, upstream.metadataBytes(file.filename)!);
      }
      const page = bandersnatchPage(summary.name, summary.serial, project.files);
      fs.mkdirSync(fixture.at(`web/simple/${summary.normalized}`));
      for (const name of ["index.html", "index.v1_html"]) {
        fs.writeFileSync(fixture.at(`web/simple/${summary.normalized}/${name}`), page);
      }
      pagesBefore.set(summary.normalized, page);
    }
    fs.writeFileSync(fixture.at("status"), String(upstream.lastSerial()));
    fs.writeFileSync(fixture.at("generation"), "5");
  });
  afterAll(() => fixture.close());

  test("an idle run adopts every project and file without downloading or fetching pages", async () => {
    fixture.upstream.requests.reset();
    const result = await fixture.run(["--json", "mirror"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`Adopted 12 projects and ${countFiles(fixture)} files.`);
    expect(fixture.upstream.requests.count({ host: "files" })).toBe(0);
    expect(fixture.upstream.requests.count({ prefix: "/simple/" })).toBe(0);
    for (const [name, page] of pagesBefore) {
      expect(fs.readFileSync(fixture.at(`web/simple/${name}/index.html`), "utf8")).toBe(page);
    }
  });

  test("the next change downloads only the new files, and rewrites the page identically to bandersnatch", async () => {
    const { upstream } = fixture;
    const project = upstream.listProjects()[4]!;
    await upstream.newRelease(project.name, "42.0");
    upstream.requests.reset();
    const result = await fixture.run(["mirror"]);
    expect(result.code).toBe(0);
    const view = upstream.project(project.normalized)!;
    const added = view.files.filter((file) => file.version === "42.0");
    const downloads = upstream.requests.records
      .filter((record) => record.host === "files")
      .map((record) => record.path);
    expect(downloads.sort()).toEqual(
      added.flatMap((file) => (file.metadataUrl ? [file.path, `${file.path}.metadata`] : [file.path])).sort(),
    );
    const page = fs.readFileSync(fixture.at(`web/simple/${project.normalized}/index.html`), "utf8");
    expect(page).toBe(bandersnatchPage(project.name, view.serial, view.files));
    expect(fs.readFileSync(fixture.at("status"), "utf8")).toBe(String(upstream.lastSerial()));
  });
});

function countFiles(fixture: MirrorFixture): number {
  return fixture.upstream.allFiles().reduce((count, file) => count + (file.metadataSha256 ? 2 : 1), 0);
}
