import { VERSION } from "../version.ts";
import type { Command } from "./registry.ts";

export const versionCommand: Command = {
  name: "version",
  summary: "Print the version and exit.",
  flags: [],
  async run() {
    process.stdout.write(`bunsnatch ${VERSION} (bun ${Bun.version}, ${process.platform} ${process.arch})\n`);
    return 0;
  },
};
