/**
 * Retries with exponential backoff and full jitter, for every upstream call
 * (change feed, project pages, file downloads).
 *
 * Only errors that say so are retried: `UpstreamError.retryable` (5xx, 429,
 * resets, timeouts). A `retryAfterSeconds` on the error (HTTP `Retry-After`,
 * or the XML-RPC rate-limit fault) replaces the computed delay.
 */

import { UpstreamError } from "../errors.ts";

/** How often and how patiently to retry. */
export interface RetryPolicy {
  /** Tries in all, the first included (`1` = no retry). */
  attempts: number;
  /** Delay ceiling before the first retry, seconds. */
  baseSeconds: number;
  /** Largest delay ceiling, seconds. */
  capSeconds: number;
  /**
   * Longest `Retry-After` we are willing to wait, seconds. An upstream asking for
   * more makes us give up at once (the caller defers the work to the next run)
   * rather than sleep for an hour inside a cron job or hammer it early.
   */
  maxRetryAfterSeconds: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 3,
  baseSeconds: 1,
  capSeconds: 30,
  maxRetryAfterSeconds: 120,
};

/** What a retry loop needs from the outside world; injectable for tests. */
export interface RetryHooks {
  /** Waits `ms` milliseconds. Default `Bun.sleep`. */
  sleep?: (ms: number) => Promise<void>;
  /** Uniform random in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Whether an error may be retried. Default: `UpstreamError` with `retryable`. */
  isRetryable?: (error: unknown) => boolean;
  /** Called before each sleep (for a log line). `attempt` is the try that just failed, 1-based. */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

/** Default retry predicate: only errors that declare themselves retryable. */
export function isRetryableError(error: unknown): boolean {
  return error instanceof UpstreamError && error.retryable;
}

/**
 * Full-jitter backoff: a uniform delay in `[0, min(cap, base * 2^(attempt-1)))`.
 *
 * @example backoffDelayMs(3, { baseSeconds: 1, capSeconds: 30 }, () => 0.5) // 2000
 */
export function backoffDelayMs(
  attempt: number,
  policy: Pick<RetryPolicy, "baseSeconds" | "capSeconds">,
  random: () => number = Math.random,
): number {
  const ceilingSeconds = Math.min(policy.capSeconds, policy.baseSeconds * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceilingSeconds * 1000);
}

/**
 * Delay before retrying after `error` failed try number `attempt`, or `null`
 * when the error must not be retried (its `Retry-After` exceeds the policy's limit).
 */
export function retryDelayMs(
  error: unknown,
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | null {
  const retryAfter = error instanceof UpstreamError ? error.retryAfterSeconds : undefined;
  if (retryAfter !== undefined && Number.isFinite(retryAfter) && retryAfter >= 0) {
    if (retryAfter > policy.maxRetryAfterSeconds) return null;
    return Math.ceil(retryAfter * 1000);
  }
  return backoffDelayMs(attempt, policy, random);
}

/**
 * Runs `operation` until it succeeds, fails with a non-retryable error, or the
 * attempts are used up; rethrows the last error unchanged.
 *
 * @example
 * const page = await withRetry(() => http.getJson(url), { ...DEFAULT_RETRY_POLICY, attempts: 5 });
 */
export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  hooks: RetryHooks = {},
): Promise<T> {
  const sleep = hooks.sleep ?? ((ms: number) => Bun.sleep(ms));
  const random = hooks.random ?? Math.random;
  const isRetryable = hooks.isRetryable ?? isRetryableError;
  const attempts = Math.max(1, Math.floor(policy.attempts));
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= attempts || !isRetryable(error)) throw error;
      const delayMs = retryDelayMs(error, attempt, policy, random);
      if (delayMs === null) throw error;
      hooks.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs);
    }
  }
}

const DELAY_SECONDS = /^\s*(\d{1,10})\s*$/;

/**
 * Parses an HTTP `Retry-After` value: delay-seconds or an HTTP date.
 * Returns seconds from `nowMs` (never negative), or `undefined` when unparsable.
 *
 * @example parseRetryAfter("120") // 120
 * @example parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", Date.parse("2015-10-21T07:27:00Z")) // 60
 */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const seconds = DELAY_SECONDS.exec(value);
  if (seconds) return Number(seconds[1]);
  if (!/[a-z]/i.test(value)) return undefined;
  const dateMs = Date.parse(value);
  if (Number.isNaN(dateMs)) return undefined;
  return Math.max(0, Math.ceil((dateMs - nowMs) / 1000));
}
