/**
 * `verify --delete`: what the mirror holds that no page references — files
 * under `web/packages` the ledger does not list (upstream removals kept by
 * `delete-removed = false` or by bandersnatch, leaked temporary files), and the
 * page directories and JSON copies of projects the mirror no longer has.
 */

import type { IndexWriter } from "../index/writer.ts";
import type { Ledger } from "../state/ledger.ts";
import { isTemporaryName, type Storage } from "../storage/storage.ts";

export interface Orphans {
  /** Files under `web/packages` (and leaked temporary files anywhere under `web/`). */
  files: string[];
  /** Page directories, `web/pypi/<name>` directories and `web/json/<name>` files of projects not held. */
  projectEntries: { path: string; directory: boolean; project: string }[];
}

export async function findOrphans(
  storage: Storage,
  ledger: Ledger,
  indexWriter: IndexWriter,
  hashIndex: boolean,
): Promise<Orphans> {
  const files: string[] = [];
  for await (const path of storage.walkFiles("web/packages")) {
    if (!ledger.getFile(path)) files.push(path);
  }
  const held = new Set(ledger.allProjects().map((project) => project.name));
  const projectEntries: Orphans["projectEntries"] = [];

  for (const entry of await storage.listDirectory("web/simple")) {
    const path = `web/simple/${entry.name}`;
    if (!entry.isDirectory) {
      if (isTemporaryName(entry.name)) files.push(path);
      continue;
    }
    if (!hashIndex) {
      if (!held.has(entry.name)) projectEntries.push({ path, directory: true, project: entry.name });
      else files.push(...(await temporaryFilesIn(storage, path)));
      continue;
    }
    for (const inner of await storage.listDirectory(path)) {
      const innerPath = `${path}/${inner.name}`;
      if (!inner.isDirectory) continue;
      if (innerPath !== indexWriter.projectDirectory(inner.name) || !held.has(inner.name))
        projectEntries.push({ path: innerPath, directory: true, project: inner.name });
      else files.push(...(await temporaryFilesIn(storage, innerPath)));
    }
  }
  for (const entry of await storage.listDirectory("web/json")) {
    const path = `web/json/${entry.name}`;
    if (isTemporaryName(entry.name)) files.push(path);
    else if (!held.has(entry.name))
      projectEntries.push({ path, directory: entry.isDirectory, project: entry.name });
  }
  for (const entry of await storage.listDirectory("web/pypi")) {
    const path = `web/pypi/${entry.name}`;
    if (!held.has(entry.name))
      projectEntries.push({ path, directory: entry.isDirectory, project: entry.name });
    else if (entry.isDirectory) files.push(...(await temporaryFilesIn(storage, path)));
  }
  files.sort();
  projectEntries.sort((left, right) => (left.path < right.path ? -1 : 1));
  return { files, projectEntries };
}

async function temporaryFilesIn(storage: Storage, directory: string): Promise<string[]> {
  const found: string[] = [];
  for await (const path of storage.walkFiles(directory)) {
    if (isTemporaryName(path.slice(path.lastIndexOf("/") + 1))) found.push(path);
  }
  return found;
}
