// Real tokenization for the simulator: gpt-tokenizer's o200k_base BPE, with a small memo for long strings
// (shared system prompts are encoded once), the ChatML special tokens, and streaming-safe detokenization.

import { decode, encode, ImEnd, ImStart } from "gpt-tokenizer/encoding/o200k_base";
import { boundedRuns } from "../util/bounded-runs.js";

const NO_SPECIALS = { disallowedSpecial: new Set<string>() };

export const IM_START = encode(ImStart, { allowedSpecial: new Set([ImStart]) })[0];
export const IM_END = encode(ImEnd, { allowedSpecial: new Set([ImEnd]) })[0];

const MEMO_MIN_CHARS = 1;
const MEMO_MAX_ENTRIES = 4096;
const memo = new Map<string, number[]>();

/** Token ids of plain text (special-token strings inside the text are encoded as ordinary text). */
export function encodeText(text: string): number[] {
  if (text.length < MEMO_MIN_CHARS) return encode(text, NO_SPECIALS);
  const hit = memo.get(text);
  if (hit) {
    memo.delete(text);
    memo.set(text, hit);
    return hit;
  }
  const pieces = boundedRuns(text);
  const tokens = pieces.length === 1 ? encode(text, NO_SPECIALS) : pieces.flatMap((p) => encode(p, NO_SPECIALS));
  memo.set(text, tokens);
  if (memo.size > MEMO_MAX_ENTRIES) memo.delete(memo.keys().next().value as string);
  return tokens;
}

export function countTokens(text: string): number {
  return encodeText(text).length;
}

export function decodeTokens(tokens: readonly number[]): string {
  return decode(tokens);
}

/**
 * Text pieces, one per token, whose concatenation is decodeTokens(tokens). A token that ends inside a multi-byte
 * character yields "" and the character is emitted with the token that completes it.
 */
export function tokenPieces(tokens: readonly number[]): string[] {
  const pieces: string[] = [];
  let pending: number[] = [];
  for (const t of tokens) {
    pending.push(t);
    const text = decode(pending);
    if (text.includes("\uFFFD") && pending.length < 4) {
      pieces.push("");
      continue;
    }
    pieces.push(text);
    pending = [];
  }
  if (pending.length) pieces[pieces.length - 1] += decode(pending);
  return pieces;
}
