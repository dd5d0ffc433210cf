// NexusChatModel: a LangChain chat model that sends every call through the process's shared BatchAccumulator for
// its backend (see ../shared-backend.ts). Swap it in for ChatOpenAI or ChatAnthropic in LangChain or LangGraph.js
// code: invoke, batch, stream (text as the backend streams it, else one chunk), bindTools with tool calls in the
// answer, withStructuredOutput (JSON Schema answers by default, or a forced tool call), callbacks, and usage_metadata
// with cached tokens on every answer, so tracers show the model run with its tokens.
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import type { BaseLanguageModelInput, StructuredOutputMethodOptions } from "@langchain/core/language_models/base";
import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BaseChatModelParams,
  type BindToolsInput,
  type LangSmithParams,
} from "@langchain/core/language_models/chat_models";
import {
  assembleStructuredOutputPipeline,
  createContentParser,
  createFunctionCallingParser,
} from "@langchain/core/language_models/structured_output";
import { AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import { ChatGenerationChunk, type ChatResult as LangChainResult } from "@langchain/core/outputs";
import type { Runnable } from "@langchain/core/runnables";
import { convertToOpenAITool } from "@langchain/core/utils/function_calling";
import { toJsonSchema } from "@langchain/core/utils/json_schema";
import type { ChatRequest, ChatToolChoice, ChatToolDefinition, ResponseSchema } from "../../runtime/chat.js";
import type { NexusBackendOptions } from "../nexus-options.js";
import { sharedBackend, type NexusCallResult, type SharedBackend } from "../shared-backend.js";
import { streamedCall } from "../streamed-call.js";
import { toAIMessage, toAIMessageChunk, toChatMessages } from "./message-conversion.js";

/** LangChain's ways of naming the tool choice: `any`/`required`, `auto`, `none`, a tool name, an OpenAI object. */
export type LangChainToolChoice = string | { type: "function"; function: { name: string } } | { name: string };

export interface NexusChatModelCallOptions extends BaseChatModelCallOptions {
  tools?: BindToolsInput[];
  tool_choice?: LangChainToolChoice;
  /** A JSON Schema the answer must satisfy (what withStructuredOutput sets). */
  responseSchema?: ResponseSchema;
}

export interface NexusChatModelFields extends BaseChatModelParams, NexusBackendOptions {
  /** The model name the backend serves. */
  model: string;
  temperature?: number;
  maxTokens?: number;
}

function toolDefinition(tool: BindToolsInput): ChatToolDefinition {
  const converted = convertToOpenAITool(tool as Parameters<typeof convertToOpenAITool>[0]);
  return {
    name: converted.function.name,
    description: converted.function.description,
    parameters: (converted.function.parameters ?? { type: "object", properties: {} }) as Record<string, unknown>,
  };
}

function toolChoiceOf(choice: LangChainToolChoice | undefined): ChatToolChoice | undefined {
  if (choice === undefined) return undefined;
  if (typeof choice === "object") return { name: "function" in choice ? choice.function.name : choice.name };
  if (choice === "any" || choice === "required") return "required";
  if (choice === "auto" || choice === "none") return choice;
  return { name: choice };
}

export class NexusChatModel extends BaseChatModel<NexusChatModelCallOptions, AIMessageChunk> {
  readonly model: string;
  readonly temperature?: number;
  readonly maxTokens?: number;
  private readonly backendOptions: NexusBackendOptions;

  static override lc_name(): string {
    return "NexusChatModel";
  }

  constructor(fields: NexusChatModelFields) {
    super(fields);
    this.model = fields.model;
    this.temperature = fields.temperature;
    this.maxTokens = fields.maxTokens;
    this.backendOptions = {
      backend: fields.backend,
      maxInflight: fields.maxInflight,
      maxBatchSize: fields.maxBatchSize,
      maxWaitMs: fields.maxWaitMs,
      prefixWarmup: fields.prefixWarmup,
      retry: fields.retry,
      runId: fields.runId,
      journalDir: fields.journalDir,
    };
  }

  /** The process's shared backend this model sends through (made at the first call). */
  get shared(): SharedBackend {
    return sharedBackend(this.backendOptions);
  }

  _llmType(): string {
    return "nexus";
  }

  override invocationParams(options?: this["ParsedCallOptions"]): Record<string, unknown> {
    return {
      model: this.model,
      backend: this.backendOptions.backend,
      temperature: this.temperature,
      max_tokens: this.maxTokens,
      tools: options?.tools?.map(toolDefinition),
      tool_choice: options?.tool_choice,
    };
  }

  override getLsParams(options: this["ParsedCallOptions"]): LangSmithParams {
    return {
      ls_provider: "nexus",
      ls_model_name: this.model,
      ls_model_type: "chat",
      ls_temperature: this.temperature,
      ls_max_tokens: this.maxTokens,
      ls_stop: options.stop,
    };
  }

  override bindTools(
    tools: BindToolsInput[],
    kwargs?: Partial<NexusChatModelCallOptions>,
  ): Runnable<BaseLanguageModelInput, AIMessageChunk, NexusChatModelCallOptions> {
    return this.withConfig({ tools, ...kwargs });
  }

  private request(messages: BaseMessage[], options: this["ParsedCallOptions"]): ChatRequest {
    const tools = options.tools?.map(toolDefinition);
    return {
      model: this.model,
      messages: toChatMessages(messages),
      ...(tools?.length ? { tools, toolChoice: toolChoiceOf(options.tool_choice) } : {}),
      ...(options.responseSchema ? { responseSchema: options.responseSchema } : {}),
      ...(this.maxTokens !== undefined ? { maxTokens: this.maxTokens } : {}),
      ...(this.temperature !== undefined ? { temperature: this.temperature } : {}),
    };
  }

  private async call(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<NexusCallResult> {
    return this.shared.complete(this.request(messages, options), { signal: options.signal });
  }

  private static metadata(call: NexusCallResult): Record<string, unknown> {
    return { model_provider: "nexus", request_id: call.requestId, ...(call.batchId ? { batch_id: call.batchId } : {}) };
  }

  async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<LangChainResult> {
    const call = await this.call(messages, options);
    const { usage } = call.result;
    return {
      generations: [
        { text: call.result.content ?? "", message: toAIMessage(call.result, NexusChatModel.metadata(call)) },
      ],
      llmOutput: {
        tokenUsage: {
          promptTokens: usage.promptTokens,
          completionTokens: usage.completionTokens,
          totalTokens: usage.promptTokens + usage.completionTokens,
        },
      },
    };
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    let streamed = false;
    const parts = streamedCall((onDelta) =>
      this.shared.complete(this.request(messages, options), { signal: options.signal, onDelta }),
    );
    for await (const part of parts) {
      // Text as the backend streams it; then the rest of the answer (tool calls, usage), with the text only when
      // none was streamed.
      const call = "result" in part ? part.result : undefined;
      const text = call ? (streamed ? "" : (call.result.content ?? "")) : (part as { text: string }).text;
      streamed ||= !call;
      const message = call
        ? toAIMessageChunk({ ...call.result, content: text }, NexusChatModel.metadata(call))
        : new AIMessageChunk({ content: text });
      const chunk = new ChatGenerationChunk({ text, message });
      yield chunk;
      await runManager?.handleLLMNewToken(text, undefined, undefined, undefined, undefined, { chunk });
    }
  }

  /* eslint-disable @typescript-eslint/no-explicit-any -- the overloads are LangChain's own */
  override withStructuredOutput<RunOutput extends Record<string, any> = Record<string, any>>(
    outputSchema: Parameters<BaseChatModel["withStructuredOutput"]>[0],
    config?: StructuredOutputMethodOptions<false>,
  ): Runnable<BaseLanguageModelInput, RunOutput>;
  override withStructuredOutput<RunOutput extends Record<string, any> = Record<string, any>>(
    outputSchema: Parameters<BaseChatModel["withStructuredOutput"]>[0],
    config?: StructuredOutputMethodOptions<true>,
  ): Runnable<BaseLanguageModelInput, { raw: BaseMessage; parsed: RunOutput }>;
  /**
   * Answers as `outputSchema` says: by default the request carries the schema (`response_format: json_schema`, the
   * Anthropic answer tool), with `method: "functionCalling"` the model is made to call one tool with it.
   */
  override withStructuredOutput<RunOutput extends Record<string, any> = Record<string, any>>(
    outputSchema: Parameters<BaseChatModel["withStructuredOutput"]>[0],
    config?: StructuredOutputMethodOptions<boolean>,
  ):
    | Runnable<BaseLanguageModelInput, RunOutput>
    | Runnable<BaseLanguageModelInput, { raw: BaseMessage; parsed: RunOutput }> {
    /* eslint-enable @typescript-eslint/no-explicit-any */
    const schema = toJsonSchema(outputSchema as Parameters<typeof toJsonSchema>[0]) as Record<string, unknown>;
    const name = config?.name ?? (typeof schema.title === "string" ? schema.title : "answer");
    const includeRaw = config?.includeRaw ?? false;
    if (config?.method === "functionCalling") {
      const tool = { type: "function", function: { name, description: schema.description, parameters: schema } };
      const llm = this.bindTools([tool], { tool_choice: name });
      const parser = createFunctionCallingParser<RunOutput>(outputSchema as Record<string, unknown>, name);
      return assembleStructuredOutputPipeline<RunOutput>(llm, parser, includeRaw, "StructuredOutput");
    }
    const llm = this.withConfig({ responseSchema: { name: name.replace(/[^a-zA-Z0-9_-]/g, "_"), schema } });
    const parser = createContentParser<RunOutput>(outputSchema as Record<string, unknown>);
    return assembleStructuredOutputPipeline<RunOutput>(llm, parser, includeRaw, "StructuredOutput");
  }
}
