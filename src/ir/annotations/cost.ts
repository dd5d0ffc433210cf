// Annotation `cost` (written by cost-estimate on every model-calling node): expected tokens per request and per
// workflow item, and dollars per item in three scenarios: realtime, realtime with prompt caching, and batched with
// caching (a provider Batch API, or an engine's continuous batching). Provider models are priced from the pricing
// table; self-hosted models by GPU time (basis `gpu-time`), since they cost nothing per token at a provider.
import { z } from "zod";
import { defineAnnotation } from "./define.js";
import { formatUsd } from "../../util/units.js";

const tokens = z.number().nonnegative();

export const costEstimateSchema = z.object({
  basis: z.enum(["provider-price", "gpu-time", "unpriced"]),
  /** What the dollars come from: the price entry, or the GPU figures; or why there are none. */
  priceSource: z.string(),
  pricingAsOf: z.string(),
  /** Expected runs of the node per workflow item (branches split evenly, map lists of the assumed length). */
  runsPerItem: z.number().nonnegative(),
  /** Requests per run: 1, or `max_turns` for a tool-use loop (an upper bound). */
  requestsPerRun: z.number().int().positive(),
  perRequest: z.object({ inputTokens: tokens, cachedTokens: tokens, cacheWriteTokens: tokens, outputTokens: tokens }),
  perItem: z.object({ inputTokens: tokens, cachedTokens: tokens, outputTokens: tokens }),
  /** Dollars per workflow item; absent when unpriced. */
  usdPerItem: z.object({ realtime: z.number(), realtimeCached: z.number(), batchCached: z.number() }).optional(),
  assumptions: z.array(z.string()),
});

export type CostEstimate = z.infer<typeof costEstimateSchema>;

function per1k(usd: number): string {
  return formatUsd(usd * 1000);
}

function formatCost(value: CostEstimate): string {
  if (!value.usdPerItem)
    return `cost{unpriced in=${value.perRequest.inputTokens}tok out=${value.perRequest.outputTokens}tok}`;
  const { realtime, realtimeCached, batchCached } = value.usdPerItem;
  const basis = value.basis === "gpu-time" ? " gpu" : "";
  return `cost{per1k${basis} rt=${per1k(realtime)} cached=${per1k(realtimeCached)} batch=${per1k(batchCached)}}`;
}

export const costAnnotation = defineAnnotation("cost", costEstimateSchema, formatCost, explainCost);

function explainCost(value: CostEstimate): string {
  const r = value.perRequest;
  const lines = [
    `per request: ${r.inputTokens} input tokens (${r.cachedTokens} read from cache, ${r.cacheWriteTokens} written), ${r.outputTokens} output tokens`,
    `per item: ${value.runsPerItem} run(s) x ${value.requestsPerRun} request(s): ${value.perItem.inputTokens} input (${value.perItem.cachedTokens} cached), ${value.perItem.outputTokens} output tokens`,
  ];
  if (value.usdPerItem) {
    const u = value.usdPerItem;
    const unit = value.basis === "gpu-time" ? "GPU time" : "provider price";
    lines.push(
      `per 1,000 items (${unit}): realtime ${per1k(u.realtime)}, realtime + prompt cache ${per1k(u.realtimeCached)}, batched + cache ${per1k(u.batchCached)}`,
    );
  }
  lines.push(`priced from: ${value.priceSource} (table as of ${value.pricingAsOf})`);
  if (value.assumptions.length > 0) lines.push(`assuming: ${value.assumptions.join("; ")}`);
  return lines.join("\n");
}
