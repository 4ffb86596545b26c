/**
 * Re-hashing stored files for `verify`, as fast as the machine allows: on the
 * filesystem backend a pool of worker threads reads each file with blocking
 * reads into one reused buffer and hashes it (SHA-256 alone, measured at the
 * speed of `openssl dgst` per thread); on any other backend the storage's own
 * streamed reads are hashed on the main thread.
 */

import { FilesystemStorage } from "../storage/filesystem.ts";
import type { Storage } from "../storage/storage.ts";

export type HashResult =
  | { kind: "ok"; size: number; sha256: string; mtimeMs: number }
  | { kind: "missing" }
  | { kind: "error"; message: string };

export interface FileHasher {
  /** Hashes the files (storage paths), answering in the same order. Never rejects for a file's own problem. */
  hash(paths: readonly string[]): Promise<HashResult[]>;
  /** Stops the threads. */
  close(): void;
}

/** Files per message to a thread: enough to hide the message cost, few enough to keep threads evenly busy. */
const FILES_PER_MESSAGE = 8;

/**
 * The worker's whole program, as plain JavaScript so that it runs from a Blob URL
 * inside the single compiled executable (no second entry point to ship).
 */
const WORKER_SOURCE = `
const fs = require("node:fs");
const buffer = new Uint8Array(4 << 20);
function hashOne(absolutePath) {
  let fd;
  try {
    fd = fs.openSync(absolutePath, "r");
  } catch (error) {
    const code = error && error.code;
    if (code === "ENOENT" || code === "ENOTDIR") return { kind: "missing" };
    return { kind: "error", message: String((error && error.message) || error) };
  }
  try {
    const stats = fs.fstatSync(fd);
    if (!stats.isFile()) return { kind: "error", message: "not a regular file" };
    const hasher = new Bun.CryptoHasher("sha256");
    let size = 0;
    for (;;) {
      const count = fs.readSync(fd, buffer, 0, buffer.length, null);
      if (count === 0) break;
      size += count;
      hasher.update(buffer.subarray(0, count));
    }
    return { kind: "ok", size, sha256: hasher.digest("hex"), mtimeMs: stats.mtimeMs };
  } catch (error) {
    return { kind: "error", message: String((error && error.message) || error) };
  } finally {
    fs.closeSync(fd);
  }
}
self.onmessage = (event) => {
  const { id, paths } = event.data;
  postMessage({ id, results: paths.map(hashOne) });
};
`;

/** A hasher for `storage` with `threads` in parallel. */
export function openFileHasher(storage: Storage, threads: number): FileHasher {
  if (storage instanceof FilesystemStorage) return new ThreadedFileHasher(storage, Math.max(1, threads));
  return new StreamingFileHasher(storage, Math.max(1, threads));
}

interface PendingChunk {
  id: number;
  paths: string[];
  resolve(results: HashResult[]): void;
  reject(error: Error): void;
}

class ThreadedFileHasher implements FileHasher {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: PendingChunk[] = [];
  private readonly inFlight = new Map<number, PendingChunk>();
  private nextId = 0;
  private broken: Error | undefined;
  private readonly url: string;

  constructor(
    private readonly storage: FilesystemStorage,
    threads: number,
  ) {
    this.url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "application/javascript" }));
    for (let index = 0; index < threads; index++) {
      // Not unref()'d: in Bun 1.4 an unref'd worker costs the process about 2.5x the CPU
      // (measured); callers close() the hasher instead.
      const worker = new Worker(this.url);
      worker.onmessage = (event: MessageEvent<{ id: number; results: HashResult[] }>) => {
        const chunk = this.inFlight.get(event.data.id);
        this.inFlight.delete(event.data.id);
        chunk?.resolve(event.data.results);
        this.idle.push(worker);
        this.dispatch();
      };
      worker.onerror = (event) => {
        this.broken = new Error(`a hashing thread failed: ${event.message}`);
        for (const chunk of [...this.inFlight.values(), ...this.queue]) chunk.reject(this.broken);
        this.inFlight.clear();
        this.queue.length = 0;
      };
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  async hash(paths: readonly string[]): Promise<HashResult[]> {
    if (this.broken) throw this.broken;
    const absolute = paths.map((relative) => this.storage.resolve(relative));
    const chunks: Promise<HashResult[]>[] = [];
    for (let start = 0; start < absolute.length; start += FILES_PER_MESSAGE) {
      const slice = absolute.slice(start, start + FILES_PER_MESSAGE);
      chunks.push(
        new Promise((resolve, reject) =>
          this.queue.push({ id: this.nextId++, paths: slice, resolve, reject }),
        ),
      );
    }
    this.dispatch();
    return (await Promise.all(chunks)).flat();
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop()!;
      const chunk = this.queue.shift()!;
      this.inFlight.set(chunk.id, chunk);
      worker.postMessage({ id: chunk.id, paths: chunk.paths });
    }
  }

  close(): void {
    for (const worker of this.workers) worker.terminate();
    URL.revokeObjectURL(this.url);
  }
}

class StreamingFileHasher implements FileHasher {
  constructor(
    private readonly storage: Storage,
    private readonly concurrency: number,
  ) {}

  async hash(paths: readonly string[]): Promise<HashResult[]> {
    const results: HashResult[] = new Array(paths.length);
    let next = 0;
    const lane = async () => {
      while (next < paths.length) {
        const index = next++;
        results[index] = await this.hashOne(paths[index]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, paths.length) }, lane));
    return results;
  }

  private async hashOne(path: string): Promise<HashResult> {
    try {
      const stat = await this.storage.stat(path);
      if (!stat) return { kind: "missing" };
      const hasher = new Bun.CryptoHasher("sha256");
      let size = 0;
      const found = await this.storage.readChunks(path, (chunk) => {
        size += chunk.length;
        hasher.update(chunk);
      });
      if (!found) return { kind: "missing" };
      return { kind: "ok", size, sha256: hasher.digest("hex"), mtimeMs: stat.mtimeMs };
    } catch (error) {
      return { kind: "error", message: error instanceof Error ? error.message : String(error) };
    }
  }

  close(): void {}
}
