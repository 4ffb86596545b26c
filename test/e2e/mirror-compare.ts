/**
 * Comparing mirrors: a clean mirror of an upstream to compare against, the
 * differences between two trees, and a search for files that escaped. Plain
 * functions (no `bun:test`), shared by end-to-end tests and `scripts/chaos.ts`.
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { TestUpstream } from "../upstream/index.ts";
import { isVolatile, mirrorConfigText, runCli, treeOf } from "./harness.ts";

/**
 * Mirrors `upstream` into a fresh scratch directory with faults off (the caller
 * clears them) and returns its tree (relative path → sha256, volatile state left out).
 * Throws when that run does not exit 0.
 */
export async function cleanMirrorTree(
  upstream: TestUpstream,
  extraMirror = "",
): Promise<Map<string, string>> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "bunsnatch-clean-"));
  try {
    const directory = path.join(root, "mirror");
    const configPath = path.join(root, "bunsnatch.conf");
    fs.writeFileSync(configPath, mirrorConfigText(directory, upstream.indexUrl, extraMirror));
    const result = await runCli(["-c", configPath, "mirror"]);
    if (result.code !== 0) {
      throw new Error(
        `the clean mirror run exited ${result.code}:\n${result.stderr.split("\n").slice(-8).join("\n")}`,
      );
    }
    return treeOf(directory, isVolatile);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** What differs between two trees: paths only in one, and paths whose content differs. */
export function treeDifferences(actual: Map<string, string>, expected: Map<string, string>): string[] {
  const differences: string[] = [];
  for (const [relative, digest] of expected) {
    const found = actual.get(relative);
    if (found === undefined) differences.push(`missing: ${relative}`);
    else if (found !== digest) differences.push(`different: ${relative}`);
  }
  for (const relative of actual.keys()) if (!expected.has(relative)) differences.push(`extra: ${relative}`);
  return differences.sort();
}

/** Paths under `directory` (to `depth` levels) whose name contains `token`. */
export function findNamed(directory: string, token: string, depth: number): string[] {
  const found: string[] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(directory, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    const child = path.join(directory, entry.name);
    if (entry.name.includes(token)) found.push(child);
    if (depth > 0 && entry.isDirectory() && !entry.isSymbolicLink()) {
      found.push(...findNamed(child, token, depth - 1));
    }
  }
  return found;
}
