// OpenAI chat.completions request parsing (validation, normalization to the chat template and to the
// provider-neutral ModelRequest) and response building (ChatCompletion JSON), shared by the engine endpoint and
// the OpenAI Batch emulator.

import type { ChatCompletion, ChatCompletionMessageFunctionToolCall } from "openai/resources/chat/completions";
import type { CompletionUsage } from "openai/resources/completions";
import type { ChatPromptInput, TemplateMessage, TemplateTool } from "./chat-template.js";
import { badRequest, isRecord } from "./errors.js";
import { canonicalJson } from "../util/canonical-json.js";
import { hashString } from "./hash.js";
import type { GeneratedOutput, ModelMessage, ModelRequest, ModelTool, ToolChoice } from "./model-behaviour.js";
import type { JsonSchema } from "./schema-sample.js";
import { parseRequestHints } from "./request-hints.js";

export type EngineMode = "vllm" | "sglang" | "dynamo";

export interface ParsedChat {
  model: string;
  template: ChatPromptInput;
  request: ModelRequest;
  maxTokens?: number;
  n: number;
  stream: boolean;
  includeUsage: boolean;
  /** Higher runs first; with the other hints (see request-hints.ts). */
  priority?: number;
  latencySensitivityMs?: number;
  pinMs?: number;
  cacheSalt?: string;
  /** Tool-call ids the messages refer to (assistant tool_calls, tool results): answers this request follows. */
  referencedCallIds: string[];
}

/** Ids of tool calls referenced by assistant tool_calls and by tool results (tool_call_id). */
function referencedCallIds(raw: unknown[]): string[] {
  const ids = new Set<string>();
  for (const m of raw) {
    if (!isRecord(m)) continue;
    if (typeof m.tool_call_id === "string") ids.add(m.tool_call_id);
    if (Array.isArray(m.tool_calls))
      for (const c of m.tool_calls) if (isRecord(c) && typeof c.id === "string") ids.add(c.id);
  }
  return [...ids];
}

const ROLES = new Set(["system", "developer", "user", "assistant", "tool", "function"]);

export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part) => {
      if (!isRecord(part)) return "";
      if (typeof part.text === "string") return part.text;
      if (typeof part.refusal === "string") return part.refusal;
      return `[${String(part.type ?? "part")}]`;
    })
    .join("");
}

function positiveInt(value: unknown, param: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1)
    throw badRequest(`${param} must be a positive integer`, param);
  return value;
}

function parseTools(body: Record<string, unknown>): TemplateTool[] {
  const raw =
    body.tools ??
    (Array.isArray(body.functions) ? body.functions.map((f) => ({ type: "function", function: f })) : undefined);
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw badRequest("tools must be an array", "tools");
  return raw.map((t, i) => {
    const fn = isRecord(t) && isRecord(t.function) ? t.function : undefined;
    if (!fn || typeof fn.name !== "string" || !fn.name)
      throw badRequest(`tools[${i}].function.name is required`, `tools[${i}]`);
    return {
      name: fn.name,
      description: typeof fn.description === "string" ? fn.description : undefined,
      parameters: fn.parameters,
    };
  });
}

function parseToolChoice(value: unknown, tools: TemplateTool[]): ToolChoice {
  if (value === undefined || value === null) return tools.length ? "auto" : "none";
  if (value === "auto" || value === "none" || value === "required") return value;
  if (isRecord(value) && isRecord(value.function) && typeof value.function.name === "string") {
    if (!tools.some((t) => t.name === (value.function as { name: string }).name))
      throw badRequest(`tool_choice names unknown tool "${value.function.name}"`, "tool_choice");
    return { name: value.function.name };
  }
  throw badRequest("invalid tool_choice", "tool_choice");
}

function parseMessages(raw: unknown): TemplateMessage[] {
  if (!Array.isArray(raw) || raw.length === 0) throw badRequest("messages must be a non-empty array", "messages");
  return raw.map((m, i) => {
    if (!isRecord(m) || typeof m.role !== "string" || !ROLES.has(m.role))
      throw badRequest(`messages[${i}].role is invalid`, `messages[${i}].role`);
    const calls = Array.isArray(m.tool_calls)
      ? m.tool_calls
      : isRecord(m.function_call)
        ? [{ function: m.function_call }]
        : [];
    const toolCalls = calls.filter(isRecord).map((c) => {
      const fn = isRecord(c.function) ? c.function : {};
      return {
        name: String(fn.name ?? ""),
        arguments: typeof fn.arguments === "string" ? fn.arguments : JSON.stringify(fn.arguments ?? {}),
      };
    });
    return { role: m.role, text: contentText(m.content), ...(toolCalls.length ? { toolCalls } : {}) };
  });
}

/** Validate and normalize a chat.completions request body. Throws SimHttpError (400) on invalid input. */
export function parseChatRequest(body: unknown, mode: EngineMode): ParsedChat {
  if (!isRecord(body)) throw badRequest("request body must be a JSON object");
  if (mode === "dynamo" && "request_id" in body)
    throw badRequest("Unsupported top-level field: request_id", "request_id");
  const messages = parseMessages(body.messages);
  const tools = parseTools(body);
  const toolChoice = parseToolChoice(body.tool_choice, tools);
  const maxTokens = positiveInt(
    body.max_completion_tokens ?? body.max_tokens,
    body.max_completion_tokens !== undefined ? "max_completion_tokens" : "max_tokens",
  );
  const n = positiveInt(body.n, "n") ?? 1;
  const stream = body.stream === true;
  if (stream && n > 1) throw badRequest("n > 1 is not supported with stream in the simulator", "n");
  let outputSchema: JsonSchema | undefined;
  let jsonMode = false;
  const rf = body.response_format;
  if (isRecord(rf) && rf.type === "json_schema") {
    const js = isRecord(rf.json_schema) ? rf.json_schema : undefined;
    if (!js || !isRecord(js.schema))
      throw badRequest("response_format.json_schema.schema is required", "response_format");
    // Engines enforce response_format by guided decoding: it adds no prompt tokens (and no prefill).
    outputSchema = js.schema;
  } else if (isRecord(rf) && rf.type === "json_object") {
    jsonMode = true;
  } else if (rf !== undefined && rf !== null && !(isRecord(rf) && rf.type === "text")) {
    throw badRequest("invalid response_format", "response_format");
  }
  // What shapes the answer besides the prompt; SimEngine.prepareChat adds the rendered prompt tokens (messages and
  // tools as the model sees them), so equal prompts get equal answers.
  const seed = hashString(canonicalJson({ c: body.tool_choice ?? null, r: rf ?? null, s: body.seed ?? null }));
  const modelMessages: ModelMessage[] = messages.map((m) => ({
    role: m.role,
    text: m.text,
    toolCallCount: m.toolCalls?.length ?? 0,
  }));
  const modelTools: ModelTool[] = tools.map((t) => ({
    name: t.name,
    description: t.description,
    parameters: isRecord(t.parameters) ? t.parameters : undefined,
  }));
  const streamOptions = isRecord(body.stream_options) ? body.stream_options : {};
  return {
    model: typeof body.model === "string" && body.model ? body.model : "default",
    template: { messages, tools },
    request: { messages: modelMessages, tools: modelTools, toolChoice, outputSchema, jsonMode, seed },
    maxTokens,
    n,
    stream,
    includeUsage: streamOptions.include_usage === true,
    ...parseRequestHints(body, mode),
    cacheSalt: typeof body.cache_salt === "string" ? body.cache_salt : undefined,
    referencedCallIds: referencedCallIds(body.messages as unknown[]),
  };
}

export function openAIToolCallId(id: string): string {
  return `call_${id}`;
}

export function toOpenAIToolCalls(output: GeneratedOutput): ChatCompletionMessageFunctionToolCall[] | undefined {
  if (output.answer.kind !== "tool_calls") return undefined;
  return output.answer.calls.map((c) => ({
    id: openAIToolCallId(c.id),
    type: "function" as const,
    function: { name: c.name, arguments: c.arguments },
  }));
}

export function chatUsage(promptTokens: number, cachedTokens: number, completionTokens: number): CompletionUsage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: cachedTokens },
  };
}

export function buildChatCompletion(
  id: string,
  created: number,
  model: string,
  outputs: GeneratedOutput[],
  usage: CompletionUsage,
): ChatCompletion {
  return {
    id,
    object: "chat.completion",
    created,
    model,
    choices: outputs.map((output, index) => {
      const toolCalls = toOpenAIToolCalls(output);
      return {
        index,
        finish_reason: output.finishReason,
        logprobs: null,
        message: {
          role: "assistant" as const,
          content: output.answer.kind === "text" ? output.answer.text : null,
          refusal: null,
          ...(toolCalls ? { tool_calls: toolCalls } : {}),
        },
      };
    }),
    usage,
    system_fingerprint: "nexus-sim",
  };
}
