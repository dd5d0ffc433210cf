// A latency histogram with fixed, log-spaced buckets: constant memory however many requests a run makes, and
// percentiles within one bucket's width (each bucket is 25% wider than the one before, from 0.5 ms to about 2.6 h).
// Two histograms merge by adding their counts, which is what a time bucket or a resumed total needs.

/** Upper bound of bucket `i` is `FIRST_BOUND_MS * GROWTH ** i`; the last bucket takes everything above. */
const FIRST_BOUND_MS = 0.5;
const GROWTH = 1.25;
const BUCKETS = 76;

/** A histogram in the run report: sparse `[bucket, count]` pairs and the summary a reader wants first. */
export interface HistogramData {
  count: number;
  meanMs: number;
  maxMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** Bucket `i` holds values up to `firstBoundMs * growth ** i` ms. */
  firstBoundMs: number;
  growth: number;
  buckets: [number, number][];
}

export class LatencyHistogram {
  private readonly counts = new Array<number>(BUCKETS).fill(0);
  count = 0;
  private sumMs = 0;
  maxMs = 0;

  add(ms: number): void {
    const value = Math.max(0, ms);
    const index = value <= FIRST_BOUND_MS ? 0 : Math.ceil(Math.log(value / FIRST_BOUND_MS) / Math.log(GROWTH));
    this.counts[Math.min(BUCKETS - 1, index)]++;
    this.count++;
    this.sumMs += value;
    if (value > this.maxMs) this.maxMs = value;
  }

  /** The value at quantile `q` (0..1): the upper bound of its bucket, never above the largest value seen. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(this.maxMs, FIRST_BOUND_MS * GROWTH ** i);
    }
    return this.maxMs;
  }

  get meanMs(): number {
    return this.count === 0 ? 0 : this.sumMs / this.count;
  }

  toJSON(): HistogramData {
    const round = (ms: number) => Number(ms.toFixed(2));
    return {
      count: this.count,
      meanMs: round(this.meanMs),
      maxMs: round(this.maxMs),
      p50Ms: round(this.quantile(0.5)),
      p95Ms: round(this.quantile(0.95)),
      p99Ms: round(this.quantile(0.99)),
      firstBoundMs: FIRST_BOUND_MS,
      growth: GROWTH,
      buckets: this.counts.flatMap((n, i): [number, number][] => (n > 0 ? [[i, n]] : [])),
    };
  }
}
