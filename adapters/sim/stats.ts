// Simulator statistics: what the engine computed (tokens, steps, busy time), the cost-model lower bound for all
// work received, and per-provider batch counters (how tests prove nothing was submitted twice).

import { lowerBoundMs, soloRequestMs, type RoundWork } from "./cost-model.js";
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
  uniquePrefillTokens = 0;
  decodeTokens = 0;
  longestCompletion = 0;
  startedAt = 0;
  endpoints: Record<string, number> = {};
  providers = { anthropic: emptyProvider(), openai: emptyProvider() };
  /** Every block hash ever seen: an ideal, unbounded prefix cache for the lower bound. */
  private idealBlocks = new Set<BlockKey>();
  /** Blocks holding generated tokens, with the round of the request that generated them. */
  private outputBlockRounds = new Map<BlockKey, number>();
  /** Tool-call ids of answers, with the round of the request that answered them. */
  private callIdRounds = new Map<string, number>();
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
   * Records a request as it arrives; returns its dependency round (for onFinished): one more than the latest round
   * whose answer its prompt repeats (by generated blocks) or refers to (by tool-call id).
   */
  onReceived(req: SequenceRequest, profile: EngineProfile): number {
    const { promptTokens: prompt, cacheSalt: salt } = req;
    const outputLength = req.outputTokens.length;
    this.requests++;
    const hashes = this.hashBlocks(prompt, salt);
    const maxHit = Math.min(hashes.length, Math.floor(Math.max(0, prompt.length - 1) / this.blockSize));
    let hit = 0;
    while (hit < maxHit && this.idealBlocks.has(hashes[hit])) hit++;
    const unique = prompt.length - hit * this.blockSize;
    this.uniquePrefillTokens += unique;
    let round = 0;
    for (const id of req.followsCallIds ?? []) {
      const producer = this.callIdRounds.get(id);
      if (producer !== undefined && producer >= round) round = producer + 1;
    }
    for (let b = 0; b < hashes.length; b++) {
      // The ideal cache holds whole chains, so the blocks before `hit` are in it already.
      if (b >= hit) this.idealBlocks.add(hashes[b]);
      const producer = this.outputBlockRounds.get(hashes[b]);
      if (producer !== undefined && producer >= round) round = producer + 1;
    }
    this.decodeTokens += Math.max(0, outputLength - 1);
    this.longestCompletion = Math.max(this.longestCompletion, outputLength);
    while (this.rounds.length <= round)
      this.rounds.push({
        requests: 0,
        uniquePrefillTokens: 0,
        decodeTokens: 0,
        longestCompletion: 0,
        minSoloMs: Infinity,
      });
    const work = this.rounds[round];
    work.requests++;
    work.uniquePrefillTokens += unique;
    work.decodeTokens += Math.max(0, outputLength - 1);
    work.longestCompletion = Math.max(work.longestCompletion, outputLength);
    // Round 0 counts from the reset, when nothing was cached; later rounds from their arrival.
    const solo = soloRequestMs(round === 0 ? prompt.length : unique, outputLength, profile);
    work.minSoloMs = Math.min(work.minSoloMs, solo);
    return round;
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

  onFinished(req: SequenceRequest, round: number): void {
    const { promptTokens: prompt, outputTokens: output, cacheSalt: salt } = req;
    for (const id of req.answerCallIds ?? []) this.callIdRounds.set(id, round);
    this.completionTokens += output.length;
    const promptHashes = this.hashBlocks(prompt, salt);
    const hashes = this.hashBlocks(prompt.concat(output), salt, promptHashes);
    for (const h of hashes) this.idealBlocks.add(h);
    // Blocks from the one that holds the first generated token on contain the answer.
    for (let b = Math.floor(prompt.length / this.blockSize); b < hashes.length; b++)
      if (!this.outputBlockRounds.has(hashes[b])) this.outputBlockRounds.set(hashes[b], round);
  }

  endpoint(name: string): void {
    this.endpoints[name] = (this.endpoints[name] ?? 0) + 1;
  }

  snapshot(
    profile: EngineProfile,
    live: Pick<SimStats, "mode" | "timeScale" | "running" | "waiting" | "kvCacheUsagePerc" | "cachedBlocks">,
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
      rounds: this.rounds.map((w) => ({ ...w })),
      simElapsedMs: now - this.startedAt,
      endpoints: { ...this.endpoints },
      providers: { anthropic: { ...this.providers.anthropic }, openai: { ...this.providers.openai } },
    };
  }
}
