// What the answered requests cost, priced by the pricing table (src/pricing): as billed (the batch discount on top of
// prompt caching; prefix writes sent as realtime calls at full price), next to what the same tokens would have cost
// in realtime with the same caching and without any caching. Anthropic cache writes in batches use the 1-hour TTL,
// priced at 2x base input (the table's `cacheWrite` is the 5-minute rate).
import { parseModelUri } from "../../models/model-uri.js";
import { BUILTIN_PRICING, priceFor, type ModelPrice } from "../../pricing/pricing.js";
import type { ChatResult } from "../../runtime/chat.js";
import type { ProviderName } from "./drivers/driver.js";

export interface BatchCost {
  /** Requests with a price (the others are listed in `unpricedModels`). */
  pricedRequests: number;
  billedUsd: number;
  realtimeCachedUsd: number;
  realtimeUncachedUsd: number;
  savedUsd: number;
  unpricedModels: string[];
}

const MILLION = 1_000_000;

function price(
  provider: ProviderName,
  model: string,
  cache: Map<string, ModelPrice | undefined>,
): ModelPrice | undefined {
  if (provider === "file") return undefined;
  if (!cache.has(model)) cache.set(model, priceFor(BUILTIN_PRICING, parseModelUri(`${provider}://${model}`)));
  return cache.get(model);
}

export function batchCost(
  provider: ProviderName,
  answered: { model: string; tier: "batch" | "realtime"; result: ChatResult }[],
): BatchCost {
  const prices = new Map<string, ModelPrice | undefined>();
  const unpriced = new Set<string>();
  const cost: BatchCost = {
    pricedRequests: 0,
    billedUsd: 0,
    realtimeCachedUsd: 0,
    realtimeUncachedUsd: 0,
    savedUsd: 0,
    unpricedModels: [],
  };
  for (const { model, tier, result } of answered) {
    const p = price(provider, model, prices);
    if (!p) {
      unpriced.add(model);
      continue;
    }
    const { promptTokens, cachedTokens, cacheWriteTokens, completionTokens } = result.usage;
    const writeRate = provider === "anthropic" ? 2 * p.input : p.cacheWrite;
    const uncached = promptTokens - cachedTokens - cacheWriteTokens;
    const cached =
      (uncached * p.input + cachedTokens * p.cachedInput + cacheWriteTokens * writeRate + completionTokens * p.output) /
      MILLION;
    cost.pricedRequests++;
    cost.realtimeCachedUsd += cached;
    cost.realtimeUncachedUsd += (promptTokens * p.input + completionTokens * p.output) / MILLION;
    cost.billedUsd += tier === "batch" ? cached * (1 - p.batchDiscount) : cached;
  }
  cost.savedUsd = cost.realtimeUncachedUsd - cost.billedUsd;
  cost.unpricedModels = [...unpriced];
  for (const key of ["billedUsd", "realtimeCachedUsd", "realtimeUncachedUsd", "savedUsd"] as const)
    cost[key] = Number(cost[key].toFixed(6));
  return cost;
}
