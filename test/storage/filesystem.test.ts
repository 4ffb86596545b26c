import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { StorageError } from "../../src/errors.ts";
import { FilesystemStorage } from "../../src/storage/filesystem.ts";
import { isTemporaryName } from "../../src/storage/storage.ts";

let root: string;
let storage: FilesystemStorage;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "bunsnatch-fs-"));
  storage = new FilesystemStorage(root);
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function entries(directory: string): string[] {
  return fs.readdirSync(path.join(root, directory)).sort();
}

describe("FilesystemStorage staged writes", () => {
  test("the file is invisible under its final name until commit, under a dot-name ending in .part", async () => {
    const staged = await storage.stage("web/packages/ab/cd/foo-1.0.tar.gz");
    staged.write(new TextEncoder().encode("hello"));
    expect(fs.existsSync(path.join(root, "web/packages/ab/cd/foo-1.0.tar.gz"))).toBe(false);
    const [temp] = entries("web/packages/ab/cd");
    expect(temp).toBeDefined();
    expect(isTemporaryName(temp!)).toBe(true);
    expect(temp!.startsWith(".foo-1.0.tar.gz.")).toBe(true);
    await staged.commit({ mtime: new Date("2020-01-02T03:04:05.678Z") });
    expect(entries("web/packages/ab/cd")).toEqual(["foo-1.0.tar.gz"]);
    const stat = fs.statSync(path.join(root, "web/packages/ab/cd/foo-1.0.tar.gz"));
    expect(stat.mtimeMs).toBeCloseTo(Date.parse("2020-01-02T03:04:05.678Z"), 0);
    expect(stat.mode & 0o777).toBe(0o644);
    expect(fs.readFileSync(path.join(root, "web/packages/ab/cd/foo-1.0.tar.gz"), "utf8")).toBe("hello");
  });

  test("abort removes the temporary file and leaves an existing file untouched", async () => {
    await storage.writeAtomic("web/x/a.txt", "old");
    const staged = await storage.stage("web/x/a.txt");
    staged.write(new TextEncoder().encode("new content"));
    await staged.abort();
    await staged.abort();
    expect(entries("web/x")).toEqual(["a.txt"]);
    expect(await storage.readText("web/x/a.txt")).toBe("old");
  });

  test("commit replaces an existing longer file completely", async () => {
    await storage.writeAtomic("web/x/a.txt", "a much longer old body");
    await storage.writeAtomic("web/x/a.txt", "short");
    expect(await storage.readText("web/x/a.txt")).toBe("short");
  });
});

describe("FilesystemStorage path safety", () => {
  for (const bad of ["../escape", "web/../../escape", "/etc/passwd", "web/a\\b", "web/a\0b"]) {
    test(`refuses ${JSON.stringify(bad)}`, async () => {
      await expect(storage.writeAtomic(bad, "x")).rejects.toBeInstanceOf(StorageError);
    });
  }
  test("refuses to delete the mirror directory itself", async () => {
    await expect(storage.deleteTree("")).rejects.toBeInstanceOf(StorageError);
  });
});

describe("FilesystemStorage deletes", () => {
  test("deleting a release file prunes empty fan-out directories under web/packages only", async () => {
    await storage.writeAtomic("web/packages/ab/cd/ef/one.whl", "1");
    await storage.writeAtomic("web/packages/ab/cd/gh/two.whl", "2");
    expect(await storage.deleteFile("web/packages/ab/cd/ef/one.whl")).toBe(true);
    expect(entries("web/packages/ab/cd")).toEqual(["gh"]);
    expect(await storage.deleteFile("web/packages/ab/cd/gh/two.whl")).toBe(true);
    expect(entries("web/packages")).toEqual([]);
    expect(await storage.deleteFile("web/packages/ab/cd/gh/two.whl")).toBe(false);
  });

  test("walkFiles lists every regular file recursively", async () => {
    await storage.writeAtomic("web/packages/a/1", "1");
    await storage.writeAtomic("web/packages/b/c/2", "2");
    const found: string[] = [];
    for await (const file of storage.walkFiles("web/packages")) found.push(file);
    expect(found.sort()).toEqual(["web/packages/a/1", "web/packages/b/c/2"]);
  });
});

describe("FilesystemStorage errors", () => {
  test("a write into a read-only directory names the path and the cause", async () => {
    if (process.getuid?.() === 0) {
      // root ignores permission bits; a read-only bind mount is not available here, so use a file as the parent.
      fs.writeFileSync(path.join(root, "blocker"), "");
      const error = await storage.writeAtomic("blocker/child.txt", "x").catch((caught) => caught);
      expect(error).toBeInstanceOf(StorageError);
      expect(String(error.message)).toContain(path.join(root, "blocker"));
      return;
    }
    fs.mkdirSync(path.join(root, "ro"));
    fs.chmodSync(path.join(root, "ro"), 0o500);
    const error = await storage.writeAtomic("ro/child.txt", "x").catch((caught) => caught);
    expect(error).toBeInstanceOf(StorageError);
    expect(String(error.message)).toContain("permission denied");
  });
});

describe("FilesystemStorage flush", () => {
  test("a flush that finds nothing to do still waits for directory fsyncs another flush started", async () => {
    const durable = new FilesystemStorage(root, { fsync: true });
    await durable.writeAtomic("web/packages/aa/bb/one.whl", "1");
    const order: string[] = [];
    const first = durable.flush().then(() => order.push("first"));
    // Nothing is left for this one to fsync itself: the first flush took the directory.
    const second = durable.flush().then(() => order.push("second"));
    await Promise.all([first, second]);
    expect(order).toEqual(["first", "second"]);
  });
});
