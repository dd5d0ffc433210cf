// The context window of a model, in tokens, as far as Nexus knows it from the model's name (for the build-time
// choice of a hierarchical reduce). A node that knows better says `context_tokens:`; unknown models get a
// conservative DEFAULT_CONTEXT_TOKENS.
import { parseModelUri } from "./model-uri.js";

export const DEFAULT_CONTEXT_TOKENS = 8192;

/** Name patterns (of the model part of the URI) and their windows, first match wins. */
const KNOWN_WINDOWS: [RegExp, number][] = [
  [/^claude-/, 200_000],
  [/^gpt-4\.1/, 1_000_000],
  [/^(gpt-4o|gpt-5|o[134])/, 128_000],
  [/^qwen2\.5-/, 32_768],
  [/^llama-?3\.[1-3]/, 131_072],
];

export function contextWindowOf(model: string): number {
  const name = parseModelUri(model).name.toLowerCase();
  for (const [pattern, window] of KNOWN_WINDOWS) if (pattern.test(name)) return window;
  return DEFAULT_CONTEXT_TOKENS;
}
