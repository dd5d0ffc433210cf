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
 * Lower bound on engine busy time for the work: every unique prompt token prefilled once, plus decode. Decode needs
 * at least longestCompletion - 1 steps (a sequence gains one token per step) and at least decodeTokens / maxBatch
 * steps (a step decodes at most maxBatch sequences); every decode step pays decodeBaseMs, and every decoded token
 * pays decodePerSeqMs wherever it is scheduled. Step costs are additive in the model, so the parts add up.
 * Client-side time (tools, turn dependencies) is not included.
 */
export function lowerBoundMs(work: WorkSummary, profile: EngineProfile): number {
  const decodeSteps = Math.max(work.longestCompletion - 1, work.decodeTokens / profile.maxRunningSeqs, 0);
  const decode =
    work.decodeTokens > 0 ? decodeSteps * profile.decodeBaseMs + work.decodeTokens * profile.decodePerSeqMs : 0;
  return prefillMs(work.uniquePrefillTokens, profile) + decode;
}

/**
 * The work of one dependency round: round 0 holds requests whose prompts contain no earlier answer; a request whose
 * prompt repeats a round-r answer (the client sent it back, e.g. with a tool result) is in round r + 1, and can only
 * arrive after that answer was complete.
 */
export interface RoundWork extends WorkSummary {
  requests: number;
  /**
   * The least time needed on its own by a request of this round whose answer the next round used, taking the
   * slowest such answer of each next-round request: round 0 counts from the start of measurement (its whole prompt
   * is uncached then), later rounds from their arrival (only their prompt tokens no earlier request had). Absent
   * when no later request used an answer of this round.
   */
  minParentSoloMs?: number;
}

/**
 * Lower bound on wall time for work that arrives in dependency rounds separated by at least `clientGapMs` of
 * client-side time (a tool call). For each round r, all work of rounds >= r happens after the earliest possible
 * arrival of a round-r request (the fastest chain of solo parent requests and gaps before it), and takes at least
 * lowerBoundMs of that work. The bound is the largest of these.
 */
export function dependentLowerBoundMs(
  rounds: readonly RoundWork[],
  clientGapMs: number,
  profile: EngineProfile,
): number {
  let bound = 0;
  let earliestArrival = 0;
  for (let r = 0; r < rounds.length && rounds[r].requests > 0; r++) {
    const later = rounds.slice(r);
    const work: WorkSummary = {
      uniquePrefillTokens: later.reduce((n, w) => n + w.uniquePrefillTokens, 0),
      decodeTokens: later.reduce((n, w) => n + w.decodeTokens, 0),
      longestCompletion: Math.max(...later.map((w) => w.longestCompletion)),
    };
    bound = Math.max(bound, earliestArrival + lowerBoundMs(work, profile));
    const parentSoloMs = rounds[r].minParentSoloMs;
    if (parentSoloMs === undefined) return bound;
    earliestArrival += parentSoloMs + clientGapMs;
  }
  // The fastest chain through every round is a bound too.
  return Math.max(bound, earliestArrival - clientGapMs);
}

/** What a capacity-aware bound needs besides the work (see capacityLowerBoundMs). */
export interface CapacityWork {
  /** The bound without capacity: max(lowerBoundMs, dependentLowerBoundMs). */
  boundMs: number;
  /** lowerBoundMs of the work: engine busy time with every unique token prefilled once. */
  engineBoundMs: number;
  /** Tokens a cache must hold through a client gap or prefill again (SimStats.gapHeldTokens). */
  gapHeldTokens: number;
  /** Token-steps decoding sequences must hold (SimStats.decodeHeldTokenSteps). */
  decodeHeldTokenSteps: number;
  capacityTokens: number;
}

/**
 * Lower bound on wall time for a KV cache of `capacityTokens`, by what the cache must hold over time. A run of wall
 * time T has capacity x T token-ms. Decoding takes R = decodeHeldTokenSteps x decodeStepMs(1) of it whatever the
 * schedule (a step takes at least that long). Each of the H gap-held tokens is used by one request and then by one
 * that carries that request's answer, at least `clientGapMs` later, and by no other: the cache holds it through the
 * gap (clientGapMs of capacity), or the second request prefills it again. With x of them prefilled again, the engine
 * works at least engineBoundMs + prefillMs(x), so
 *   T >= min over x in [0, H] of max(engineBoundMs + prefillMs(x), ((H - x) * clientGapMs + R) / capacity),
 * the crossing of a rising and a falling line (clamped to [0, H]), and never below boundMs. The shared prefix and
 * prompts being prefilled also take capacity; the bound leaves them out, so it stays a bound (not tight).
 */
export function capacityLowerBoundMs(work: CapacityWork, clientGapMs: number, profile: EngineProfile): number {
  const { engineBoundMs: e, gapHeldTokens: h, capacityTokens: c } = work;
  if (c <= 0) return work.boundMs;
  const running = work.decodeHeldTokenSteps * decodeStepMs(1, profile);
  const perToken = 1000 / profile.prefillTokensPerSec;
  const holdPerToken = clientGapMs / c;
  const x = Math.min(h, Math.max(0, (h * holdPerToken + running / c - e) / (holdPerToken + perToken)));
  return Math.max(work.boundMs, Math.max(e + x * perToken, ((h - x) * clientGapMs + running) / c));
}
