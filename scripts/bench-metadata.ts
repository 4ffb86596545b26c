/**
 * Metadata-heavy sync: 5,000 small projects (two releases, each an sdist and a
 * py3 wheel: 4 files and 2 `.metadata` per project) from the test upstream on
 * loopback. Prints projects/s, wall time and peak RSS of the initial sync, then
 * the median wall time of 5 idle runs (nothing changed upstream).
 *
 *   bun run scripts/bench-metadata.ts [--projects 5000] [--workers N] [--fsync false] [--binary dist/bunsnatch]
 *
 * The upstream runs in its own process, so the client's CPU and memory are its own.
 * For scale: bandersnatch 8 does this sync at about 97 projects/s (51 s, 76 MiB) and
 * its idle run in 0.28 s on this kind of 2-core machine.
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startTestUpstream } from "../test/upstream/index.ts";
import { formatTable, loadAverage, measure, median } from "./bench-lib.ts";

const argv = process.argv.slice(2);
const option = (name: string) => {
  const index = argv.indexOf(`--${name}`);
  return index >= 0 ? argv[index + 1] : undefined;
};
const projectCount = Number(option("projects") ?? 5000);

if (argv.includes("--serve")) {
  const upstream = await startTestUpstream({ projects: 0 });
  for (let index = 0; index < projectCount; index++) {
    await upstream.addProject({
      name: `Bench.Project_${index}`,
      releases: [{ version: "1.0" }, { version: "1.1" }],
    });
  }
  // Warm the simulator's lazily generated contents so the client is what gets measured.
  for (const file of upstream.allFiles()) await upstream.fileBytes(file.filename);
  console.log(upstream.indexUrl);
  await new Promise(() => {});
}

const repository = path.resolve(import.meta.dir, "..");
const binary =
  option("binary") ?? (fs.existsSync(path.join(repository, "dist/bunsnatch")) ? "dist/bunsnatch" : undefined);
const client = binary
  ? [path.resolve(repository, binary)]
  : [process.execPath, path.join(repository, "src/main.ts")];

const server = Bun.spawn(
  [process.execPath, import.meta.path, "--serve", "--projects", String(projectCount)],
  {
    stdout: "pipe",
    stderr: "inherit",
  },
);
const reader = server.stdout.getReader();
const { value } = await reader.read();
const indexUrl = new TextDecoder().decode(value).trim();

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "bench-metadata-"));
const configPath = path.join(scratch, "bunsnatch.conf");
const workers = option("workers");
const fsync = option("fsync");
fs.writeFileSync(
  configPath,
  [
    "[mirror]",
    `directory = ${scratch}/mirror`,
    `master = ${indexUrl}`,
    "allow-non-https = true",
    ...(workers ? [`workers = ${workers}`] : []),
    ...(fsync ? [`fsync = ${fsync}`] : []),
    "",
  ].join("\n"),
);
const environment = { ...process.env, NO_PROXY: "127.0.0.1", no_proxy: "127.0.0.1" };
try {
  const load = loadAverage();
  const initial = await measure([...client, "-q", "-c", configPath, "mirror"], { env: environment });
  if (initial.exitCode !== 0) throw new Error(`initial sync exited ${initial.exitCode}:\n${initial.stderr}`);
  const idle: number[] = [];
  let idlePeak = 0;
  for (let run = 0; run < 5; run++) {
    const result = await measure([...client, "-q", "-c", configPath, "mirror"], { env: environment });
    if (result.exitCode !== 0) throw new Error(`idle run exited ${result.exitCode}:\n${result.stderr}`);
    idle.push(result.wallSeconds);
    idlePeak = Math.max(idlePeak, result.peakRssBytes);
  }
  console.log(
    `\nbench-metadata: ${projectCount} projects × (4 files + 2 .metadata), client ${binary ?? "bun src/main.ts"}, workers ${workers ?? "default"}, fsync ${fsync ?? "default (true)"}, load ${load}\n`,
  );
  console.log(
    formatTable(
      ["run", "wall s", "projects/s", "CPU s", "peak RSS MiB", "target"],
      [
        [
          "initial sync",
          initial.wallSeconds.toFixed(2),
          (projectCount / initial.wallSeconds).toFixed(0),
          initial.cpuSeconds.toFixed(2),
          (initial.peakRssBytes / 2 ** 20).toFixed(0),
          "≥ 500 projects/s, ≤ 150 MB",
        ],
        [
          "idle (median of 5)",
          median(idle).toFixed(3),
          "",
          "",
          (idlePeak / 2 ** 20).toFixed(0),
          "≤ 0.1 s with the compiled binary",
        ],
      ],
    ),
  );
} finally {
  server.kill();
  await server.exited;
  fs.rmSync(scratch, { recursive: true, force: true });
}
