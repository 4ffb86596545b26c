/**
 * What every mirror-touching command does first and last: read the config
 * (logging its warnings), take the mirror lock, and print the summary.
 */

import type { ParsedArgs } from "../cli/args.ts";
import { loadConfig } from "../config/load.ts";
import type { LoadedConfig } from "../config/types.ts";
import { type RunSummary, summaryLine } from "../engine/summary.ts";
import { log, logAlways } from "../log.ts";
import { acquireMirrorLock, type MirrorLock } from "../state/lock.ts";

export async function loadConfigLogged(args: ParsedArgs): Promise<LoadedConfig> {
  const loaded = await loadConfig(args.global.config);
  for (const warning of loaded.warnings) log.warning(warning);
  return loaded;
}

/** Runs `work` holding the mirror lock for its whole duration. */
export async function withMirrorLock<T>(
  directory: string,
  work: (lock: MirrorLock) => Promise<T>,
): Promise<T> {
  const lock = await acquireMirrorLock(directory);
  try {
    return await work(lock);
  } finally {
    lock.release();
  }
}

/** Logs the summary line; with `--json` also prints the summary object on stdout. */
export function reportSummary(args: ParsedArgs, summary: RunSummary): number {
  const line = summaryLine(summary);
  logAlways(summary.exitCode === 0 ? "info" : "warning", line);
  if (args.global.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  return summary.exitCode;
}
