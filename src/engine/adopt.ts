/**
 * Adoption of an existing mirror (bandersnatch's, or ours with a lost ledger):
 * the ledger is filled from the index pages on disk — projects, display names,
 * serials, and the files each page lists that are present — without reading or
 * downloading any release file.
 */

import { log } from "../log.ts";
import type { FileRow, Ledger } from "../state/ledger.ts";
import type { Storage } from "../storage/storage.ts";

const ADOPTED_KEY = "adopted_at";

export interface AdoptionContext {
  storage: Storage;
  ledger: Ledger;
  options: { hashIndex: boolean };
}

export interface PageFacts {
  displayName: string | null;
  serial: number | null;
  /** Storage path → sha256 (null when the page's digest is another algorithm). */
  files: Map<string, string | null>;
}

/** Fills an empty ledger from `web/simple/*` pages, once. */
export async function adoptExistingMirror(context: AdoptionContext): Promise<void> {
  const { storage, ledger } = context;
  if (ledger.getMeta(ADOPTED_KEY) !== undefined || ledger.projectCount() > 0) return;
  const directories = await projectDirectories(storage, context.options.hashIndex);
  if (directories.length > 0) {
    log.info(`Adopting the existing mirror: reading ${directories.length} index pages into the ledger.`);
    let files = 0;
    for (const { name, directory } of directories) {
      const facts = await readPageFacts(storage, directory, name);
      if (!facts) continue;
      const rows: FileRow[] = [];
      for (const [filePath, sha256] of facts.files) {
        const stat = await storage.stat(filePath);
        if (!stat) continue;
        rows.push({
          path: filePath,
          project: name,
          size: stat.size,
          sha256: sha256 ?? "",
          mtimeMs: stat.mtimeMs,
          verifiedAt: null,
        });
      }
      ledger.transaction(() => {
        for (const row of rows) ledger.upsertFile(row);
        ledger.upsertProject({ name, displayName: facts.displayName ?? name, serial: facts.serial ?? 0 });
      });
      files += rows.length;
    }
    log.info(`Adopted ${ledger.projectCount()} projects and ${files} files.`);
  }
  ledger.setMeta(ADOPTED_KEY, new Date().toISOString());
}

async function projectDirectories(
  storage: Storage,
  hashIndex: boolean,
): Promise<{ name: string; directory: string }[]> {
  const result: { name: string; directory: string }[] = [];
  for (const entry of await storage.listDirectory("web/simple")) {
    if (!entry.isDirectory) continue;
    if (!hashIndex) {
      result.push({ name: entry.name, directory: `web/simple/${entry.name}` });
      continue;
    }
    for (const inner of await storage.listDirectory(`web/simple/${entry.name}`)) {
      if (inner.isDirectory)
        result.push({ name: inner.name, directory: `web/simple/${entry.name}/${inner.name}` });
    }
  }
  return result;
}

const TITLE = /<title>Links for (.*?)<\/title>/;
const SERIAL = /<!--SERIAL (\d+)-->/;
const ANCHOR = /<a href="([^"#]*)#([a-z0-9_]+)=([0-9a-f]+)"([^>]*)>/g;
const CORE_METADATA = /data-core-metadata="([a-z0-9_]+)=([0-9a-f]+)"/;

/**
 * What a project's pages say: display name and serial (HTML), files and digests (HTML or JSON).
 * Links are resolved against the page's URL, `simple/<name>/`, which with `hash-index` is
 * not its directory on disk.
 */
export async function readPageFacts(
  storage: Storage,
  directory: string,
  name: string,
): Promise<PageFacts | undefined> {
  const urlDirectory = `web/simple/${name}`;
  const html = await storage.readText(`${directory}/index.html`);
  if (html !== null) return parseHtmlPage(html, urlDirectory);
  const json = await storage.readText(`${directory}/index.v1_json`);
  if (json !== null) return parseJsonPage(json, urlDirectory);
  return undefined;
}

export function parseHtmlPage(html: string, directory: string): PageFacts {
  const facts: PageFacts = {
    displayName: TITLE.exec(html)?.[1] ?? null,
    serial: Number(SERIAL.exec(html)?.[1] ?? Number.NaN),
    files: new Map(),
  };
  if (Number.isNaN(facts.serial)) facts.serial = null;
  for (const match of html.matchAll(ANCHOR)) {
    const filePath = storagePathOfHref(match[1]!, directory);
    if (!filePath) continue;
    facts.files.set(filePath, match[2] === "sha256" ? match[3]! : null);
    const metadata = CORE_METADATA.exec(match[4] ?? "");
    if (metadata) facts.files.set(`${filePath}.metadata`, metadata[1] === "sha256" ? metadata[2]! : null);
  }
  return facts;
}

export function parseJsonPage(text: string, directory: string): PageFacts | undefined {
  let page: { meta?: { "_last-serial"?: unknown }; files?: unknown[] };
  try {
    page = JSON.parse(text);
  } catch {
    return undefined;
  }
  const serial = Number(page.meta?.["_last-serial"]);
  const facts: PageFacts = {
    displayName: null,
    serial: Number.isSafeInteger(serial) ? serial : null,
    files: new Map(),
  };
  for (const entry of page.files ?? []) {
    const file = entry as { url?: unknown; hashes?: Record<string, unknown>; "core-metadata"?: unknown };
    if (typeof file.url !== "string") continue;
    const filePath = storagePathOfHref(file.url, directory);
    if (!filePath) continue;
    const sha256 = file.hashes?.sha256;
    facts.files.set(filePath, typeof sha256 === "string" ? sha256 : null);
    const metadata = file["core-metadata"] as Record<string, unknown> | undefined;
    if (metadata && typeof metadata === "object") {
      facts.files.set(`${filePath}.metadata`, typeof metadata.sha256 === "string" ? metadata.sha256 : null);
    }
  }
  return facts;
}

/** `../../packages/...` (relative to the page) or an absolute URL's `/packages/...` path → `web/packages/...`. */
function storagePathOfHref(href: string, directory: string): string | undefined {
  let pathname: string;
  try {
    pathname = new URL(href, `http://mirror.invalid/${directory.replace(/^web\//, "")}/`).pathname;
  } catch {
    return undefined;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (!decoded.startsWith("/packages/") || decoded.split("/").some((segment) => segment === ".."))
    return undefined;
  return `web${decoded}`;
}
