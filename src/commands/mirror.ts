import type { ParsedArgs } from "../cli/args.ts";
import { parseDeletionLimit } from "../config/values.ts";
import { openMirrorContext } from "../engine/context.ts";
import { runMirror } from "../engine/run.ts";
import { UsageError } from "../errors.ts";
import type { Command } from "./registry.ts";
import { loadConfigLogged, reportSummary, withMirrorLock } from "./shared.ts";

export const mirrorCommand: Command = {
  name: "mirror",
  summary: "Bring the mirror up to date with upstream (incrementally; resumes an interrupted run).",
  flags: [
    { name: "force-check", help: "reset the serial to 0 and re-check every project (full sync)" },
    {
      name: "max-deletions",
      value: true,
      metavar: "N|P%",
      help: "allow this run to delete up to N files (or P% of the mirror), overriding the config",
    },
  ],
  async run(args: ParsedArgs) {
    const loaded = await loadConfigLogged(args);
    const maxDeletions = deletionFlag(args);
    return withMirrorLock(loaded.mirror.directory, async () => {
      const context = await openMirrorContext(loaded, { quiet: args.global.quiet });
      try {
        const summary = await runMirror(context, {
          forceCheck: args.flags.has("force-check"),
          ...(maxDeletions ? { maxDeletions } : {}),
        });
        return reportSummary(args, summary);
      } finally {
        context.close();
      }
    });
  },
};

function deletionFlag(args: ParsedArgs) {
  const value = args.flags.get("max-deletions");
  if (value === undefined) return undefined;
  const limit = typeof value === "string" ? parseDeletionLimit(value) : undefined;
  if (!limit)
    throw new UsageError(
      `option '--max-deletions' needs a number of files or a percentage such as 20% (got '${value}')`,
    );
  return limit;
}
