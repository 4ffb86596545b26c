/**
 * `max-bandwidth`: one token bucket shared by every download, so the sum of
 * all transfers stays under the limit (for mirrors on shared links).
 */

export interface BandwidthLimiter {
  /** Waits until `bytes` may be consumed. */
  consume(bytes: number): Promise<void> | void;
}

/** No limit. */
export const unlimited: BandwidthLimiter = { consume() {} };

/**
 * A token bucket refilled at `bytesPerSecond`, holding at most a quarter of a
 * second's worth (so bursts stay short).
 */
export class TokenBucket implements BandwidthLimiter {
  private tokens: number;
  private last: number;
  private readonly capacity: number;

  constructor(
    private readonly bytesPerSecond: number,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<unknown> = (ms) => Bun.sleep(ms),
  ) {
    this.capacity = Math.max(64 * 1024, bytesPerSecond / 4);
    this.tokens = this.capacity;
    this.last = this.now();
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.bytesPerSecond);
    this.last = now;
  }

  async consume(bytes: number): Promise<void> {
    this.refill();
    this.tokens -= bytes;
    // Debt is allowed (a chunk can be bigger than the bucket); pay it back by waiting.
    while (this.tokens < 0) {
      await this.sleep(Math.ceil((-this.tokens / this.bytesPerSecond) * 1000));
      this.refill();
    }
  }
}

export function bandwidthLimiter(bytesPerSecond: number | null): BandwidthLimiter {
  return bytesPerSecond ? new TokenBucket(bytesPerSecond) : unlimited;
}
