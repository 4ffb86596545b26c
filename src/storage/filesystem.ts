/**
 * Filesystem storage: temp file in the destination directory → fsync → rename
 * → directory fsync (batched until `flush`). Nothing unverified is ever visible
 * under its final name, and a failed write leaves no temporary file behind.
 */

import { dlopen, FFIType, ptr } from "bun:ffi";
import * as fs from "node:fs";
import * as path from "node:path";
import { StorageError } from "../errors.ts";
import { type FileStat, type StagedFile, type Storage, TEMP_SUFFIX } from "./storage.ts";

const FILE_MODE = 0o644;

/** Threads for Bun's file-system pool, where every fsync runs (unless UV_THREADPOOL_SIZE says otherwise). */
export const FS_THREAD_POOL_SIZE = 16;

/**
 * Widens Bun's thread pool before its first use. Every file is fsynced before its
 * rename, and ext4 commits concurrent fsyncs together; Bun's default pool on a
 * 2-core machine runs only a few at once, which capped 4 KiB files at ~1,300–1,600
 * files/s in the benchmark, against ~2,100–2,500 with 16 threads. Bun reads
 * `UV_THREADPOOL_SIZE` from the C environment when the pool starts (assigning
 * `process.env` does not reach it), so it is set through libc. A value the user
 * set is kept. Runs at module load: in the compiled binary that precedes the pool's
 * first use; under `bun src/main.ts` the module loader has started the pool already,
 * so set UV_THREADPOOL_SIZE in the environment there.
 */
function widenFileThreadPool(): void {
  if (process.env.UV_THREADPOOL_SIZE || process.platform !== "linux") return;
  try {
    const libc = dlopen("libc.so.6", {
      setenv: { args: [FFIType.ptr, FFIType.ptr, FFIType.i32], returns: FFIType.i32 },
    });
    const name = Buffer.from("UV_THREADPOOL_SIZE\0");
    const value = Buffer.from(`${FS_THREAD_POOL_SIZE}\0`);
    libc.symbols.setenv(ptr(name), ptr(value), 0);
    libc.close();
  } catch {
    // No libc to call (another C library): the default pool still works, only slower.
  }
}
widenFileThreadPool();

/** Converts a Node error into a StorageError naming the path and the cause. */
export function storageError(action: string, filePath: string, error: unknown): StorageError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const cause = describeCode(code) ?? (error instanceof Error ? error.message : String(error));
  return new StorageError(`cannot ${action} ${filePath}: ${cause}`, { code, cause: error });
}

function describeCode(code: string | undefined): string | undefined {
  switch (code) {
    case "ENOSPC":
      return "no space left on device (ENOSPC)";
    case "EDQUOT":
      return "disk quota exceeded (EDQUOT)";
    case "EROFS":
      return "read-only file system (EROFS)";
    case "EACCES":
    case "EPERM":
      return `permission denied (${code})`;
    case "EIO":
      return "input/output error (EIO)";
    default:
      return undefined;
  }
}

function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 10);
}

export interface FilesystemStorageOptions {
  /** fsync files before rename and directories at `flush` (default true). */
  fsync?: boolean;
}

export class FilesystemStorage implements Storage {
  readonly location: string;
  private readonly root: string;
  private readonly fsyncEnabled: boolean;
  private readonly dirsToSync = new Set<string>();
  /** Temporary files this process is writing; any other `.<name>.<random>.part` is a killed run's. */
  private readonly ownTemporaries = new Set<string>();
  /**
   * Whether a killed run may have left temporary files. When the previous run ended
   * cleanly there are none, and the sweep (a directory listing per staged file; the
   * root index's is `web/simple`, 800,000 entries at PyPI's size) is skipped.
   */
  private leftoversPossible = true;

  constructor(directory: string, options: FilesystemStorageOptions = {}) {
    this.root = path.resolve(directory);
    this.location = this.root;
    this.fsyncEnabled = options.fsync ?? true;
  }

  /** Absolute path for a mirror-relative path; throws when it would escape the mirror directory. */
  resolve(relativePath: string): string {
    if (
      relativePath.includes("\0") ||
      relativePath.includes("\\") ||
      path.posix.isAbsolute(relativePath) ||
      relativePath.split("/").some((segment) => segment === "..")
    ) {
      throw new StorageError(`refusing path outside the mirror directory: ${JSON.stringify(relativePath)}`);
    }
    const absolute = path.resolve(this.root, relativePath);
    if (absolute !== this.root && !absolute.startsWith(this.root + path.sep)) {
      throw new StorageError(`refusing path outside the mirror directory: ${JSON.stringify(relativePath)}`);
    }
    return absolute;
  }

  async stage(relativePath: string): Promise<StagedFile> {
    const finalPath = this.resolve(relativePath);
    const directory = path.dirname(finalPath);
    const tempPath = path.join(directory, `.${path.basename(finalPath)}.${randomSuffix()}${TEMP_SUFFIX}`);
    this.ownTemporaries.add(tempPath);
    let fd: number;
    try {
      fd = await this.openTemporary(finalPath, tempPath);
    } catch (error) {
      this.ownTemporaries.delete(tempPath);
      throw storageError("create a temporary file for", finalPath, error);
    }
    return new FilesystemStagedFile(this, fd, tempPath, finalPath, this.fsyncEnabled);
  }

  /**
   * Opens a new temporary file. Opening first costs one syscall where the directory
   * exists (then a killed run's leftovers are cleared); where it does not (a new
   * file's `<hash>` directory, the common case), it is made and nothing stale can be in it.
   */
  private async openTemporary(finalPath: string, tempPath: string): Promise<number> {
    const directory = path.dirname(finalPath);
    let fd: number | undefined;
    try {
      fd = await openNewFile(tempPath);
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    if (fd !== undefined) {
      try {
        await this.removeStaleTemporaries(finalPath);
      } catch (error) {
        fs.closeSync(fd);
        fs.rmSync(tempPath, { force: true });
        throw error;
      }
      return fd;
    }
    this.noteCreatedDirectories(directory, await makeDirectories(directory));
    return openNewFile(tempPath);
  }

  /**
   * A new directory's own entry lives in its parent: notes the parent of every
   * directory `mkdir -p` made (from `firstCreated` down to `directory`) for `flush`.
   */
  private noteCreatedDirectories(directory: string, firstCreated: string | undefined): void {
    if (!this.fsyncEnabled || firstCreated === undefined) return;
    for (let current = directory; ; current = path.dirname(current)) {
      this.noteDirectoryChanged(path.dirname(current));
      if (current === firstCreated || current === path.dirname(current)) break;
    }
  }

  /** Tells the storage whether a previous run may have left temporary files behind. */
  setLeftoversPossible(possible: boolean): void {
    this.leftoversPossible = possible;
  }

  /** Forgets a temporary file of ours once it is published or removed. */
  temporaryDone(tempPath: string): void {
    this.ownTemporaries.delete(tempPath);
  }

  /**
   * Removes the temporary files a killed run left for `finalPath`
   * (`.<name>.<random>.part` beside it, not ours). The mirror lock makes every
   * temporary file that is not this process's a leftover.
   */
  private async removeStaleTemporaries(finalPath: string): Promise<void> {
    if (!this.leftoversPossible) return;
    const directory = path.dirname(finalPath);
    const prefix = `.${path.basename(finalPath)}.`;
    let names: string[];
    try {
      names = await fs.promises.readdir(directory);
    } catch {
      return;
    }
    for (const name of names) {
      if (!name.startsWith(prefix) || !name.endsWith(TEMP_SUFFIX)) continue;
      // Exactly one random segment: `.foo.whl.abc.<random>.part` belongs to `foo.whl.abc`.
      if (!/^[0-9a-z]{1,8}$/.test(name.slice(prefix.length, -TEMP_SUFFIX.length))) continue;
      const tempPath = path.join(directory, name);
      if (!this.ownTemporaries.has(tempPath)) fs.rmSync(tempPath, { force: true });
    }
  }

  /** Remembers a directory whose entries changed, to fsync it at the next `flush`. */
  noteDirectoryChanged(directory: string): void {
    if (this.fsyncEnabled) this.dirsToSync.add(directory);
  }

  async writeAtomic(relativePath: string, data: string | Uint8Array): Promise<void> {
    const staged = await this.stage(relativePath);
    try {
      await staged.write(typeof data === "string" ? new TextEncoder().encode(data) : data);
      await staged.commit();
    } catch (error) {
      await staged.abort();
      throw error;
    }
  }

  async readBytes(relativePath: string): Promise<Uint8Array | null> {
    const absolute = this.resolve(relativePath);
    try {
      return new Uint8Array(await fs.promises.readFile(absolute));
    } catch (error) {
      if (isMissing(error)) return null;
      throw storageError("read", absolute, error);
    }
  }

  async readText(relativePath: string): Promise<string | null> {
    const bytes = await this.readBytes(relativePath);
    return bytes === null ? null : new TextDecoder().decode(bytes);
  }

  async stat(relativePath: string): Promise<FileStat | null> {
    const absolute = this.resolve(relativePath);
    try {
      const stats = fs.statSync(absolute);
      if (!stats.isFile()) return null;
      return { size: stats.size, mtimeMs: stats.mtimeMs };
    } catch (error) {
      if (isMissing(error)) return null;
      throw storageError("stat", absolute, error);
    }
  }

  async setMtime(relativePath: string, mtime: Date): Promise<void> {
    const absolute = this.resolve(relativePath);
    try {
      fs.utimesSync(absolute, mtime, mtime);
    } catch (error) {
      throw storageError("set the modification time of", absolute, error);
    }
  }

  async deleteFile(relativePath: string): Promise<boolean> {
    const absolute = this.resolve(relativePath);
    try {
      await this.removeStaleTemporaries(absolute);
      fs.unlinkSync(absolute);
    } catch (error) {
      if (isMissing(error)) {
        this.removeEmptyParents(path.dirname(absolute));
        return false;
      }
      throw storageError("delete", absolute, error);
    }
    this.noteDirectoryChanged(path.dirname(absolute));
    this.removeEmptyParents(path.dirname(absolute));
    return true;
  }

  /** Removes now-empty directories below `web/packages` (content-addressed fan-out dirs). */
  private removeEmptyParents(directory: string): void {
    const stopAt = path.join(this.root, "web", "packages");
    let current = directory;
    while (current.startsWith(stopAt + path.sep)) {
      try {
        fs.rmdirSync(current);
      } catch {
        return;
      }
      this.dirsToSync.delete(current);
      current = path.dirname(current);
      this.noteDirectoryChanged(current);
    }
  }

  async deleteTree(relativePath: string): Promise<boolean> {
    const absolute = this.resolve(relativePath);
    if (absolute === this.root) throw new StorageError("refusing to delete the mirror directory itself");
    if (!fs.existsSync(absolute)) return false;
    try {
      fs.rmSync(absolute, { recursive: true, force: true });
    } catch (error) {
      throw storageError("delete", absolute, error);
    }
    this.noteDirectoryChanged(path.dirname(absolute));
    return true;
  }

  async appendText(relativePath: string, text: string): Promise<void> {
    const absolute = this.resolve(relativePath);
    let fd: number;
    try {
      fd = fs.openSync(absolute, "a", FILE_MODE);
    } catch (error) {
      throw storageError("open", absolute, error);
    }
    try {
      const bytes = new TextEncoder().encode(text);
      // writeSync may write less than asked (POSIX); loop until all of it is written.
      for (let offset = 0; offset < bytes.length; ) offset += fs.writeSync(fd, bytes, offset);
      if (this.fsyncEnabled) await fsyncFd(fd);
    } catch (error) {
      throw storageError("append to", absolute, error);
    } finally {
      fs.closeSync(fd);
    }
  }

  async readChunks(relativePath: string, onChunk: (chunk: Uint8Array) => void): Promise<boolean> {
    const absolute = this.resolve(relativePath);
    let fd: number;
    try {
      fd = fs.openSync(absolute, "r");
    } catch (error) {
      if (isMissing(error)) return false;
      throw storageError("open", absolute, error);
    }
    const buffer = new Uint8Array(1 << 20);
    try {
      for (;;) {
        const count = await new Promise<number>((resolve, reject) =>
          fs.read(fd, buffer, 0, buffer.length, null, (error, bytesRead) =>
            error ? reject(error) : resolve(bytesRead),
          ),
        );
        if (count === 0) break;
        onChunk(buffer.subarray(0, count));
      }
    } catch (error) {
      throw storageError("read", absolute, error);
    } finally {
      fs.closeSync(fd);
    }
    return true;
  }

  async listDirectory(relativePath: string): Promise<{ name: string; isDirectory: boolean }[]> {
    const absolute = this.resolve(relativePath);
    try {
      return fs
        .readdirSync(absolute, { withFileTypes: true })
        .map((entry) => ({ name: entry.name, isDirectory: entry.isDirectory() }));
    } catch (error) {
      if (isMissing(error)) return [];
      throw storageError("list", absolute, error);
    }
  }

  async *walkFiles(relativePath: string): AsyncIterable<string> {
    const pending = [relativePath.replace(/\/+$/, "")];
    while (pending.length > 0) {
      const directory = pending.pop()!;
      for (const entry of await this.listDirectory(directory)) {
        const child = directory === "" ? entry.name : `${directory}/${entry.name}`;
        if (entry.isDirectory) pending.push(child);
        else yield child;
      }
    }
  }

  async ensureDirectory(relativePath: string): Promise<void> {
    const absolute = this.resolve(relativePath);
    try {
      fs.mkdirSync(absolute, { recursive: true });
    } catch (error) {
      throw storageError("create directory", absolute, error);
    }
  }

  async link(relativePath: string, target: string): Promise<void> {
    const absolute = this.resolve(relativePath);
    const targetAbsolute = this.resolve(target);
    const tempPath = path.join(
      path.dirname(absolute),
      `.${path.basename(absolute)}.${randomSuffix()}${TEMP_SUFFIX}`,
    );
    try {
      fs.symlinkSync(path.relative(path.dirname(absolute), targetAbsolute), tempPath);
      fs.renameSync(tempPath, absolute);
    } catch (error) {
      fs.rmSync(tempPath, { force: true });
      throw storageError("link", absolute, error);
    }
    this.noteDirectoryChanged(path.dirname(absolute));
  }

  async flush(): Promise<void> {
    const directories = [...this.dirsToSync];
    this.dirsToSync.clear();
    const mine = Promise.all(directories.map((directory) => fsyncPath(directory))).then(() => undefined);
    // Another project's flush may have taken directories this caller's files live in: wait for
    // those fsyncs too, or a page could become durable before the files it lists.
    const pending = [...this.flushesInFlight];
    this.flushesInFlight.add(mine);
    try {
      await Promise.all([mine, ...pending]);
    } finally {
      this.flushesInFlight.delete(mine);
    }
  }

  private readonly flushesInFlight = new Set<Promise<void>>();
}

/**
 * A large file's data is flushed in the background every this many bytes while it
 * downloads (one `fdatasync` at a time, on the thread pool), so that the fsync before
 * the rename has little left to wait for: 1 GiB went from ~2.2 s to ~1.9 s here.
 */
const WRITEBACK_STEP_BYTES = 32 * 1024 * 1024;

class FilesystemStagedFile implements StagedFile {
  bytesWritten = 0;
  private closed = false;
  private finished = false;
  private flushedUpTo = 0;
  /** The background `fdatasync` in flight, if any; the descriptor stays open until it ends. */
  private writeback: Promise<void> | null = null;
  private writebackError: unknown = null;

  constructor(
    private readonly storage: FilesystemStorage,
    private readonly fd: number,
    private readonly tempPath: string,
    private readonly finalPath: string,
    private readonly fsyncEnabled: boolean,
  ) {}

  /**
   * Synchronous on purpose: measured on the 2-core machine, one `writeSync` per
   * network chunk costs less CPU and wall time than queueing the writes on the
   * thread pool (which the fsyncs need).
   */
  write(chunk: Uint8Array): void {
    let offset = 0;
    try {
      // writeSync may write less than asked (POSIX); loop until all of it is written.
      while (offset < chunk.length) {
        offset += fs.writeSync(this.fd, chunk, offset, chunk.length - offset);
      }
    } catch (error) {
      throw storageError("write", this.finalPath, error);
    }
    this.bytesWritten += chunk.length;
    if (this.writebackError) throw storageError("write", this.finalPath, this.writebackError);
    if (
      this.fsyncEnabled &&
      this.writeback === null &&
      this.bytesWritten - this.flushedUpTo >= WRITEBACK_STEP_BYTES
    ) {
      this.startWriteback();
    }
  }

  private startWriteback(): void {
    this.flushedUpTo = this.bytesWritten;
    this.writeback = new Promise<void>((resolve) =>
      fs.fdatasync(this.fd, (error) => {
        if (error) this.writebackError ??= error;
        this.writeback = null;
        resolve();
      }),
    );
  }

  /** Waits for the background flush (never rejects; its error is kept in `writebackError`). */
  private async settleWriteback(): Promise<void> {
    while (this.writeback) await this.writeback;
  }

  async commit(options: { mtime?: Date } = {}): Promise<void> {
    if (this.finished) throw new StorageError(`${this.finalPath}: staged file already finished`);
    try {
      // Through the descriptor and before the fsync, so the fsync covers the mtime too.
      if (options.mtime) fs.futimesSync(this.fd, options.mtime, options.mtime);
      await this.settleWriteback();
      if (this.writebackError) throw this.writebackError;
      if (this.fsyncEnabled) await fsyncFd(this.fd);
      this.close();
      await rename(this.tempPath, this.finalPath);
    } catch (error) {
      await this.abort();
      throw storageError("publish", this.finalPath, error);
    }
    this.finished = true;
    this.storage.temporaryDone(this.tempPath);
    this.storage.noteDirectoryChanged(path.dirname(this.finalPath));
  }

  async abort(): Promise<void> {
    // Never close a descriptor another thread is still flushing (its number could be reused).
    await this.settleWriteback();
    this.close();
    if (this.finished) return;
    this.finished = true;
    fs.rmSync(this.tempPath, { force: true });
    this.storage.temporaryDone(this.tempPath);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }
}

/*
 * Metadata calls (create, mkdir, rename) go through the thread pool: on a busy
 * ext4 each can wait for a journal commit, and on the main thread that wait
 * stalls every other download; on the pool they overlap.
 */

/** Creates a file that must not exist yet (`O_EXCL`), for writing; resolves to its descriptor. */
function openNewFile(filePath: string): Promise<number> {
  return new Promise((resolve, reject) =>
    fs.open(filePath, "wx", FILE_MODE, (error, fd) => (error ? reject(error) : resolve(fd))),
  );
}

/** `mkdir -p`; resolves to the first directory it created (undefined when all existed). */
function makeDirectories(directory: string): Promise<string | undefined> {
  return new Promise((resolve, reject) =>
    fs.mkdir(directory, { recursive: true }, (error, first) => (error ? reject(error) : resolve(first))),
  );
}

function rename(from: string, to: string): Promise<void> {
  return new Promise((resolve, reject) =>
    fs.rename(from, to, (error) => (error ? reject(error) : resolve())),
  );
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fsync(fd, (error) => (error ? reject(error) : resolve())));
}

async function fsyncPath(directory: string): Promise<void> {
  let fd: number;
  try {
    fd = fs.openSync(directory, "r");
  } catch (error) {
    if (isMissing(error)) return;
    throw storageError("open", directory, error);
  }
  try {
    await fsyncFd(fd);
  } catch (error) {
    throw storageError("fsync", directory, error);
  } finally {
    fs.closeSync(fd);
  }
}
