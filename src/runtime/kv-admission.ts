// Admission control from the engine's KV cache (the `admission` annotation, -O3): an item's first model request
// waits while the engine has more than a few requests queued (`vllm:num_requests_waiting`: more would only queue
// behind them and crowd the cache), or while its KV usage (`vllm:kv_cache_usage_perc`, or the simulator's), plus the KV of the items
// started since that reading, is at or above `maxUsage`. An item's KV is the annotation's estimate until items have
// finished, then what finished items used on average (their uncached prompt tokens and answers) plus a partial block
// per request; without the engine's capacity, a few items go per reading. An item always starts when no started
// item is still running (nothing else would free the cache), and when the engine reports nothing.
import { admissionAnnotation, type Admission } from "../ir/annotations/admission.js";
import type { Workflow } from "../ir/workflow.js";
import type { KvCacheReading } from "./backend.js";
import type { KvReadings } from "./kv-readings.js";
import type { RunStats } from "./run-stats.js";

/** How often the usage is read again while items wait, real ms. */
const POLL_MS = 5;
/** Items started per reading when the engine does not say its capacity. */
const BURST_WITHOUT_CAPACITY = 8;
/** Requests the engine may queue before new items wait: a short queue keeps its batch full, a long one is pressure. */
const WAITING_LIMIT = 16;
/** Finished items needed before their measured KV replaces the estimate. */
const MEASURED_AFTER = 8;
/** Tokens added per item for partial KV blocks (vLLM's block size). */
const PARTIAL_BLOCK_TOKENS = 16;

export class KvAdmission {
  private started = 0;
  private sinceReading = 0;
  private reading?: KvCacheReading;

  constructor(
    private readonly readings: KvReadings,
    private readonly limit: Admission,
    /** What the run's requests used. */
    private readonly stats: Pick<RunStats, "usage" | "modelRequests">,
    /** Items finished so far in the run. */
    private readonly finished: () => number,
  ) {}

  /** Resolves when a new item may send its first request. */
  async admit(): Promise<void> {
    for (;;) {
      const reading = await this.read();
      const running = this.started - this.finished();
      if (!reading || running <= 0 || this.hasRoom(reading)) {
        this.started++;
        this.sinceReading++;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** KV tokens one item holds: measured from finished items once there are enough, else the annotation's. */
  itemTokens(): number {
    const finished = this.finished();
    if (finished < MEASURED_AFTER) return this.limit.itemTokens;
    const { promptTokens, cachedTokens, completionTokens } = this.stats.usage;
    const perItem = (promptTokens - cachedTokens + completionTokens) / finished;
    return perItem + (PARTIAL_BLOCK_TOKENS * this.stats.modelRequests) / Math.max(1, this.started);
  }

  private hasRoom(reading: KvCacheReading): boolean {
    if ((reading.waiting ?? 0) > WAITING_LIMIT) return false;
    if (!reading.capacityTokens)
      return reading.usage < this.limit.maxUsage && this.sinceReading < BURST_WITHOUT_CAPACITY;
    const projected = reading.usage + ((this.sinceReading + 1) * this.itemTokens()) / reading.capacityTokens;
    return projected <= this.limit.maxUsage;
  }
  /** A reading at most POLL_MS old; the items started since it count on top of its usage. */
  private async read(): Promise<KvCacheReading | undefined> {
    const reading = await this.readings.recent(POLL_MS);
    if (reading && reading !== this.reading) {
      this.reading = reading;
      this.sinceReading = 0;
    }
    return reading;
  }
}

/** The run's admission control: when the entry node has an `admission` annotation and the backend reports KV usage. */
export function kvAdmissionFor(
  workflow: Workflow,
  readings: KvReadings | undefined,
  stats: RunStats,
  finished: () => number,
): KvAdmission | undefined {
  const graph = workflow.mainGraph;
  const limit = graph.annotations.get(admissionAnnotation, graph.entry);
  if (!limit || !readings) return undefined;
  return new KvAdmission(readings, limit, stats, finished);
}
