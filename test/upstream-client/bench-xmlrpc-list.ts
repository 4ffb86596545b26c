/**
 * Benchmark (not a test): `list_packages_with_serial` at PyPI's size.
 *
 * Writes a synthetic 800,000-member answer (~70 MB) to a temp file, serves it on
 * 127.0.0.1, and in a fresh child process fetches and scans it through
 * `XmlRpcClient.listPackagesWithSerial()` (HTTP + streaming scan), printing wall
 * time and the child's peak RSS. Budget: < 3 s and < 300 MB.
 *
 * For comparison it also decodes one full `changelog_since_serial` page (50,000
 * events, ~15 MB), which goes through fast-xml-parser as a tree.
 *
 *   ./node_modules/.bin/bun test/upstream-client/bench-xmlrpc-list.ts [members]
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpClient } from "../../src/upstream/http.ts";
import { XmlRpcClient } from "../../src/upstream/xmlrpc.ts";

/** A body shaped like Python's `xmlrpc.client.dumps` output for a dict. */
function syntheticList(members: number): string {
  const parts: string[] = ["<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><struct>\n"];
  for (let index = 0; index < members; index++) {
    // Names of realistic length, some numeric-looking, one in eight with separators.
    const name =
      index % 97 === 0
        ? String(index)
        : `project-${(index * 2654435761) % 1e9}${index % 8 === 0 ? "_Extra.Name" : ""}`;
    parts.push(
      `<member>\n<name>${name}</name>\n<value><int>${10_000_000 + index * 37}</int></value>\n</member>\n`,
    );
  }
  parts.push("</struct></value>\n</param>\n</params>\n</methodResponse>\n");
  return parts.join("");
}

/** A full changelog page, shaped like Python's marshalling of a list of 5-element lists. */
function syntheticChangelog(events: number): string {
  const parts: string[] = [
    "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><array><data>\n",
  ];
  for (let index = 0; index < events; index++) {
    parts.push(
      `<value><array><data>\n<value><string>project-${index}</string></value>\n<value><string>1.${index}.0</string></value>\n` +
        `<value><int>1725534675</int></value>\n<value><string>add py3 file project_${index}-1.${index}.0-py3-none-any.whl</string></value>\n` +
        `<value><int>${24891358 + index}</int></value>\n</data></array></value>\n`,
    );
  }
  parts.push("</data></array></value>\n</param>\n</params>\n</methodResponse>\n");
  return parts.join("");
}

async function child(url: string, what: "list" | "changelog"): Promise<void> {
  const http = new HttpClient({ timeoutSeconds: 30, globalTimeoutSeconds: 600 });
  const client = new XmlRpcClient(http, url);
  const started = performance.now();
  const serials =
    what === "list" ? await client.listPackagesWithSerial() : await client.changelogSinceSerial(0);
  const elapsedMs = performance.now() - started;
  // VmHWM, not getrusage's maxRSS: Linux carries ru_maxrss over from the forked parent across exec.
  const status = await Bun.file("/proc/self/status").text();
  const peakRssMiB = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024;
  console.log(
    JSON.stringify({
      [what === "list" ? "members" : "events"]: serials instanceof Map ? serials.size : serials.length,
      elapsedMs: Math.round(elapsedMs),
      peakRssMiB: Math.round(peakRssMiB),
    }),
  );
}

async function main(): Promise<void> {
  const members = Number(process.argv[2] ?? 800_000);
  const directory = mkdtempSync(join(tmpdir(), "bench-xmlrpc-"));
  const bodyPath = join(directory, "list.xml");
  const changelogPath = join(directory, "changelog.xml");
  try {
    await Bun.write(bodyPath, syntheticList(members));
    await Bun.write(changelogPath, syntheticChangelog(50_000));
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (request) =>
        new Response(Bun.file(new URL(request.url).pathname === "/changelog" ? changelogPath : bodyPath), {
          headers: { "content-type": "text/xml" },
        }),
    });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const runs: [string, string, string][] = [
        ["list", `${base}/pypi`, `${members} members, ${(Bun.file(bodyPath).size / 1e6).toFixed(1)} MB`],
        [
          "changelog",
          `${base}/changelog`,
          `50000 events, ${(Bun.file(changelogPath).size / 1e6).toFixed(1)} MB`,
        ],
      ];
      for (const [what, url, description] of runs) {
        console.log(`${what}: ${description}`);
        for (let run = 1; run <= 3; run++) {
          // Async spawn: the server in this process must keep answering.
          const childProcess = Bun.spawn([process.execPath, import.meta.path, "--child", what, url], {
            stderr: "inherit",
          });
          const output = await new Response(childProcess.stdout).text();
          await childProcess.exited;
          console.log(`  run ${run}: ${output.trim()}`);
        }
      }
    } finally {
      server.stop(true);
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--child") await child(process.argv[4]!, process.argv[3] as "list" | "changelog");
else await main();
