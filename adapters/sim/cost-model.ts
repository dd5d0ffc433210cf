// Cost model of continuous batching: how long one scheduler step takes, and the lower bound on the
// engine time needed for a set of requests. Pure functions of an EngineProfile (unit-testable).
//
// A step processes some prefill tokens (chunked prefill) plus one token for each decoding sequence:
//   stepMs = prefillTokens / prefillTokensPerSec + (decodeSeqs > 0 ? decodeBaseMs + decodePerSeqMs * decodeSeqs : 0)
// The step that finishes a sequence's prefill also samples its first output token (no decode cost).

import type { EngineProfile } from "./profiles.js";

export function prefillMs(uncachedTokens: number, profile: EngineProfile): number {
  return (uncachedTokens * 1000) / profile.prefillTokensPerSec;
}

export function decodeStepMs(decodingSeqs: number, profile: EngineProfile): number {
  return decodingSeqs > 0 ? profile.decodeBaseMs + profile.decodePerSeqMs * decodingSeqs : 0;
}

export function stepMs(prefillTokens: number, decodingSeqs: number, profile: EngineProfile): number {
  return prefillMs(prefillTokens, profile) + decodeStepMs(decodingSeqs, profile);
}

/** Time for one request alone on an idle engine: prefill of its uncached tokens, then outputTokens-1 decode steps. */
export function soloRequestMs(uncachedTokens: number, outputTokens: number, profile: EngineProfile): number {
  return prefillMs(uncachedTokens, profile) + Math.max(0, outputTokens - 1) * decodeStepMs(1, profile);
}

export interface WorkSummary {
  /** Prompt tokens not covered by an ideal (unbounded) prefix cache of everything received before. */
  uniquePrefillTokens: number;
  /** Sum over requests of (completion tokens - 1): tokens that need a decode step. */
  decodeTokens: number;
  /** Largest completion length of any single request. */
  longestCompletion: number;
}

/**
 * Lower bound on engine busy time for the work: every unique prompt token prefilled once, plus decode time that
 * is at least the throughput bound at the maximal batch (decodeTokens / maxRunningSeqs steps of a full batch) and
 * at least the critical path of the longest request (longestCompletion - 1 steps). Step costs are additive in the
 * model, so prefill and decode bounds add up. Client-side time (tools, turn dependencies) is not included.
 */
export function lowerBoundMs(work: WorkSummary, profile: EngineProfile): number {
  const maxBatch = profile.maxRunningSeqs;
  const throughput = (work.decodeTokens / maxBatch) * decodeStepMs(maxBatch, profile);
  const criticalPath = Math.max(0, work.longestCompletion - 1) * decodeStepMs(1, profile);
  return prefillMs(work.uniquePrefillTokens, profile) + Math.max(throughput, criticalPath);
}
