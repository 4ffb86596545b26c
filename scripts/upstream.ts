/**
 * Run the test upstream (PyPI simulator) until killed.
 *
 *   bun run scripts/upstream.ts --projects 5000 --port 8080 [--files-port 8081] [--seed 7]
 *                               [--changelog-cap 50000] [--json]
 *
 * Prints the index URL and the files URL. Drive it from another process through
 * `POST <index>/_test/<op>` (mutations, faults) and `GET <index>/_test/requests`.
 */
import { startTestUpstream } from "../test/upstream/index.ts";

const USAGE =
  "usage: bun run scripts/upstream.ts [--projects N] [--port P] [--files-port Q] [--seed S] [--changelog-cap C] [--json]";

function parseArguments(argv: readonly string[]): Record<string, string> {
  const options: Record<string, string> = {};
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    if (argument === "--help" || argument === "-h") {
      console.log(USAGE);
      process.exit(0);
    }
    if (argument === "--json") {
      options.json = "true";
      continue;
    }
    const [key, inline] = argument.split("=", 2);
    const value = inline ?? argv[++index];
    if (!key?.startsWith("--") || value === undefined) {
      console.error(`Unexpected argument: ${argument}\n${USAGE}`);
      process.exit(2);
    }
    options[key.slice(2)] = value;
  }
  return options;
}

function integer(options: Record<string, string>, key: string): number | undefined {
  const value = options[key];
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) {
    console.error(`--${key} must be a non-negative integer, got ${value}`);
    process.exit(2);
  }
  return Number(value);
}

const options = parseArguments(process.argv.slice(2));
const upstream = await startTestUpstream({
  projects: integer(options, "projects"),
  port: integer(options, "port"),
  filesPort: integer(options, "files-port"),
  seed: integer(options, "seed"),
  changelogCap: integer(options, "changelog-cap"),
});

if (options.json) console.log(JSON.stringify({ index: upstream.indexUrl, files: upstream.filesUrl }));
else {
  console.log(`index: ${upstream.indexUrl}`);
  console.log(`files: ${upstream.filesUrl}`);
}

const shutdown = async () => {
  await upstream.stop();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
