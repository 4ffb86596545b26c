/**
 * Disk trouble: the mirror directory fills up in the middle of a file, turns
 * read-only, or has a directory that cannot be written. Each run must exit 1 with
 * a line naming the path and the cause, leave no partial or temporary file, keep
 * `status` where it was, and the next run on a healthy disk must complete.
 *
 * The mirror directory is a tmpfs mounted for the test (root only); without the
 * permission to mount, the tests say so and check nothing.
 */

import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import { createFixture, isVolatile, type MirrorFixture, temporaryFiles, treeOf } from "./harness.ts";
import { problemLines } from "./hostile-checks.ts";
import { cleanMirrorTree, treeDifferences } from "./mirror-compare.ts";

const MIB = 1024 * 1024;

function mount(directory: string, options: string): boolean {
  fs.mkdirSync(directory, { recursive: true });
  return Bun.spawnSync(["mount", "-t", "tmpfs", "-o", options, "tmpfs", directory]).exitCode === 0;
}

function remount(directory: string, options: string): void {
  const result = Bun.spawnSync(["mount", "-o", `remount,${options}`, directory], { stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`remount ${options} failed: ${result.stderr.toString()}`);
}

function setImmutable(target: string, immutable: boolean): void {
  const result = Bun.spawnSync(["chattr", immutable ? "+i" : "-i", target], { stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`chattr failed: ${result.stderr.toString()}`);
}

const statusOf = (fixture: MirrorFixture) => fs.readFileSync(fixture.at("status"), "utf8").trim();

describe("disk trouble", () => {
  let fixture: MirrorFixture;
  let mounted = false;

  beforeEach(async () => {
    fixture = await createFixture({ upstream: { projects: 3, seed: 21 } });
    mounted = mount(fixture.directory, "size=1m");
    if (!mounted) console.warn("skipping: mounting a tmpfs is not permitted here");
  });

  afterEach(async () => {
    if (mounted) Bun.spawnSync(["umount", fixture.directory]);
    await fixture.close();
  });

  /** Asserts the run failed on `cause` in one line naming `pathPart`, with status unchanged and nothing partial. */
  const expectDiskFailure = (
    result: { code: number; stderr: string },
    cause: string | RegExp,
    pathPart: string,
    status: string | null,
  ) => {
    expect(result.code).toBe(1);
    const lines = problemLines(result.stderr).filter((line) =>
      typeof cause === "string" ? line.includes(cause) : cause.test(line),
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(pathPart);
    expect(result.stderr).not.toContain("internal error");
    if (status === null) expect(fs.existsSync(fixture.at("status"))).toBe(false);
    else expect(statusOf(fixture)).toBe(status);
    expect(temporaryFiles(fixture.directory)).toEqual([]);
  };

  /** Makes the disk healthy with `heal`, runs again, and expects a complete mirror equal to a clean one. */
  const expectRecovery = async (heal: () => void) => {
    heal();
    const result = await fixture.run(["mirror"]);
    expect(result.code).toBe(0);
    expect(statusOf(fixture)).toBe(String(fixture.upstream.lastSerial()));
    expect(temporaryFiles(fixture.directory)).toEqual([]);
    const differences = treeDifferences(
      treeOf(fixture.directory, isVolatile),
      await cleanMirrorTree(fixture.upstream),
    );
    expect(differences).toEqual([]);
  };

  test("no space left in the middle of a file: exit 1 naming the file, no partial file, status kept; then recovery", async () => {
    if (!mounted) return;
    expect((await fixture.run(["mirror"])).code).toBe(0);
    const status = statusOf(fixture);
    await fixture.upstream.addProject({
      name: "big-one",
      releases: [{ version: "1.0", files: [{ filename: "big_one-1.0.tar.gz", size: 3 * MIB }] }],
    });
    const big = fixture.upstream.file("big_one-1.0.tar.gz")!;

    const result = await fixture.run(["mirror"]);
    expectDiskFailure(result, "no space left on device", `${fixture.directory}/web${big.path}`, status);
    expect(fs.existsSync(fixture.at(`web${big.path}`))).toBe(false);
    expect(fs.existsSync(fixture.at("web/simple/big-one"))).toBe(false);

    await expectRecovery(() => remount(fixture.directory, `size=${16 * MIB}`));
  });

  test("a disk too small for the first run (files, pages or the ledger fill it): one line, then recovery", async () => {
    if (!mounted) return;
    remount(fixture.directory, "size=200k");
    const result = await fixture.run(["mirror"]);
    expectDiskFailure(
      result,
      /no space left on device \(ENOSPC\)|disk is full \(SQLITE_FULL\)/,
      fixture.directory,
      null,
    );
    await expectRecovery(() => remount(fixture.directory, `size=${16 * MIB}`));
  });

  test("a read-only mirror directory: exit 1 naming the path and EROFS, status kept; then recovery", async () => {
    if (!mounted) return;
    remount(fixture.directory, `size=${16 * MIB}`);
    expect((await fixture.run(["mirror"])).code).toBe(0);
    const status = statusOf(fixture);
    await fixture.upstream.newRelease(fixture.upstream.listProjects()[0]!.name, "99.0");
    remount(fixture.directory, "ro");

    const result = await fixture.run(["mirror"]);
    expectDiskFailure(result, "read-only file system (EROFS)", fixture.directory, status);

    await expectRecovery(() => remount(fixture.directory, "rw"));
  });

  test("an unwritable directory inside the mirror: exit 1 naming the path and EPERM, status kept; then recovery", async () => {
    if (!mounted) return;
    remount(fixture.directory, `size=${16 * MIB}`);
    expect((await fixture.run(["mirror"])).code).toBe(0);
    const status = statusOf(fixture);
    await fixture.upstream.newRelease(fixture.upstream.listProjects()[0]!.name, "99.0");
    setImmutable(fixture.at("web/packages"), true);
    try {
      const result = await fixture.run(["mirror"]);
      expectDiskFailure(result, "permission denied (EPERM)", fixture.at("web/packages/"), status);
    } finally {
      setImmutable(fixture.at("web/packages"), false);
    }
    await expectRecovery(() => {});
  });

  test("a read-only mirror directory on a first run: exit 1 in one line, nothing written", async () => {
    if (!mounted) return;
    remount(fixture.directory, "ro");
    const result = await fixture.run(["mirror"]);
    expect(result.code).toBe(1);
    const lines = problemLines(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`${fixture.directory}/.lock`);
    expect(lines[0]).toContain("read-only file system (EROFS)");
    expect(fs.readdirSync(fixture.directory)).toEqual([]);
  });
});
