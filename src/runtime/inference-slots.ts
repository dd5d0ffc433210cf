// A counting semaphore for model calls: at most `--max-inflight` requests are at the backend at once. Only model
// calls hold a slot; an item waiting on a tool holds none.
export class InferenceSlots {
  private inUse = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error(`max in-flight requests must be at least 1, got ${capacity}`);
  }

  get busy(): number {
    return this.inUse;
  }

  async acquire(): Promise<void> {
    if (this.inUse < this.capacity) {
      this.inUse++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inUse--;
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await call();
    } finally {
      this.release();
    }
  }
}
