import * as fs from "node:fs";
import * as path from "node:path";
import { integerFlag, type ParsedArgs } from "../cli/args.ts";
import { openMirrorContext } from "../engine/context.ts";
import { runVerify } from "../engine/verify.ts";
import { type VerifySummary, verifySummaryLine } from "../engine/verify-report.ts";
import { UsageError } from "../errors.ts";
import { logAlways } from "../log.ts";
import type { Command } from "./registry.ts";
import { loadConfigLogged, MAX_DELETIONS_FLAG, maxDeletionsFlag, withMirrorLock } from "./shared.ts";

export const verifyCommand: Command = {
  name: "verify",
  summary:
    "Re-hash every file, repair what is missing or corrupt (pages too), optionally delete what no page lists.",
  flags: [
    {
      name: "delete",
      help: "delete files under web/packages that no page references, and dead projects' entries",
    },
    { name: "dry-run", help: "report only; change nothing (exit 1 when anything is wrong)" },
    { name: "json-update", help: "re-fetch every project from upstream (pages, JSON documents, new files)" },
    { name: "workers", value: true, help: "files hashed in parallel (threads; default: verifiers)" },
    MAX_DELETIONS_FLAG,
  ],
  async run(args: ParsedArgs) {
    const loaded = await loadConfigLogged(args);
    const maxDeletions = maxDeletionsFlag(args);
    const workers = integerFlag(args, "workers") ?? loaded.mirror.verifiers;
    requireMirror(loaded.mirror.directory);
    return withMirrorLock(loaded.mirror.directory, async () => {
      const context = await openMirrorContext(loaded, { quiet: args.global.quiet });
      try {
        const summary = await runVerify(context, {
          deleteOrphans: args.flags.has("delete"),
          dryRun: args.flags.has("dry-run"),
          jsonUpdate: args.flags.has("json-update"),
          workers,
          ...(maxDeletions ? { maxDeletions } : {}),
          delayMs: delayFromEnvironment(),
        });
        return reportVerifySummary(args, summary);
      } finally {
        context.close();
      }
    });
  },
};

/** Refuses a directory that holds no mirror (a typo in `directory` must not look like an empty mirror). */
export function requireMirror(directory: string): void {
  if (!fs.existsSync(path.join(directory, "web"))) {
    throw new UsageError(`${directory} holds no mirror (no web/ directory); run 'bunsnatch mirror' first`);
  }
}

/** `BUNSNATCH_VERIFY_DELAY_MS`: a pause per file, so tests can interrupt a verify midway. */
function delayFromEnvironment(): number {
  const value = Number(process.env.BUNSNATCH_VERIFY_DELAY_MS ?? "0");
  return Number.isFinite(value) && value > 0 ? value : 0;
}

function reportVerifySummary(args: ParsedArgs, summary: VerifySummary): number {
  logAlways(summary.exitCode === 0 ? "info" : "warning", verifySummaryLine(summary));
  if (args.global.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  return summary.exitCode;
}
