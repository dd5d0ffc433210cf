// What is known about a model's limits: its context window and the most output tokens one request may produce, by
// model name pattern (the providers' published figures, late 2026), with a conservative default for self-hosted and
// unknown models. pack-planning reads these to choose how many items fit in one request.
import type { ModelTarget } from "./model-uri.js";

export interface ModelLimits {
  contextTokens: number;
  maxOutputTokens: number;
  /** Where the figures come from: the matching pattern, or that they are a default. */
  source: string;
}

/** Most specific first: the first pattern that matches the model name wins. */
const KNOWN_LIMITS: readonly { pattern: RegExp; contextTokens: number; maxOutputTokens: number }[] = [
  { pattern: /^gpt-4o-mini/, contextTokens: 128_000, maxOutputTokens: 16_384 },
  { pattern: /^gpt-4o/, contextTokens: 128_000, maxOutputTokens: 16_384 },
  { pattern: /^gpt-4\.1/, contextTokens: 1_047_576, maxOutputTokens: 32_768 },
  { pattern: /^gpt-5/, contextTokens: 400_000, maxOutputTokens: 128_000 },
  { pattern: /^o[34]/, contextTokens: 200_000, maxOutputTokens: 100_000 },
  { pattern: /^claude-(opus-4-[56]|sonnet-4|haiku-4)/, contextTokens: 200_000, maxOutputTokens: 64_000 },
  { pattern: /^claude-opus-4/, contextTokens: 200_000, maxOutputTokens: 32_000 },
  { pattern: /^claude-3-7-sonnet/, contextTokens: 200_000, maxOutputTokens: 64_000 },
  { pattern: /^claude-3/, contextTokens: 200_000, maxOutputTokens: 8_192 },
  { pattern: /^claude-/, contextTokens: 200_000, maxOutputTokens: 32_000 },
];

/** Self-hosted and unknown models: a common serving configuration (`--max-model-len 32768`). */
const DEFAULT_LIMITS = { contextTokens: 32_768, maxOutputTokens: 8_192 };

export function modelLimits(target: Pick<ModelTarget, "name">): ModelLimits {
  const known = KNOWN_LIMITS.find((entry) => entry.pattern.test(target.name));
  if (known)
    return {
      contextTokens: known.contextTokens,
      maxOutputTokens: known.maxOutputTokens,
      source: `${known.pattern.source.slice(1)}*`,
    };
  return { ...DEFAULT_LIMITS, source: "default for self-hosted and unknown models" };
}
