/**
 * The download pipeline through the CLI: bad bytes never land and fail the project
 * (exit 1, status kept), transient faults are retried until the file lands, a 429's
 * Retry-After is waited out, and a present, unchanged file is neither fetched nor
 * read again when its project changes (the ledger answers), while a file whose
 * mtime no longer matches the ledger is re-read, found wrong and repaired.
 */

import { afterEach, describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import type { FileView, ProjectView } from "../upstream/index.ts";
import { createFixture, type MirrorFixture, temporaryFiles } from "./harness.ts";

let fixture: MirrorFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

function sha256Of(path: string): string {
  return new Bun.CryptoHasher("sha256").update(fs.readFileSync(path)).digest("hex");
}

/** A fixture mirrored once, and one of its projects with a release-file to aim faults at. */
async function mirroredOnce(projects = 3): Promise<{ f: MirrorFixture; project: ProjectView }> {
  const f = await createFixture({ upstream: { projects, seed: 11 } });
  fixture = f;
  const first = await f.run(["mirror"]);
  expect(first.code).toBe(0);
  const project = f.upstream.project(f.upstream.listProjects()[0]!.normalized)!;
  return { f, project };
}

/** Uploads a new release and returns its files (the ones the next run must download). */
async function newReleaseFiles(f: MirrorFixture, project: ProjectView, version: string): Promise<FileView[]> {
  await f.upstream.newRelease(project.name, version);
  return f.upstream.project(project.normalized)!.files.filter((file) => file.version === version);
}

/** Requests for the file itself (its `.metadata` shares the prefix and is not counted). */
/** Matches the file's own URL path only (not its `.metadata`), for fault rules. */
function exactly(file: FileView): RegExp {
  return new RegExp(`^${file.path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
}

function filesHostRequests(f: MirrorFixture, file: FileView): number {
  return f.upstream.requests.paths({ host: "files", prefix: file.path }).filter((path) => path === file.path)
    .length;
}

describe("bad bytes", () => {
  test("a body that never matches its sha256 never lands: project failed, exit 1, status and page kept, no temporary file", async () => {
    const { f, project } = await mirroredOnce();
    const statusBefore = fs.readFileSync(f.at("status"), "utf8");
    const pageBefore = fs.readFileSync(f.at(`web/simple/${project.normalized}/index.html`), "utf8");
    const [bad] = await newReleaseFiles(f, project, "9.0");
    f.upstream.setFaults({ rules: [{ match: exactly(bad!), kind: "corrupt", times: 100, host: "files" }] });
    f.upstream.requests.reset();

    const result = await f.run(["--json", "mirror"]);

    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout);
    expect(summary.projects.failed).toBe(1);
    expect(summary.failures[0].project).toBe(project.normalized);
    expect(summary.failures[0].reason).toContain("sha256");
    expect(fs.existsSync(f.at(`web${bad!.path}`))).toBe(false);
    expect(temporaryFiles(f.directory)).toEqual([]);
    expect(fs.readFileSync(f.at("status"), "utf8")).toBe(statusBefore);
    expect(fs.readFileSync(f.at(`web/simple/${project.normalized}/index.html`), "utf8")).toBe(pageBefore);
    // A digest mismatch is tried twice (once more in case the bytes were damaged in transit), no more.
    expect(filesHostRequests(f, bad!)).toBe(2);
  });
});

describe("transient faults are retried until the file lands", () => {
  for (const kind of ["truncate", "reset", "5xx"] as const) {
    test(`${kind}: retried, then the file lands with its sha256; exit 0`, async () => {
      const { f, project } = await mirroredOnce();
      const [file] = await newReleaseFiles(f, project, "9.0");
      f.upstream.setFaults({ rules: [{ match: exactly(file!), kind, times: 2, host: "files" }] });
      f.upstream.requests.reset();

      const result = await f.run(["mirror"]);

      expect(result.code).toBe(0);
      expect(filesHostRequests(f, file!)).toBe(3);
      expect(sha256Of(f.at(`web${file!.path}`))).toBe(file!.sha256);
      expect(temporaryFiles(f.directory)).toEqual([]);
      expect(fs.readFileSync(f.at("status"), "utf8")).toBe(String(f.upstream.lastSerial()));
    });
  }

  test("429 with Retry-After: the next try waits that long (unscaled by the test's fast backoff)", async () => {
    const { f, project } = await mirroredOnce();
    const [file] = await newReleaseFiles(f, project, "9.0");
    f.upstream.setFaults({
      retryAfterSeconds: 2,
      rules: [{ match: exactly(file!), kind: "429", times: 1, host: "files" }],
    });
    f.upstream.requests.reset();

    const started = performance.now();
    const result = await f.run(["mirror"]);
    const elapsedMs = performance.now() - started;

    expect(result.code).toBe(0);
    expect(result.stderr).toContain("HTTP 429");
    expect(result.stderr).toContain("retrying in 2.0 s");
    expect(elapsedMs).toBeGreaterThanOrEqual(2000);
    expect(filesHostRequests(f, file!)).toBe(2);
    expect(sha256Of(f.at(`web${file!.path}`))).toBe(file!.sha256);
  });
});

describe("a present, unchanged file", () => {
  test("is neither downloaded nor read when its project changes; a changed mtime makes it re-read and repaired", async () => {
    const { f, project } = await mirroredOnce();
    const kept = project.files[0]!;
    const keptPath = f.at(`web${kept.path}`);
    const uploadMtime = fs.statSync(keptPath).mtime;

    // Damage the bytes in place; size and mtime still match the ledger. Put atime well
    // before mtime: on a relatime (or strictatime) mount any read() moves it.
    const bytes = fs.readFileSync(keptPath);
    bytes[0] = bytes[0]! ^ 0xff;
    fs.writeFileSync(keptPath, bytes);
    const longAgo = new Date("2001-01-01T00:00:00Z");
    fs.utimesSync(keptPath, longAgo, uploadMtime);
    const damaged = sha256Of(keptPath);
    // This read moved atime unless the mount is noatime; then only the bytes tell.
    const atimeShowsReads = fs.statSync(keptPath).atimeMs !== longAgo.getTime();
    fs.utimesSync(keptPath, longAgo, uploadMtime);

    const added = await newReleaseFiles(f, project, "9.0");
    f.upstream.requests.reset();
    const result = await f.run(["mirror"]);

    expect(result.code).toBe(0);
    expect(added.length).toBeGreaterThan(0);
    for (const file of added) expect(filesHostRequests(f, file)).toBe(1);
    expect(f.upstream.requests.count({ prefix: `/simple/${project.normalized}/` })).toBeGreaterThan(0);
    // The fast path: the ledger row and one stat answered. Nothing read the file (atime
    // unmoved), nothing fetched it, so the damage went unnoticed.
    if (atimeShowsReads) expect(fs.statSync(keptPath).atimeMs).toBe(longAgo.getTime());
    expect(filesHostRequests(f, kept)).toBe(0);
    expect(sha256Of(keptPath)).toBe(damaged);

    // With an mtime the ledger does not know, the file is hashed, found wrong and fetched again.
    fs.utimesSync(keptPath, longAgo, new Date(uploadMtime.getTime() + 5000));
    f.upstream.requests.reset();
    const repaired = await f.run(["sync", project.name]);

    expect(repaired.code).toBe(0);
    expect(filesHostRequests(f, kept)).toBe(1);
    expect(sha256Of(keptPath)).toBe(kept.sha256);
    expect(fs.statSync(keptPath).mtimeMs).toBe(uploadMtime.getTime());
  });
});
