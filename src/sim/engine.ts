// SimEngine: the in-process simulated inference engine (vLLM / SGLang / Dynamo flavours). Tokenizes requests with
// the chat template, decides deterministic answers, and runs them through the continuous-batching scheduler with
// the automatic prefix cache, so latency, batching and cache hits follow the cost model in simulated time.

import { randomBytes } from "node:crypto";
import type { ChatCompletion } from "openai/resources/chat/completions";
import type { Completion } from "openai/resources/completions";
import { renderChatPrompt } from "./chat-template.js";
import { badRequest, isRecord, SimHttpError } from "./errors.js";
import { canonicalJson } from "../util/canonical-json.js";
import { chainHash, hashString } from "./hash.js";
import { renderMetrics } from "./metrics.js";
import { generateOutput, type GeneratedOutput, type ModelRequest } from "./model-behaviour.js";
import {
  answerValue,
  packedPlanText,
  packedPromptOf,
  packedReply,
  packedReplyText,
  textOutput,
  unpackOpenAIBody,
  withToolResults,
  type PackedPrompt,
} from "./packed-answers.js";
import type { PackEntry } from "../util/pack-protocol.js";
import {
  buildChatCompletion,
  chatUsage,
  openAIToolCallId,
  parseChatRequest,
  type EngineMode,
  type ParsedChat,
} from "./openai-chat.js";
import { PrefixCache } from "./prefix-cache.js";
import { resolveProfile, type EngineProfile, type ProfileName } from "./profiles.js";
import { parseScenario, type Scenario, type ScenarioInput } from "./scenario.js";
import { Scheduler, type SequenceRequest, type SequenceResult } from "./scheduler.js";
import { SimClock } from "./sim-clock.js";
import { StatsRecorder, type SimStats } from "./stats.js";
import { decodeTokens, encodeText, tokenPieces } from "./tokenize.js";

export interface SimEngineOptions {
  /** Speed profile: "h100-8b" (default), "h100-32b" or a custom EngineProfile. */
  profile?: ProfileName | EngineProfile;
  /** Simulated time = real time / timeScale (0.01 runs 100x faster than real). Default 1. */
  timeScale?: number;
  /** Model behaviour (see scenario.ts). */
  scenario?: Scenario | ScenarioInput;
  /** vllm (default) | sglang (token-granular cache) | dynamo (agent_hints.priority, rejects request_id). */
  mode?: EngineMode;
  /** KV cache capacity in blocks (default: profile.kvCacheTokens / blockSize). */
  cacheBlocks?: number;
  /** KV cache capacity in tokens, rounded up to whole blocks (`cacheBlocks` wins when both are set). */
  cacheTokens?: number;
  /** Tokens per KV block (default 16; 1 in sglang mode). */
  blockSize?: number;
  /** Most sequences in the running batch at once, like vLLM's `--max-num-seqs` (default: the profile's). */
  maxRunningSeqs?: number;
  /** Mixed into every answer's seed (same as scenario.seed, which wins if both are set). */
  seed?: string | number;
  /** Model id served by /v1/models (default: the profile's). */
  modelName?: string;
  /**
   * Model names the engine answers to, like vLLM's `--served-model-name`: /v1/models lists them and a request for
   * another model gets the engine's 404 (vLLM's `The model ... does not exist.`, Anthropic's `not_found_error`).
   * Unset (the default): every model name is answered, and /v1/models lists `modelName`.
   */
  servedModels?: string[];
}

export interface ChatStreamStart {
  id: string;
  created: number;
  model: string;
  output: GeneratedOutput;
  /** Text of each output token (concatenation = the output text). */
  pieces: string[];
  includeUsage: boolean;
}

export interface ChatHooks {
  signal?: AbortSignal;
  /** Called once the answer is decided, before any token is produced. */
  onStart?(start: ChatStreamStart): void;
  /** Called as each output token of choice 0 is produced (simulated time). */
  onToken?(index: number): void;
}

export interface PreparedChat {
  parsed: ParsedChat;
  promptTokens: number[];
  outputs: GeneratedOutput[];
}

export interface GenerateResponse {
  text: string;
  meta_info: {
    id: string;
    finish_reason: { type: "stop"; matched: null } | { type: "length"; length: number };
    prompt_tokens: number;
    completion_tokens: number;
    cached_tokens: number;
    e2e_latency: number;
  };
}

export class SimEngine {
  readonly profile: EngineProfile;
  readonly mode: EngineMode;
  readonly scenario: Scenario;
  readonly clock: SimClock;
  readonly cache: PrefixCache;
  readonly recorder: StatsRecorder;
  readonly modelName: string;
  private readonly servedModels?: ReadonlySet<string>;
  private readonly scheduler: Scheduler;
  private ids = 0;
  /** Makes ids unique across simulator instances (a restarted simulator never reuses a batch id). */
  private readonly instance = randomBytes(6).toString("hex");

  constructor(options: SimEngineOptions = {}) {
    const profile = resolveProfile(options.profile);
    this.profile =
      options.maxRunningSeqs === undefined ? profile : { ...profile, maxRunningSeqs: options.maxRunningSeqs };
    this.mode = options.mode ?? "vllm";
    const scenario = parseScenario(options.scenario ?? {});
    this.scenario =
      scenario.seed === undefined && options.seed !== undefined ? { ...scenario, seed: options.seed } : scenario;
    this.clock = new SimClock(options.timeScale ?? 1);
    const blockSize = options.blockSize ?? (this.mode === "sglang" ? 1 : 16);
    this.cache = new PrefixCache({
      blockSize,
      capacityBlocks:
        options.cacheBlocks ??
        (options.cacheTokens !== undefined
          ? Math.ceil(options.cacheTokens / blockSize)
          : Math.floor(this.profile.kvCacheTokens / blockSize)),
      now: () => this.scheduler.now,
    });
    this.recorder = new StatsRecorder((tokens, salt, known) => this.cache.hashBlocks(tokens, salt, known), blockSize);
    // SGLang (and Dynamo in front of it) can evict by request priority; vLLM evicts by recency alone.
    this.scheduler = new Scheduler(this.profile, this.cache, this.clock, this.recorder, this.mode !== "vllm");
    this.modelName = options.modelName ?? this.profile.modelName;
    this.servedModels = options.servedModels?.length ? new Set(options.servedModels) : undefined;
  }

  /** True when a request for `model` is answered (any model when no served names were given). */
  serves(model: string): boolean {
    return this.servedModels === undefined || this.servedModels.has(model);
  }

  /** The model ids /v1/models lists. */
  listedModels(): string[] {
    return this.servedModels ? [...this.servedModels] : [this.modelName];
  }

  /** Refuses a request for a model the engine does not serve, as vLLM does (404 NotFoundError). */
  private checkServed(model: unknown): void {
    if (typeof model === "string" && !this.serves(model))
      throw new SimHttpError(404, "NotFoundError", `The model \`${model}\` does not exist.`, null, "404");
  }

  /** A fresh id with the given prefix, unique across simulator instances. */
  newId(prefix: string): string {
    const n = this.ids++;
    return prefix + hashString(`${this.instance}|${n}`) + hashString(`${n}|${this.instance}`).slice(0, 8);
  }

  /** Parse, tokenize and decide the answers of a chat request without running it. */
  prepareChat(body: unknown, alone = false): PreparedChat {
    if (isRecord(body)) this.checkServed(body.model);
    const parsed = parseChatRequest(body, this.mode);
    const promptTokens = renderChatPrompt(parsed.template);
    this.checkContext(promptTokens.length, parsed.maxTokens);
    parsed.request.seed = chainHash(null, promptTokens) + parsed.request.seed;
    const packed = alone ? undefined : packedPromptOf(parsed.request.messages);
    if (packed) {
      // Each item is answered as it would be alone (src/sim/packed-answers.ts).
      const text = this.packedText(body as Record<string, unknown>, packed, parsed.request.seed);
      const output = textOutput(text, parsed.maxTokens);
      return { parsed, promptTokens, outputs: Array.from({ length: parsed.n }, () => output) };
    }
    const outputs = Array.from({ length: parsed.n }, (_, i) =>
      generateOutput(
        i ? { ...parsed.request, seed: `${parsed.request.seed}#${i}` } : parsed.request,
        this.scenario,
        parsed.maxTokens,
      ),
    );
    return { parsed, promptTokens, outputs };
  }

  /** The reply to a packed request: a plan of each item's first tool calls, or each item's answer alone. */
  private packedText(body: Record<string, unknown>, packed: PackedPrompt, seed: string): string {
    const alone = (entry: PackEntry) => unpackOpenAIBody(body, packed, entry);
    const firstTurn = (entry: PackEntry) => this.prepareChat(alone(entry), true).outputs[0];
    if (packed.plan) return packedPlanText(packed, packed.entries.map(firstTurn));
    const answers = packed.entries.map((entry) => {
      const final = entry.results ? withToolResults(alone(entry), firstTurn(entry), entry.results) : alone(entry);
      return answerValue(this.prepareChat(final, true).outputs[0], packed.plain);
    });
    const reply = packedReply(packed, answers, this.scenario.packFaults, `${this.scenario.seed ?? ""}|${seed}`);
    return packedReplyText(reply);
  }

  /** OpenAI chat.completions (non-streaming result; pass hooks to observe tokens as they are produced). */
  async chatCompletion(body: unknown, hooks: ChatHooks = {}): Promise<ChatCompletion> {
    const { parsed, promptTokens, outputs } = this.prepareChat(body);
    const id = this.newId("chatcmpl-");
    const created = this.clock.epochSeconds();
    hooks.onStart?.({
      id,
      created,
      model: parsed.model,
      output: outputs[0],
      pieces: tokenPieces(outputs[0].tokens),
      includeUsage: parsed.includeUsage,
    });
    const results = await Promise.all(
      outputs.map((o, i) =>
        this.run({
          promptTokens,
          outputTokens: o.tokens,
          priority: parsed.priority,
          latencySensitivityMs: parsed.latencySensitivityMs,
          pinMs: parsed.pinMs,
          cacheSalt: parsed.cacheSalt,
          followsCallIds: parsed.referencedCallIds,
          answerCallIds: o.answer.kind === "tool_calls" ? o.answer.calls.map((c) => openAIToolCallId(c.id)) : [],
          signal: hooks.signal,
          onToken: i === 0 ? hooks.onToken : undefined,
        }),
      ),
    );
    const completionTokens = outputs.reduce((n, o) => n + o.tokens.length, 0);
    return buildChatCompletion(
      id,
      created,
      parsed.model,
      outputs,
      chatUsage(promptTokens.length, results[0].cachedTokens, completionTokens),
    );
  }

  /** OpenAI legacy completions: the prompt is tokenized raw (no chat template); max_tokens defaults to 16. */
  async completion(body: unknown, hooks: { signal?: AbortSignal } = {}): Promise<Completion> {
    if (!isRecord(body)) throw badRequest("request body must be a JSON object");
    this.checkServed(body.model);
    const prompts = normalizePrompts(body.prompt);
    const maxTokens = typeof body.max_tokens === "number" && body.max_tokens >= 1 ? Math.floor(body.max_tokens) : 16;
    const id = this.newId("cmpl-");
    const created = this.clock.epochSeconds();
    const runs = prompts.map(async (promptTokens, index) => {
      this.checkContext(promptTokens.length, maxTokens);
      const output = generateOutput(rawRequest(promptTokens, body.seed), this.scenario, maxTokens);
      const r = await this.run({ promptTokens, outputTokens: output.tokens, signal: hooks.signal });
      return { index, output, promptTokens, r };
    });
    const done = await Promise.all(runs);
    const prompt = done.reduce((n, d) => n + d.promptTokens.length, 0);
    const completion = done.reduce((n, d) => n + d.output.tokens.length, 0);
    return {
      id,
      object: "text_completion",
      created,
      model: typeof body.model === "string" ? body.model : this.modelName,
      choices: done.map((d) => ({
        index: d.index,
        text: decodeTokens(d.output.tokens),
        finish_reason: d.output.finishReason === "length" ? "length" : "stop",
        logprobs: null,
      })),
      usage: chatUsage(
        prompt,
        done.reduce((n, d) => n + d.r.cachedTokens, 0),
        completion,
      ),
    };
  }

  /** SGLang native /generate: {text | input_ids, sampling_params} -> {text, meta_info} (arrays for batched input). */
  async generate(body: unknown, hooks: { signal?: AbortSignal } = {}): Promise<GenerateResponse | GenerateResponse[]> {
    if (!isRecord(body)) throw badRequest("request body must be a JSON object");
    const batched = Array.isArray(body.text) || (Array.isArray(body.input_ids) && Array.isArray(body.input_ids[0]));
    const inputs: number[][] = body.text !== undefined ? normalizePrompts(body.text) : normalizePrompts(body.input_ids);
    const sp = isRecord(body.sampling_params) ? body.sampling_params : {};
    const maxNew =
      typeof sp.max_new_tokens === "number" && sp.max_new_tokens >= 1 ? Math.floor(sp.max_new_tokens) : 128;
    const results = await Promise.all(
      inputs.map(async (promptTokens) => {
        this.checkContext(promptTokens.length, maxNew);
        const output = generateOutput(rawRequest(promptTokens, sp.seed), this.scenario, maxNew);
        const r = await this.run({ promptTokens, outputTokens: output.tokens, signal: hooks.signal });
        const finish =
          output.finishReason === "length"
            ? { type: "length" as const, length: output.tokens.length }
            : { type: "stop" as const, matched: null };
        return {
          text: decodeTokens(output.tokens),
          meta_info: {
            id: this.newId(""),
            finish_reason: finish,
            prompt_tokens: promptTokens.length,
            completion_tokens: output.tokens.length,
            cached_tokens: r.cachedTokens,
            e2e_latency: r.e2eMs / 1000,
          },
        };
      }),
    );
    return batched ? results : results[0];
  }

  /** Run one sequence through the scheduler (used by the provider emulators). */
  run(req: SequenceRequest): Promise<SequenceResult> {
    return this.scheduler.submit(req);
  }

  get runningRequests(): number {
    return this.scheduler.runningCount;
  }
  get waitingRequests(): number {
    return this.scheduler.waitingCount;
  }

  stats(): SimStats {
    const live = {
      mode: this.mode,
      timeScale: this.clock.timeScale,
      running: this.scheduler.runningCount,
      waiting: this.scheduler.waitingCount,
      kvCacheUsagePerc: this.cache.usage(),
      cachedBlocks: this.cache.cachedBlocks,
      capacityTokens: this.cache.capacityBlocks * this.cache.blockSize,
      evictedBlocks: this.cache.evictedBlocks,
      pinnedBlocks: this.cache.pinnedBlocks,
    };
    return this.recorder.snapshot(this.profile, live, this.clock.now());
  }

  /** Prometheus text with vLLM metric names. */
  metrics(): string {
    return renderMetrics(this);
  }

  /** Drop the prefix cache (SGLang /flush_cache). False (nothing done) while requests are running or waiting. */
  flushCache(): boolean {
    return this.scheduler.idle && this.cache.flush();
  }

  /** Reset statistics, and the prefix cache when idle (for benchmarks). */
  reset(): void {
    this.recorder.reset(this.clock.now());
    this.cache.queriedTokens = 0;
    this.cache.hitTokens = 0;
    this.cache.evictedBlocks = 0;
    this.flushCache();
  }

  /** Fail in-flight requests and stop timers. */
  close(): void {
    this.scheduler.shutdown();
    this.clock.cancelAll();
  }

  private checkContext(promptLength: number, maxTokens = 0): void {
    if (promptLength === 0) throw badRequest("the prompt is empty", "prompt");
    if (promptLength + maxTokens > this.profile.maxModelLen)
      throw badRequest(
        `This model's maximum context length is ${this.profile.maxModelLen} tokens. However, you requested ${promptLength + maxTokens} tokens (${promptLength} in the messages, ${maxTokens} in the completion).`,
      );
  }
}

function rawRequest(promptTokens: number[], seed: unknown): ModelRequest {
  return {
    messages: [{ role: "user", text: decodeTokens(promptTokens), toolCallCount: 0 }],
    tools: [],
    toolChoice: "none",
    seed: hashString(canonicalJson({ p: promptTokens, s: seed ?? null })),
  };
}

function normalizePrompts(prompt: unknown): number[][] {
  if (typeof prompt === "string") return [encodeText(prompt)];
  if (Array.isArray(prompt) && prompt.length && prompt.every((p) => typeof p === "number")) return [prompt as number[]];
  if (Array.isArray(prompt) && prompt.length) {
    return prompt.map((p, i) => {
      if (typeof p === "string") return encodeText(p);
      if (Array.isArray(p) && p.every((t) => typeof t === "number")) return p as number[];
      throw badRequest(`prompt[${i}] must be a string or an array of token ids`, "prompt");
    });
  }
  throw badRequest("prompt (or text / input_ids) is required", "prompt");
}
