// The cost of one request in three scenarios (realtime, realtime with prompt caching, batched with caching), from its
// token counts and the pricing table. Provider models: dollars per token, cache reads and writes at their own rates,
// the batch discount on top. Self-hosted models: GPU time (prefill at the prefill rate, cached tokens free, decode at
// single-sequence speed in realtime and at the batched aggregate rate in an engine batch) at the GPU's hourly price.
import type { ModelTarget } from "../models/model-uri.js";
import { engineSizeFor, priceFor, type PricingTable } from "./pricing.js";

export interface RequestTokens {
  inputTokens: number;
  /** Prefix tokens read from cache (in the cached scenarios). */
  cachedTokens: number;
  /** Prefix tokens written to cache (the misses). */
  cacheWriteTokens: number;
  outputTokens: number;
}

export interface ScenarioCosts {
  realtime: number;
  realtimeCached: number;
  batchCached: number;
}

export type RequestCost =
  | { basis: "provider-price" | "gpu-time"; priceSource: string; usd: ScenarioCosts }
  | { basis: "unpriced"; priceSource: string };

const MILLION = 1_000_000;

export function requestCost(target: ModelTarget, tokens: RequestTokens, table: PricingTable): RequestCost {
  const { inputTokens, cachedTokens, cacheWriteTokens, outputTokens } = tokens;
  if (target.hosting === "provider") {
    const price = priceFor(table, target);
    if (!price)
      return {
        basis: "unpriced",
        priceSource: `no price for ${target.family} '${target.name}' in the pricing table; add one with --pricing`,
      };
    const uncached = inputTokens - cachedTokens - cacheWriteTokens;
    const realtime = (inputTokens * price.input + outputTokens * price.output) / MILLION;
    const realtimeCached =
      (uncached * price.input +
        cachedTokens * price.cachedInput +
        cacheWriteTokens * price.cacheWrite +
        outputTokens * price.output) /
      MILLION;
    return {
      basis: "provider-price",
      priceSource: `${price.provider} ${price.model}: $${price.input} in, $${price.cachedInput} cached, $${price.cacheWrite} cache write, $${price.output} out per Mtok, ${price.batchDiscount * 100}% batch discount`,
      usd: { realtime, realtimeCached, batchCached: realtimeCached * (1 - price.batchDiscount) },
    };
  }
  if (target.hosting === "unknown") return { basis: "unpriced", priceSource: `unknown backend '${target.scheme}://'` };
  const { size, paramsB, assumed } = engineSizeFor(table, target.name);
  const { gpu, gpuHourUsd } = table.selfHosted;
  const gpuSeconds = (prefilled: number, decodeRate: number) =>
    size.gpus * (prefilled / size.prefillTokensPerSec + outputTokens / decodeRate);
  const usd = (seconds: number) => (seconds / 3600) * gpuHourUsd;
  return {
    basis: "gpu-time",
    priceSource: `${size.gpus}x ${gpu} at $${gpuHourUsd}/h for a ${paramsB}B model${assumed ? " (size not in the name: assumed)" : ""}: prefill ${size.prefillTokensPerSec} tok/s, decode ${size.decodeTokensPerSecSingle} tok/s alone, ${size.decodeTokensPerSecBatched} tok/s batched`,
    usd: {
      realtime: usd(gpuSeconds(inputTokens, size.decodeTokensPerSecSingle)),
      realtimeCached: usd(gpuSeconds(inputTokens - cachedTokens, size.decodeTokensPerSecSingle)),
      batchCached: usd(gpuSeconds(inputTokens - cachedTokens, size.decodeTokensPerSecBatched)),
    },
  };
}
