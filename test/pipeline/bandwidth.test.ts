import { describe, expect, test } from "bun:test";
import { TokenBucket } from "../../src/pipeline/bandwidth.ts";
import { createFixture } from "../e2e/harness.ts";

describe("max-bandwidth token bucket", () => {
  test("consumption beyond the burst waits exactly as long as the rate requires", async () => {
    let now = 0;
    const slept: number[] = [];
    const bucket = new TokenBucket(
      1_000_000,
      () => now,
      async (ms) => {
        slept.push(ms);
        now += ms;
      },
    );
    // The burst is a quarter second's worth (250,000 bytes): the first 250 kB pass at once.
    await bucket.consume(250_000);
    expect(slept).toEqual([]);
    // 1 MB more at 1 MB/s: one second of waiting in all, however it is split.
    for (let chunk = 0; chunk < 10; chunk++) await bucket.consume(100_000);
    expect(now).toBeGreaterThanOrEqual(1000);
    expect(now).toBeLessThanOrEqual(1010);
  });

  test("through the CLI: a 1 MiB file under max-bandwidth = 512K takes about two seconds", async () => {
    const fixture = await createFixture({ upstream: { projects: 0 }, mirror: "max-bandwidth = 512K" });
    try {
      await fixture.upstream.addProject({
        name: "throttled",
        releases: [{ version: "1.0", files: [{ filename: "throttled-1.0.tar.gz", size: 1024 * 1024 }] }],
      });
      const started = performance.now();
      const result = await fixture.run(["mirror"]);
      const seconds = (performance.now() - started) / 1000;
      expect(result.code).toBe(0);
      // 1 MiB minus the 128 KiB burst at 512 KiB/s: at least 1.75 s.
      expect(seconds).toBeGreaterThanOrEqual(1.7);
    } finally {
      await fixture.close();
    }
  });
});
