import { describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LockHeldError } from "../../src/errors.ts";
import { acquireMirrorLock } from "../../src/state/lock.ts";

const LOCK_MODULE = path.resolve(import.meta.dir, "../../src/state/lock.ts");

/** Starts a child process that takes the lock and holds it until killed; resolves once it holds it. */
async function holdInChild(directory: string) {
  const child = Bun.spawn(
    [
      process.execPath,
      "-e",
      `const { acquireMirrorLock } = await import(${JSON.stringify(LOCK_MODULE)}); await acquireMirrorLock(${JSON.stringify(directory)}); console.log("held"); await Bun.sleep(60000);`,
    ],
    { stdout: "pipe", stderr: "inherit" },
  );
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  expect(new TextDecoder().decode(value)).toContain("held");
  return child;
}

describe("mirror lock", () => {
  test("a second holder is refused with the first holder's PID; after the holder is killed the lock is taken over", async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "bunsnatch-lock-"));
    try {
      const child = await holdInChild(directory);
      const error = await acquireMirrorLock(directory).catch((caught) => caught);
      expect(error).toBeInstanceOf(LockHeldError);
      expect(error.message).toContain(`PID ${child.pid}`);
      expect(error.exitCode).toBe(3);
      child.kill("SIGKILL");
      await child.exited;
      const lock = await acquireMirrorLock(directory);
      expect(fs.readFileSync(lock.path, "utf8").trim()).toBe(String(process.pid));
      lock.release();
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});
