// A counting semaphore for model calls: at most `--max-inflight` requests are at the backend at once. Only model
// calls hold a slot; an item waiting on a tool holds none. Kept instead of p-limit: a free slot is taken without a
// queue hop, and the wait queue is a FIFO with a moving head (Array#shift is linear in the queue's length, which made
// a burst of 200,000 waiters quadratic); README's dependency table has the measurements.
export class InferenceSlots {
  private inUse = 0;
  private readonly waiting: ((() => void) | undefined)[] = [];
  /** Index of the next waiter in `waiting`; entries before it have been woken. */
  private head = 0;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error(`max in-flight requests must be at least 1, got ${capacity}`);
  }

  get busy(): number {
    return this.inUse;
  }

  /** Requests waiting for a slot. */
  get pending(): number {
    return this.waiting.length - this.head;
  }

  async acquire(): Promise<void> {
    if (this.inUse < this.capacity) {
      this.inUse++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Hands the slot to the longest waiter, or frees it. */
  release(): void {
    if (this.head === this.waiting.length) {
      this.inUse--;
      return;
    }
    const next = this.waiting[this.head]!;
    this.waiting[this.head++] = undefined;
    if (this.head === this.waiting.length) {
      this.waiting.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
    next();
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
