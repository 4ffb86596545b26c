/**
 * Helpers of the filter end-to-end tests: run `bunsnatch mirror` with a config
 * against the test upstream, then compare what is on disk under `web/packages`
 * and what `web/simple/<name>/index.html` and `index.v1_json` link with exactly
 * the files a test expects.
 */

import { expect } from "bun:test";
import * as fs from "node:fs";
import * as path from "node:path";
import { normalizeName } from "../upstream/index.ts";
import { type CliResult, type MirrorFixture, treeOf } from "./harness.ts";

export interface MirrorWithOptions {
  /** Extra `[mirror]` lines. */
  extraMirror?: string;
  /** Remove the mirror directory first (default true), so a describe can share one upstream across configs. */
  fresh?: boolean;
  /** Extra arguments after `mirror`. */
  args?: string[];
  /** `[mirror] max-deletions` (default `100%`: the safety valve never holds a test's deletions back). */
  maxDeletions?: string;
  /** Exit code to expect (default 0). */
  expectCode?: number;
}

/** Runs `bunsnatch mirror` with `[mirror]` basics plus `sections`, and expects its exit code. */
export async function mirrorWith(
  fixture: MirrorFixture,
  sections: string,
  options: MirrorWithOptions = {},
): Promise<CliResult> {
  if (options.fresh ?? true) fs.rmSync(fixture.directory, { recursive: true, force: true });
  fixture.writeConfig(
    `max-deletions = ${options.maxDeletions ?? "100%"}\n${options.extraMirror ?? ""}`,
    sections,
  );
  const result = await fixture.run(["mirror", ...(options.args ?? [])]);
  const expected = options.expectCode ?? 0;
  if (result.code !== expected) {
    throw new Error(
      `mirror exited ${result.code}, expected ${expected}:\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result;
}

/** File names the files host served (release files and `.metadata`) since the last `requests.reset()`, sorted. */
export function downloadedFiles(fixture: MirrorFixture): string[] {
  return fixture.upstream.requests
    .paths({ host: "files", prefix: "/packages/" })
    .map((served) => path.basename(served))
    .sort();
}

/** The release-file paths a set of upstream files takes on disk, with their `.metadata` siblings. */
function expectedDiskPaths(fixture: MirrorFixture, filenames: readonly string[]): string[] {
  const paths: string[] = [];
  for (const filename of filenames) {
    const file = fixture.upstream.file(filename);
    if (!file) throw new Error(`the test upstream has no file ${filename}`);
    paths.push(`web${file.path}`);
    if (file.metadataUrl) paths.push(`web${file.path}.metadata`);
  }
  return paths.sort();
}

/** Every path under `web/packages`, relative to the mirror directory, sorted. */
function pathsOnDisk(fixture: MirrorFixture): string[] {
  const packages = fixture.at("web/packages");
  if (!fs.existsSync(packages)) return [];
  return [...treeOf(packages).keys()].map((relative) => `web/packages/${relative}`).sort();
}

export interface ProjectPages {
  /** Link texts of `index.html`, in page order. */
  html: string[];
  /** `files[].filename` of `index.v1_json`, in page order. */
  json: string[];
  /** `versions` of `index.v1_json`. */
  versions: string[];
}

/** What a project's pages link, or null when the mirror has no page for it. */
export function pagesOf(fixture: MirrorFixture, project: string): ProjectPages | null {
  const directory = fixture.at(`web/simple/${normalizeName(project)}`);
  if (!fs.existsSync(directory)) return null;
  const html = fs.readFileSync(path.join(directory, "index.html"), "utf8");
  const links = [...html.matchAll(/<a href="([^"]+)"[^>]*>([^<]+)<\/a>/g)];
  for (const [, href, text] of links) {
    // The link goes to where the file is stored.
    expect(href!.split("#")[0]!).toBe(`../..${fixture.upstream.file(text!)!.path}`);
  }
  const json = JSON.parse(fs.readFileSync(path.join(directory, "index.v1_json"), "utf8")) as {
    files: { filename: string; url: string }[];
    versions: string[];
  };
  for (const file of json.files) expect(file.url).toBe(`../..${fixture.upstream.file(file.filename)!.path}`);
  return {
    html: links.map((link) => link[2]!),
    json: json.files.map((file) => file.filename),
    versions: json.versions,
  };
}

/** Normalized names of the projects the root index (`index.v1_json`) lists, sorted. */
function rootProjects(fixture: MirrorFixture): string[] {
  const root = JSON.parse(fs.readFileSync(fixture.at("web/simple/index.v1_json"), "utf8")) as {
    projects: { name: string }[];
  };
  return root.projects.map((project) => normalizeName(project.name)).sort();
}

/** Expects a project's pages to link exactly `filenames`, and `versions` to be exactly theirs. */
export function expectPage(fixture: MirrorFixture, project: string, filenames: readonly string[]): void {
  const pages = pagesOf(fixture, project);
  expect(pages, `pages of ${project}`).not.toBeNull();
  const sorted = [...filenames].sort();
  expect([...pages!.html].sort(), `links of ${project}/index.html`).toEqual(sorted);
  expect([...pages!.json].sort(), `files of ${project}/index.v1_json`).toEqual(sorted);
  const versions = new Set(filenames.map((filename) => fixture.upstream.file(filename)!.version));
  expect([...pages!.versions].sort(), `versions of ${project}/index.v1_json`).toEqual([...versions].sort());
}

/**
 * Expects the mirror to hold exactly `expected`: each listed project has pages
 * linking exactly its files and is in the root index; no other project has pages;
 * `web/packages` holds exactly those files (plus `.metadata`) and `extraOnDisk`.
 */
export function expectMirror(
  fixture: MirrorFixture,
  expected: Record<string, readonly string[]>,
  options: { extraOnDisk?: readonly string[] } = {},
): void {
  const projects = Object.keys(expected).map(normalizeName).sort();
  expect(rootProjects(fixture), "projects of the root index").toEqual(projects);
  const pageDirectories = fs
    .readdirSync(fixture.at("web/simple"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  expect(pageDirectories, "project page directories").toEqual(projects);
  for (const [project, filenames] of Object.entries(expected)) expectPage(fixture, project, filenames);
  const all = [...Object.values(expected).flat(), ...(options.extraOnDisk ?? [])];
  expect(pathsOnDisk(fixture), "files under web/packages").toEqual(expectedDiskPaths(fixture, all));
}

export interface DeletionRecord {
  project: string;
  /** File name (last path component) of the deleted path. */
  filename: string;
  reason: string;
}

/** The records of `deletions.log`, in order (empty when there is none). */
export function deletionLog(fixture: MirrorFixture): DeletionRecord[] {
  const file = fixture.at("deletions.log");
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const [, , project, deleted, reason] = line.split("\t");
      return { project: project!, filename: path.basename(deleted!), reason: reason! };
    });
}

/** Writes a file under the fixture's root (next to the config), creating directories. */
export function writeBesideConfig(fixture: MirrorFixture, relative: string, text: string): string {
  const target = path.join(fixture.root, relative);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, text);
  return target;
}
