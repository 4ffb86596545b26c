/**
 * The one storage interface every layer above writes through. Paths are
 * relative to the mirror directory, `/`-separated (`web/simple/foo/index.html`,
 * `status`). Backends refuse any path that would leave the mirror directory.
 */

export interface FileStat {
  size: number;
  /** Modification time in milliseconds since the epoch (fractional allowed). */
  mtimeMs: number;
}

/** A file being written under a temporary name; invisible under `path` until `commit`. */
export interface StagedFile {
  /** Appends bytes. Rejects on any write error (ENOSPC...) as a StorageError. */
  write(chunk: Uint8Array): Promise<void> | void;
  /** Bytes written so far. */
  readonly bytesWritten: number;
  /**
   * Makes the file durable and visible under its final path, atomically replacing
   * any previous file there; then stamps `mtime` when given.
   */
  commit(options?: { mtime?: Date }): Promise<void>;
  /** Discards the temporary file. Safe to call more than once, and after a failed commit. */
  abort(): Promise<void>;
}

export interface Storage {
  /** Human-readable location, e.g. the directory path; used in messages. */
  readonly location: string;
  /** Starts a staged write of `path` (parent directories are created). */
  stage(path: string): Promise<StagedFile>;
  /** Writes `data` to `path` atomically (temp name + rename). */
  writeAtomic(path: string, data: string | Uint8Array): Promise<void>;
  /** Whole file as bytes, or null when it does not exist. */
  readBytes(path: string): Promise<Uint8Array | null>;
  /** Whole file as UTF-8 text, or null when it does not exist. */
  readText(path: string): Promise<string | null>;
  /** Size and mtime, or null when it does not exist (or is not a regular file). */
  stat(path: string): Promise<FileStat | null>;
  /** Sets the modification time. */
  setMtime(path: string, mtime: Date): Promise<void>;
  /** Deletes a file; returns false when it was not there. Removes directories left empty up to `web/packages`. */
  deleteFile(path: string): Promise<boolean>;
  /** Deletes a directory tree; returns false when it was not there. */
  deleteTree(path: string): Promise<boolean>;
  /** Streams a file's bytes into `onChunk` (for hashing); false when missing. */
  readChunks(path: string, onChunk: (chunk: Uint8Array) => void): Promise<boolean>;
  /** Names of the entries directly under a directory (empty when missing). */
  listDirectory(path: string): Promise<{ name: string; isDirectory: boolean }[]>;
  /** Every regular file under a directory, recursively, as relative paths. */
  walkFiles(path: string): AsyncIterable<string>;
  /** Makes a directory (and parents). */
  ensureDirectory(path: string): Promise<void>;
  /** Points `path` at `target` (a path relative to the mirror directory); used by keep_index_versions. */
  link(path: string, target: string): Promise<void>;
  /**
   * Appends text to a file, creating it when missing (used for the `deletions.log` audit
   * trail). Optional: without it callers rewrite the whole file atomically.
   */
  appendText?(path: string, text: string): Promise<void>;
  /** Makes every publish so far durable (directory entries included). */
  flush(): Promise<void>;
}

/** Temporary-file names: start with a dot and end in `.part`, so no client or listing mistakes them for served files. */
export const TEMP_SUFFIX = ".part";

export function isTemporaryName(name: string): boolean {
  return name.startsWith(".") && name.endsWith(TEMP_SUFFIX);
}
