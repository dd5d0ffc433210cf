// Admission control from the engine's KV cache usage (the `admission` annotation, -O3): an item's first model request
// waits while the engine's KV usage (`kvCache()`: `vllm:kv_cache_usage_perc`, or the simulator's), plus what the
// items started since that reading will take, is at or above the limit, so the running items keep room to finish
// their turns instead of being preempted. An item always starts when no started item is still running (nothing else
// would free the cache), and when the engine reports no usage.
import { admissionAnnotation, type Admission } from "../ir/annotations/admission.js";
import type { Workflow } from "../ir/workflow.js";
import type { ModelBackend } from "./backend.js";

/** How often the usage is read again while items wait, real ms. */
const POLL_MS = 5;
/** Items started per reading when the engine does not say its capacity. */
const BURST_WITHOUT_CAPACITY = 8;

export class KvAdmission {
  private started = 0;
  private sinceReading = 0;
  private reading?: { at: number; usage: number; capacityTokens?: number };

  constructor(
    private readonly backend: Required<Pick<ModelBackend, "kvCache">>,
    private readonly limit: Admission,
    /** Items finished so far in the run. */
    private readonly finished: () => number,
  ) {}

  /** Resolves when a new item may send its first request. */
  async admit(): Promise<void> {
    for (;;) {
      const reading = await this.read();
      if (!reading || this.started - this.finished() <= 0 || this.hasRoom(reading)) {
        this.started++;
        this.sinceReading++;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  private hasRoom(reading: { usage: number; capacityTokens?: number }): boolean {
    if (!reading.capacityTokens)
      return reading.usage < this.limit.maxUsage && this.sinceReading < BURST_WITHOUT_CAPACITY;
    const projected = reading.usage + (this.sinceReading * this.limit.itemTokens) / reading.capacityTokens;
    return projected < this.limit.maxUsage;
  }

  private async read(): Promise<{ usage: number; capacityTokens?: number } | undefined> {
    const now = performance.now();
    if (this.reading && now - this.reading.at < POLL_MS) return this.reading;
    const value = await this.backend.kvCache();
    if (!value) return undefined;
    this.reading = { at: now, ...value };
    this.sinceReading = 0;
    return this.reading;
  }
}

/** The run's admission control: when the entry node has an `admission` annotation and the backend reports KV usage. */
export function kvAdmissionFor(
  workflow: Workflow,
  backend: ModelBackend,
  finished: () => number,
): KvAdmission | undefined {
  const graph = workflow.mainGraph;
  const limit = graph.annotations.get(admissionAnnotation, graph.entry);
  if (!limit || !backend.kvCache) return undefined;
  return new KvAdmission({ kvCache: () => backend.kvCache!() }, limit, finished);
}
