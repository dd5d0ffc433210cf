// The engine's KV cache readings (ModelBackend.kvCache, e.g. `vllm:kv_cache_usage_perc` from `/metrics`), shared by
// the -O3 parts of the runtime that look at them: admission control waits for a recent one (kv-admission.ts);
// tool-wait retention takes the latest without waiting (workflow-scheduling.ts). One read goes at a time.
import type { KvCacheReading } from "./backend.js";

/** A reading and when it was taken (real ms, `performance.now()`). */
export interface TimedKvReading extends KvCacheReading {
  at: number;
}

export class KvReadings {
  private last?: TimedKvReading;
  private reading?: Promise<TimedKvReading | undefined>;

  constructor(private readonly read: () => Promise<KvCacheReading | undefined>) {}

  /** A reading at most `maxAgeMs` old, read now when the last one is older; undefined when the engine says nothing. */
  async recent(maxAgeMs: number): Promise<TimedKvReading | undefined> {
    if (this.last && performance.now() - this.last.at < maxAgeMs) return this.last;
    return (this.reading ??= this.readNow());
  }

  /** The last reading without waiting (undefined before the first); a new one is read when it is older than `maxAgeMs`. */
  latest(maxAgeMs: number): TimedKvReading | undefined {
    if (!this.last || performance.now() - this.last.at >= maxAgeMs) this.recent(maxAgeMs).catch(() => undefined);
    return this.last;
  }

  private async readNow(): Promise<TimedKvReading | undefined> {
    try {
      const value = await this.read();
      if (!value) return undefined;
      this.last = { ...value, at: performance.now() };
      return this.last;
    } finally {
      this.reading = undefined;
    }
  }
}
