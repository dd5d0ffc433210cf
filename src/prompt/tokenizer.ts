// Token counts for prompt analysis, with a real BPE tokenizer (gpt-tokenizer's o200k_base, bundled, works offline).
// Counts are exact for OpenAI's o200k family (gpt-4o, gpt-4.1, gpt-5, o-series) and an estimate for every other
// model (Claude, Qwen, Llama, ... use other vocabularies; English text usually lands within ~10-20%).
import { encode } from "gpt-tokenizer/encoding/o200k_base";
import { boundedRuns } from "../util/bounded-runs.js";

/** The tokenizer every count in the IR comes from, as printed in explanations. */
export const TOKENIZER_NAME = "o200k_base";

const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/** Memo for long texts: the same system prompt is usually counted for several nodes. */
const memo = new Map<string, number>();
const MEMO_MIN_CHARS = 8;
const MEMO_MAX_ENTRIES = 8192;

/** Tokens of a text, encoded in pieces of bounded runs (exact unless a run is longer than the bound). */
function encodedLength(text: string): number {
  let count = 0;
  for (const piece of boundedRuns(text)) count += encode(piece, PLAIN_TEXT).length;
  return count;
}

/** Tokens in `text`, treating special-token strings as ordinary text. */
export function countTokens(text: string): number {
  if (text === "") return 0;
  if (text.length < MEMO_MIN_CHARS) return encode(text, PLAIN_TEXT).length;
  const known = memo.get(text);
  if (known !== undefined) return known;
  const count = encodedLength(text);
  if (memo.size >= MEMO_MAX_ENTRIES) memo.delete(memo.keys().next().value as string);
  memo.set(text, count);
  return count;
}

/** True when `model` (a model URI or name) uses the o200k vocabulary, so counts for it are exact. */
export function countsAreExactFor(model: string): boolean {
  const name = model.replace(/^[a-z0-9+.-]+:\/\//i, "");
  return /^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4|chatgpt-4o|gpt-oss)/i.test(name);
}
