/**
 * Offline demo: starts the test upstream (a PyPI simulator) on loopback, mirrors
 * it into ./demo-mirror with bunsnatch, serves the mirror, and prints the pip
 * command that installs from it. Runs until Ctrl-C.
 *
 *   npm run demo
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { main } from "../src/main.ts";
import { startServer } from "../src/serve/server.ts";
import { Ledger } from "../src/state/ledger.ts";
import { installableProjects } from "../test/support/pip.ts";
import { startTestUpstream } from "../test/upstream/index.ts";

const directory = path.resolve("demo-mirror");
fs.mkdirSync(directory, { recursive: true });
const upstream = await startTestUpstream({ projects: 12, seed: 1 });
const configPath = path.join(directory, "bunsnatch.conf");
fs.writeFileSync(
  configPath,
  `[mirror]\ndirectory = ${directory}\nmaster = ${upstream.indexUrl}\nallow-non-https = true\nworkers = 4\n`,
);
console.log(`Test upstream (PyPI simulator): ${upstream.indexUrl}`);

const code = await main(["-c", configPath, "mirror"]);
if (code !== 0) {
  console.error(`bunsnatch mirror exited ${code}`);
  process.exit(code);
}

const ledger = Ledger.open(directory);
const server = startServer({
  webRoot: path.join(directory, "web"),
  hashIndex: false,
  hostname: "127.0.0.1",
  port: 0,
  serialOf: (project) => (project === undefined ? undefined : ledger.getProject(project)?.serial),
});
const project = installableProjects(upstream)[0];
console.log(`\nMirror in ${directory}, served at http://127.0.0.1:${server.port}/simple/`);
console.log("Install from it (in another terminal):\n");
console.log(
  `  python3 -m pip install --index-url http://127.0.0.1:${server.port}/simple/ ${project?.name ?? "<project>"}\n`,
);
console.log("Ctrl-C to stop.");
await new Promise<void>((resolve) => {
  process.once("SIGINT", resolve);
  process.once("SIGTERM", resolve);
});
server.stop(true);
ledger.close();
await upstream.stop();
