import type { ParsedArgs } from "../cli/args.ts";
import { openMirrorContext } from "../engine/context.ts";
import { runSync } from "../engine/run.ts";
import type { Command } from "./registry.ts";
import { loadConfigLogged, reportSummary, withMirrorLock } from "./shared.ts";

export const syncCommand: Command = {
  name: "sync",
  summary: "Sync just the named projects now (the status serial is left as it is).",
  positional: {
    name: "<project>",
    required: true,
    help: "project names (any spelling; normalized per PEP 503)",
  },
  flags: [{ name: "skip-simple-root", help: "do not regenerate the root index pages" }],
  async run(args: ParsedArgs) {
    const loaded = await loadConfigLogged(args);
    return withMirrorLock(loaded.mirror.directory, async () => {
      const context = await openMirrorContext(loaded, { quiet: args.global.quiet });
      try {
        const summary = await runSync(context, args.positional, {
          skipSimpleRoot: args.flags.has("skip-simple-root"),
        });
        return reportSummary(args, summary);
      } finally {
        context.close();
      }
    });
  },
};
