/**
 * The diff file (`diff-file`, bandersnatch §3.9): absolute paths of everything
 * this run wrote — index pages, then JSON copies, then release and metadata
 * files — joined with "\n", no trailing newline; and beyond bandersnatch a
 * sibling `<diff-file>.deleted`, in the same format, listing what this run
 * removed (directories end in `/`), so an air-gapped copy can apply deletions
 * too. Unlike bandersnatch, the `web/pypi/<name>/json` copies are listed (after
 * `web/json/<name>`): a copy made from the list would otherwise serve stale ones.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import type { MirrorOptions } from "../config/types.ts";
import { log } from "../log.ts";
import { storageError } from "../storage/filesystem.ts";

/** Suffix of the sibling listing deletions. */
export const DELETED_SUFFIX = ".deleted";

/**
 * Where this run's diff file goes: `-<epoch>` (of the run's start) appended first,
 * then a directory gets `/mirrored-files` (bandersnatch's order, so a directory plus
 * epoch becomes the file `<dir>-<epoch>`).
 */
export function diffFilePath(diffFile: string, appendEpoch: boolean, now: Date = new Date()): string {
  let target = diffFile;
  if (appendEpoch) target = `${target}-${Math.floor(now.getTime() / 1000)}`;
  try {
    if (fs.statSync(target).isDirectory()) target = path.join(target, "mirrored-files");
  } catch {
    // Not there yet: a file path.
  }
  return target;
}

/**
 * At the start of a run (bandersnatch: before syncing): creates the diff file's
 * directory and removes last run's files, so a run that dies leaves no stale list
 * that a copy script could mistake for its own.
 */
export function prepareDiffFiles(
  options: Pick<MirrorOptions, "diffFile" | "diffAppendEpoch">,
  started: Date,
): void {
  if (!options.diffFile) return;
  const target = diffFilePath(options.diffFile, options.diffAppendEpoch, started);
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.rmSync(target, { force: true });
    fs.rmSync(`${target}${DELETED_SUFFIX}`, { force: true });
  } catch (error) {
    throw storageError("prepare the diff file", target, error);
  }
}

/** Writes the diff file and its `.deleted` sibling (both always, possibly empty). */
export async function writeDiffFiles(
  options: Pick<MirrorOptions, "diffFile" | "diffAppendEpoch">,
  written: string[],
  deleted: string[],
  mirrorDirectory: string,
  started: Date = new Date(),
): Promise<void> {
  if (!options.diffFile) return;
  const target = diffFilePath(options.diffFile, options.diffAppendEpoch, started);
  const absolute = (paths: string[]) =>
    paths.map((relative) => path.join(mirrorDirectory, relative)).join("\n");
  log.info(`Writing diff file to '${target}'`);
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, absolute(written));
    fs.writeFileSync(`${target}${DELETED_SUFFIX}`, absolute(deleted));
  } catch (error) {
    throw storageError("write the diff file", target, error);
  }
}
