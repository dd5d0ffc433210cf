// How a model's requests are batched, from its backend and the workflow's latency budget: self-hosted engines batch
// continuously (`engine`); provider models use the provider's Batch API (`provider-batch`: half price, results within
// 24 h, usually under 1 h) when the budget allows hours, else go out one by one (`realtime`).
import type { BatchMode } from "../ir/annotations/batch.js";
import { formatDuration } from "../util/units.js";
import { describeFamily, type ModelTarget } from "./model-uri.js";

/** Most requests one provider batch may hold (OpenAI: 50,000 per input file; Anthropic: 100,000). */
export const PROVIDER_BATCH_LIMIT: Record<string, number> = { openai: 50_000, anthropic: 100_000 };

export interface ModeChoice {
  mode: BatchMode;
  /** Why, in one sentence. */
  reason: string;
  /** False when the backend cannot batch at all. */
  canBatch: boolean;
}

export function chooseBatchMode(
  target: ModelTarget,
  latencyBudgetMs: number | undefined,
  providerBatchMinBudgetMs: number,
): ModeChoice {
  if (target.batching === "none") {
    return {
      mode: "realtime",
      canBatch: false,
      reason: target.note ?? `${describeFamily(target)} cannot batch requests`,
    };
  }
  if (target.hosting === "self-hosted") {
    const how = target.note ? ` (${target.note})` : "";
    return {
      mode: "engine",
      canBatch: true,
      reason: `${describeFamily(target)} serves it${how}: the engine batches requests continuously and reuses the KV cache of the shared prefix`,
    };
  }
  const provider = describeFamily(target);
  const minimum = formatDuration(providerBatchMinBudgetMs);
  if (latencyBudgetMs !== undefined && latencyBudgetMs >= providerBatchMinBudgetMs) {
    return {
      mode: "provider-batch",
      canBatch: true,
      reason: `the latency budget (${formatDuration(latencyBudgetMs)}) allows the ${provider} Batch API, which answers within 24h (usually under ${minimum}) at half price`,
    };
  }
  return {
    mode: "realtime",
    canBatch: true,
    reason:
      latencyBudgetMs === undefined
        ? `no latency budget is set, so ${provider} is called in realtime (set 'latency_budget: ${minimum}' or more to use its Batch API)`
        : `the latency budget (${formatDuration(latencyBudgetMs)}) is under the ${minimum} a ${provider} batch may take, so it is called in realtime`,
  };
}
