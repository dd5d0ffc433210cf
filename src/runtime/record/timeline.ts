// What happened over a run's time, in buckets of equal width: requests started and in flight, batches flushed,
// provider batches submitted and ended, prompt tokens and the cached share, items finished. The count of buckets
// stays bounded however long the run: when it would pass MAX_BUCKETS, neighbours merge and the width doubles.

const MAX_BUCKETS = 240;
const FIRST_WIDTH_MS = 100;

export interface TimeBucket {
  requestsStarted: number;
  /** Most requests at the backend at once during the bucket. */
  maxInflight: number;
  batchesFlushed: number;
  providerBatchesSubmitted: number;
  providerBatchesEnded: number;
  promptTokens: number;
  cachedTokens: number;
  itemsSucceeded: number;
  itemsFailed: number;
}

export interface TimelineData {
  /** Width of one bucket; bucket `i` starts at `i * bucketMs` after the run started. */
  bucketMs: number;
  buckets: TimeBucket[];
}

const emptyBucket = (): TimeBucket => ({
  requestsStarted: 0,
  maxInflight: 0,
  batchesFlushed: 0,
  providerBatchesSubmitted: 0,
  providerBatchesEnded: 0,
  promptTokens: 0,
  cachedTokens: 0,
  itemsSucceeded: 0,
  itemsFailed: 0,
});

function merge(a: TimeBucket, b: TimeBucket | undefined): TimeBucket {
  if (!b) return a;
  const sum = emptyBucket();
  for (const key of Object.keys(sum) as (keyof TimeBucket)[])
    sum[key] = key === "maxInflight" ? Math.max(a[key], b[key]) : a[key] + b[key];
  return sum;
}

export class Timeline {
  private bucketMs = FIRST_WIDTH_MS;
  private buckets: TimeBucket[] = [];
  /** Requests at the backend now: a bucket opened while they are out starts with them in flight. */
  inflight = 0;

  constructor(
    private readonly startedAt: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The bucket for the present moment (created, and older buckets merged, as needed). */
  current(): TimeBucket {
    const index = Math.floor(Math.max(0, this.now() - this.startedAt) / this.bucketMs);
    if (index >= MAX_BUCKETS) {
      this.coarsen();
      return this.current();
    }
    while (this.buckets.length <= index) this.buckets.push({ ...emptyBucket(), maxInflight: this.inflight });
    return this.buckets[index];
  }

  /** Halves the count of buckets: each pair merges into one twice as wide. */
  private coarsen(): void {
    const merged: TimeBucket[] = [];
    for (let i = 0; i < this.buckets.length; i += 2) merged.push(merge(this.buckets[i], this.buckets[i + 1]));
    this.buckets = merged;
    this.bucketMs *= 2;
  }

  toJSON(): TimelineData {
    this.current();
    return { bucketMs: this.bucketMs, buckets: this.buckets.map((bucket) => ({ ...bucket })) };
  }
}
