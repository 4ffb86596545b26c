/**
 * Writes simple index pages through the storage layer: per-project pages
 * (`index.html`, `index.v1_html`, `index.v1_json` as `simple-format` asks),
 * kept versions (`keep_index_versions`), and the root index. Every write is
 * temp + rename; callers write a project's pages only after its files are in place.
 */

import type { SimpleFormat } from "../config/types.ts";
import { normalizeName } from "../packaging/names.ts";
import type { Storage } from "../storage/storage.ts";
import type { ProjectPage } from "../upstream/types.ts";
import { projectDirectory, versionedIndexName } from "./layout.ts";
import type { PageOptions } from "./links.ts";
import { renderProjectHtml } from "./render-html.ts";
import { renderProjectJson } from "./render-json.ts";
import { type RootProject, rootHtmlChunks, rootJsonChunks } from "./render-root.ts";

export interface IndexWriterOptions {
  simpleFormat: SimpleFormat;
  hashIndex: boolean;
  keepIndexVersions: number;
  page: PageOptions;
}

const HTML_NAMES = ["index.html", "index.v1_html"] as const;
const JSON_NAME = "index.v1_json";

export class IndexWriter {
  constructor(
    private readonly storage: Storage,
    private readonly options: IndexWriterOptions,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** `web/simple/<name>` (or the hash-index form), relative to the mirror directory. */
  projectDirectory(normalizedName: string): string {
    return `web/${projectDirectory(normalizedName, this.options.hashIndex)}`;
  }

  /**
   * Writes a project's pages. `listingSerial` names kept versions (bandersnatch uses
   * the change-feed serial; 0 under `sync`). Returns the paths written.
   */
  async writeProjectPages(page: ProjectPage, listingSerial: number): Promise<string[]> {
    const directory = this.projectDirectory(page.name);
    const pages: [string, string][] = [];
    if (this.options.simpleFormat !== "JSON") {
      const html = renderProjectHtml(page, this.options.page);
      for (const name of HTML_NAMES) pages.push([name, html]);
    }
    if (this.options.simpleFormat !== "HTML")
      pages.push([JSON_NAME, renderProjectJson(page, this.options.page)]);

    const written: string[] = [];
    if (this.options.keepIndexVersions > 0) {
      const versionsDirectory = `${directory}/versions`;
      const now = this.now();
      for (const [name, body] of pages) {
        const extension = name.slice("index.".length);
        await this.pruneVersions(versionsDirectory, extension);
        const versionPath = `${versionsDirectory}/${versionedIndexName(listingSerial, now, extension)}`;
        await this.storage.writeAtomic(versionPath, body);
        await this.storage.link(`${directory}/${name}`, versionPath);
        written.push(versionPath, `${directory}/${name}`);
      }
      return written;
    }
    // Independent files: their fsyncs overlap instead of queueing.
    await Promise.all(pages.map(([name, body]) => this.storage.writeAtomic(`${directory}/${name}`, body)));
    for (const [name] of pages) written.push(`${directory}/${name}`);
    return written;
  }

  /** Deletes the oldest kept versions so that, with the one about to be written, `keep` remain. */
  private async pruneVersions(versionsDirectory: string, extension: string): Promise<void> {
    const suffix = `.${extension}`;
    const existing = (await this.storage.listDirectory(versionsDirectory))
      .filter((entry) => !entry.isDirectory && entry.name.startsWith("index_") && entry.name.endsWith(suffix))
      // ".html" must not match ".v1_html": the part between the timestamp's "Z" and the suffix is empty.
      .filter((entry) => entry.name.endsWith(`Z${suffix}`))
      .map((entry) => entry.name)
      .sort();
    const excess = existing.length - this.options.keepIndexVersions + 1;
    for (const name of existing.slice(0, Math.max(0, excess))) {
      await this.storage.deleteFile(`${versionsDirectory}/${name}`);
    }
  }

  /** Removes a project's page directory (all formats and kept versions). */
  async deleteProjectPages(normalizedName: string): Promise<boolean> {
    return this.storage.deleteTree(this.projectDirectory(normalizedName));
  }

  /**
   * Writes the root index from `projects` (called once per format, each time
   * yielding every project in normalized-name order, e.g. straight from the
   * ledger), streamed so 800,000 projects never sit in memory as one page. The
   * HTML (names only) is rewritten only when `projectSetChanged` or missing; the
   * JSON carries serials and is rewritten whenever called. Returns the paths written.
   */
  async writeRoot(
    projects: () => Iterable<RootProject>,
    serial: number,
    projectSetChanged: boolean,
  ): Promise<string[]> {
    const written: string[] = [];
    if (this.options.simpleFormat !== "JSON") {
      const missing = (await this.storage.stat("web/simple/index.html")) === null;
      if (projectSetChanged || missing) {
        const names = function* () {
          for (const project of projects()) yield project.normalizedName ?? normalizeName(project.name);
        };
        const paths = HTML_NAMES.map((name) => `web/simple/${name}`);
        await this.writeChunks(paths, rootHtmlChunks(names()));
        written.push(...paths);
      }
    }
    if (this.options.simpleFormat !== "HTML") {
      const jsonPath = `web/simple/${JSON_NAME}`;
      await this.writeChunks([jsonPath], rootJsonChunks(projects(), serial));
      written.push(jsonPath);
    }
    return written;
  }

  /** Streams chunks into one or more files at once, each published atomically. */
  private async writeChunks(paths: string[], chunks: Iterable<string>): Promise<void> {
    const staged = await Promise.all(paths.map((target) => this.storage.stage(target)));
    const encoder = new TextEncoder();
    try {
      for (const chunk of chunks) {
        const bytes = encoder.encode(chunk);
        for (const file of staged) await file.write(bytes);
      }
      for (const file of staged) await file.commit();
    } catch (error) {
      await Promise.all(staged.map((file) => file.abort()));
      throw error;
    }
  }
}
