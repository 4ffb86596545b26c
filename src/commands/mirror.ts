import type { ParsedArgs } from "../cli/args.ts";
import { openMirrorContext } from "../engine/context.ts";
import { runMirror } from "../engine/run.ts";
import type { Command } from "./registry.ts";
import {
  loadConfigLogged,
  MAX_DELETIONS_FLAG,
  maxDeletionsFlag,
  reportSummary,
  withMirrorLock,
} from "./shared.ts";

export const mirrorCommand: Command = {
  name: "mirror",
  summary: "Bring the mirror up to date with upstream (incrementally; resumes an interrupted run).",
  flags: [
    { name: "force-check", help: "reset the serial to 0 and re-check every project (full sync)" },
    MAX_DELETIONS_FLAG,
  ],
  async run(args: ParsedArgs) {
    const loaded = await loadConfigLogged(args);
    const maxDeletions = maxDeletionsFlag(args);
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
