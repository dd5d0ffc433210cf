// The OpenAI chat-completions body a client sends to the gateway, as the neutral ChatRequest, and a ChatResult back
// as a `chat.completion` object or as the `chat.completion.chunk` events of a stream (text chunks as the backend
// streams them, else the whole answer in one content chunk; tool calls whole at the end).
import type { ChatMessage, ChatRequest, ChatResult, ChatToolChoice } from "../runtime/chat.js";
import { openAIFinishReason } from "../dropins/finish-reason.js";
import { BadRequest } from "./gateway-errors.js";
import type { StreamWriter } from "./stream-writer.js";

interface WireToolCall {
  id: string;
  function: { name: string; arguments?: string };
}

interface WireMessage {
  role: string;
  content?: string | null | { type: string; text?: string }[];
  tool_calls?: WireToolCall[];
  tool_call_id?: string;
}

export interface OpenAIChatBody {
  model?: string;
  messages?: WireMessage[];
  tools?: { type: string; function: { name: string; description?: string; parameters?: Record<string, unknown> } }[];
  tool_choice?: string | { type: string; function: { name: string } };
  response_format?: { type: string; json_schema?: { name?: string; schema?: Record<string, unknown> } };
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  user?: string;
}

function text(content: WireMessage["content"]): string {
  if (content === null || content === undefined) return "";
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) throw new BadRequest("message content must be a string or an array of parts");
  return content.map((part) => (part.type === "text" ? (part.text ?? "") : "")).join("");
}

function message(wire: WireMessage): ChatMessage {
  switch (wire.role) {
    case "system":
    case "developer":
      return { role: "system", content: text(wire.content) };
    case "user":
      return { role: "user", content: text(wire.content) };
    case "assistant": {
      const calls = (wire.tool_calls ?? []).map((call) => ({
        id: call.id,
        name: call.function.name,
        arguments: call.function.arguments ?? "{}",
      }));
      const content = wire.content === null || wire.content === undefined ? null : text(wire.content);
      return { role: "assistant", content, ...(calls.length ? { toolCalls: calls } : {}) };
    }
    case "tool":
      if (typeof wire.tool_call_id !== "string") throw new BadRequest("a tool message needs tool_call_id");
      return { role: "tool", content: text(wire.content), toolCallId: wire.tool_call_id };
    default:
      throw new BadRequest(`unknown message role '${String(wire.role)}'`);
  }
}

function toolChoice(choice: OpenAIChatBody["tool_choice"]): ChatToolChoice | undefined {
  if (choice === undefined) return undefined;
  if (typeof choice === "object") return { name: choice.function.name };
  if (choice === "auto" || choice === "none" || choice === "required") return choice;
  throw new BadRequest(`unknown tool_choice '${choice}'`);
}

export function chatRequestFromOpenAI(body: OpenAIChatBody): ChatRequest {
  if (typeof body.model !== "string" || body.model === "") throw new BadRequest("model is required");
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw new BadRequest("messages are required");
  const tools = (body.tools ?? [])
    .filter((t) => t.type === "function")
    .map((t) => ({
      name: t.function.name,
      description: t.function.description,
      parameters: t.function.parameters ?? { type: "object", properties: {} },
    }));
  const format = body.response_format;
  const choice = toolChoice(body.tool_choice);
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  return {
    model: body.model,
    messages: body.messages.map(message),
    ...(tools.length ? { tools, ...(choice ? { toolChoice: choice } : {}) } : {}),
    ...(format?.type === "json_schema" && format.json_schema?.schema
      ? { responseSchema: { name: format.json_schema.name ?? "response", schema: format.json_schema.schema } }
      : format?.type === "json_object"
        ? { responseSchema: { name: "response", schema: { type: "object" } } }
        : {}),
    ...(maxTokens !== undefined ? { maxTokens } : {}),
    ...(body.temperature !== undefined ? { temperature: body.temperature } : {}),
  };
}

function usage(result: ChatResult) {
  const { promptTokens, completionTokens, cachedTokens } = result.usage;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: cachedTokens },
  };
}

function wireToolCalls(result: ChatResult) {
  return result.toolCalls.map((call, index) => ({
    index,
    id: call.id,
    type: "function",
    function: { name: call.name, arguments: call.arguments },
  }));
}

export function openAICompletion(id: string, model: string, result: ChatResult): Record<string, unknown> {
  const toolCalls = wireToolCalls(result).map(({ index: _index, ...call }) => call);
  return {
    id,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: result.content,
          ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: openAIFinishReason(result.finishReason),
        logprobs: null,
      },
    ],
    usage: usage(result),
  };
}

/** The `data:` payloads of a streamed answer: a role chunk, text chunks, then the rest and `[DONE]` last. */
export function openAIStreamWriter(id: string, model: string, includeUsage: boolean): StreamWriter {
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      id,
      object: "chat.completion.chunk",
      created,
      model,
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
      ...extra,
    });
  const start = (): string[] => [chunk({ role: "assistant", content: "" }, null)];
  const pairs = (events: string[]): [string, string][] => events.map((data) => ["", data]);
  return {
    start: () => pairs(start()),
    text: (delta) => pairs([chunk({ content: delta }, null)]),
    end(result, streamedText) {
      const events = streamedText ? [] : start();
      if (result.content && !streamedText) events.push(chunk({ content: result.content }, null));
      if (result.toolCalls.length) events.push(chunk({ tool_calls: wireToolCalls(result) }, null));
      events.push(chunk({}, openAIFinishReason(result.finishReason)));
      if (includeUsage)
        events.push(
          JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [], usage: usage(result) }),
        );
      events.push("[DONE]");
      return pairs(events);
    },
  };
}
