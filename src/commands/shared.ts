/**
 * What every mirror-touching command does first and last: read the config
 * (logging its warnings), take the mirror lock, and print the summary.
 */

import type { ParsedArgs } from "../cli/args.ts";
import { loadConfig } from "../config/load.ts";
import type { DeletionLimit, LoadedConfig } from "../config/types.ts";
import { parseDeletionLimit } from "../config/values.ts";
import { type RunSummary, summaryLine } from "../engine/summary.ts";
import { UsageError } from "../errors.ts";
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

/** The `--max-deletions N|P%` flag (mirror, verify), or undefined when not given. */
export function maxDeletionsFlag(args: ParsedArgs): DeletionLimit | undefined {
  const value = args.flags.get("max-deletions");
  if (value === undefined) return undefined;
  const limit = typeof value === "string" ? parseDeletionLimit(value) : undefined;
  if (!limit) {
    throw new UsageError(
      `option '--max-deletions' needs a number of files or a percentage such as 20% (got '${value}')`,
    );
  }
  return limit;
}

/** The flag's spec, shared by the commands that delete. */
export const MAX_DELETIONS_FLAG = {
  name: "max-deletions",
  value: true,
  metavar: "N|P%",
  help: "allow this run to delete up to N files (or P% of the mirror), overriding the config",
};
