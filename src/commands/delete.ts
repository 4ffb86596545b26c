import { integerFlag, type ParsedArgs } from "../cli/args.ts";
import { openMirrorContext } from "../engine/context.ts";
import { type DeleteSummary, deleteSummaryLine, runDelete } from "../engine/delete-projects.ts";
import { logAlways } from "../log.ts";
import type { Command } from "./registry.ts";
import { loadConfigLogged, withMirrorLock } from "./shared.ts";
import { requireMirror } from "./verify.ts";

export const deleteCommand: Command = {
  name: "delete",
  summary: "Delete projects' files, pages and JSON from the mirror and update the root index.",
  positional: {
    name: "<project>",
    required: true,
    help: "project names (any spelling; normalized per PEP 503)",
  },
  flags: [
    { name: "dry-run", help: "list what would be deleted; change nothing" },
    {
      name: "workers",
      value: true,
      help: "accepted for bandersnatch compatibility; deletions are local and quick",
    },
  ],
  async run(args: ParsedArgs) {
    const loaded = await loadConfigLogged(args);
    integerFlag(args, "workers");
    requireMirror(loaded.mirror.directory);
    return withMirrorLock(loaded.mirror.directory, async () => {
      const context = await openMirrorContext(loaded, { quiet: args.global.quiet });
      try {
        const summary = await runDelete(context, args.positional, { dryRun: args.flags.has("dry-run") });
        return reportDeleteSummary(args, summary);
      } finally {
        context.close();
      }
    });
  },
};

function reportDeleteSummary(args: ParsedArgs, summary: DeleteSummary): number {
  logAlways("info", deleteSummaryLine(summary));
  if (args.global.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  return summary.exitCode;
}
