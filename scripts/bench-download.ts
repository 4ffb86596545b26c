/**
 * Download benchmark: the mirror CLI, run as a child process against a file server
 * on loopback, next to the ceiling measured in the same run (the same files fetched
 * with curl, parallel and keep-alive, into files, then hashed with `openssl dgst -sha256`).
 *
 *   bun run scripts/bench-download.ts [--case a,b,c] [--quick] [--runs 3]
 *       [--server bun,nginx] [--bin dist/bunsnatch] [--mirror "key = value"]... [--keep]
 *
 * Cases: (a) one 1 GiB file; (b) 2,000 files of 256 KiB; (c) 20,000 files of 4 KiB
 * (`--quick`: 128 MiB, 200 and 2,000 files). Servers: the test upstream's files host
 * (Bun.serve, on-disk files) and, when installed, nginx on 127.0.0.1 serving the same
 * directory (the mirror reaches it through `download-mirror`). Figures are medians;
 * MB = 10^6 bytes, GB = 10^9 bytes; CPU is user + sys of the child and its descendants;
 * RSS is the child's peak (VmHWM / ru_maxrss). Not a test: it prints figures.
 */

import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { startTestUpstream, type TestUpstream } from "../test/upstream/index.ts";
import { formatTable, loadAverage, type Measurement, measure, median, which } from "./bench-lib.ts";

const REPOSITORY = path.resolve(import.meta.dir, "..");
const KIB = 1024;
const MIB = 1024 * KIB;

interface CaseSpec {
  id: string;
  title: string;
  files: number;
  fileSize: number;
  filesPerProject: number;
}

function caseSpecs(quick: boolean): CaseSpec[] {
  return [
    {
      id: "a",
      title: quick ? "1 × 128 MiB" : "1 × 1 GiB",
      files: 1,
      fileSize: quick ? 128 * MIB : 1024 * MIB,
      filesPerProject: 1,
    },
    {
      id: "b",
      title: `${quick ? "200" : "2,000"} × 256 KiB`,
      files: quick ? 200 : 2000,
      fileSize: 256 * KIB,
      filesPerProject: 100,
    },
    {
      id: "c",
      title: `${quick ? "2,000" : "20,000"} × 4 KiB`,
      files: quick ? 2000 : 20000,
      fileSize: 4 * KIB,
      filesPerProject: 100,
    },
  ];
}

interface Settings {
  cases: string[];
  quick: boolean;
  runs: number;
  servers: string[];
  bin: string | null;
  main: string | null;
  ceiling: boolean;
  mirrorLines: string[];
  keep: boolean;
  parallel: number;
  workdir: string | null;
  profile: string | null;
  env: Record<string, string>;
  variants: { name: string; env: Record<string, string> }[];
}

const USAGE = `usage: bun run scripts/bench-download.ts [options]
  --case a,b,c        cases to run (a: 1 GiB file; b: 2,000 × 256 KiB; c: 20,000 × 4 KiB)
  --quick             reduced sizes (128 MiB; 200 and 2,000 files), for CI
  --runs N            repetitions per measurement (default 3; medians are shown)
  --server bun,nginx  file servers (default both; nginx only when installed)
  --bin PATH          the bunsnatch executable (default: compiled from src/ into the scratch directory)
  --main FILE         run sources (bun FILE) instead, e.g. src/main.ts or another checkout's
  --mirror "k = v"    an extra [mirror] line for the client (repeatable), e.g. "download-concurrency = 8"
  --no-ceiling        skip the curl + openssl ceiling (for A/B runs of the client)
  --parallel N        curl --parallel-max for the ceiling (default 16)
  --workdir DIR       scratch directory (default a new one under the system temp dir)
  --env K=V           an environment variable for the client (repeatable)
  --variant N:K=V,..  a client variant with extra environment (repeatable; runs are interleaved);
                      BENCH_BIN=PATH runs another executable (e.g. a build of an older commit);
                      mirror.KEY=VALUE adds a [mirror] line (e.g. mirror.host-concurrency=16)
  --profile DIR       write a CPU profile (markdown) of each client run to DIR (sources only)
  --keep              keep the scratch directory`;

function parseSettings(argv: string[]): Settings {
  const settings: Settings = {
    cases: ["a", "b", "c"],
    quick: false,
    runs: 3,
    servers: ["bun", "nginx"],
    bin: null,
    main: null,
    ceiling: true,
    mirrorLines: [],
    keep: false,
    parallel: 16,
    workdir: null,
    profile: null,
    env: {},
    variants: [],
  };
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    const value = () => {
      const next = argv[++index];
      if (next === undefined) fail(`${argument} needs a value`);
      return next;
    };
    switch (argument) {
      case "--case":
        settings.cases = value().split(",");
        break;
      case "--quick":
        settings.quick = true;
        break;
      case "--runs":
        settings.runs = Math.max(1, Number.parseInt(value(), 10));
        break;
      case "--server":
        settings.servers = value().split(",");
        break;
      case "--bin":
        settings.bin = path.resolve(value());
        break;
      case "--no-ceiling":
        settings.ceiling = false;
        break;
      case "--main":
        settings.main = path.resolve(value());
        break;
      case "--mirror":
        settings.mirrorLines.push(value());
        break;
      case "--parallel":
        settings.parallel = Math.max(1, Number.parseInt(value(), 10));
        break;
      case "--workdir":
        settings.workdir = path.resolve(value());
        break;
      case "--env": {
        const [key, ...rest] = value().split("=");
        settings.env[key!] = rest.join("=");
        break;
      }
      case "--variant": {
        // NAME or NAME:K=V,K=V — client runs with these extra variables, interleaved with the others.
        const [name, assignments = ""] = value().split(/:(.*)/s);
        const env: Record<string, string> = {};
        for (const assignment of assignments.split(",").filter(Boolean)) {
          const [key, ...rest] = assignment.split("=");
          env[key!] = rest.join("=");
        }
        settings.variants.push({ name: name!, env });
        break;
      }
      case "--profile":
        settings.profile = path.resolve(value());
        break;
      case "--keep":
        settings.keep = true;
        break;
      case "-h":
      case "--help":
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        fail(`unknown argument ${argument}`);
    }
  }
  for (const id of settings.cases) if (!["a", "b", "c"].includes(id)) fail(`unknown case ${id}`);
  for (const server of settings.servers)
    if (!["bun", "nginx"].includes(server)) fail(`unknown server ${server}`);
  return settings;
}

function fail(message: string): never {
  console.error(`bench-download: ${message}\n${USAGE}`);
  process.exit(2);
}

/** The command that runs the mirror CLI: `--bin`, else `--main`/`--profile` sources, else the fresh build. */
function clientCommand(settings: Settings): { command: string[]; label: string } {
  const sourcesWanted = settings.main !== null || settings.profile !== null;
  const binary = settings.bin ?? (sourcesWanted ? null : freshBinary);
  if (binary)
    return {
      command: [binary],
      label: binary === freshBinary ? "bunsnatch built from src/ (bun build --compile)" : binary,
    };
  const profile = settings.profile ? ["--cpu-prof-md", `--cpu-prof-dir=${settings.profile}`] : [];
  return {
    command: [process.execPath, ...profile, settings.main ?? path.join(REPOSITORY, "src/main.ts")],
    label: `bun ${settings.main ?? "src/main.ts"}`,
  };
}

/** The environment without proxy variables: loopback must not go through a proxy. */
function cleanEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/_proxy$/i.test(key)) env[key] = value;
  }
  return env;
}

/** Set by `buildBinary`: the executable compiled from the current sources for this run. */
let freshBinary: string | null = null;

/** Compiles src/main.ts as `npm run build` does, into the scratch directory (dist/ may be stale or absent). */
function buildBinary(workdir: string): string {
  const outfile = path.join(workdir, "bunsnatch");
  const result = Bun.spawnSync(
    [
      process.execPath,
      "build",
      "--compile",
      "--minify",
      path.join(REPOSITORY, "src/main.ts"),
      "--outfile",
      outfile,
    ],
    { cwd: REPOSITORY, stdout: "pipe", stderr: "pipe" },
  );
  if (result.exitCode !== 0) throw new Error(`bun build --compile failed:\n${result.stderr.toString()}`);
  return outfile;
}

// ------------------------------------------------------------------ source files

interface SourceFile {
  project: string;
  version: string;
  filename: string;
  diskPath: string;
}

/** Writes the case's files (incompressible bytes) under `directory`. */
function writeSourceFiles(spec: CaseSpec, directory: string): SourceFile[] {
  const files: SourceFile[] = [];
  const block = new Uint8Array(Math.min(spec.fileSize, MIB));
  for (let index = 0; index < spec.files; index++) {
    const projectIndex = Math.floor(index / spec.filesPerProject);
    const project = `bench-${spec.id}-${String(projectIndex).padStart(4, "0")}`;
    const version = `1.${index % spec.filesPerProject}`;
    const filename = `${project.replaceAll("-", "_")}-${version}.tar.gz`;
    const projectDirectory = path.join(directory, project);
    if (index % spec.filesPerProject === 0) fs.mkdirSync(projectDirectory, { recursive: true });
    const diskPath = path.join(projectDirectory, filename);
    const fd = fs.openSync(diskPath, "w");
    try {
      for (let written = 0; written < spec.fileSize; written += block.length) {
        crypto.getRandomValues(block.subarray(0, Math.min(block.length, 65536)));
        const length = Math.min(block.length, spec.fileSize - written);
        fs.writeSync(fd, block, 0, length);
      }
    } finally {
      fs.closeSync(fd);
    }
    files.push({ project, version, filename, diskPath });
  }
  return files;
}

async function publish(upstream: TestUpstream, files: SourceFile[]): Promise<void> {
  const byProject = new Map<string, SourceFile[]>();
  for (const file of files) byProject.set(file.project, [...(byProject.get(file.project) ?? []), file]);
  for (const [name, projectFiles] of byProject) {
    await upstream.addProject({
      name,
      releases: projectFiles.map((file) => ({
        version: file.version,
        files: [{ filename: file.filename, path: file.diskPath }],
      })),
    });
  }
}

// ------------------------------------------------------------------ nginx

interface Nginx {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** nginx in the foreground, one process, bound to 127.0.0.1 only, serving `root`. */
async function startNginx(binary: string, root: string, directory: string): Promise<Nginx> {
  fs.mkdirSync(path.join(directory, "tmp"), { recursive: true });
  const port = await freePort();
  const temp = (name: string) => `${name}_temp_path ${path.join(directory, "tmp", name)};`;
  const config = [
    "daemon off;",
    "master_process off;",
    `pid ${path.join(directory, "nginx.pid")};`,
    `error_log ${path.join(directory, "error.log")} warn;`,
    "events { worker_connections 4096; }",
    "http {",
    "  access_log off;",
    "  sendfile on; tcp_nopush on; tcp_nodelay on;",
    "  keepalive_requests 1000000; keepalive_timeout 120s;",
    "  default_type application/octet-stream;",
    `  ${temp("client_body")} ${temp("proxy")} ${temp("fastcgi")} ${temp("uwsgi")} ${temp("scgi")}`,
    `  server { listen 127.0.0.1:${port}; root ${root}; }`,
    "}",
    "",
  ].join("\n");
  const configPath = path.join(directory, "nginx.conf");
  fs.writeFileSync(configPath, config);
  const child = Bun.spawn(
    [binary, "-p", directory, "-c", configPath, "-e", path.join(directory, "error.log")],
    {
      stdout: "ignore",
      stderr: "pipe",
    },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    try {
      await fetch(`${url}/`, { method: "HEAD" });
      break;
    } catch {
      if (child.exitCode !== null || attempt > 100) {
        const stderr = await new Response(child.stderr).text();
        child.kill();
        throw new Error(`nginx did not start: ${stderr.trim()}`);
      }
      await Bun.sleep(50);
    }
  }
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      await child.exited;
    },
  };
}

/** The files host's URL layout (`/packages/aa/bb/<hash>/<name>`) as hard links, for nginx. */
function linkTree(upstream: TestUpstream, files: SourceFile[], root: string): void {
  const byName = new Map(files.map((file) => [file.filename, file]));
  for (const view of upstream.allFiles()) {
    const source = byName.get(view.filename);
    if (!source) continue;
    const target = path.join(root, decodeURIComponent(view.path));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.linkSync(source.diskPath, target);
  }
}

// ------------------------------------------------------------------ the two contenders

interface Trial {
  measurement: Measurement;
  bytes: number;
  files: number;
}

async function runClient(
  settings: Settings,
  upstream: TestUpstream,
  spec: CaseSpec,
  directory: string,
  downloadMirror: string | null,
  variantEnv: Record<string, string> = {},
): Promise<Trial> {
  const variantLines = Object.entries(variantEnv)
    .filter(([key]) => key.startsWith("mirror."))
    .map(([key, value]) => `${key.slice("mirror.".length)} = ${value}`);
  const mirrorDirectory = path.join(directory, "mirror");
  const configPath = path.join(directory, "bunsnatch.conf");
  fs.mkdirSync(directory, { recursive: true });
  fs.writeFileSync(
    configPath,
    [
      "[mirror]",
      `directory = ${mirrorDirectory}`,
      `master = ${upstream.indexUrl}`,
      "allow-non-https = true",
      "timeout = 30",
      "global-timeout = 3600",
      ...(downloadMirror
        ? [`download-mirror = ${downloadMirror}`, "download-mirror-no-fallback = true"]
        : []),
      ...settings.mirrorLines,
      ...variantLines,
      "",
    ].join("\n"),
  );
  const { BENCH_BIN: variantBinary, ...rest } = variantEnv;
  const childEnv = Object.fromEntries(Object.entries(rest).filter(([key]) => !key.startsWith("mirror.")));
  const command = variantBinary ? [variantBinary] : clientCommand(settings).command;
  const measurement = await measure([...command, "-c", configPath, "--quiet", "mirror"], {
    env: { ...cleanEnvironment(), ...settings.env, ...childEnv },
  });
  if (measurement.exitCode !== 0) {
    throw new Error(`bunsnatch exited ${measurement.exitCode}:\n${measurement.stderr.slice(-4000)}`);
  }
  const landed = countFiles(path.join(mirrorDirectory, "web/packages"));
  if (landed !== spec.files) throw new Error(`bunsnatch left ${landed} of ${spec.files} files`);
  return { measurement, bytes: spec.files * spec.fileSize, files: spec.files };
}

async function runCeiling(
  settings: Settings,
  urls: { url: string; relative: string }[],
  spec: CaseSpec,
  directory: string,
): Promise<Trial> {
  const output = path.join(directory, "out");
  fs.mkdirSync(output, { recursive: true });
  const listPath = path.join(directory, "curl.cfg");
  fs.writeFileSync(
    listPath,
    urls.map(({ url, relative }) => `url = "${url}"\noutput = "${path.join(output, relative)}"\n`).join(""),
  );
  const script = [
    `curl --silent --show-error --fail --create-dirs --parallel --parallel-max ${settings.parallel} --config ${listPath}`,
    `find ${output} -type f -print0 | xargs -0 -n 2000 openssl dgst -sha256 > ${path.join(directory, "sums")}`,
  ].join(" && ");
  const measurement = await measure(["bash", "-c", script], { env: cleanEnvironment() });
  if (measurement.exitCode !== 0)
    throw new Error(`curl + openssl exited ${measurement.exitCode}: ${measurement.stderr}`);
  const landed = fs.readFileSync(path.join(directory, "sums"), "utf8").split("\n").filter(Boolean).length;
  if (landed !== spec.files) throw new Error(`curl + openssl hashed ${landed} of ${spec.files} files`);
  return { measurement, bytes: spec.files * spec.fileSize, files: spec.files };
}

function countFiles(directory: string): number {
  let count = 0;
  const walk = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(path.join(current, entry.name));
      else if (entry.isFile() && !entry.name.startsWith(".")) count++;
    }
  };
  if (fs.existsSync(directory)) walk(directory);
  return count;
}

// ------------------------------------------------------------------ figures

interface Figures {
  wall: number;
  mbPerSecond: number;
  filesPerSecond: number;
  cpuPerGb: number;
  rssMb: number;
  anonMb: number;
}

function figures(trials: Trial[]): Figures {
  const bytes = trials[0]!.bytes;
  const files = trials[0]!.files;
  const wall = median(trials.map((trial) => trial.measurement.wallSeconds));
  return {
    wall,
    mbPerSecond: bytes / 1e6 / wall,
    filesPerSecond: files / wall,
    cpuPerGb: median(trials.map((trial) => trial.measurement.cpuSeconds)) / (bytes / 1e9),
    rssMb: Math.max(...trials.map((trial) => trial.measurement.peakRssBytes)) / 1e6,
    anonMb: Math.max(...trials.map((trial) => trial.measurement.peakAnonBytes)) / 1e6,
  };
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "-";
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2));
  const specs = caseSpecs(settings.quick).filter((spec) => settings.cases.includes(spec.id));
  const nginxBinary = settings.servers.includes("nginx") ? which("nginx") : null;
  if (settings.servers.includes("nginx") && !nginxBinary) {
    console.error("nginx is not installed: measuring against the test upstream only");
  }
  for (const tool of ["curl", "openssl"]) if (!which(tool)) fail(`${tool} is needed for the ceiling`);
  const workdir = settings.workdir ?? fs.mkdtempSync(path.join(os.tmpdir(), "bunsnatch-bench-"));
  fs.mkdirSync(workdir, { recursive: true });
  if (settings.bin === null && settings.main === null && settings.profile === null)
    freshBinary = buildBinary(workdir);
  const client = clientCommand(settings);
  console.log(
    `bench-download: client ${client.label}; ${settings.runs} run(s) each; ${os.cpus().length} CPUs; load ${loadAverage()}`,
  );
  if (settings.mirrorLines.length > 0)
    console.log(`extra [mirror] lines: ${settings.mirrorLines.join("; ")}`);

  const rows: string[][] = [];
  const cleanups: (() => Promise<void>)[] = [];
  const interrupted = () => {
    void Promise.all(cleanups.map((cleanup) => cleanup())).finally(() => process.exit(130));
  };
  process.on("SIGINT", interrupted);
  process.on("SIGTERM", interrupted);
  try {
    for (const spec of specs) {
      const caseDirectory = path.join(workdir, `case-${spec.id}`);
      const sourceFiles = writeSourceFiles(spec, path.join(caseDirectory, "source"));
      const upstream = await startTestUpstream({ projects: 0 });
      cleanups.push(() => upstream.stop());
      await publish(upstream, sourceFiles);
      const views = upstream.allFiles();
      const servers: { name: string; filesUrl: string; downloadMirror: string | null }[] = [];
      if (settings.servers.includes("bun")) {
        servers.push({ name: "bun files host", filesUrl: upstream.filesUrl, downloadMirror: null });
      }
      let nginx: Nginx | null = null;
      if (nginxBinary && settings.servers.includes("nginx")) {
        const root = path.join(caseDirectory, "nginx-root");
        linkTree(upstream, sourceFiles, root);
        nginx = await startNginx(nginxBinary, root, path.join(caseDirectory, "nginx"));
        cleanups.push(() => nginx!.stop());
        servers.push({ name: "nginx", filesUrl: nginx.url, downloadMirror: nginx.url });
      }
      for (const server of servers) {
        const urls = views.map((view) => ({
          url: `${server.filesUrl}${view.path}`,
          relative: view.path.slice(1),
        }));
        const variants = settings.variants.length > 0 ? settings.variants : [{ name: "bunsnatch", env: {} }];
        const clientTrials = variants.map((): Trial[] => []);
        const ceilingTrials: Trial[] = [];
        // Runs are interleaved (client, ceiling, client, ...) so that load drift hits both alike.
        for (let run = 0; run < settings.runs; run++) {
          const runDirectory = path.join(caseDirectory, `${server.name.split(" ")[0]}-${run}`);
          // Old mirrors are kept until the end: mass deletion slows file creation on ext4 for minutes.
          for (const [index, variant] of variants.entries()) {
            const directory = path.join(runDirectory, `client-${index}`);
            clientTrials[index]!.push(
              await runClient(settings, upstream, spec, directory, server.downloadMirror, variant.env),
            );
          }
          if (settings.ceiling) {
            ceilingTrials.push(await runCeiling(settings, urls, spec, path.join(runDirectory, "ceiling")));
          }
        }
        const ceiling = settings.ceiling ? figures(ceilingTrials) : null;
        const load = loadAverage().split(" ")[0]!;
        const firstRow = rows.length;
        for (const [index, variant] of variants.entries()) {
          const mine = figures(clientTrials[index]!);
          rows.push([
            index === 0 ? `(${spec.id}) ${spec.title}` : "",
            index === 0 ? server.name : "",
            variant.name,
            fixed(mine.wall, 2),
            fixed(mine.mbPerSecond, 0),
            fixed(mine.filesPerSecond, 0),
            fixed(mine.cpuPerGb, 2),
            fixed(mine.rssMb, 0),
            fixed(mine.anonMb, 0),
            ceiling ? `${fixed((100 * mine.mbPerSecond) / ceiling.mbPerSecond, 0)}%` : "-",
            load,
          ]);
        }
        if (ceiling) {
          rows.push([
            "",
            "",
            "curl+openssl",
            fixed(ceiling.wall, 2),
            fixed(ceiling.mbPerSecond, 0),
            fixed(ceiling.filesPerSecond, 0),
            fixed(ceiling.cpuPerGb, 2),
            fixed(ceiling.rssMb, 0),
            fixed(ceiling.anonMb, 0),
            "100%",
            load,
          ]);
        }
        console.log(formatTable(HEADER, rows.slice(firstRow)));
      }
      await nginx?.stop();
      await upstream.stop();
      cleanups.length = 0;
    }
  } finally {
    await Promise.all(cleanups.map((cleanup) => cleanup()));
    if (!settings.keep) fs.rmSync(workdir, { recursive: true, force: true });
  }
  console.log(`\nMedians of ${settings.runs} run(s); MB = 10^6 B; load at end ${loadAverage()}\n`);
  console.log(formatTable(HEADER, rows));
}

const HEADER = [
  "case",
  "server",
  "tool",
  "wall s",
  "MB/s",
  "files/s",
  "CPU s/GB",
  "peak RSS MB",
  "anon MB",
  "of ceiling",
  "load",
];

await main();
