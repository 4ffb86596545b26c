/**
 * `verify` throughput: a synthetic mirror of 20,000 files totalling ≥ 2 GB (files,
 * ledger, pages and root index, as a `mirror` run leaves them), then `openssl dgst
 * -sha256` over the same files (the ceiling: one process, SHA-NI) and `bunsnatch
 * verify` over the mirror, both with the files in the page cache. Prints MB/s and
 * files/s of each and verify's share of openssl's rate (target ≥ 70%). The two
 * alternate run by run, so both see the same machine (other load, page cache).
 *
 *   bun run scripts/bench-verify.ts [--files 20000] [--bytes 2.2e9] [--workers N] [--runs 3]
 *                                   [--binary dist/bunsnatch] [--dir DIR] [--keep]
 *
 * MB = 10^6 bytes. verify's rate is its hashing step as it reports it (`--json`);
 * its wall time, which adds start-up and the page checks, is printed too.
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { IndexWriter } from "../src/index/writer.ts";
import { Ledger } from "../src/state/ledger.ts";
import { FilesystemStorage } from "../src/storage/filesystem.ts";
import type { ProjectPage, ReleaseFile } from "../src/upstream/types.ts";
import { formatTable, loadAverage, measure, median, which } from "./bench-lib.ts";

const argv = process.argv.slice(2);
const option = (name: string) => {
  const index = argv.indexOf(`--${name}`);
  return index >= 0 ? argv[index + 1] : undefined;
};
const fileCount = Number(option("files") ?? 20_000);
const totalBytes = Number(option("bytes") ?? 2.2e9);
const runs = Number(option("runs") ?? 3);
const workers = option("workers");
const FILES_PER_PROJECT = 10;

const repository = path.resolve(import.meta.dir, "..");
const binary = option("binary");
const client = binary
  ? [path.resolve(repository, binary)]
  : [process.execPath, path.join(repository, "src/main.ts")];
if (!which("openssl")) throw new Error("openssl is needed for the ceiling");

const scratch = option("dir") ?? fs.mkdtempSync(path.join(os.tmpdir(), "bench-verify-"));
const directory = path.join(scratch, "mirror");
if (fs.existsSync(directory)) throw new Error(`${directory} exists; pass a fresh --dir`);
const configPath = path.join(scratch, "bunsnatch.conf");

console.log(
  `Building a mirror of ${fileCount} files (${(totalBytes / 1e9).toFixed(2)} GB) in ${directory} ...`,
);
const built = performance.now();
const filePaths = await buildMirror();
console.log(`built in ${((performance.now() - built) / 1000).toFixed(1)} s`);
fs.writeFileSync(
  configPath,
  [
    "[mirror]",
    `directory = ${directory}`,
    // Never contacted: nothing needs repairing.
    "master = http://127.0.0.1:9",
    "allow-non-https = true",
    "",
  ].join("\n"),
);

// Warm the page cache for both contenders.
await opensslOnce(filePaths);

// Interleaved, so that both see the same machine (other load, page cache) run by run.
const opensslSeconds: number[] = [];
const verifyRuns: { hashSeconds: number; wallSeconds: number; mbps: number; filesPerSecond: number }[] = [];
const shares: number[] = [];
for (let run = 0; run < runs; run++) {
  const seconds = await opensslOnce(filePaths);
  opensslSeconds.push(seconds);
  const command = [
    ...client,
    "-c",
    configPath,
    "--json",
    "verify",
    ...(workers ? ["--workers", workers] : []),
  ];
  const result = await measure(command);
  if (result.exitCode !== 0) {
    console.error(result.stderr);
    throw new Error(`verify exited ${result.exitCode}`);
  }
  const summary = JSON.parse(result.stdout.trim().split("\n").pop()!);
  if (summary.files.hashed !== fileCount) throw new Error(`verify hashed ${summary.files.hashed} files`);
  verifyRuns.push({
    hashSeconds: summary.files.bytesHashed / 1e6 / summary.rate.megabytesPerSecond,
    wallSeconds: result.wallSeconds,
    mbps: summary.rate.megabytesPerSecond,
    filesPerSecond: summary.rate.filesPerSecond,
  });
  shares.push(summary.rate.megabytesPerSecond / (summary.files.bytesHashed / 1e6 / seconds));
}

const bytes = filePaths.reduce((sum, file) => sum + fs.statSync(file).size, 0);
const opensslMedian = median(opensslSeconds);
const opensslMbps = bytes / 1e6 / opensslMedian;
const verifyMbps = median(verifyRuns.map((run) => run.mbps));
const rows = [
  [
    "openssl dgst -sha256",
    opensslMedian.toFixed(2),
    opensslMedian.toFixed(2),
    opensslMbps.toFixed(0),
    (fileCount / opensslMedian).toFixed(0),
  ],
  [
    `bunsnatch verify${workers ? ` --workers ${workers}` : ""}`,
    median(verifyRuns.map((run) => run.hashSeconds)).toFixed(2),
    median(verifyRuns.map((run) => run.wallSeconds)).toFixed(2),
    verifyMbps.toFixed(0),
    median(verifyRuns.map((run) => run.filesPerSecond)).toFixed(0),
  ],
];
console.log(
  `\n${fileCount} files, ${(bytes / 1e9).toFixed(2)} GB, page cache warm; medians of ${runs} runs; load ${loadAverage()}`,
);
console.log(formatTable(["", "hash s", "wall s", "MB/s", "files/s"], rows));
const share = median(shares);
console.log(
  `verify at ${(share * 100).toFixed(0)}% of openssl (median of per-run ratios; runs: ${shares.map((value) => `${(value * 100).toFixed(0)}%`).join(", ")}; target ≥ 70%): ${share >= 0.7 ? "met" : "NOT met"}`,
);

if (!argv.includes("--keep") && !option("dir")) fs.rmSync(scratch, { recursive: true, force: true });

/** openssl over every file, in argument batches; wall seconds. */
async function opensslOnce(files: string[]): Promise<number> {
  const started = performance.now();
  for (let start = 0; start < files.length; start += 2000) {
    const child = Bun.spawn(["openssl", "dgst", "-sha256", ...files.slice(start, start + 2000)], {
      stdout: "ignore",
      stderr: "inherit",
    });
    if ((await child.exited) !== 0) throw new Error("openssl failed");
  }
  return (performance.now() - started) / 1000;
}

/** Writes the files, their ledger rows, every project's pages and the root index; returns absolute file paths. */
async function buildMirror(): Promise<string[]> {
  fs.mkdirSync(directory, { recursive: true });
  const storage = new FilesystemStorage(directory, { fsync: false });
  const ledger = Ledger.open(directory);
  const writer = new IndexWriter(storage, {
    simpleFormat: "ALL",
    hashIndex: false,
    keepIndexVersions: 0,
    page: { digestName: "sha256", coreMetadata: true, rootUri: null, releaseFiles: true },
  });
  // Sizes vary from 20% to 180% of the mean; contents are slices of a random pool.
  const pool = new Uint8Array(8 * 1024 * 1024);
  for (let offset = 0; offset < pool.length; offset += 65536)
    crypto.getRandomValues(pool.subarray(offset, offset + 65536));
  const meanSize = totalBytes / fileCount;
  const absolutePaths: string[] = [];
  const projects: { name: string; serial: number }[] = [];
  for (let projectIndex = 0; projectIndex * FILES_PER_PROJECT < fileCount; projectIndex++) {
    const name = `bench-project-${projectIndex}`;
    const files: ReleaseFile[] = [];
    for (let index = 0; index < FILES_PER_PROJECT; index++) {
      const number = projectIndex * FILES_PER_PROJECT + index;
      if (number >= fileCount) break;
      const size = Math.max(1, Math.round(meanSize * (0.2 + 1.6 * (((number * 7919) % 1000) / 999))));
      const start = (number * 104729) % (pool.length - Math.min(size, pool.length - 1));
      const body = new Uint8Array(size);
      for (let filled = 0; filled < size; ) {
        const chunk = pool.subarray(start, Math.min(pool.length, start + size - filled));
        body.set(chunk, filled);
        filled += chunk.length;
      }
      body[0] = number & 0xff;
      body[1] = (number >> 8) & 0xff;
      const sha256 = new Bun.CryptoHasher("sha256").update(body).digest("hex");
      const filename = `bench_project_${projectIndex}-1.${index}-py3-none-any.whl`;
      const mirrorPath = `packages/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256.slice(4)}/${filename}`;
      const absolute = path.join(directory, "web", mirrorPath);
      fs.mkdirSync(path.dirname(absolute), { recursive: true });
      fs.writeFileSync(absolute, body);
      const stat = fs.statSync(absolute);
      ledger.upsertFile({
        path: `web/${mirrorPath}`,
        project: name,
        size,
        sha256,
        mtimeMs: stat.mtimeMs,
        verifiedAt: null,
      });
      absolutePaths.push(absolute);
      files.push({
        filename,
        url: `https://files.example.invalid/${mirrorPath}`,
        mirrorPath,
        hashes: { sha256 },
        requiresPython: null,
        size,
        uploadTime: "2024-01-01T00:00:00.000000Z",
        yanked: false,
        coreMetadata: undefined,
        provenance: null,
        version: `1.${index}`,
        packageType: "bdist_wheel",
      });
    }
    const serial = projectIndex + 1;
    const page: ProjectPage = {
      name,
      displayName: name,
      serial,
      files,
      versions: files.map((file) => file.version!),
      projectStatus: null,
      jsonApi: null,
    };
    await writer.writeProjectPages(page, serial);
    ledger.upsertProject({ name, displayName: name, serial });
    projects.push({ name, serial });
  }
  await writer.writeRoot(
    () =>
      projects.map((project) => ({
        name: project.name,
        serial: project.serial,
        normalizedName: project.name,
      })),
    projects.length,
    true,
  );
  fs.writeFileSync(path.join(directory, "status"), String(projects.length));
  fs.writeFileSync(path.join(directory, "generation"), "5");
  ledger.setMeta("adopted_at", new Date().toISOString());
  ledger.checkpoint();
  ledger.close();
  return absolutePaths;
}
