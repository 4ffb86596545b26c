/**
 * `verify`: re-hashes what the mirror holds, repairs files and pages through
 * upstream, removes what no page references (`--delete`), resumes after a kill.
 */

import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import * as path from "node:path";
import { acquireMirrorLock } from "../../src/state/lock.ts";
import {
  cliCommand,
  cliEnvironment,
  createFixture,
  isVolatile,
  type MirrorFixture,
  temporaryFiles,
  treeOf,
} from "./harness.ts";

let fixture: MirrorFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

async function mirrored(options: { mirror?: string; projects?: number } = {}): Promise<MirrorFixture> {
  fixture = await createFixture({
    upstream: { projects: options.projects ?? 6 },
    mirror: `json = true\n${options.mirror ?? ""}`,
  });
  expect((await fixture.run(["mirror"])).code).toBe(0);
  return fixture;
}

/** The mirror's tree without state that legitimately changes between runs. */
function contentOf(f: MirrorFixture): Map<string, string> {
  return treeOf(f.directory, (relative) => isVolatile(relative) || relative === "web/local-stats");
}

/** Ledger file paths in the order verify walks them. */
function ledgerPaths(f: MirrorFixture): string[] {
  const db = new Database(f.at("bunsnatch.db"), { readonly: true });
  try {
    return (db.query("SELECT path FROM files ORDER BY path").all() as { path: string }[]).map(
      (row) => row.path,
    );
  } finally {
    db.close();
  }
}

function flipByte(file: string): void {
  const stat = fs.statSync(file);
  const bytes = fs.readFileSync(file);
  const middle = Math.floor(bytes.length / 2);
  bytes[middle] = bytes[middle]! ^ 0xff;
  fs.writeFileSync(file, bytes);
  fs.utimesSync(file, stat.atime, stat.mtime);
}

function summaryOf(stdout: string) {
  return JSON.parse(stdout.trim().split("\n").pop()!);
}

describe("verify repairs", () => {
  test("a corrupted byte, a truncated file, a missing file, a missing and a damaged page; --delete removes orphans and leaked temp files", async () => {
    const f = await mirrored();
    const before = contentOf(f);
    const paths = ledgerPaths(f).filter((relative) => !relative.endsWith(".metadata"));
    const [corrupt, truncated, missing] = [paths[0]!, paths[Math.floor(paths.length / 2)]!, paths.at(-1)!];
    flipByte(f.at(corrupt));
    fs.truncateSync(f.at(truncated), 10);
    fs.unlinkSync(f.at(missing));
    const [first, second] = f.upstream.listProjects();
    fs.unlinkSync(f.at(`web/simple/${first!.normalized}/index.html`));
    const jsonPage = f.at(`web/simple/${second!.normalized}/index.v1_json`);
    fs.writeFileSync(jsonPage, fs.readFileSync(jsonPage, "utf8").slice(0, 100));
    const orphan = `${path.dirname(corrupt)}/stale-1.0.tar.gz`;
    // Beside a healthy file: a repaired file's re-download clears its own leftovers.
    const healthy = paths[1]!;
    const leakedTemp = `${path.dirname(healthy)}/.${path.basename(healthy)}.k3j4h5.part`;
    const bandersnatchTemp = `${path.dirname(missing)}/.${path.basename(missing)}.u8x1ab`;
    for (const relative of [orphan, leakedTemp, bandersnatchTemp])
      fs.writeFileSync(f.at(relative), "left behind");
    fs.mkdirSync(f.at("web/simple/ghost"));
    fs.writeFileSync(f.at("web/simple/ghost/index.html"), "<html></html>");
    fs.writeFileSync(f.at("web/json/ghost"), "{}");

    const result = await f.run(["verify", "--delete", "--max-deletions", "100%", "--json"]);
    expect(result.code).toBe(0);
    const summary = summaryOf(result.stdout);
    expect(summary.files.missing).toBe(1);
    expect(summary.files.corrupt).toBe(2);
    expect(summary.pages.damaged).toBe(2);
    expect(summary.projects.failed).toBe(0);
    expect(summary.orphans.deleted).toBe(5);
    expect(result.stderr).toMatch(/files\/s, [\d.]+ MB\/s/);
    expect(contentOf(f)).toEqual(before);
    expect(temporaryFiles(f.directory)).toEqual([]);
    const audit = fs.readFileSync(f.at("deletions.log"), "utf8");
    for (const relative of [orphan, leakedTemp, bandersnatchTemp, "web/simple/ghost/", "web/json/ghost"])
      expect(audit).toContain(`\t${relative}\t`);

    // A second verify finds nothing to do and downloads nothing.
    const again = await f.run(["verify", "--json"]);
    expect(again.code).toBe(0);
    const quiet = summaryOf(again.stdout);
    expect(quiet.files.missing + quiet.files.corrupt + quiet.pages.damaged + quiet.files.downloaded).toBe(0);
    expect(quiet.files.hashed).toBe(ledgerPaths(f).length);
  });

  test("--dry-run reports problems and orphans, changes nothing, exits 1", async () => {
    const f = await mirrored();
    const target = ledgerPaths(f)[3]!;
    fs.truncateSync(f.at(target), 1);
    fs.writeFileSync(f.at("web/packages/orphan.bin"), "x");
    const before = contentOf(f);
    f.upstream.requests.reset();

    const result = await f.run(["verify", "--dry-run", "--delete", "--json"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("[DRY RUN] would re-fetch");
    expect(result.stderr).toContain("[DRY RUN] would delete web/packages/orphan.bin");
    expect(contentOf(f)).toEqual(before);
    expect(f.upstream.requests.count()).toBe(0);
    const summary = summaryOf(result.stdout);
    expect(summary.dryRun).toBe(true);
    expect(summary.orphans).toEqual({ found: 1, deleted: 0 });
  });

  test("compare-method = stat trusts size and mtime, still catches a truncated file", async () => {
    const f = await mirrored({ mirror: "compare-method = stat" });
    const paths = ledgerPaths(f);
    flipByte(f.at(paths[0]!));
    fs.truncateSync(f.at(paths[1]!), 3);

    const result = await f.run(["verify", "--json"]);
    expect(result.code).toBe(0);
    const summary = summaryOf(result.stdout);
    // Only the file whose size is off is read.
    expect(summary.files.trusted).toBe(paths.length - 1);
    expect(summary.files.hashed).toBe(1);
    expect(summary.files.corrupt).toBe(1);
    expect(summary.files.downloaded).toBe(1);
    expect(fs.statSync(f.at(paths[1]!)).size).toBeGreaterThan(3);
  });

  for (const layout of ["", "hash-index = true"]) {
    test(`without a ledger, the index pages say what to check and repair (${layout || "default layout"})`, async () => {
      const f = await mirrored({ mirror: layout });
      const before = contentOf(f);
      for (const name of fs.readdirSync(f.directory)) {
        if (name.startsWith("bunsnatch.db")) fs.rmSync(f.at(name));
      }
      const paths = [...before.keys()].filter((relative) => relative.startsWith("web/packages/"));
      fs.unlinkSync(f.at(paths[0]!));
      flipByte(f.at(paths[1]!));

      const result = await f.run(["verify", "--json"]);
      expect(result.code).toBe(0);
      expect(result.stderr).toContain("Adopting the existing mirror");
      const summary = summaryOf(result.stdout);
      expect(summary.files.downloaded).toBe(2);
      expect(contentOf(f)).toEqual(before);
    });
  }

  test("--json-update re-fetches every project: new releases and fresh JSON documents", async () => {
    const f = await mirrored();
    const project = f.upstream.listProjects()[0]!;
    await f.upstream.newRelease(project.name, "99.0");
    const added = f.upstream.project(project.normalized)!.files.filter((file) => file.version === "99.0");

    const result = await f.run(["verify", "--json-update", "--json"]);
    expect(result.code).toBe(0);
    for (const file of added) expect(fs.existsSync(f.at(`web${file.path}`))).toBe(true);
    expect(fs.readFileSync(f.at(`web/json/${project.normalized}`), "utf8")).toContain("99.0");
    expect(summaryOf(result.stdout).projects.refreshed).toBe(f.upstream.listProjects().length);
  });

  test("a file that cannot be repaired (upstream serves bad bytes) makes verify exit 1", async () => {
    const f = await mirrored();
    const target = ledgerPaths(f).find((relative) => !relative.endsWith(".metadata"))!;
    fs.unlinkSync(f.at(target));
    f.upstream.setFaults({
      rules: [{ match: path.basename(target), kind: "corrupt", times: 1000, host: "files" }],
    });

    const result = await f.run(["verify", "--json"]);
    expect(result.code).toBe(1);
    const summary = summaryOf(result.stdout);
    expect(summary.failures).toHaveLength(1);
    expect(fs.existsSync(f.at(target))).toBe(false);
  });
});

describe("verify across layouts", () => {
  for (const layout of [
    "hash-index = true",
    "keep_index_versions = 2",
    "simple-format = JSON",
    "release-files = false",
  ]) {
    test(`${layout}: a clean mirror verifies clean, a lost page is rebuilt`, async () => {
      const f = await mirrored({ mirror: layout, projects: 4 });
      const clean = await f.run(["verify", "--delete", "--json"]);
      expect(clean.code).toBe(0);
      const summary = summaryOf(clean.stdout);
      expect(
        summary.pages.damaged + summary.files.missing + summary.files.corrupt + summary.orphans.found,
      ).toBe(0);

      const project = f.upstream.listProjects()[0]!.normalized;
      const directory = layout.startsWith("hash-index")
        ? `web/simple/${project[0]}/${project}`
        : `web/simple/${project}`;
      const pagesOf = () =>
        treeOf(f.directory, (relative) => isVolatile(relative) || relative.includes("/versions/"));
      const before = pagesOf();
      fs.rmSync(f.at(directory), { recursive: true });
      const repaired = await f.run(["verify", "--json"]);
      expect(repaired.code).toBe(0);
      expect(summaryOf(repaired.stdout).pages.damaged).toBe(1);
      expect(fs.readdirSync(f.at(directory)).length).toBeGreaterThan(0);
      expect(pagesOf()).toEqual(before);
    });
  }
});

describe("verify --delete safety", () => {
  test("more orphans than max-deletions allows: nothing deleted, exit 1, says how to proceed", async () => {
    const f = await mirrored();
    const orphans = Array.from({ length: 20 }, (_, index) => `web/packages/zz/orphan-${index}.whl`);
    fs.mkdirSync(f.at("web/packages/zz"));
    for (const relative of orphans) fs.writeFileSync(f.at(relative), "x");

    const blocked = await f.run(["verify", "--delete"]);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain("nothing was deleted");
    expect(blocked.stderr).toContain("--max-deletions");
    for (const relative of orphans) expect(fs.existsSync(f.at(relative))).toBe(true);

    const allowed = await f.run(["verify", "--delete", "--max-deletions", "100%"]);
    expect(allowed.code).toBe(0);
    for (const relative of orphans) expect(fs.existsSync(f.at(relative))).toBe(false);
  });
});

describe("verify resumes", () => {
  test("a killed verify continues where it stopped and does not re-hash what it finished", async () => {
    const f = await mirrored({ projects: 20 });
    const paths = ledgerPaths(f);
    expect(paths.length).toBeGreaterThan(150);
    // Broken before the kill, in the first page: the resumed run must still repair it.
    fs.truncateSync(f.at(paths[0]!), 5);

    const child = Bun.spawn([...cliCommand(), "-c", f.configPath, "verify"], {
      stdout: "ignore",
      stderr: "ignore",
      env: cliEnvironment({ BUNSNATCH_VERIFY_DELAY_MS: "10" }),
    });
    let cursor: string | undefined;
    for (let attempt = 0; attempt < 200 && cursor === undefined; attempt++) {
      await Bun.sleep(25);
      cursor = metaValue(f, "verify_cursor");
    }
    expect(cursor).toBeDefined();
    child.kill("SIGKILL");
    await child.exited;
    cursor = metaValue(f, "verify_cursor")!;
    const finished = paths.filter((relative) => relative <= cursor!).length;
    expect(finished).toBeGreaterThan(0);
    expect(finished).toBeLessThan(paths.length);

    const resumed = await f.run(["verify", "--json"]);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain("Resuming an interrupted verify");
    const summary = summaryOf(resumed.stdout);
    expect(summary.resumed).toBe(true);
    expect(summary.files.resumed).toBe(finished);
    // Only what was left, plus the one file found broken before the kill, is read again.
    expect(summary.files.hashed).toBe(paths.length - finished + 1);
    expect(summary.files.corrupt).toBe(1);
    expect(summary.files.downloaded).toBe(1);
    expect(metaValue(f, "verify_cursor")).toBeUndefined();
  });
});

describe("verify as a command", () => {
  test("a directory without a mirror is a one-line error, exit 2", async () => {
    fixture = await createFixture({ upstream: { projects: 1 } });
    const result = await fixture.run(["verify"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("holds no mirror");
  });

  test("a bad --workers is a one-line usage error", async () => {
    const f = await mirrored({ projects: 1 });
    const result = await f.run(["verify", "--workers", "none"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });

  test("verify waits for no one: it takes the mirror lock and exits 3 while a mirror run holds it", async () => {
    const f = await mirrored({ projects: 1 });
    const lock = await acquireMirrorLock(f.directory);
    try {
      const result = await f.run(["verify"]);
      expect(result.code).toBe(3);
    } finally {
      lock.release();
    }
  });
});

function metaValue(f: MirrorFixture, key: string): string | undefined {
  const db = new Database(f.at("bunsnatch.db"), { readonly: true });
  try {
    return (db.query("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | null)?.value;
  } finally {
    db.close();
  }
}
