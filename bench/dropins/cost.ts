// The bench's price for the simulated model: the simulator's token counts priced as a provider model from the pricing
// table (`--price-as`, default openai://gpt-4.1-mini), with `--pricing FILE` / NEXUS_PRICING overrides as the CLI
// reads them. Two figures per run: realtime with no prompt cache (every prompt token at the input price) and as
// billed with the cache (cached tokens at the cached-input price).
import { parseModelUri } from "../../src/models/model-uri.js";
import { applyPricingOverride, BUILTIN_PRICING, readPricingOverride } from "../../src/pricing/pricing.js";
import { requestCost } from "../../src/pricing/request-cost.js";
import type { SimStats } from "../../src/sim/index.js";

export interface BenchPricing {
  /** Dollars with no cache, and with cached tokens at the cached price. */
  cost(stats: SimStats): { noCache: number; cached: number };
  source: string;
}

export function benchPricing(priceAs: string, pricingFile: string | undefined): BenchPricing {
  const table = pricingFile ? applyPricingOverride(BUILTIN_PRICING, readPricingOverride(pricingFile)) : BUILTIN_PRICING;
  const target = parseModelUri(priceAs);
  const priced = (stats: SimStats) =>
    requestCost(
      target,
      {
        inputTokens: stats.promptTokens,
        cachedTokens: stats.cachedTokens,
        cacheWriteTokens: 0,
        outputTokens: stats.completionTokens,
      },
      table,
    );
  const probe = priced({ promptTokens: 0, cachedTokens: 0, completionTokens: 0 } as SimStats);
  if (probe.basis === "unpriced") throw new Error(probe.priceSource);
  return {
    source: `${priceAs} (${probe.priceSource})`,
    cost(stats) {
      const result = priced(stats);
      if (result.basis === "unpriced") throw new Error(result.priceSource);
      return { noCache: result.usd.realtime, cached: result.usd.realtimeCached };
    },
  };
}

export const usd = (dollars: number) => `$${dollars.toFixed(4)}`;
