/**
 * The mirror lock: `flock(2)` on `<directory>/.lock`, held for the whole run.
 * The kernel releases it when the holder dies (even `kill -9`), so a dead
 * holder's lock is taken over without any stale-PID guessing. The holder's PID
 * is written into the file so the second run can name it.
 */

import { dlopen, FFIType } from "bun:ffi";
import * as fs from "node:fs";
import * as path from "node:path";
import { LockHeldError, StorageError } from "../errors.ts";
import { storageError } from "../storage/filesystem.ts";

const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;

type FlockFn = (fd: number, operation: number) => number;
let flockFn: FlockFn | undefined;

function flock(): FlockFn {
  if (!flockFn) {
    const libc = dlopen(process.platform === "darwin" ? "libc.dylib" : "libc.so.6", {
      flock: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 },
    });
    flockFn = libc.symbols.flock as FlockFn;
  }
  return flockFn;
}

export interface MirrorLock {
  readonly path: string;
  release(): void;
}

/**
 * Takes the exclusive lock on `<directory>/.lock` without waiting, or with
 * `waitSeconds` polls until it is free.
 *
 * @throws LockHeldError naming the holder's PID when another process holds it.
 */
export async function acquireMirrorLock(
  directory: string,
  options: { waitSeconds?: number } = {},
): Promise<MirrorLock> {
  const lockPath = path.join(directory, ".lock");
  let fd: number;
  try {
    fs.mkdirSync(directory, { recursive: true });
    fd = fs.openSync(lockPath, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
  } catch (error) {
    throw storageError("open the lock file", lockPath, error);
  }
  const deadline = Date.now() + (options.waitSeconds ?? 0) * 1000;
  while (flock()(fd, LOCK_EX | LOCK_NB) !== 0) {
    if (Date.now() >= deadline) {
      const holder = readHolder(lockPath);
      fs.closeSync(fd);
      throw new LockHeldError(
        `another bunsnatch (${holder ? `PID ${holder}` : "unknown PID"}) is working on ${directory} (lock ${lockPath}); try again when it has finished`,
      );
    }
    await Bun.sleep(200);
  }
  try {
    fs.ftruncateSync(fd, 0);
    fs.writeSync(fd, `${process.pid}\n`, 0);
  } catch (error) {
    fs.closeSync(fd);
    throw new StorageError(`cannot write the lock file ${lockPath}: ${String(error)}`);
  }
  let released = false;
  return {
    path: lockPath,
    release() {
      if (released) return;
      released = true;
      flock()(fd, LOCK_UN);
      fs.closeSync(fd);
    },
  };
}

function readHolder(lockPath: string): string | undefined {
  try {
    const text = fs.readFileSync(lockPath, "utf8").trim();
    return /^\d+$/.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}
