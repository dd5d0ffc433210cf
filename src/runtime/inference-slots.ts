// A counting semaphore for model calls: at most `--max-inflight` requests are at the backend at once. Only model
// calls hold a slot; an item waiting on a tool holds none. Kept instead of p-limit: a free slot is taken without a
// queue hop, and each wait queue is a FIFO with a moving head (Array#shift is linear in the queue's length, which
// made a burst of 200,000 waiters quadratic); README's dependency table has the measurements.
// A waiter may carry a priority (-O3's remaining-work priority: an item's continuing turn over a new item's first):
// a freed slot goes to the highest priority's longest waiter. Without priorities there is one queue, first in first
// out. A slot may also be reserved for a key (-O3's tool-wait retention: an item whose answer called a tool keeps a
// slot for its next turn): requests without a reservation take a slot only while the reserved ones stay free, and
// the key's next request claims its reservation and goes before every other waiter. A reservation not claimed in
// time lapses, so an item that never comes back cannot keep a slot.

/** Waiters of one priority, first in first out. */
class WaitQueue {
  private readonly waiting: ((() => void) | undefined)[] = [];
  /** Index of the next waiter in `waiting`; entries before it have been woken. */
  private head = 0;

  get size(): number {
    return this.waiting.length - this.head;
  }

  push(wake: () => void): void {
    this.waiting.push(wake);
  }

  /** The longest waiter, removed from the queue (the queue must not be empty). */
  shift(): () => void {
    const next = this.waiting[this.head]!;
    this.waiting[this.head++] = undefined;
    if (this.head === this.waiting.length) {
      this.waiting.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
    return next;
  }
}

interface Reservation {
  /** When it lapses (performance.now() ms). */
  until: number;
  /** The share of a slot it keeps from requests without a reservation. */
  share: number;
}

export class InferenceSlots {
  private inUse = 0;
  private waiters = 0;
  /** Wait queues by priority; `priorities` lists the keys highest first (there are few). */
  private readonly queues = new Map<number, WaitQueue>();
  private priorities: number[] = [];
  /** Reservations not yet claimed, by key, and the slots they keep together. */
  private readonly reserved = new Map<string, Reservation>();
  private reservedShare = 0;
  private nextLapse = Infinity;
  private lapseTimer?: NodeJS.Timeout;
  /** Requests that claimed a reservation and wait for a slot (served before every other waiter). */
  private readonly claimed = new WaitQueue();

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error(`max in-flight requests must be at least 1, got ${capacity}`);
  }

  get busy(): number {
    return this.inUse;
  }

  /** Requests waiting for a slot. */
  get pending(): number {
    return this.waiters + this.claimed.size;
  }

  /** Reservations not yet claimed. */
  get reservations(): number {
    this.lapse();
    return this.reserved.size;
  }

  /**
   * Keeps `share` (0..1] of a slot for `key`'s next request, for at most `forMs`: requests without a reservation
   * leave the reservations' shares, rounded up, free.
   */
  reserve(key: string, forMs: number, share = 1): void {
    this.drop(key);
    const until = performance.now() + forMs;
    const kept = Math.min(1, Math.max(0, share));
    this.reserved.set(key, { until, share: kept });
    this.reservedShare += kept;
    this.nextLapse = Math.min(this.nextLapse, until);
  }

  /** Drops `key`'s reservation, if any (its item finished). */
  cancel(key: string): void {
    if (this.drop(key)) this.dispatch();
  }

  /**
   * Takes a slot, waiting behind every waiter of the same or a higher priority (higher goes first); `key`'s
   * reservation, if it holds one, lets it go before every other waiter and use a reserved slot.
   */
  async acquire(priority = 0, key?: string): Promise<void> {
    const claims = key !== undefined && this.drop(key);
    if (claims ? this.claimed.size === 0 && this.inUse < this.capacity : this.waiters === 0 && this.hasFreeSlot()) {
      this.inUse++;
      return;
    }
    await new Promise<void>((resolve) => {
      if (claims) this.claimed.push(resolve);
      else {
        this.queueFor(priority).push(resolve);
        this.wakeOnLapse();
      }
    });
  }

  /** Hands the slot to the next waiter that may have it, or frees it. */
  release(): void {
    this.inUse--;
    this.dispatch();
  }

  async run<T>(call: () => Promise<T>, priority = 0, key?: string): Promise<T> {
    await this.acquire(priority, key);
    try {
      return await call();
    } finally {
      this.release();
    }
  }

  private drop(key: string): boolean {
    const reservation = this.reserved.get(key);
    if (!reservation) return false;
    this.reserved.delete(key);
    this.reservedShare = this.reserved.size === 0 ? 0 : this.reservedShare - reservation.share;
    return true;
  }

  /** A slot that no reservation keeps is free. */
  private hasFreeSlot(): boolean {
    this.lapse();
    return this.inUse + Math.ceil(this.reservedShare - 1e-9) < this.capacity;
  }

  /** Wakes waiters while slots are free for them: claimed reservations first, then by priority. */
  private dispatch(): void {
    while (this.claimed.size > 0 && this.inUse < this.capacity) {
      this.inUse++;
      this.claimed.shift()();
    }
    while (this.waiters > 0 && this.hasFreeSlot()) {
      const queue = this.queues.get(this.priorities[0])!;
      const next = queue.shift();
      this.waiters--;
      if (queue.size === 0) {
        this.queues.delete(this.priorities[0]);
        this.priorities = this.priorities.slice(1);
      }
      this.inUse++;
      next();
    }
    this.wakeOnLapse();
  }

  /** Waiters kept out by reservations alone get the slots when those lapse, even if no request ends before. */
  private wakeOnLapse(): void {
    if (this.waiters === 0 && this.lapseTimer) {
      clearTimeout(this.lapseTimer);
      this.lapseTimer = undefined;
    }
    if (this.waiters > 0 && this.reserved.size > 0 && !this.lapseTimer && this.nextLapse < Infinity) {
      this.lapseTimer = setTimeout(
        () => {
          this.lapseTimer = undefined;
          this.dispatch();
        },
        Math.max(0, this.nextLapse - performance.now()),
      );
    }
  }

  /** Drops the reservations whose time ran out. */
  private lapse(): void {
    const now = performance.now();
    if (now < this.nextLapse) return;
    this.nextLapse = Infinity;
    for (const [key, reservation] of this.reserved) {
      if (reservation.until <= now) this.drop(key);
      else this.nextLapse = Math.min(this.nextLapse, reservation.until);
    }
  }

  private queueFor(priority: number): WaitQueue {
    this.waiters++;
    let queue = this.queues.get(priority);
    if (!queue) {
      this.queues.set(priority, (queue = new WaitQueue()));
      this.priorities = [...this.priorities, priority].sort((a, b) => b - a);
    }
    return queue;
  }
}
