import { deleteCommand } from "./delete.ts";
import { mirrorCommand } from "./mirror.ts";
import type { Command } from "./registry.ts";
import { serveCommand } from "./serve.ts";
import { syncCommand } from "./sync.ts";
import { verifyCommand } from "./verify.ts";
import { versionCommand } from "./version.ts";

/** Every command, in help order. */
export const commands: Command[] = [
  mirrorCommand,
  syncCommand,
  verifyCommand,
  deleteCommand,
  serveCommand,
  versionCommand,
];
