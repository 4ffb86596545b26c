import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { IntegrityError, StorageError, UpstreamError } from "../../src/errors.ts";
import { unlimited } from "../../src/pipeline/bandwidth.ts";
import { type DownloadRequest, digestsToCompute } from "../../src/pipeline/download.ts";
import { Downloader } from "../../src/pipeline/downloader.ts";
import { FilesystemStorage, storageError } from "../../src/storage/filesystem.ts";
import type { StagedFile } from "../../src/storage/storage.ts";
import { HttpClient } from "../../src/upstream/http.ts";

const BODY = new Uint8Array(300_000).map((_, index) => (index * 31) % 251);
const SHA256 = new Bun.CryptoHasher("sha256").update(BODY).digest("hex");
const MD5 = new Bun.CryptoHasher("md5").update(BODY).digest("hex");
/** Bigger than the background-writeback step (32 MiB), so a flush runs while the file downloads. */
const BIG = new Uint8Array(40 * 1024 * 1024).map((_, index) => (index * 7 + (index >> 16)) % 256);
const BIG_SHA256 = new Bun.CryptoHasher("sha256").update(BIG).digest("hex");

/** Per-path scripted answers: each request to a path takes the next behaviour. */
const scripts = new Map<string, string[]>();
const hits = new Map<string, number[]>();
let server: ReturnType<typeof Bun.serve>;

function respond(kind: string): Response {
  switch (kind) {
    case "ok":
      return new Response(BODY, { headers: { "Content-Length": String(BODY.length) } });
    case "big":
      return new Response(BIG);
    case "trickle": {
      // Eight pieces, 120 ms apart: ~1 s in all, never 120 ms without a byte.
      let piece = 0;
      const size = Math.ceil(BODY.length / 8);
      return new Response(
        new ReadableStream({
          async pull(controller) {
            if (piece > 0) await Bun.sleep(120);
            controller.enqueue(BODY.slice(piece * size, (piece + 1) * size));
            if (++piece === 8) controller.close();
          },
        }),
      );
    }
    case "wrong":
      return new Response(BODY.map((byte, index) => (index === 1000 ? byte ^ 1 : byte)));
    case "truncated":
      return new Response(BODY.subarray(0, 1000));
    case "oversized":
      return new Response(new Uint8Array(BODY.length * 4));
    case "429":
      return new Response("slow down", { status: 429, headers: { "Retry-After": "1" } });
    case "500":
      return new Response("oops", { status: 500 });
    case "404":
      return new Response("no", { status: 404 });
    case "reset":
      return new Response(
        new ReadableStream({
          pull(controller) {
            controller.enqueue(BODY.subarray(0, 65536));
            controller.error(new Error("reset"));
          },
        }),
        { headers: { "Content-Length": String(BODY.length) } },
      );
    default:
      throw new Error(kind);
  }
}

beforeAll(() => {
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      const url = new URL(request.url);
      const list = hits.get(url.pathname) ?? [];
      list.push(performance.now());
      hits.set(url.pathname, list);
      const script = scripts.get(url.pathname) ?? ["ok"];
      return respond(script.length > 1 ? script.shift()! : script[0]!);
    },
  });
});
afterAll(() => server.stop(true));

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "bunsnatch-dl-"));
  scripts.clear();
  hits.clear();
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function downloader(storageRoot: string | FilesystemStorage = root, timeoutSeconds = 5) {
  const http = new HttpClient({ timeoutSeconds, globalTimeoutSeconds: 30 });
  return new Downloader(
    {
      storage: typeof storageRoot === "string" ? new FilesystemStorage(storageRoot) : storageRoot,
      http,
      checkUrl: () => {},
      checkRedirect: () => {},
      bandwidth: unlimited,
    },
    { concurrency: 4, hostConcurrency: 4 },
    { attempts: 4, integrityAttempts: 2, baseSeconds: 0.01, capSeconds: 0.05, maxRetryAfterSeconds: 10 },
  );
}

function request(name: string, overrides: Partial<DownloadRequest> = {}): DownloadRequest {
  return {
    project: "demo",
    mirrorPath: `web/packages/aa/bb/${name}`,
    candidates: [`http://127.0.0.1:${server.port}/${name}`],
    expectedSize: BODY.length,
    maxSize: BODY.length,
    expectedDigests: { sha256: SHA256 },
    mtime: new Date("2021-06-01T12:00:00Z"),
    ...overrides,
  };
}

function filesIn(directory: string): string[] {
  const full = path.join(root, directory);
  return fs.existsSync(full) ? fs.readdirSync(full) : [];
}

describe("Downloader", () => {
  test("a good file lands with its digest, size and upload time as mtime", async () => {
    const result = await downloader().download(request("good.whl"));
    expect(result).toMatchObject({ size: BODY.length, sha256: SHA256 });
    const stat = fs.statSync(path.join(root, "web/packages/aa/bb/good.whl"));
    expect(stat.mtimeMs).toBe(Date.parse("2021-06-01T12:00:00Z"));
    expect(filesIn("web/packages/aa/bb")).toEqual(["good.whl"]);
  });

  test("a wrong-digest body is retried once, then fails; nothing lands and no temporary file is left", async () => {
    scripts.set("/bad.whl", ["wrong"]);
    const error = await downloader()
      .download(request("bad.whl"))
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(IntegrityError);
    expect(error.message).toContain("sha256");
    expect(hits.get("/bad.whl")).toHaveLength(2);
    expect(filesIn("web/packages/aa/bb")).toEqual([]);
  });

  test("a truncated body is retried and then lands", async () => {
    scripts.set("/t.whl", ["truncated", "ok"]);
    await downloader().download(request("t.whl"));
    expect(hits.get("/t.whl")).toHaveLength(2);
    expect(filesIn("web/packages/aa/bb")).toEqual(["t.whl"]);
  });

  test("a connection reset mid-body is retried", async () => {
    scripts.set("/r.whl", ["reset", "500", "ok"]);
    await downloader().download(request("r.whl"));
    expect(hits.get("/r.whl")).toHaveLength(3);
    expect(fs.readFileSync(path.join(root, "web/packages/aa/bb/r.whl")).length).toBe(BODY.length);
  });

  test("an oversized body is cut off early and never lands", async () => {
    scripts.set("/o.whl", ["oversized"]);
    const error = await downloader()
      .download(request("o.whl"))
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(filesIn("web/packages/aa/bb")).toEqual([]);
  });

  test("an oversized body without a Content-Length is cut off at the advertised size", async () => {
    scripts.set("/o2.whl", ["oversized"]);
    const error = await downloader()
      .download(request("o2.whl", { expectedSize: null, maxSize: 100_000 }))
      .catch((caught) => caught);
    expect(error).toBeDefined();
    expect(filesIn("web/packages/aa/bb")).toEqual([]);
  });

  test("a 429 with Retry-After is honoured before the next try", async () => {
    scripts.set("/slow.whl", ["429", "ok"]);
    await downloader().download(request("slow.whl"));
    const [first, second] = hits.get("/slow.whl")!;
    expect(second! - first!).toBeGreaterThanOrEqual(950);
  });

  test("a body that keeps coming, if slowly, outlives the idle timeout (the timer follows each chunk)", async () => {
    scripts.set("/trickle.whl", ["trickle"]);
    const started = performance.now();
    await downloader(root, 0.4).download(request("trickle.whl"));
    expect(performance.now() - started).toBeGreaterThan(800);
    expect(hits.get("/trickle.whl")).toHaveLength(1);
    expect(filesIn("web/packages/aa/bb")).toEqual(["trickle.whl"]);
  });

  test("a 404 is not retried", async () => {
    scripts.set("/missing.whl", ["404"]);
    const error = await downloader()
      .download(request("missing.whl"))
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.status).toBe(404);
    expect(hits.get("/missing.whl")).toHaveLength(1);
  });

  test("download-mirror falls back to the upstream URL", async () => {
    scripts.set("/mirror/fb.whl", ["404"]);
    await downloader().download(
      request("fb.whl", {
        candidates: [
          `http://127.0.0.1:${server.port}/mirror/fb.whl`,
          `http://127.0.0.1:${server.port}/fb.whl`,
        ],
      }),
    );
    expect(hits.get("/mirror/fb.whl")).toHaveLength(1);
    expect(hits.get("/fb.whl")).toHaveLength(1);
  });
});

describe("Downloader on a full disk", () => {
  test("ENOSPC mid-file: a clear error naming the path, no partial file, existing files untouched", async () => {
    const mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), "bunsnatch-full-"));
    const mounted =
      Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", mountPoint]).exitCode === 0;
    try {
      if (!mounted) {
        console.warn("skipping the tmpfs part: mount is not permitted here (see the injected-error test)");
        return;
      }
      const storage = new FilesystemStorage(mountPoint);
      await storage.writeAtomic("web/packages/aa/bb/keep.txt", "keep me");
      const error = await downloader(mountPoint)
        .download(request("big.whl"))
        .catch((caught) => caught);
      expect(error).toBeInstanceOf(StorageError);
      expect(error.message).toContain("no space left on device");
      expect(error.message).toContain(path.join(mountPoint, "web/packages/aa/bb/big.whl"));
      expect(fs.readdirSync(path.join(mountPoint, "web/packages/aa/bb"))).toEqual(["keep.txt"]);
      expect(fs.readFileSync(path.join(mountPoint, "web/packages/aa/bb/keep.txt"), "utf8")).toBe("keep me");
    } finally {
      if (mounted) Bun.spawnSync(["umount", mountPoint]);
      fs.rmSync(mountPoint, { recursive: true, force: true });
    }
  });
});

/** Storage whose staged writes fail with ENOSPC once `capacity` bytes are written (no mount needed). */
class FullDiskStorage extends FilesystemStorage {
  constructor(
    directory: string,
    private readonly capacity: number,
  ) {
    super(directory);
  }

  override async stage(relativePath: string): Promise<StagedFile> {
    const staged = await super.stage(relativePath);
    const capacity = this.capacity;
    const absolute = this.resolve(relativePath);
    return {
      get bytesWritten() {
        return staged.bytesWritten;
      },
      write(chunk) {
        if (staged.bytesWritten + chunk.length > capacity) {
          const error = Object.assign(new Error("ENOSPC: no space left on device, write"), {
            code: "ENOSPC",
          });
          throw storageError("write", absolute, error);
        }
        return staged.write(chunk);
      },
      commit: (options) => staged.commit(options),
      abort: () => staged.abort(),
    };
  }
}

describe("Downloader with an injected write error", () => {
  test("ENOSPC mid-file: a StorageError naming the file, not retried, no temporary file, existing files untouched", async () => {
    const storage = new FullDiskStorage(root, 100_000);
    await storage.writeAtomic("web/packages/aa/bb/keep.txt", "keep me");
    const error = await downloader(storage)
      .download(request("full.whl"))
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(StorageError);
    expect(error.message).toBe(
      `cannot write ${path.join(root, "web/packages/aa/bb/full.whl")}: no space left on device (ENOSPC)`,
    );
    expect(hits.get("/full.whl")).toHaveLength(1);
    expect(filesIn("web/packages/aa/bb")).toEqual(["keep.txt"]);
    expect(fs.readFileSync(path.join(root, "web/packages/aa/bb/keep.txt"), "utf8")).toBe("keep me");
  });
});

describe("large files and digests", () => {
  test("a file larger than the background-flush step lands intact, with no temporary file left", async () => {
    scripts.set("/big.whl", ["big"]);
    const result = await downloader().download(
      request("big.whl", {
        expectedSize: BIG.length,
        maxSize: BIG.length,
        expectedDigests: { sha256: BIG_SHA256 },
      }),
    );
    expect(result).toMatchObject({ size: BIG.length, sha256: BIG_SHA256 });
    const landed = path.join(root, "web/packages/aa/bb/big.whl");
    expect(new Bun.CryptoHasher("sha256").update(fs.readFileSync(landed)).digest("hex")).toBe(BIG_SHA256);
    expect(filesIn("web/packages/aa/bb")).toEqual(["big.whl"]);
  });

  test("sha256 alone is computed when the page gives it; other digests only without it", () => {
    expect(digestsToCompute({ sha256: SHA256, md5: MD5, blake2b_256: "ab" })).toEqual(["sha256"]);
    expect(digestsToCompute({ md5: MD5 })).toEqual(["md5"]);
    expect(digestsToCompute({ MD5: MD5, blake2b_256: "ab" })).toEqual(["md5", "blake2b_256"]);
  });

  test("without sha256 on the page, a wrong md5 is caught", async () => {
    scripts.set("/md5.whl", ["wrong"]);
    const error = await downloader()
      .download(request("md5.whl", { expectedDigests: { md5: MD5 } }))
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(IntegrityError);
    expect(error.message).toContain("md5");
    expect(filesIn("web/packages/aa/bb")).toEqual([]);
  });
});
