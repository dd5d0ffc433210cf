// Anthropic Messages emulator: POST /v1/messages (JSON or SSE stream) with cache_control prompt-caching accounting.
// Online requests run through the engine scheduler (prefill skips the cache-read tokens); batch requests reuse
// answer() synchronously. Requires an API key (x-api-key or Authorization: Bearer, any value) and
// the anthropic-version header.

import type { Message, Usage } from "@anthropic-ai/sdk/resources/messages";
import { parseAnthropicRequest, type ParsedAnthropic } from "./anthropic-format.js";
import type { AnthropicPromptCache, PromptCacheUsage } from "./anthropic-prompt-cache.js";
import { AnthropicStream } from "./anthropic-stream.js";
import type { SimEngine } from "./engine.js";
import { badRequest, SimHttpError } from "./errors.js";
import { sendJson } from "./http-util.js";
import { renderToolCallsText } from "./chat-template.js";
import { hashString } from "./hash.js";
import { generateOutput, type GeneratedOutput } from "./model-behaviour.js";
import {
  answerValue,
  packedPlanCalls,
  packedPromptOf,
  packedReply,
  packedReplyValue,
  unpackAnthropicBody,
  type PackedPrompt,
  withAnthropicToolResults,
} from "./packed-answers.js";
import type { PackEntry } from "../util/pack-protocol.js";
import { encodeText } from "./tokenize.js";
import type { RouteContext, Router } from "./router.js";

export interface AnsweredMessage {
  parsed: ParsedAnthropic;
  output: GeneratedOutput;
  cache: PromptCacheUsage;
  message: Message;
}

export class AnthropicMessages {
  constructor(
    private readonly engine: SimEngine,
    private readonly cache: AnthropicPromptCache,
  ) {}

  /** Decide the answer and the cache accounting of a Messages request (throws SimHttpError if invalid). */
  answer(body: unknown, serviceTier: "standard" | "batch"): AnsweredMessage {
    const parsed = parseAnthropicRequest(body);
    if (!this.engine.serves(parsed.model)) throw new SimHttpError(404, "not_found_error", `model: ${parsed.model}`);
    if (parsed.stream && serviceTier === "batch") throw badRequest("stream: batch requests cannot be streamed");
    const output = this.output(body as Record<string, unknown>, parsed);
    const cache = this.cache.account(parsed.model, parsed.promptTokens, parsed.breakpoints);
    const message = buildMessage(this.engine.newId("msg_"), parsed, output, cache, serviceTier);
    const stats = this.engine.recorder.providers.anthropic;
    stats.promptTokens += parsed.promptTokens.length;
    stats.cachedTokens += cache.readTokens;
    stats.cacheCreationTokens += cache.creationTokens;
    stats.completionTokens += output.tokens.length;
    return { parsed, output, cache, message };
  }

  /** The answer; a packed request's items are each answered as alone (src/sim/packed-answers.ts). */
  private output(body: Record<string, unknown>, parsed: ParsedAnthropic): GeneratedOutput {
    const scenario = this.engine.scenario;
    const packed = packedPromptOf(parsed.request.messages);
    const carrier = parsed.request.toolChoice;
    if (!packed || typeof carrier !== "object") return generateOutput(parsed.request, scenario, parsed.maxTokens);
    const answerOf = (alone: Record<string, unknown>) => {
      const request = parseAnthropicRequest(alone);
      return generateOutput(request.request, scenario, request.maxTokens);
    };
    const firstTurn = (entry: PackEntry) => answerOf(unpackAnthropicBody(body, packed, entry));
    const args = packed.plan
      ? { calls: packedPlanCalls(packed, packed.entries.map(firstTurn)) }
      : this.packedAnswers(packed, parsed.request.seed, (entry) => {
          const alone = unpackAnthropicBody(body, packed, entry);
          const final = entry.results ? withAnthropicToolResults(alone, firstTurn(entry), entry.results) : alone;
          return answerValue(answerOf(final), packed.plain);
        });
    const call = {
      id: hashString(`packed|${parsed.request.seed}`),
      name: carrier.name,
      args,
      arguments: JSON.stringify(args),
    };
    const tokens = encodeText(renderToolCallsText([call]));
    return { answer: { kind: "tool_calls", calls: [call] }, tokens, finishReason: "tool_calls" };
  }

  /** A packed answer request's reply: each entry answered as alone, with the scenario's faults applied. */
  private packedAnswers(packed: PackedPrompt, seed: string, answer: (entry: PackEntry) => unknown) {
    const scenario = this.engine.scenario;
    const reply = packedReply(
      packed,
      packed.entries.map(answer),
      scenario.packFaults,
      `${scenario.seed ?? ""}|${seed}`,
    );
    return packedReplyValue(reply, packed.plain);
  }

  register(router: Router): void {
    router.add("POST /v1/messages", (ctx) => this.handle(ctx), { style: "anthropic" });
  }

  private async handle(ctx: RouteContext): Promise<void> {
    checkAnthropicHeaders(ctx);
    const answered = this.answer(await ctx.json(), "standard");
    this.engine.recorder.providers.anthropic.requests++;
    const stream = answered.parsed.stream ? new AnthropicStream(ctx.res, answered.message, answered.output) : undefined;
    try {
      await this.engine.run({
        promptTokens: answered.parsed.promptTokens,
        outputTokens: answered.output.tokens,
        cachedTokensOverride: answered.cache.readTokens,
        onFirstToken: () => answered.cache.commit(),
        onToken: stream && ((i) => stream.token(i)),
        signal: ctx.signal,
      });
    } catch (error) {
      if (!stream) throw error;
      return stream.fail(error);
    }
    if (stream) stream.finish();
    else sendJson(ctx.res, 200, answered.message, { "request-id": this.engine.newId("req_") });
  }
}

/** Auth: an x-api-key header (any value) or, as @anthropic-ai/sdk >= 1.x sends it, Authorization: Bearer <key>. */
export function checkAnthropicHeaders(ctx: RouteContext): void {
  const bearer = /^Bearer \S+/.test(ctx.req.headers.authorization ?? "");
  if (!ctx.req.headers["x-api-key"] && !bearer)
    throw new SimHttpError(401, "authentication_error", "x-api-key header is required");
  if (!ctx.req.headers["anthropic-version"]) throw badRequest("anthropic-version: header is required");
}

function buildMessage(
  id: string,
  parsed: ParsedAnthropic,
  output: GeneratedOutput,
  cache: PromptCacheUsage,
  serviceTier: "standard" | "batch",
): Message {
  const content: Message["content"] =
    output.answer.kind === "tool_calls"
      ? output.answer.calls.map((c) => ({
          type: "tool_use" as const,
          id: `toolu_${c.id}`,
          name: c.name,
          input: c.args,
          caller: { type: "direct" as const },
        }))
      : [{ type: "text" as const, text: output.answer.text, citations: null }];
  const usage: Usage = {
    input_tokens: parsed.promptTokens.length - cache.readTokens - cache.creationTokens,
    output_tokens: output.tokens.length,
    cache_creation_input_tokens: cache.creationTokens,
    cache_read_input_tokens: cache.readTokens,
    cache_creation: { ephemeral_5m_input_tokens: cache.creation5m, ephemeral_1h_input_tokens: cache.creation1h },
    service_tier: serviceTier,
    server_tool_use: null,
    inference_geo: null,
    output_tokens_details: null,
    speed: null,
  };
  return {
    id,
    type: "message",
    role: "assistant",
    model: parsed.model,
    content,
    stop_reason:
      output.finishReason === "tool_calls" ? "tool_use" : output.finishReason === "length" ? "max_tokens" : "end_turn",
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage,
  };
}
