/**
 * `bunsnatch mirror` end to end: initial sync, incremental runs that fetch only
 * what changed, stale-CDN deferral, interruption and resume, the lock, the root
 * index, and --json output. The CLI runs as a child process against the test upstream.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import { normalizeName } from "../../src/packaging/names.ts";
import { createFixture, isVolatile, type MirrorFixture, temporaryFiles, treeOf } from "./harness.ts";

function countFiles(directory: string): number {
  if (!fs.existsSync(directory)) return 0;
  return fs.readdirSync(directory, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile())
    .length;
}

function readJson(path: string) {
  return JSON.parse(fs.readFileSync(path, "utf8"));
}

describe("initial sync of 200 projects", () => {
  let fixture: MirrorFixture;
  let result: Awaited<ReturnType<MirrorFixture["run"]>>;

  beforeAll(async () => {
    fixture = await createFixture({ upstream: { projects: 200, seed: 3 }, mirror: "workers = 8" });
    result = await fixture.run(["--json", "mirror"]);
  });
  afterAll(() => fixture.close());

  test("exits 0, records the upstream's last serial, leaves no todo and no temporary file", () => {
    expect(result.code).toBe(0);
    expect(fs.readFileSync(fixture.at("status"), "utf8")).toBe(String(fixture.upstream.lastSerial()));
    expect(fs.readFileSync(fixture.at("generation"), "utf8")).toBe("5");
    expect(fs.existsSync(fixture.at("todo"))).toBe(false);
    expect(fs.readFileSync(fixture.at("web/last-modified"), "utf8")).toMatch(/^\d{8}T\d\d:\d\d:\d\d\n$/);
    expect(temporaryFiles(fixture.directory)).toEqual([]);
  });

  test("every file every page lists is on disk with the advertised sha256", () => {
    const files = fixture.upstream.allFiles();
    expect(files.length).toBeGreaterThan(400);
    for (const file of files) {
      const bytes = fs.readFileSync(fixture.at(`web${file.path}`));
      expect(new Bun.CryptoHasher("sha256").update(bytes).digest("hex")).toBe(file.sha256);
      if (file.metadataSha256) {
        const metadata = fs.readFileSync(fixture.at(`web${file.path}.metadata`));
        expect(new Bun.CryptoHasher("sha256").update(metadata).digest("hex")).toBe(file.metadataSha256);
      }
    }
  });

  test("each project has its three pages, and the root JSON carries per-project _last-serial", () => {
    const projects = fixture.upstream.listProjects();
    expect(projects).toHaveLength(200);
    const root = readJson(fixture.at("web/simple/index.v1_json"));
    expect(root.meta).toEqual({ "_last-serial": fixture.upstream.lastSerial(), "api-version": "1.4" });
    const bySerial = new Map(
      root.projects.map((entry: { name: string }) => [normalizeName(entry.name), entry]),
    );
    for (const project of projects) {
      for (const page of ["index.html", "index.v1_html", "index.v1_json"]) {
        expect(fs.existsSync(fixture.at(`web/simple/${project.normalized}/${page}`))).toBe(true);
      }
      expect(bySerial.get(project.normalized)).toEqual({
        "_last-serial": project.serial,
        name: project.name,
      });
    }
    const rootHtml = fs.readFileSync(fixture.at("web/simple/index.html"), "utf8");
    expect(rootHtml).toBe(fs.readFileSync(fixture.at("web/simple/index.v1_html"), "utf8"));
    expect(rootHtml.match(/<a href=/g)).toHaveLength(200);
  });

  test("the JSON summary on stdout tells the same story", () => {
    const summary = JSON.parse(result.stdout);
    expect(summary.exitCode).toBe(0);
    expect(summary.projects.planned).toBe(200);
    expect(summary.projects.synced).toBe(200);
    expect(summary.serial.recorded).toBe(fixture.upstream.lastSerial());
    expect(summary.files.downloaded).toBeGreaterThan(400);
  });

  test("an idle run asks only for the changelog and writes nothing", async () => {
    fixture.upstream.requests.reset();
    const before = treeOf(fixture.directory, isVolatile);
    const idle = await fixture.run(["mirror"]);
    expect(idle.code).toBe(0);
    expect(fixture.upstream.requests.count({ prefix: "/simple/" })).toBe(0);
    expect(fixture.upstream.requests.count({ host: "files" })).toBe(0);
    expect(treeOf(fixture.directory, isVolatile)).toEqual(before);
  });
});

describe("incremental runs", () => {
  let fixture: MirrorFixture;

  beforeAll(async () => {
    fixture = await createFixture({ upstream: { projects: 15, seed: 11 } });
    expect((await fixture.run(["mirror"])).code).toBe(0);
  });
  afterAll(() => fixture.close());

  test("after a new release, a yank and a removed file, only those projects are fetched", async () => {
    const [first, second, third] = fixture.upstream.listProjects();
    await fixture.upstream.newRelease(first!.name, "9.9");
    const yankedProject = fixture.upstream.project(second!.name)!;
    const yankedVersion = yankedProject.versions[0]!;
    await fixture.upstream.yank(second!.name, yankedVersion, "broken <build>");
    const removedFile = fixture.upstream.project(third!.name)!.files[0]!;
    await fixture.upstream.removeFile(third!.name, removedFile.filename);
    fixture.upstream.requests.reset();

    const result = await fixture.run(["mirror"]);
    expect(result.code).toBe(0);
    const pageFetches = fixture.upstream.requests.records
      .filter((record) => record.path.startsWith("/simple/") && record.path !== "/simple/")
      .map((record) => record.path)
      .sort();
    expect(pageFetches).toEqual(
      [first!.normalized, second!.normalized, third!.normalized].map((name) => `/simple/${name}/`).sort(),
    );
    const newFiles = fixture.upstream.project(first!.name)!.files.filter((file) => file.version === "9.9");
    const expectedDownloads = newFiles.reduce((count, file) => count + (file.metadataUrl ? 2 : 1), 0);
    expect(fixture.upstream.requests.count({ host: "files" })).toBe(expectedDownloads);
    for (const file of newFiles) expect(fs.existsSync(fixture.at(`web${file.path}`))).toBe(true);

    const html = fs.readFileSync(fixture.at(`web/simple/${second!.normalized}/index.html`), "utf8");
    expect(html).toContain('data-yanked="broken &lt;build&gt;"');
    const json = readJson(fixture.at(`web/simple/${second!.normalized}/index.v1_json`));
    const yankedNames = new Set(
      yankedProject.files.filter((file) => file.version === yankedVersion).map((file) => file.filename),
    );
    const yankedFiles = json.files.filter((file: { filename: string }) => yankedNames.has(file.filename));
    expect(yankedFiles.length).toBe(yankedNames.size);
    for (const file of yankedFiles) expect(file.yanked).toBe("broken <build>");

    const thirdHtml = fs.readFileSync(fixture.at(`web/simple/${third!.normalized}/index.html`), "utf8");
    expect(thirdHtml).not.toContain(removedFile.filename);
    expect(fs.readFileSync(fixture.at("status"), "utf8")).toBe(String(fixture.upstream.lastSerial()));
  });

  test("sync <project> refreshes just that project and leaves status alone", async () => {
    const status = fs.readFileSync(fixture.at("status"), "utf8");
    const target = fixture.upstream.listProjects()[5]!;
    fs.rmSync(fixture.at(`web/simple/${target.normalized}`), { recursive: true });
    fixture.upstream.requests.reset();
    const result = await fixture.run(["sync", target.name.toUpperCase()]);
    expect(result.code).toBe(0);
    expect(fs.existsSync(fixture.at(`web/simple/${target.normalized}/index.html`))).toBe(true);
    expect(fixture.upstream.requests.count({ prefix: "/simple/" })).toBe(1);
    expect(fs.readFileSync(fixture.at("status"), "utf8")).toBe(status);
  });

  test("--force-check re-checks every project without downloading what is present", async () => {
    fixture.upstream.requests.reset();
    const result = await fixture.run(["mirror", "--force-check"]);
    expect(result.code).toBe(0);
    expect(fixture.upstream.requests.count({ prefix: "/simple/" })).toBe(
      fixture.upstream.listProjects().length,
    );
    expect(fixture.upstream.requests.count({ host: "files" })).toBe(0);
  });
});

describe("api-method = simple", () => {
  test("mirrors from the PEP 691 listing, then picks up a change from it", async () => {
    const fixture = await createFixture({
      upstream: { projects: 8, seed: 5 },
      mirror: "api-method = simple",
    });
    try {
      expect((await fixture.run(["mirror"])).code).toBe(0);
      expect(fixture.upstream.requests.count({ method: "POST" })).toBe(0);
      const project = fixture.upstream.listProjects()[2]!;
      await fixture.upstream.newRelease(project.name, "7.0");
      fixture.upstream.requests.reset();
      expect((await fixture.run(["mirror"])).code).toBe(0);
      expect(fixture.upstream.requests.count({ prefix: `/simple/${project.normalized}/` })).toBe(1);
      expect(fixture.upstream.requests.count({ prefix: "/simple/" })).toBe(2);
      const html = fs.readFileSync(fixture.at(`web/simple/${project.normalized}/index.html`), "utf8");
      expect(html).toContain("-7.0");
    } finally {
      await fixture.close();
    }
  });
});

describe("stale upstream pages", () => {
  test("a page that stays behind the promised serial is retried, then deferred: exit 1, status not advanced; the next run completes", async () => {
    const fixture = await createFixture({ upstream: { projects: 4, seed: 8 } });
    try {
      expect((await fixture.run(["mirror"])).code).toBe(0);
      const statusBefore = fs.readFileSync(fixture.at("status"), "utf8");
      const project = fixture.upstream.listProjects()[1]!;
      fixture.upstream.setFaults({ staleFetches: 10 });
      await fixture.upstream.newRelease(project.name, "5.0");
      fixture.upstream.requests.reset();
      const deferred = await fixture.run(["mirror"]);
      expect(deferred.code).toBe(1);
      expect(deferred.stderr).toContain(`Stale serial for package ${project.name} - Attempt 3`);
      expect(deferred.stderr).toContain("deferred to the next run");
      expect(fixture.upstream.requests.count({ prefix: `/simple/${project.normalized}/` })).toBe(3);
      expect(fs.readFileSync(fixture.at("status"), "utf8")).toBe(statusBefore);
      expect(fs.readFileSync(fixture.at("todo"), "utf8")).toContain(`${project.name} `);

      fixture.upstream.setFaults({ staleFetches: 2 });
      const recovered = await fixture.run(["mirror"]);
      expect(recovered.code).toBe(0);
      expect(recovered.stderr).toContain("Resuming interrupted sync");
      expect(fs.readFileSync(fixture.at("status"), "utf8")).toBe(String(fixture.upstream.lastSerial()));
      expect(fs.existsSync(fixture.at("todo"))).toBe(false);
    } finally {
      await fixture.close();
    }
  });
});

describe("interruption", () => {
  test("kill -9 mid-run, then a rerun: the tree equals an uninterrupted mirror and no temporary file is left", async () => {
    const upstreamOptions = { projects: 60, seed: 21, faults: { files: { latencyMs: 15 } } };
    const interrupted = await createFixture({ upstream: upstreamOptions, mirror: "workers = 4" });
    const clean = await createFixture({ upstream: { projects: 60, seed: 21 }, mirror: "workers = 4" });
    try {
      const killed = await interrupted.run(["mirror"], {
        killWhen: () => countFiles(interrupted.at("web/packages")) >= 40,
      });
      expect(killed.code).not.toBe(0);
      expect(fs.existsSync(interrupted.at("status"))).toBe(false);
      interrupted.upstream.clearFaults();
      const resumed = await interrupted.run(["mirror"]);
      expect(resumed.code).toBe(0);
      expect((await clean.run(["mirror"])).code).toBe(0);

      const interruptedTree = treeOf(interrupted.directory, isVolatile);
      const cleanTree = treeOf(clean.directory, isVolatile);
      // The two upstreams listen on different ports; everything else must be byte-identical.
      expect([...interruptedTree.keys()].sort()).toEqual([...cleanTree.keys()].sort());
      for (const [path, digest] of cleanTree) {
        if (path.startsWith("web/packages/") || path === "status" || path === "generation") {
          expect(interruptedTree.get(path)).toBe(digest);
        }
      }
      expect(temporaryFiles(interrupted.directory)).toEqual([]);
    } finally {
      await interrupted.close();
      await clean.close();
    }
  });
});

describe("the mirror lock", () => {
  test("a second run while the first holds the lock exits 3 naming the holder's PID", async () => {
    const fixture = await createFixture({
      upstream: { projects: 20, seed: 2, faults: { files: { latencyMs: 40 } } },
    });
    try {
      const first = fixture.run(["mirror"]);
      await Bun.sleep(400);
      const second = await fixture.run(["mirror"]);
      expect(second.code).toBe(3);
      expect(second.stderr).toMatch(/another bunsnatch \(PID \d+\) is working on/);
      expect((await first).code).toBe(0);
    } finally {
      await fixture.close();
    }
  });
});
