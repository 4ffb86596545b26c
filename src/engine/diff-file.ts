/**
 * The diff file (`diff-file`, bandersnatch §3.9): absolute paths of everything
 * this run wrote, joined with "\n", no trailing newline; and beyond bandersnatch
 * a sibling `<diff-file>.deleted` listing what this run removed, so an
 * air-gapped copy can apply deletions too.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import type { MirrorOptions } from "../config/types.ts";
import { log } from "../log.ts";
import { storageError } from "../storage/filesystem.ts";

/** Where this run's diff file goes: `-<epoch>` appended first, then a directory gets `/mirrored-files` (bandersnatch's order). */
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

export async function writeDiffFiles(
  options: MirrorOptions,
  written: string[],
  deleted: string[],
  mirrorDirectory: string,
): Promise<void> {
  if (!options.diffFile) return;
  const target = diffFilePath(options.diffFile, options.diffAppendEpoch);
  const absolute = (paths: string[]) =>
    paths.map((relative) => path.join(mirrorDirectory, relative)).join("\n");
  log.info(`Writing diff file to '${target}'`);
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, absolute(written));
    fs.writeFileSync(`${target}.deleted`, absolute(deleted));
  } catch (error) {
    throw storageError("write the diff file", target, error);
  }
}
