// An AI SDK language model (specification v4, the one `ai` 7 calls) that sends every call through the process's
// shared BatchAccumulator for its backend: generateText, generateObject and streamText work unchanged and batch with
// every other Nexus drop-in on the same backend. Usage carries cached tokens; provider metadata carries the request
// id and, on provider Batch APIs, the batch id. A stream hands on text deltas where the backend streams them, else
// the whole answer at once.
import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4Content,
  LanguageModelV4GenerateResult,
  LanguageModelV4StreamPart,
  LanguageModelV4StreamResult,
  LanguageModelV4Usage,
  SharedV4ProviderMetadata,
} from "@ai-sdk/provider";
import type { ChatUsage } from "../../runtime/chat.js";
import { unifiedFinishReason } from "../finish-reason.js";
import type { NexusBackendOptions } from "../nexus-options.js";
import { sharedBackend, type NexusCallResult } from "../shared-backend.js";
import { toChatRequest } from "./prompt-conversion.js";

function usageOf(usage: ChatUsage): LanguageModelV4Usage {
  return {
    inputTokens: {
      total: usage.promptTokens,
      noCache: usage.promptTokens - usage.cachedTokens,
      cacheRead: usage.cachedTokens,
      cacheWrite: usage.cacheWriteTokens,
    },
    outputTokens: { total: usage.completionTokens, text: usage.completionTokens, reasoning: undefined },
  };
}

function metadataOf(call: NexusCallResult): SharedV4ProviderMetadata {
  return { nexus: { requestId: call.requestId, ...(call.batchId ? { batchId: call.batchId } : {}) } };
}

function contentOf(call: NexusCallResult): LanguageModelV4Content[] {
  const content: LanguageModelV4Content[] = [];
  if (call.result.content) content.push({ type: "text", text: call.result.content });
  for (const toolCall of call.result.toolCalls)
    content.push({ type: "tool-call", toolCallId: toolCall.id, toolName: toolCall.name, input: toolCall.arguments });
  return content;
}

export class NexusLanguageModel implements LanguageModelV4 {
  readonly specificationVersion = "v4" as const;
  readonly provider = "nexus";
  readonly supportedUrls: Record<string, RegExp[]> = {};

  constructor(
    readonly modelId: string,
    private readonly options: NexusBackendOptions,
  ) {}

  private async call(options: LanguageModelV4CallOptions) {
    const { request, warnings } = toChatRequest(this.modelId, options);
    const call = await sharedBackend(this.options).complete(request, { signal: options.abortSignal });
    return { call, warnings, request };
  }

  async doGenerate(options: LanguageModelV4CallOptions): Promise<LanguageModelV4GenerateResult> {
    const { call, warnings, request } = await this.call(options);
    return {
      content: contentOf(call),
      finishReason: { unified: unifiedFinishReason(call.result.finishReason), raw: call.result.finishReason },
      usage: usageOf(call.result.usage),
      providerMetadata: metadataOf(call),
      request: { body: request },
      response: { id: call.requestId, modelId: this.modelId, timestamp: new Date() },
      warnings,
    };
  }

  async doStream(options: LanguageModelV4CallOptions): Promise<LanguageModelV4StreamResult> {
    const { request, warnings } = toChatRequest(this.modelId, options);
    const shared = sharedBackend(this.options);
    const modelId = this.modelId;
    // Text deltas go out as the backend streams them; tool calls, usage and the finish follow with the result.
    const stream = new ReadableStream<LanguageModelV4StreamPart>({
      start: async (controller) => {
        let textOpen = false;
        const text = (delta: string) => {
          if (!textOpen) controller.enqueue({ type: "text-start", id: "0" });
          textOpen = true;
          controller.enqueue({ type: "text-delta", id: "0", delta });
        };
        controller.enqueue({ type: "stream-start", warnings });
        try {
          const call = await shared.complete(request, { signal: options.abortSignal, onDelta: text });
          if (!textOpen && call.result.content) text(call.result.content);
          if (textOpen) controller.enqueue({ type: "text-end", id: "0" });
          controller.enqueue({ type: "response-metadata", id: call.requestId, modelId, timestamp: new Date() });
          for (const toolCall of call.result.toolCalls)
            controller.enqueue({
              type: "tool-call",
              toolCallId: toolCall.id,
              toolName: toolCall.name,
              input: toolCall.arguments,
            });
          controller.enqueue({
            type: "finish",
            usage: usageOf(call.result.usage),
            finishReason: { unified: unifiedFinishReason(call.result.finishReason), raw: call.result.finishReason },
            providerMetadata: metadataOf(call),
          });
        } catch (error) {
          controller.enqueue({ type: "error", error });
        }
        controller.close();
      },
    });
    return { stream, request: { body: request } };
  }
}
