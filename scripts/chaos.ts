/**
 * Chaos: `mirror` against a test upstream with every fault on (5xx, 429, resets,
 * truncated and wrong bodies, latency, stale serials) and the upstream changing
 * between rounds, killed with SIGKILL at a random moment each round. After every
 * kill nothing broken may be visible (every published file has its upstream bytes,
 * every page's files are in place). Then one run with the faults off must leave:
 * a tree equal to a clean mirror of the same upstream, nothing for `verify` to fix,
 * no temporary file, and a ledger that matches the disk.
 *
 *   bun run scripts/chaos.ts [--rounds N] [--quick] [--seed S] [--projects P] [--keep]
 *
 * `--quick` (CI): 10 rounds, well under two minutes. Exit 0 when every check held.
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Ledger } from "../src/state/ledger.ts";
import {
  cliCommand,
  cliEnvironment,
  isVolatile,
  mirrorConfigText,
  runCli,
  temporaryFiles,
  treeOf,
} from "../test/e2e/harness.ts";
import { cleanMirrorTree, treeDifferences } from "../test/e2e/mirror-compare.ts";
import { Random } from "../test/fuzz/fuzz.ts";
import { type FaultConfig, startTestUpstream, type TestUpstream } from "../test/upstream/index.ts";

const USAGE = "usage: bun run scripts/chaos.ts [--rounds N] [--quick] [--seed S] [--projects P] [--keep]";

interface Settings {
  rounds: number;
  seed: number;
  projects: number;
  keep: boolean;
}

function parseSettings(argv: readonly string[]): Settings {
  const settings: Settings = { rounds: 50, seed: Date.now() % 100_000, projects: 24, keep: false };
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    const number = (name: string) => {
      const value = Number(argv[++index]);
      if (!Number.isInteger(value) || value < 0) usageError(`${name} needs a whole number\n${USAGE}`);
      return value;
    };
    if (argument === "--rounds") settings.rounds = number("--rounds");
    else if (argument === "--seed") settings.seed = number("--seed");
    else if (argument === "--projects") settings.projects = number("--projects");
    else if (argument === "--quick") settings.rounds = 10;
    else if (argument === "--keep") settings.keep = true;
    else if (argument === "--help" || argument === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else usageError(`unexpected argument ${argument}\n${USAGE}`);
  }
  return settings;
}

/** A check that did not hold. */
class ChaosFailure extends Error {}

function usageError(message: string): never {
  console.error(`chaos: ${message}`);
  process.exit(2);
}

function fail(message: string): never {
  throw new ChaosFailure(message);
}

/** Every fault at once. Rates are per request; decisions are seeded, so a seed replays the same faults. */
function chaosFaults(seed: number): FaultConfig {
  return {
    seed,
    index: { error5xx: 0.04, status429: 0.02, reset: 0.03, truncate: 0.03, corrupt: 0.02, latencyMs: 5 },
    files: { error5xx: 0.05, status429: 0.02, reset: 0.05, truncate: 0.05, corrupt: 0.05, latencyMs: 15 },
    staleFetches: 1,
    retryAfterSeconds: 0,
    // Large files trickle in, so that kills often land in the middle of one.
    rules: [
      {
        match: /(\.zip|big_\d-1\.0\.tar\.gz)$/,
        kind: "slow",
        bytesPerSecond: 4 * 1024 * 1024,
        times: 1_000_000,
        host: "files",
      },
    ],
  };
}

/** Makes names of new releases and projects unique. */
let changeNumber = 0;

/** A random change upstream between rounds: a release, a yank, a removed file or project, a new project. */
async function mutateUpstream(upstream: TestUpstream, random: Random): Promise<string> {
  const unique = ++changeNumber;
  const projects = upstream.listProjects().filter((project) => project.status === "active");
  const project = random.pick(projects);
  switch (random.int(6)) {
    case 0:
    case 1: {
      // A generated wheel and sdist, and a larger file that takes a while to download.
      const version = `${100 + unique}.0`;
      const large = `${project.normalized.replaceAll("-", "_")}-${version}.zip`;
      await upstream.newRelease(project.name, version, {
        files: [
          `${project.normalized.replaceAll("-", "_")}-${version}.tar.gz`,
          { filename: large, size: 256 * 1024 * (1 + random.int(6)) },
        ],
      });
      return `new release ${project.normalized} ${version}`;
    }
    case 2: {
      const version = upstream.project(project.normalized)?.versions[0];
      if (!version) return "nothing";
      await upstream.yank(project.name, version, `chaos change ${unique}`);
      return `yank ${project.normalized} ${version}`;
    }
    case 3: {
      const file = upstream.project(project.normalized)?.files[0];
      if (!file) return "nothing";
      await upstream.removeFile(project.name, file.filename);
      return `remove file ${file.filename}`;
    }
    case 4:
      await upstream.addProject({
        name: `chaos-${unique}`,
        releases: [{ version: "1.0", files: [{ filename: `chaos_${unique}-1.0.tar.gz`, size: 256 * 1024 }] }],
      });
      return `new project chaos-${unique}`;
    default:
      if (projects.length < 20 || random.chance(0.5)) return "nothing";
      await upstream.removeProject(project.name);
      return `remove project ${project.normalized}`;
  }
}

/**
 * What must hold at any moment, even right after a SIGKILL: every file under
 * web/packages has exactly the bytes upstream serves for it, and every file a
 * project's JSON page lists is on disk. Returns the problems and how many files were checked.
 */
function checkVisibleState(
  directory: string,
  upstream: TestUpstream,
): { problems: string[]; checked: number } {
  const problems: string[] = [];
  let checked = 0;
  if (!fs.existsSync(directory)) return { problems, checked }; // killed before it made anything
  const tree = treeOf(directory, (relative) => relative.startsWith("bunsnatch.db"));
  for (const [relative, sha256] of tree) {
    const name = relative.slice(relative.lastIndexOf("/") + 1);
    if (!relative.startsWith("web/packages/") || name.startsWith(".")) continue;
    checked++;
    const filename = name.endsWith(".metadata") ? name.slice(0, -".metadata".length) : name;
    const file = upstream.file(filename);
    if (!file) problems.push(`${relative}: upstream never had this file`);
    else if (name.endsWith(".metadata")) {
      const metadata = upstream.metadataBytes(filename);
      const expected = metadata && new Bun.CryptoHasher("sha256").update(metadata).digest("hex");
      if (expected !== sha256) problems.push(`${relative}: wrong bytes visible`);
    } else if (file.sha256 !== sha256) problems.push(`${relative}: wrong bytes visible`);
  }
  for (const relative of tree.keys()) {
    if (!/^web\/simple\/[^/]+\/index\.v1_json$/.test(relative)) continue;
    let page: { files?: { url: string }[] };
    try {
      page = JSON.parse(fs.readFileSync(path.join(directory, relative), "utf8"));
    } catch {
      problems.push(`${relative}: not JSON`);
      continue;
    }
    for (const file of page.files ?? []) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(relative), decodeURI(file.url)));
      if (!tree.has(target)) problems.push(`${relative} lists ${target}, which is not on disk`);
    }
  }
  return { problems, checked };
}

/** Every ledger file row is on disk with its size and sha256, and every file under web/packages has a row. */
function checkLedger(directory: string): string[] {
  const problems: string[] = [];
  const onDisk = treeOf(path.join(directory, "web/packages"));
  const ledger = Ledger.open(directory);
  try {
    const rows = new Set<string>();
    for (const row of ledger.allFiles()) {
      rows.add(row.path);
      const relative = row.path.slice("web/packages/".length);
      const sha256 = onDisk.get(relative);
      if (sha256 === undefined) problems.push(`ledger lists ${row.path}, not on disk`);
      else if (sha256 !== row.sha256) problems.push(`ledger sha256 of ${row.path} differs from the disk`);
      else if (fs.statSync(path.join(directory, row.path)).size !== row.size) {
        problems.push(`ledger size of ${row.path} differs from the disk`);
      }
    }
    for (const relative of onDisk.keys()) {
      if (!rows.has(`web/packages/${relative}`))
        problems.push(`web/packages/${relative} is not in the ledger`);
    }
  } finally {
    ledger.close();
  }
  return problems;
}

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2));
  const started = performance.now();
  const random = new Random(settings.seed);
  const upstream = await startTestUpstream({ projects: settings.projects, seed: settings.seed });
  // A few larger files, so that kills also land in the middle of a download.
  for (let index = 0; index < 3; index++) {
    await upstream.addProject({
      name: `big-${index}`,
      releases: [
        { version: "1.0", files: [{ filename: `big_${index}-1.0.tar.gz`, size: (1 + index) * 1024 * 1024 }] },
      ],
    });
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "bunsnatch-chaos-"));
  const directory = path.join(root, "mirror");
  const configPath = path.join(root, "bunsnatch.conf");
  // Rounds remove projects and files; the safety valve is tested elsewhere.
  fs.writeFileSync(
    configPath,
    mirrorConfigText(directory, upstream.indexUrl, "timeout = 10\nmax-deletions = 100%"),
  );
  console.log(
    `chaos: seed ${settings.seed}, ${settings.rounds} rounds, ${upstream.listProjects().length} projects, ${directory}`,
  );

  let killed = 0;
  let finished = 0;
  let filesChecked = 0;
  /**
   * Kills land uniformly in [40 ms, 40 ms + windowMs]. The window follows how long
   * runs take: it grows after each kill (a killed run leaves more work for the next)
   * and moves toward 1.2 × the length of each run that finished.
   */
  let windowMs = 1500;
  try {
    for (let round = 1; round <= settings.rounds; round++) {
      const changes: string[] = [];
      for (let count = round === 1 ? 0 : 1 + random.int(3); count > 0; count--) {
        changes.push(await mutateUpstream(upstream, random));
      }
      const change = changes.join(", ") || "no change";
      upstream.setFaults(chaosFaults(settings.seed + round));
      // Some rounds run to the end, so the mirror makes progress and the window is measured.
      const killAfterMs = random.chance(0.15)
        ? Number.POSITIVE_INFINITY
        : Math.round(40 + random.next() * windowMs);
      const child = Bun.spawn([...cliCommand(), "-c", configPath, "mirror"], {
        stdout: "ignore",
        stderr: "pipe",
        env: cliEnvironment(),
      });
      const stderr = new Response(child.stderr).text();
      const startedRun = performance.now();
      const timer = Number.isFinite(killAfterMs)
        ? setTimeout(() => child.kill("SIGKILL"), killAfterMs)
        : undefined;
      const code = await child.exited;
      clearTimeout(timer);
      const elapsed = performance.now() - startedRun;
      const wasKilled = child.signalCode === "SIGKILL";
      if (wasKilled) {
        killed++;
        windowMs = Math.round(windowMs * 1.1);
      } else {
        finished++;
        windowMs = Math.round(0.5 * windowMs + 0.5 * 1.2 * elapsed);
        if ((await stderr).includes("internal error"))
          fail(`round ${round}: internal error\n${await stderr}`);
      }
      fs.writeFileSync(path.join(root, `round-${round}.log`), await stderr);
      upstream.clearFaults();
      const visible = checkVisibleState(directory, upstream);
      filesChecked += visible.checked;
      const lastError = (await stderr).split("\n").findLast((line) => line.includes(" ERROR: "));
      const outcome = wasKilled
        ? `killed after ${Math.round(elapsed)} ms`
        : `exit ${code} after ${Math.round(elapsed)} ms${code !== 0 && lastError ? ` (${lastError.slice(24, 150)})` : ""}`;
      console.log(`round ${round}: ${change}; ${outcome}; ${visible.checked} files checked`);
      if (visible.problems.length > 0)
        fail(`round ${round}: broken state visible:\n  ${visible.problems.join("\n  ")}`);
    }

    upstream.clearFaults();
    const final = await runCli(["-c", configPath, "mirror"]);
    if (final.code !== 0)
      fail(
        `the run with faults off exited ${final.code}:\n${final.stderr.split("\n").slice(-15).join("\n")}`,
      );

    const differences = treeDifferences(treeOf(directory, isVolatile), await cleanMirrorTree(upstream));
    if (differences.length > 0)
      fail(`the tree differs from a clean mirror:\n  ${differences.slice(0, 30).join("\n  ")}`);
    const temporary = temporaryFiles(directory);
    if (temporary.length > 0) fail(`temporary files left:\n  ${temporary.join("\n  ")}`);
    const ledgerProblems = checkLedger(directory);
    if (ledgerProblems.length > 0)
      fail(`the ledger does not match the disk:\n  ${ledgerProblems.slice(0, 30).join("\n  ")}`);
    const visible = checkVisibleState(directory, upstream);
    filesChecked += visible.checked;
    if (visible.problems.length > 0)
      fail(`broken state after the final run:\n  ${visible.problems.join("\n  ")}`);

    const verify = await runCli(["-c", configPath, "--json", "verify", "--dry-run", "--delete"]);
    const report = verify.stdout.trim() ? JSON.parse(verify.stdout.trim().split("\n").at(-1)!) : null;
    const nothingToFix =
      verify.code === 0 &&
      report?.files?.missing === 0 &&
      report?.files?.corrupt === 0 &&
      report?.pages?.damaged === 0 &&
      report?.orphans?.found === 0;
    if (!nothingToFix) {
      fail(
        `verify found something to fix (exit ${verify.code}):\n${verify.stdout}\n${verify.stderr.split("\n").slice(-15).join("\n")}`,
      );
    }

    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `chaos: PASSED: ${settings.rounds} rounds survived (${killed} killed with SIGKILL, ${finished} ran to the end), ` +
        `${filesChecked} files checked; final tree equals a clean mirror (${visible.checked} files), verify finds nothing to fix, ` +
        `no temporary files, ledger matches the disk; ${seconds} s`,
    );
  } catch (error) {
    if (!(error instanceof ChaosFailure)) throw error;
    console.error(`chaos: FAILED (seed ${settings.seed}): ${error.message}`);
    console.error(`chaos: the mirror and each round's log are kept in ${root}`);
    settings.keep = true;
    process.exitCode = 1;
  } finally {
    await upstream.stop();
    if (!settings.keep) fs.rmSync(root, { recursive: true, force: true });
    else if (process.exitCode !== 1) console.log(`chaos: kept ${root}`);
  }
}

await main();
