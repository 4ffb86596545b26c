import { mirrorCommand } from "./mirror.ts";
import { notLandedCommand } from "./not-landed.ts";
import type { Command } from "./registry.ts";
import { serveCommand } from "./serve.ts";
import { syncCommand } from "./sync.ts";
import { versionCommand } from "./version.ts";

/** Every command, in help order. */
export const commands: Command[] = [
  mirrorCommand,
  syncCommand,
  notLandedCommand(
    {
      name: "verify",
      summary: "Re-hash every file, repair what is missing or corrupt, optionally delete what no page lists.",
      flags: [
        { name: "delete", help: "delete files under web/packages that no page references" },
        { name: "dry-run", help: "report only; change nothing" },
        { name: "json-update", help: "refresh the JSON API documents from upstream" },
        { name: "workers", value: true, help: "files verified in parallel" },
      ],
    },
    "the 'Truth on disk' issue",
  ),
  notLandedCommand(
    {
      name: "delete",
      summary: "Delete projects' files, pages and JSON from the mirror.",
      positional: { name: "<project>", required: true, help: "project names" },
      flags: [
        { name: "dry-run", help: "report only; change nothing" },
        { name: "workers", value: true, help: "deletions in parallel" },
      ],
    },
    "the 'Truth on disk' issue",
  ),
  serveCommand,
  versionCommand,
];
