/**
 * PyPI's size without its bytes: a listing of 800,000 projects served on
 * loopback for both XML-RPC `list_packages_with_serial` and the PEP 691
 * `/simple/` listing; measures time and peak RSS to build the plan of a first
 * run, to diff an incremental run, and to regenerate the root index from the
 * ledger. Each phase runs in a fresh child process so its peak RSS is its own.
 *
 *   bun run scripts/bench-scale.ts [--projects 800000] [--changed 2000]
 *
 * Names come from the env entry's list of real PyPI names when present
 * (/work/.library/env/packages/pypi.tsv), else they are synthetic.
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseIni } from "../src/config/ini.ts";
import { makePlan } from "../src/engine/planner.ts";
import type { ChangeFeed } from "../src/engine/ports.ts";
import { writeRootIndex } from "../src/engine/root-index.ts";
import { loadFilters } from "../src/filters/index.ts";
import { IndexWriter } from "../src/index/writer.ts";
import { normalizeName } from "../src/packaging/names.ts";
import { Ledger } from "../src/state/ledger.ts";
import { FilesystemStorage } from "../src/storage/filesystem.ts";
import { streamSyncPlan } from "../src/upstream/change-feed.ts";
import { HttpClient } from "../src/upstream/http.ts";
import { readVmHwmKib } from "./bench-lib.ts";

const NAMES_FILE = "/work/.library/env/packages/pypi.tsv";
const argv = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const index = argv.indexOf(`--${name}`);
  return index >= 0 ? Number(argv[index + 1]) : fallback;
};
const projectCount = flag("projects", 800_000);
const changedCount = flag("changed", 2_000);

function projectNames(count: number): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  if (fs.existsSync(NAMES_FILE)) {
    const lines = fs.readFileSync(NAMES_FILE, "utf8").split("\n");
    for (let index = 1; index < lines.length && names.length < count; index++) {
      const name = lines[index]!.split("\t", 1)[0]!;
      const normalized = normalizeName(name);
      if (name && /^[A-Za-z0-9._-]+$/.test(name) && !seen.has(normalized)) {
        seen.add(normalized);
        names.push(name);
      }
    }
  }
  for (let index = 0; names.length < count; index++) names.push(`synthetic-project-${index}`);
  return names;
}

/** The listing server: static bodies for XML-RPC and the PEP 691 root; only the client is measured. */
function serveListing(names: string[], changed: Set<number>) {
  const serialOf = (index: number) => 1_000 + index * 3 + (changed.has(index) ? 5_000_000 : 0);
  const lastSerial = 1_000 + names.length * 3 + 5_000_000;
  const xmlEscape = (text: string) => text.replaceAll("&", "&amp;").replaceAll("<", "&lt;");
  const members = names.map(
    (name, index) =>
      `<member><name>${xmlEscape(name)}</name><value><int>${serialOf(index)}</int></value></member>`,
  );
  const listBody = `<?xml version='1.0'?>\n<methodResponse><params><param><value><struct>${members.join("")}</struct></value></param></params></methodResponse>`;
  const lastSerialBody = `<?xml version='1.0'?>\n<methodResponse><params><param><value><int>${lastSerial}</int></value></param></params></methodResponse>`;
  const events = [...changed].map(
    (index) =>
      `<value><array><data><value><string>${xmlEscape(names[index]!)}</string></value><value><string>1.0</string></value><value><int>1700000000</int></value><value><string>new release</string></value><value><int>${serialOf(index)}</int></value></data></array></value>`,
  );
  const changelogBody = `<?xml version='1.0'?>\n<methodResponse><params><param><value><array><data>${events.join("")}</data></array></value></param></params></methodResponse>`;
  const simpleBody = JSON.stringify({
    meta: { "_last-serial": lastSerial, "api-version": "1.4" },
    projects: names.map((name, index) => ({ "_last-serial": serialOf(index), name })),
  });
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      if (request.method === "POST" && url.pathname === "/pypi") {
        const body = await request.text();
        const xml = body.includes("list_packages_with_serial")
          ? listBody
          : body.includes("changelog_since_serial")
            ? changelogBody
            : lastSerialBody;
        return new Response(xml, { headers: { "Content-Type": "text/xml" } });
      }
      if (url.pathname === "/simple/") {
        return new Response(simpleBody, {
          headers: {
            "Content-Type": "application/vnd.pypi.simple.v1+json",
            "X-PyPI-Last-Serial": String(lastSerial),
          },
        });
      }
      return new Response("404 Not Found", { status: 404 });
    },
  });
  return { server, serialOf, lastSerial };
}

// ---------------------------------------------------------------- phases (children)

async function phase(name: string, master: string, directory: string): Promise<void> {
  const ledger = Ledger.open(directory);
  const storage = new FilesystemStorage(directory, { fsync: false });
  const http = new HttpClient({ timeoutSeconds: 60, globalTimeoutSeconds: 600 });
  const { filters } = loadFilters(parseIni("", "bench.conf"));
  const apiMethod = name.endsWith("simple") ? "simple" : "xmlrpc";
  // Wired as src/engine/context.ts wires it.
  const feed: ChangeFeed = {
    changesSince: (serial, held, sink) =>
      streamSyncPlan(
        { apiMethod, master },
        http,
        {
          currentSerial: serial,
          heldSerial: (project) => held.serialOf(project),
          heldNames: held.names(),
          heldEntries: () => held.entries(),
        },
        sink,
      ),
  };
  const started = performance.now();
  let detail = "";
  if (name.startsWith("first-run")) {
    const plan = await makePlan({ storage, ledger, feed, filters, statusSerial: 0, forceCheck: false });
    detail = `${plan.items.length} projects planned`;
  } else if (name.startsWith("incremental")) {
    const status = Number(fs.readFileSync(path.join(directory, "status"), "utf8"));
    const plan = await makePlan({ storage, ledger, feed, filters, statusSerial: status, forceCheck: false });
    detail = `${plan.items.length} projects planned`;
  } else if (name === "root-index") {
    const writer = new IndexWriter(storage, {
      simpleFormat: "ALL",
      hashIndex: false,
      keepIndexVersions: 0,
      page: { digestName: "sha256", coreMetadata: true, rootUri: null, releaseFiles: true },
    });
    await writeRootIndex({ ledger, indexWriter: writer }, 1, true);
    detail = `${ledger.projectCount()} projects, ${(fs.statSync(path.join(directory, "web/simple/index.v1_json")).size / 1e6).toFixed(1)} MB JSON`;
  }
  const seconds = (performance.now() - started) / 1000;
  ledger.close();
  console.log(JSON.stringify({ seconds, peakMiB: (readVmHwmKib(process.pid) ?? 0) / 1024, detail }));
}

// ---------------------------------------------------------------- driver

async function runPhase(name: string, master: string, directory: string) {
  const child = Bun.spawn(
    [process.execPath, import.meta.path, "--phase", name, "--master", master, "--dir", directory],
    {
      stdout: "pipe",
      stderr: "inherit",
      env: { ...process.env, NO_PROXY: "127.0.0.1", no_proxy: "127.0.0.1" },
    },
  );
  const output = await new Response(child.stdout).text();
  if ((await child.exited) !== 0) throw new Error(`phase ${name} failed`);
  return JSON.parse(output.trim().split("\n").at(-1)!) as {
    seconds: number;
    peakMiB: number;
    detail: string;
  };
}

/** Fills a ledger as if a first run had mirrored every project (not measured). */
function seedLedger(directory: string, names: string[], serialOf: (index: number) => number, status: number) {
  const ledger = Ledger.open(directory);
  ledger.transaction(() => {
    names.forEach((name, index) => {
      ledger.upsertProject({ name: normalizeName(name), displayName: name, serial: serialOf(index) });
    });
  });
  ledger.clearPlan();
  ledger.close();
  fs.writeFileSync(path.join(directory, "status"), String(status));
}

if (argv.includes("--phase")) {
  const value = (key: string) => argv[argv.indexOf(key) + 1]!;
  await phase(value("--phase"), value("--master"), value("--dir"));
  process.exit(0);
}

const names = projectNames(projectCount);
const changed = new Set<number>();
for (let index = 0; changed.size < changedCount; index += 397) changed.add(index % names.length);
const listing = serveListing(names, changed);
const master = `http://127.0.0.1:${listing.server.port}`;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "bench-scale-"));
const rows: [string, { seconds: number; peakMiB: number; detail: string }][] = [];
try {
  for (const method of ["xmlrpc", "simple"]) {
    const directory = path.join(scratch, `first-${method}`);
    fs.mkdirSync(directory);
    rows.push([`first-run plan (${method})`, await runPhase(`first-run-${method}`, master, directory)]);
  }
  const held = path.join(scratch, "held");
  fs.mkdirSync(held);
  // The mirror holds every project at its serial before the change; status is the serial before it.
  seedLedger(
    held,
    names,
    (index) => (changed.has(index) ? listing.serialOf(index) - 5_000_000 : listing.serialOf(index)),
    1_000 + names.length * 3,
  );
  for (const method of ["xmlrpc", "simple"]) {
    rows.push([`incremental diff (${method})`, await runPhase(`incremental-${method}`, master, held)]);
    Ledger.open(held).clearPlan();
  }
  rows.push(["root index from ledger", await runPhase("root-index", master, held)]);
} finally {
  listing.server.stop(true);
  fs.rmSync(scratch, { recursive: true, force: true });
}

console.log(
  `\nbench-scale: ${names.length.toLocaleString("en")} projects, ${changed.size} changed (target: each ≤ 5 s, peak RSS ≤ 300 MB)\n`,
);
console.log(`| phase | time | peak RSS | detail |\n|---|---:|---:|---|`);
for (const [name, row] of rows) {
  console.log(`| ${name} | ${row.seconds.toFixed(2)} s | ${row.peakMiB.toFixed(0)} MiB | ${row.detail} |`);
}
