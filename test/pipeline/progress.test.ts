import { describe, expect, test } from "bun:test";
import { formatProgress, startProgressLine } from "../../src/pipeline/progress.ts";

const source = (done: number) => ({
  projectsDone: () => done,
  projectsTotal: () => 100,
  files: () => 42,
  bytes: () => 10 * 1024 * 1024,
});

describe("progress line", () => {
  test("shows projects done/total, files, bytes, rate and ETA", () => {
    expect(formatProgress(source(25), 10)).toBe("25/100 projects, 42 files, 10.0 MiB, 1.0 MiB/s, ETA 0m30s");
    expect(formatProgress(source(0), 0)).toBe("0/100 projects, 42 files, 10.0 MiB, 0 B/s, ETA --");
  });

  test.skipIf(process.stderr.isTTY === true)("is never drawn when stderr is not a terminal (cron)", () => {
    const writes: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      writes.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      const line = startProgressLine(source(1), true);
      line.stop();
    } finally {
      process.stderr.write = original;
    }
    expect(writes).toEqual([]);
  });
});
