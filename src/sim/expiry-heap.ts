// A binary min-heap of values by expiry time: the prefix cache's pins, released when their time has come.

export class ExpiryHeap<T> {
  private readonly times: number[] = [];
  private readonly values: T[] = [];

  get size(): number {
    return this.times.length;
  }

  push(time: number, value: T): void {
    let i = this.times.length;
    this.times.push(time);
    this.values.push(value);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.times[parent] <= time) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** The value with the earliest time, removed, when that time is <= now; else undefined. */
  popDue(now: number): T | undefined {
    if (this.times.length === 0 || this.times[0] > now) return undefined;
    const value = this.values[0];
    const last = this.times.length - 1;
    this.swap(0, last);
    this.times.pop();
    this.values.pop();
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let least = i;
      if (l < this.times.length && this.times[l] < this.times[least]) least = l;
      if (r < this.times.length && this.times[r] < this.times[least]) least = r;
      if (least === i) break;
      this.swap(i, least);
      i = least;
    }
    return value;
  }

  clear(): void {
    this.times.length = 0;
    this.values.length = 0;
  }

  private swap(a: number, b: number): void {
    [this.times[a], this.times[b]] = [this.times[b], this.times[a]];
    [this.values[a], this.values[b]] = [this.values[b], this.values[a]];
  }
}
