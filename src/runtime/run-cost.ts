// Estimated dollars for a finished run: the tokens each model really used, priced with the pricing table (the
// optimizer's cost model). Cached tokens are priced as cache reads, cache writes as writes; a provider batch backend
// gets the batch discount. Self-hosted models are priced as GPU time. Null when no model could be priced.
import { parseModelUri } from "../models/model-uri.js";
import { requestCost, type RequestCost } from "../pricing/request-cost.js";
import { BUILTIN_PRICING, type PricingTable } from "../pricing/pricing.js";
import type { ChatUsage } from "./chat.js";
import type { RunStats } from "./run-stats.js";

export interface RunCost {
  usd: number;
  /** What realtime calls without prompt caching would have cost for the same tokens. */
  realtimeUsd: number;
  basis: string[];
}

/** The three scenario prices of `usage` tokens of `model` (a model URI as the workflow writes it). */
export function usageCost(model: string, usage: ChatUsage, table: PricingTable = BUILTIN_PRICING): RequestCost {
  return requestCost(
    parseModelUri(model),
    {
      inputTokens: usage.promptTokens,
      cachedTokens: usage.cachedTokens,
      cacheWriteTokens: usage.cacheWriteTokens,
      outputTokens: usage.completionTokens,
    },
    table,
  );
}

/** Prices a node's tokens as the run's total is priced (batch discount on a batch backend); null when unpriced. */
export function usagePricer(
  batchBackend: boolean,
  table: PricingTable = BUILTIN_PRICING,
): (model: string, usage: ChatUsage) => number | null {
  return (model, usage) => {
    const cost = usageCost(model, usage, table);
    if (cost.basis === "unpriced") return null;
    return Number((batchBackend ? cost.usd.batchCached : cost.usd.realtimeCached).toFixed(6));
  };
}

export function estimateRunCost(
  stats: RunStats,
  batchBackend: boolean,
  table: PricingTable = BUILTIN_PRICING,
): RunCost | null {
  let usd = 0;
  let realtimeUsd = 0;
  const basis: string[] = [];
  for (const [model, usage] of stats.usageByModel) {
    const cost = usageCost(model, usage, table);
    if (cost.basis === "unpriced") continue;
    usd += batchBackend ? cost.usd.batchCached : cost.usd.realtimeCached;
    realtimeUsd += cost.usd.realtime;
    basis.push(`${model}: ${cost.basis}`);
  }
  return basis.length ? { usd, realtimeUsd, basis } : null;
}
