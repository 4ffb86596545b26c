import * as path from "node:path";
import type { ParsedArgs } from "../cli/args.ts";
import { UsageError } from "../errors.ts";
import { log } from "../log.ts";
import { startServer } from "../serve/server.ts";
import { Ledger } from "../state/ledger.ts";
import { readStatusSerial } from "../state/status-files.ts";
import { FilesystemStorage } from "../storage/filesystem.ts";
import type { Command } from "./registry.ts";
import { loadConfigLogged } from "./shared.ts";

export const serveCommand: Command = {
  name: "serve",
  summary: "Serve the mirror over HTTP with PEP 691 content negotiation (read-only; runs until stopped).",
  flags: [
    { name: "host", value: true, metavar: "ADDR", help: "address to listen on (default 127.0.0.1)" },
    { name: "port", value: true, help: "port (default 8080; 0 picks a free one)" },
  ],
  async run(args: ParsedArgs) {
    const loaded = await loadConfigLogged(args);
    const options = loaded.mirror;
    const hostname = (args.flags.get("host") as string | undefined) ?? "127.0.0.1";
    const portText = (args.flags.get("port") as string | undefined) ?? "8080";
    if (!/^\d+$/.test(portText) || Number(portText) > 65535) {
      throw new UsageError(`option '--port' needs a port number from 0 to 65535 (got '${portText}')`);
    }
    const ledger = Ledger.open(options.directory);
    const storage = new FilesystemStorage(options.directory);
    let mirrorSerial = await readStatusSerial(storage);
    const refresh = setInterval(async () => {
      mirrorSerial = await readStatusSerial(storage);
    }, 5000);
    const server = startServer({
      webRoot: path.join(options.directory, "web"),
      hashIndex: options.hashIndex,
      hostname,
      port: Number(portText),
      serialOf: (project) => (project === undefined ? mirrorSerial : ledger.getProject(project)?.serial),
    });
    log.info(
      `Serving ${options.directory}/web at http://${hostname}:${server.port}/simple/ (Ctrl-C to stop)`,
    );
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    clearInterval(refresh);
    server.stop(true);
    ledger.close();
    return 0;
  },
};
