// The Anthropic Messages body a client sends to the gateway, as the neutral ChatRequest, and a ChatResult back as a
// `message` object or as the server-sent events of a stream (text deltas as the backend streams them, else one delta
// per block; tool calls whole at the end).
import { anthropicStopReason } from "../dropins/finish-reason.js";
import type { ChatMessage, ChatRequest, ChatResult, ChatToolChoice } from "../runtime/chat.js";
import { BadRequest } from "./gateway-errors.js";
import type { StreamWriter } from "./stream-writer.js";

type Block =
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: unknown }
  | { type: "tool_result"; tool_use_id: string; content?: string | { type: string; text?: string }[] }
  | { type: string };

interface WireMessage {
  role: "user" | "assistant";
  content: string | Block[];
}

export interface AnthropicMessagesBody {
  model?: string;
  system?: string | { type: string; text?: string }[];
  messages?: WireMessage[];
  tools?: { name: string; description?: string; input_schema?: Record<string, unknown> }[];
  tool_choice?: { type: "auto" | "any" | "none" | "tool"; name?: string };
  max_tokens?: number;
  temperature?: number;
  stream?: boolean;
  metadata?: { user_id?: string };
}

function blockText(blocks: string | { type: string; text?: string }[] | undefined): string {
  if (blocks === undefined) return "";
  if (typeof blocks === "string") return blocks;
  return blocks.map((block) => (block.type === "text" ? (block.text ?? "") : "")).join("");
}

function messages(wire: WireMessage): ChatMessage[] {
  if (typeof wire.content === "string")
    return [
      wire.role === "user" ? { role: "user", content: wire.content } : { role: "assistant", content: wire.content },
    ];
  if (!Array.isArray(wire.content)) throw new BadRequest("message content must be a string or an array of blocks");
  if (wire.role === "assistant") {
    const toolCalls = wire.content
      .filter((b): b is Extract<Block, { type: "tool_use" }> => b.type === "tool_use")
      .map((b) => ({ id: b.id, name: b.name, arguments: JSON.stringify(b.input ?? {}) }));
    const text = blockText(wire.content as { type: string; text?: string }[]);
    return [
      {
        role: "assistant",
        content: text === "" && toolCalls.length ? null : text,
        ...(toolCalls.length ? { toolCalls } : {}),
      },
    ];
  }
  const out: ChatMessage[] = [];
  for (const block of wire.content)
    if (block.type === "tool_result") {
      const result = block as Extract<Block, { type: "tool_result" }>;
      out.push({ role: "tool", content: blockText(result.content), toolCallId: result.tool_use_id });
    }
  const text = blockText(wire.content as { type: string; text?: string }[]);
  if (text !== "" || out.length === 0) out.push({ role: "user", content: text });
  return out;
}

function toolChoice(choice: AnthropicMessagesBody["tool_choice"]): ChatToolChoice | undefined {
  if (!choice) return undefined;
  if (choice.type === "tool") {
    if (!choice.name) throw new BadRequest("tool_choice of type 'tool' needs a name");
    return { name: choice.name };
  }
  return choice.type === "any" ? "required" : choice.type;
}

export function chatRequestFromAnthropic(body: AnthropicMessagesBody): ChatRequest {
  if (typeof body.model !== "string" || body.model === "") throw new BadRequest("model: Field required");
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw new BadRequest("messages: Field required");
  if (typeof body.max_tokens !== "number") throw new BadRequest("max_tokens: Field required");
  const system = blockText(body.system);
  const tools = (body.tools ?? []).map((t) => ({
    name: t.name,
    description: t.description,
    parameters: t.input_schema ?? { type: "object", properties: {} },
  }));
  const choice = toolChoice(body.tool_choice);
  return {
    model: body.model,
    messages: [...(system ? [{ role: "system" as const, content: system }] : []), ...body.messages.flatMap(messages)],
    ...(tools.length ? { tools, ...(choice ? { toolChoice: choice } : {}) } : {}),
    maxTokens: body.max_tokens,
    ...(body.temperature !== undefined ? { temperature: body.temperature } : {}),
  };
}

function parsedInput(text: string): unknown {
  try {
    return JSON.parse(text || "{}");
  } catch {
    return {};
  }
}

function usage(result: ChatResult) {
  const { promptTokens, cachedTokens, cacheWriteTokens, completionTokens } = result.usage;
  return {
    input_tokens: Math.max(0, promptTokens - cachedTokens - cacheWriteTokens),
    output_tokens: completionTokens,
    cache_read_input_tokens: cachedTokens,
    cache_creation_input_tokens: cacheWriteTokens,
  };
}

function content(result: ChatResult): Block[] {
  return [
    ...(result.content ? [{ type: "text" as const, text: result.content }] : []),
    ...result.toolCalls.map((call) => ({
      type: "tool_use" as const,
      id: call.id,
      name: call.name,
      input: parsedInput(call.arguments),
    })),
  ];
}

export function anthropicMessage(id: string, model: string, result: ChatResult): Record<string, unknown> {
  return {
    id,
    type: "message",
    role: "assistant",
    model,
    content: content(result),
    stop_reason: anthropicStopReason(result.finishReason),
    stop_sequence: null,
    usage: usage(result),
  };
}

/**
 * The `event:`/`data:` pairs of a streamed answer, in the steps of a StreamWriter. Usage is known only at the end:
 * `message_start` carries it when no text was streamed, and `message_delta` always does.
 */
export function anthropicStreamWriter(id: string, model: string): StreamWriter {
  const event = (name: string, data: Record<string, unknown>): [string, string] => [name, JSON.stringify(data)];
  let textOpen = false;
  const startText = () => {
    textOpen = true;
    return event("content_block_start", {
      type: "content_block_start",
      index: 0,
      content_block: { type: "text", text: "" },
    });
  };
  const delta = (text: string) =>
    event("content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text } });
  const start = (result?: ChatResult): [string, string][] => {
    const known = result
      ? usage(result)
      : { input_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
    const message = {
      id,
      type: "message",
      role: "assistant",
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
    };
    return [
      event("message_start", { type: "message_start", message: { ...message, usage: { ...known, output_tokens: 0 } } }),
    ];
  };
  return {
    start: () => start(),
    text: (text) => (textOpen ? [delta(text)] : [startText(), delta(text)]),
    end(result, streamedText) {
      const events: [string, string][] = streamedText ? [] : [...start(result)];
      if (!streamedText && result.content) events.push(startText(), delta(result.content));
      if (textOpen) events.push(event("content_block_stop", { type: "content_block_stop", index: 0 }));
      result.toolCalls.forEach((call, i) => {
        const index = i + (textOpen ? 1 : 0);
        const content_block = { type: "tool_use", id: call.id, name: call.name, input: {} };
        const partial_json = JSON.stringify(parsedInput(call.arguments));
        events.push(
          event("content_block_start", { type: "content_block_start", index, content_block }),
          event("content_block_delta", {
            type: "content_block_delta",
            index,
            delta: { type: "input_json_delta", partial_json },
          }),
          event("content_block_stop", { type: "content_block_stop", index }),
        );
      });
      events.push(
        event("message_delta", {
          type: "message_delta",
          delta: { stop_reason: anthropicStopReason(result.finishReason), stop_sequence: null },
          usage: usage(result),
        }),
        event("message_stop", { type: "message_stop" }),
      );
      return events;
    },
  };
}
