/**
 * `verify`, step 2: every project's index pages (and, with `json = true`, its
 * JSON copies) are present, whole, and list exactly the files the ledger holds
 * for it; the root index lists exactly the ledger's projects.
 *
 * Pages cannot be rebuilt from the ledger alone (they carry upstream facts:
 * requires-python, yanked, core-metadata hashes, upload times), so a project
 * whose pages are wrong is re-fetched from upstream, as `sync` does.
 */

import type { MirrorOptions } from "../config/types.ts";
import type { IndexWriter } from "../index/writer.ts";
import type { Ledger } from "../state/ledger.ts";
import type { Storage } from "../storage/storage.ts";
import { type PageFacts, parseHtmlPage, parseJsonPage } from "./adopt.ts";

export interface PageCheckInputs {
  storage: Storage;
  ledger: Ledger;
  indexWriter: IndexWriter;
  options: Pick<MirrorOptions, "simpleFormat" | "json" | "releaseFiles">;
}

export interface PageCheckResult {
  /** Project → what is wrong with its pages. */
  damaged: Map<string, string>;
  projectsChecked: number;
  /** Why the root index must be rewritten, or null. */
  rootProblem: string | null;
}

/** Pages read in parallel. */
const PAGE_LANES = 16;

export async function checkPages(inputs: PageCheckInputs): Promise<PageCheckResult> {
  const projects = inputs.ledger.allProjects();
  const damaged = new Map<string, string>();
  let next = 0;
  const lane = async () => {
    while (next < projects.length) {
      const project = projects[next++]!;
      const problem = await projectPageProblem(inputs, project.name);
      if (problem) damaged.set(project.name, problem);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PAGE_LANES, projects.length) }, lane));
  return {
    damaged,
    projectsChecked: projects.length,
    rootProblem: await rootProblem(inputs.storage, inputs.options, projects.length),
  };
}

/** What is wrong with one project's pages, or null. */
export async function projectPageProblem(inputs: PageCheckInputs, name: string): Promise<string | null> {
  const { storage, options } = inputs;
  const directory = inputs.indexWriter.projectDirectory(name);
  // Links are relative to the page's URL, `simple/<name>/`, also with hash-index.
  const urlDirectory = `web/simple/${name}`;
  const expected = new Set(inputs.ledger.filesOfProject(name).map((row) => row.path));
  const pages: { file: string; parse: (text: string) => PageFacts | string }[] = [];
  if (options.simpleFormat !== "JSON") {
    for (const file of ["index.html", "index.v1_html"])
      pages.push({ file, parse: (text) => htmlFacts(text, urlDirectory) });
  }
  if (options.simpleFormat !== "HTML") {
    pages.push({
      file: "index.v1_json",
      parse: (text) => parseJsonPage(text, urlDirectory) ?? "not valid JSON",
    });
  }
  for (const page of pages) {
    const text = await storage.readText(`${directory}/${page.file}`);
    if (text === null) return `${page.file} is missing`;
    const facts = page.parse(text);
    if (typeof facts === "string") return `${page.file} is damaged (${facts})`;
    if (options.releaseFiles) {
      const difference = listDifference(new Set(facts.files.keys()), expected);
      if (difference) return `${page.file} ${difference}`;
    }
  }
  if (options.json) {
    for (const file of [`web/json/${name}`, `web/pypi/${name}/json`]) {
      const text = await storage.readText(file);
      if (text === null) return `${file} is missing`;
      if (!isJsonObject(text)) return `${file} is not a JSON object`;
    }
  }
  return null;
}

function htmlFacts(text: string, directory: string): PageFacts | string {
  if (!text.includes("<title>Links for ")) return "no title";
  if (!text.includes("</html>")) return "truncated";
  return parseHtmlPage(text, directory);
}

/** How the files a page lists differ from the ledger's, or null when they are the same. */
function listDifference(listed: Set<string>, held: Set<string>): string | null {
  for (const path of listed) if (!held.has(path)) return `lists ${path}, which the mirror does not hold`;
  for (const path of held) if (!listed.has(path)) return `does not list ${path}`;
  return null;
}

function isJsonObject(text: string): boolean {
  try {
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

const ROOT_ANCHOR = /<a href="/g;

async function rootProblem(
  storage: Storage,
  options: Pick<MirrorOptions, "simpleFormat">,
  projectCount: number,
): Promise<string | null> {
  if (options.simpleFormat !== "JSON") {
    for (const file of ["index.html", "index.v1_html"]) {
      const text = await storage.readText(`web/simple/${file}`);
      if (text === null) return `web/simple/${file} is missing`;
      if (!text.includes("</html>")) return `web/simple/${file} is truncated`;
      const listed = text.match(ROOT_ANCHOR)?.length ?? 0;
      if (listed !== projectCount)
        return `web/simple/${file} lists ${listed} projects, the mirror holds ${projectCount}`;
    }
  }
  if (options.simpleFormat !== "HTML") {
    const text = await storage.readText("web/simple/index.v1_json");
    if (text === null) return "web/simple/index.v1_json is missing";
    let listed: unknown;
    try {
      listed = (JSON.parse(text) as { projects?: unknown }).projects;
    } catch {
      return "web/simple/index.v1_json is not valid JSON";
    }
    if (!Array.isArray(listed)) return "web/simple/index.v1_json has no project list";
    if (listed.length !== projectCount)
      return `web/simple/index.v1_json lists ${listed.length} projects, the mirror holds ${projectCount}`;
  }
  return null;
}
