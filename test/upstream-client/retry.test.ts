import { describe, expect, test } from "bun:test";
import { UpstreamError } from "../../src/errors.ts";
import {
  backoffDelayMs,
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  type RetryPolicy,
  retryDelayMs,
  withRetry,
} from "../../src/upstream/retry.ts";

const policy: RetryPolicy = { attempts: 5, baseSeconds: 1, capSeconds: 8, maxRetryAfterSeconds: 60 };

describe("backoffDelayMs", () => {
  test("full jitter grows exponentially up to the cap", () => {
    const top = () => 0.999999;
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelayMs(attempt, policy, top))).toEqual([
      999, 1999, 3999, 7999, 7999, 7999,
    ]);
  });

  test("random 0 gives no delay, 0.5 gives half the ceiling", () => {
    expect(backoffDelayMs(3, policy, () => 0)).toBe(0);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(2000);
  });
});

describe("parseRetryAfter", () => {
  test("delay-seconds", () => {
    expect(parseRetryAfter("120")).toBe(120);
    expect(parseRetryAfter(" 0 ")).toBe(0);
  });

  test("HTTP date, relative to now, never negative", () => {
    const now = Date.parse("2015-10-21T07:27:00Z");
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now)).toBe(60);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", now)).toBe(0);
  });

  test("garbage is undefined", () => {
    for (const value of [null, undefined, "", "-5", "1.5", "soon", "99999999999"]) {
      expect(parseRetryAfter(value)).toBeUndefined();
    }
  });
});

describe("retryDelayMs", () => {
  test("Retry-After replaces the backoff", () => {
    const error = new UpstreamError("x", { retryable: true, retryAfterSeconds: 7 });
    expect(retryDelayMs(error, 1, policy, () => 0)).toBe(7000);
  });

  test("a Retry-After beyond the policy limit means give up", () => {
    const error = new UpstreamError("x", { retryable: true, retryAfterSeconds: 3600 });
    expect(retryDelayMs(error, 1, policy)).toBeNull();
  });
});

describe("withRetry", () => {
  test("retries retryable errors with the computed delays, then succeeds", async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async (attempt) => {
        calls++;
        if (attempt < 3) throw new UpstreamError("HTTP 503", { status: 503, retryable: true });
        return "ok";
      },
      policy,
      { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 },
    );
    expect(result).toBe("ok");
    expect(calls).toBe(3);
    expect(sleeps).toEqual([500, 1000]);
  });

  test("does not retry non-retryable errors", async () => {
    let calls = 0;
    const failing = withRetry(
      async () => {
        calls++;
        throw new UpstreamError("HTTP 404", { status: 404 });
      },
      policy,
      { sleep: async () => {} },
    );
    await expect(failing).rejects.toThrow("HTTP 404");
    expect(calls).toBe(1);
  });

  test("does not retry errors of other types", async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new TypeError("bug");
        },
        policy,
        { sleep: async () => {} },
      ),
    ).rejects.toThrow("bug");
    expect(calls).toBe(1);
  });

  test("gives up after the attempts and rethrows the last error unchanged", async () => {
    const errors: UpstreamError[] = [];
    const retried: number[] = [];
    const failing = withRetry(
      async (attempt) => {
        const error = new UpstreamError(`failure ${attempt}`, { retryable: true });
        errors.push(error);
        throw error;
      },
      { ...policy, attempts: 3 },
      { sleep: async () => {}, onRetry: ({ attempt }) => void retried.push(attempt) },
    );
    const thrown = await failing.catch((error: unknown) => error);
    expect(thrown).toBe(errors[2]!);
    expect(errors).toHaveLength(3);
    expect(retried).toEqual([1, 2]);
  });

  test("honours Retry-After from the error", async () => {
    const sleeps: number[] = [];
    let calls = 0;
    await withRetry(
      async () => {
        if (calls++ === 0)
          throw new UpstreamError("HTTP 429", { status: 429, retryable: true, retryAfterSeconds: 2 });
        return 1;
      },
      policy,
      { sleep: async (ms) => void sleeps.push(ms), random: () => 0 },
    );
    expect(sleeps).toEqual([2000]);
  });

  test("gives up at once when Retry-After is longer than the policy allows", async () => {
    let calls = 0;
    const failing = withRetry(
      async () => {
        calls++;
        throw new UpstreamError("HTTP 429", { status: 429, retryable: true, retryAfterSeconds: 3600 });
      },
      DEFAULT_RETRY_POLICY,
      { sleep: async () => {} },
    );
    await expect(failing).rejects.toThrow("HTTP 429");
    expect(calls).toBe(1);
  });

  test("real sleep waits about the computed time", async () => {
    const started = performance.now();
    let calls = 0;
    await withRetry(
      async () => {
        if (calls++ === 0) throw new UpstreamError("reset", { retryable: true });
        return 1;
      },
      { attempts: 2, baseSeconds: 0.05, capSeconds: 0.05, maxRetryAfterSeconds: 1 },
      { random: () => 0.9999 },
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });
});
