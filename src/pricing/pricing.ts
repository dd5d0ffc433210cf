// The pricing table: provider prices per model (input, cached input, cache write, output, batch discount, minimum
// cacheable prefix) and self-hosted GPU figures, kept as data in pricing-table.json with its date and source.
// Users override entries with `nexus build --pricing FILE` or a workflow's `pricing:` section (same shape; their
// entries win over the built-in ones).
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { ModelTarget } from "../models/model-uri.js";
import builtinTable from "./pricing-table.json" with { type: "json" };

const dollars = z.number().nonnegative();

const modelPriceSchema = z.object({
  provider: z.enum(["openai", "anthropic"]),
  /** Model name pattern; a trailing `*` matches any suffix. The most specific matching pattern wins. */
  model: z.string(),
  input: dollars,
  cachedInput: dollars,
  cacheWrite: dollars,
  output: dollars,
  /** Share of the price taken off in a provider batch (0.5 = half price). */
  batchDiscount: z.number().min(0).max(1),
  minCacheableTokens: z.number().int().nonnegative(),
});

const engineSizeSchema = z.object({
  upToParamsB: z.number().positive(),
  gpus: z.number().positive(),
  prefillTokensPerSec: z.number().positive(),
  decodeTokensPerSecSingle: z.number().positive(),
  decodeTokensPerSecBatched: z.number().positive(),
});

const selfHostedSchema = z.object({
  gpu: z.string(),
  gpuHourUsd: dollars,
  minCacheableTokens: z.record(z.string(), z.number().int().nonnegative()),
  sizes: z.array(engineSizeSchema).min(1),
  defaultParamsB: z.number().positive(),
});

export const pricingTableSchema = z.object({
  asOf: z.string(),
  currency: z.string(),
  unit: z.string(),
  source: z.string(),
  note: z.string().optional(),
  models: z.array(modelPriceSchema),
  providerDefaults: z.record(
    z.string(),
    z.object({ minCacheableTokens: z.number().int().nonnegative(), batchDiscount: z.number() }),
  ),
  selfHosted: selfHostedSchema,
});

/** What a `--pricing` file or a `pricing:` section may contain: any part of the table. */
export const pricingOverrideSchema = z.object({
  asOf: z.string().optional(),
  source: z.string().optional(),
  models: z.array(modelPriceSchema).optional(),
  selfHosted: selfHostedSchema.partial().optional(),
});

export type PricingTable = z.infer<typeof pricingTableSchema>;
export type ModelPrice = z.infer<typeof modelPriceSchema>;
export type EngineSize = z.infer<typeof engineSizeSchema>;
export type PricingOverride = z.infer<typeof pricingOverrideSchema>;

/** The built-in table, validated once. */
export const BUILTIN_PRICING: PricingTable = pricingTableSchema.parse(builtinTable);

/** The table with an override applied: its model entries first (they win), self-hosted fields replaced. */
export function applyPricingOverride(table: PricingTable, override: PricingOverride): PricingTable {
  return {
    ...table,
    asOf: override.asOf ?? table.asOf,
    source: override.source ?? table.source,
    models: [...(override.models ?? []), ...table.models],
    selfHosted: {
      ...table.selfHosted,
      ...override.selfHosted,
      minCacheableTokens: { ...table.selfHosted.minCacheableTokens, ...override.selfHosted?.minCacheableTokens },
    },
  };
}

/** Reads a pricing override (JSON or YAML); throws an Error with a readable message when it is not valid. */
export function readPricingOverride(file: string): PricingOverride {
  const text = readFileSync(file, "utf8");
  const data: unknown = file.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  const parsed = pricingOverrideSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${issue.path.join(".") || "(top level)"}: ${issue.message}`);
  }
  return parsed.data;
}

function matches(pattern: string, name: string): boolean {
  return pattern.endsWith("*") ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

/** How specific a matching pattern is: its literal length, an exact name above a `*` pattern of the same text. */
function specificity(pattern: string): number {
  return pattern.endsWith("*") ? pattern.length - 1 : pattern.length + 0.5;
}

/**
 * The price entry of a provider model: the most specific matching pattern; on a tie the earlier entry, so
 * overrides (listed first) win over the built-in table.
 */
export function priceFor(table: PricingTable, target: ModelTarget): ModelPrice | undefined {
  let best: ModelPrice | undefined;
  for (const entry of table.models) {
    if (entry.provider !== target.family || !matches(entry.model, target.name)) continue;
    if (!best || specificity(entry.model) > specificity(best.model)) best = entry;
  }
  return best;
}

/** Parameter count in billions read from a model name (`qwen3:8b` -> 8, `qwen2.5-32b-instruct` -> 32). */
export function paramsFromName(name: string): number | undefined {
  const match = /(\d+(?:\.\d+)?)b(?![a-z])/i.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** The self-hosted throughput figures for a model's size class. */
export function engineSizeFor(
  table: PricingTable,
  name: string,
): { size: EngineSize; paramsB: number; assumed: boolean } {
  const parsed = paramsFromName(name);
  const paramsB = parsed ?? table.selfHosted.defaultParamsB;
  const sizes = table.selfHosted.sizes;
  const size = sizes.find((s) => paramsB <= s.upToParamsB) ?? sizes[sizes.length - 1];
  return { size, paramsB, assumed: parsed === undefined };
}

/** The minimum cacheable prefix for a model, from its price entry or its backend family. */
export function minCacheableTokens(table: PricingTable, target: ModelTarget): number {
  if (target.hosting === "provider") {
    return (
      priceFor(table, target)?.minCacheableTokens ?? table.providerDefaults[target.family]?.minCacheableTokens ?? 1024
    );
  }
  return table.selfHosted.minCacheableTokens[target.family] ?? table.selfHosted.minCacheableTokens["self-hosted"] ?? 16;
}
