/**
 * Concurrency limits: a counting semaphore, and one semaphore per key (host).
 */

/** A counting semaphore: at most `limit` holders at once, FIFO waiters. */
export class Semaphore {
  private available: number;
  private readonly waiters: (() => void)[] = [];

  constructor(readonly limit: number) {
    this.available = limit;
  }

  /** Waits for a slot; returns the function that gives it back. */
  async acquire(): Promise<() => void> {
    if (this.available > 0) {
      this.available--;
    } else {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.available++;
    };
  }

  /** Runs `work` while holding a slot. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await work();
    } finally {
      release();
    }
  }

  get inUse(): number {
    return this.limit - this.available;
  }
}

/** One semaphore per key, created on first use. */
export class KeyedSemaphore {
  private readonly semaphores = new Map<string, Semaphore>();

  constructor(private readonly limitPerKey: number) {}

  forKey(key: string): Semaphore {
    let semaphore = this.semaphores.get(key);
    if (!semaphore) {
      semaphore = new Semaphore(this.limitPerKey);
      this.semaphores.set(key, semaphore);
    }
    return semaphore;
  }
}
