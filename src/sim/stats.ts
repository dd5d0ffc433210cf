// Simulator statistics: what the engine computed (tokens, steps, busy time), the cost-model lower bound for all
// work received, and per-provider batch counters (how tests prove nothing was submitted twice).

import { lowerBoundMs, soloRequestMs, type RoundWork } from "./engine-timing.js";
import type { BlockKey } from "./hash.js";
import type { EngineProfile } from "./profiles.js";
import type { SequenceRequest } from "./scheduler.js";

export interface ProviderStats {
  /** Batches created (Anthropic Message Batches / OpenAI Batches). */
  batches: number;
  /** Requests contained in created batches. */
  batchRequests: number;
  /** Online (non-batch) requests: Anthropic /v1/messages; OpenAI chat requests are engine requests. */
  requests: number;
  /** Tokens of requests answered by the provider emulator (batch results and online messages). */
  promptTokens: number;
  /** Prompt tokens served from the provider's prompt cache (Anthropic cache reads, OpenAI cached_tokens). */
  cachedTokens: number;
  /** Anthropic cache writes (cache_creation_input_tokens). */
  cacheCreationTokens: number;
  completionTokens: number;
}

export interface SimStats {
  mode: string;
  profile: string;
  timeScale: number;
  /** Requests received by the engine (chat/completions/generate and Anthropic messages; not batch requests). */
  requests: number;
  /** Prompt tokens of admitted engine requests. */
  promptTokens: number;
  /** Prompt tokens served from the prefix cache (or provider cache) instead of being prefilled. */
  cachedTokens: number;
  /** Prompt tokens actually prefilled by the engine (promptTokens - cachedTokens once all are done). */
  prefillTokensComputed: number;
  completionTokens: number;
  /** Engine scheduler steps: forward passes, each running one batch of sequences (prefill chunks + decodes). */
  batches: number;
  /** Mean / max sequences per step. */
  meanBatchSize: number;
  maxBatchSize: number;
  /** Simulated ms the engine spent executing steps. */
  busyMs: number;
  /** Cost-model lower bound (simulated ms) on engine time for all work received: unique prompt tokens (ideal
   *  unbounded cache) prefilled once + decode at max batch or the longest request's critical path. */
  lowerBoundMs: number;
  /** Prompt tokens not covered by an ideal cache of all earlier prompts and outputs. */
  uniquePrefillTokens: number;
  /**
   * The work received by dependency round (see RoundWork): with the client's time between rounds,
   * dependentLowerBoundMs turns it into a lower bound on wall time that respects turn -> tool -> turn chains.
   */
  rounds: RoundWork[];
  /** Simulated ms since the engine started or was last reset. */
  simElapsedMs: number;
  running: number;
  waiting: number;
  kvCacheUsagePerc: number;
  cachedBlocks: number;
  /** KV cache capacity in tokens (blocks x block size). */
  capacityTokens: number;
  /** Cached blocks evicted to make room (since start or reset). */
  evictedBlocks: number;
  /** Free blocks kept from eviction by a pin right now. */
  pinnedBlocks: number;
  /** Running sequences preempted because a decode step found no free KV block (vllm:num_preemptions). */
  preemptions: number;
  /** Tokens prefilled again when preempted sequences were admitted again. */
  preemptionRecomputeTokens: number;
  /** Prefill an unbounded cache would not have done: prefillTokensComputed - uniquePrefillTokens (evicted prefixes
   *  and preempted sequences prefilled again). */
  recomputedTokens: number;
  /**
   * Tokens that only one request and then one request that carries its answer use (an agent's own history across a
   * tool call): a cache must hold them through the client's time between the two, or the second prefills them again.
   * capacityLowerBoundMs turns this into a bound for a cache of capacityTokens.
   */
  gapHeldTokens: number;
  /**
   * Token-steps of KV that decoding sequences must hold: each request's generated tokens from the step that made
   * them to its end (L(L-1)/2 for L tokens), and the gap-held tokens through the decode of the request that reuses
   * them. Times the least step time, capacity x wall time must cover it (capacityLowerBoundMs).
   */
  decodeHeldTokenSteps: number;
  /** Requests per HTTP endpoint (e.g. "POST /v1/chat/completions"). */
  endpoints: Record<string, number>;
  providers: { anthropic: ProviderStats; openai: ProviderStats };
}

const emptyProvider = (): ProviderStats => ({
  batches: 0,
  batchRequests: 0,
  requests: 0,
  promptTokens: 0,
  cachedTokens: 0,
  cacheCreationTokens: 0,
  completionTokens: 0,
});

/** A request's dependency round, and the least time it needs on its own (see RoundWork). */
export interface Arrival {
  round: number;
  soloMs: number;
  /** Which request (in arrival order). */
  id: number;
}

/** Who used a block, for gapHeldTokens: its first user, and whether its second user carries the first's answer. */
interface BlockUse {
  users: number;
  first: number;
  heldAcrossGap: boolean;
  /** Decode steps of the second user, while it holds the block (counted while heldAcrossGap). */
  heldSteps: number;
}

type BlockHasher = (tokens: readonly number[], salt?: string, knownPrefix?: readonly BlockKey[]) => BlockKey[];

export class StatsRecorder {
  requests = 0;
  promptTokens = 0;
  cachedTokens = 0;
  prefillTokensComputed = 0;
  completionTokens = 0;
  batches = 0;
  batchSizeSum = 0;
  maxBatchSize = 0;
  busyMs = 0;
  preemptions = 0;
  preemptionRecomputeTokens = 0;
  gapHeldBlocks = 0;
  /** Block-steps of gap-held blocks through their second user's decode, and token-steps of generated tokens. */
  gapHeldBlockSteps = 0;
  outputTokenSteps = 0;
  uniquePrefillTokens = 0;
  decodeTokens = 0;
  longestCompletion = 0;
  startedAt = 0;
  endpoints: Record<string, number> = {};
  providers = { anthropic: emptyProvider(), openai: emptyProvider() };
  /** Every block hash ever seen (an ideal, unbounded prefix cache for the lower bound), with who used it. */
  private idealBlocks = new Map<BlockKey, BlockUse>();
  /** Answers, by the blocks holding their generated tokens and by their tool-call ids: who produced them. */
  private producers = new Map<BlockKey | string, Arrival>();
  private rounds: RoundWork[] = [];

  constructor(
    private readonly hashBlocks: BlockHasher,
    private readonly blockSize: number,
  ) {}

  reset(now: number): void {
    Object.assign(this, new StatsRecorder(this.hashBlocks, this.blockSize));
    this.startedAt = now;
  }

  /**
   * Records a request as it arrives and returns its dependency round and solo time (for onFinished). Its round is one
   * more than the latest round whose answer its prompt repeats (by generated blocks) or refers to (by tool-call id).
   */
  onReceived(req: SequenceRequest, profile: EngineProfile): Arrival {
    const { promptTokens: prompt, cacheSalt: salt } = req;
    const outputLength = req.outputTokens.length;
    this.requests++;
    const hashes = this.hashBlocks(prompt, salt);
    const maxHit = Math.min(hashes.length, Math.floor(Math.max(0, prompt.length - 1) / this.blockSize));
    let hit = 0;
    while (hit < maxHit && this.idealBlocks.has(hashes[hit])) hit++;
    const unique = prompt.length - hit * this.blockSize;
    this.uniquePrefillTokens += unique;
    // The answers this prompt carries; it cannot arrive before the slowest of the latest round's is complete.
    let round = 0;
    let parentSoloMs = 0;
    const id = this.requests;
    const parents = new Set<number>();
    const follow = (producer: Arrival | undefined) => {
      if (producer !== undefined) parents.add(producer.id);
      if (producer === undefined || producer.round + 1 < round) return;
      if (producer.round + 1 > round) [round, parentSoloMs] = [producer.round + 1, 0];
      parentSoloMs = Math.max(parentSoloMs, producer.soloMs);
    };
    for (const id of req.followsCallIds ?? []) follow(this.producers.get(id));
    for (let b = 0; b < hashes.length; b++) follow(this.producers.get(hashes[b]));
    for (let b = 0; b < hashes.length; b++) {
      // The ideal cache holds whole chains, so the blocks before `hit` are in it already.
      const use = this.idealBlocks.get(hashes[b]);
      if (!use) {
        this.idealBlocks.set(hashes[b], { users: 1, first: id, heldAcrossGap: false, heldSteps: 0 });
        continue;
      }
      use.users++;

      if (use.users === 2 && parents.has(use.first)) {
        use.heldAcrossGap = true;
        use.heldSteps = Math.max(0, outputLength - 1);
        this.gapHeldBlocks++;
        this.gapHeldBlockSteps += use.heldSteps;
      } else if (use.heldAcrossGap) {
        use.heldAcrossGap = false;
        this.gapHeldBlocks--;
        this.gapHeldBlockSteps -= use.heldSteps;
      }
    }
    this.decodeTokens += Math.max(0, outputLength - 1);
    this.outputTokenSteps += (outputLength * Math.max(0, outputLength - 1)) / 2;
    this.longestCompletion = Math.max(this.longestCompletion, outputLength);
    while (this.rounds.length <= round)
      this.rounds.push({
        requests: 0,
        uniquePrefillTokens: 0,
        decodeTokens: 0,
        longestCompletion: 0,
      });
    const work = this.rounds[round];
    work.requests++;
    work.uniquePrefillTokens += unique;
    work.decodeTokens += Math.max(0, outputLength - 1);
    work.longestCompletion = Math.max(work.longestCompletion, outputLength);
    if (round > 0) {
      const parents = this.rounds[round - 1];
      parents.minParentSoloMs = Math.min(parents.minParentSoloMs ?? Infinity, parentSoloMs);
    }
    // Round 0 counts from the reset, when nothing was cached; later rounds from their arrival.
    return { id, round, soloMs: soloRequestMs(round === 0 ? prompt.length : unique, outputLength, profile) };
  }

  onPreempted(): void {
    this.preemptions++;
  }

  onRecompute(tokens: number): void {
    this.preemptionRecomputeTokens += tokens;
  }

  onAdmitted(promptLength: number, cached: number): void {
    this.promptTokens += promptLength;
    this.cachedTokens += cached;
  }

  onStep(sequences: number, prefillTokens: number, ms: number): void {
    this.batches++;
    this.batchSizeSum += sequences;
    this.maxBatchSize = Math.max(this.maxBatchSize, sequences);
    this.prefillTokensComputed += prefillTokens;
    this.busyMs += ms;
  }

  onFinished(req: SequenceRequest, arrival: Arrival): void {
    const { promptTokens: prompt, outputTokens: output, cacheSalt: salt } = req;
    for (const id of req.answerCallIds ?? []) this.producers.set(id, arrival);
    this.completionTokens += output.length;
    const promptHashes = this.hashBlocks(prompt, salt);
    const hashes = this.hashBlocks(prompt.concat(output), salt, promptHashes);
    for (const h of hashes)
      if (!this.idealBlocks.has(h))
        this.idealBlocks.set(h, { users: 1, first: arrival.id, heldAcrossGap: false, heldSteps: 0 });
    // Blocks from the one that holds the first generated token on contain the answer.
    for (let b = Math.floor(prompt.length / this.blockSize); b < hashes.length; b++)
      if (!this.producers.has(hashes[b])) this.producers.set(hashes[b], arrival);
  }

  endpoint(name: string): void {
    this.endpoints[name] = (this.endpoints[name] ?? 0) + 1;
  }

  snapshot(
    profile: EngineProfile,
    live: Pick<
      SimStats,
      | "mode"
      | "timeScale"
      | "running"
      | "waiting"
      | "kvCacheUsagePerc"
      | "cachedBlocks"
      | "capacityTokens"
      | "evictedBlocks"
      | "pinnedBlocks"
    >,
    now: number,
  ): SimStats {
    return {
      ...live,
      profile: profile.name,
      requests: this.requests,
      promptTokens: this.promptTokens,
      cachedTokens: this.cachedTokens,
      prefillTokensComputed: this.prefillTokensComputed,
      completionTokens: this.completionTokens,
      batches: this.batches,
      meanBatchSize: this.batches ? this.batchSizeSum / this.batches : 0,
      maxBatchSize: this.maxBatchSize,
      busyMs: this.busyMs,
      lowerBoundMs: lowerBoundMs(
        {
          uniquePrefillTokens: this.uniquePrefillTokens,
          decodeTokens: this.decodeTokens,
          longestCompletion: this.longestCompletion,
        },
        profile,
      ),
      uniquePrefillTokens: this.uniquePrefillTokens,
      preemptions: this.preemptions,
      preemptionRecomputeTokens: this.preemptionRecomputeTokens,
      recomputedTokens: Math.max(0, this.prefillTokensComputed - this.uniquePrefillTokens),
      gapHeldTokens: this.gapHeldBlocks * this.blockSize,
      decodeHeldTokenSteps: this.gapHeldBlockSteps * this.blockSize + this.outputTokenSteps,
      rounds: this.rounds.map((w) => ({ ...w })),
      simElapsedMs: now - this.startedAt,
      endpoints: { ...this.endpoints },
      providers: { anthropic: { ...this.providers.anthropic }, openai: { ...this.providers.openai } },
    };
  }
}
