/**
 * Runs at most `limit` tasks at once; the others wait their turn in arrival order. Used to keep
 * deliberately CPU-heavy work (password hashing) from taking every core of the process.
 */
export class Bulkhead {
  private running = 0;
  private limit = 1;
  private readonly waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.resize(limit);
  }

  /** How many tasks are waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  resize(limit: number): void {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`bulkhead limit ${limit} < 1`);
    this.limit = limit;
    while (this.running < this.limit && this.waiting.length > 0) {
      this.running++;
      this.waiting.shift()?.();
    }
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < this.limit) {
      this.running++;
      return Promise.resolve();
    }
    // The slot is handed over by `release`, which keeps `running` counting it.
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.running <= this.limit ? this.waiting.shift() : undefined;
    if (next) next();
    else this.running--;
  }
}
