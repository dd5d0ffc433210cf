// LangChain messages to the neutral ChatRequest messages, and a ChatResult back to an AIMessage whose
// `usage_metadata` (input, output and cached tokens) is what callbacks and LangSmith-style tracers record.
import { AIMessage, AIMessageChunk, type BaseMessage, type UsageMetadata } from "@langchain/core/messages";
import type { ChatMessage, ChatResult, ChatUsage } from "../../runtime/chat.js";

/** The text of a message's content: a string, or the text blocks of a content array. */
function textOf(content: BaseMessage["content"]): string {
  if (typeof content === "string") return content;
  return content
    .map((block) => (typeof block === "string" ? block : block.type === "text" ? String(block.text ?? "") : ""))
    .join("");
}

export function toChatMessages(messages: BaseMessage[]): ChatMessage[] {
  return messages.map((message): ChatMessage => {
    const type = message.getType();
    const text = textOf(message.content);
    switch (type) {
      case "system":
      case "developer":
        return { role: "system", content: text };
      case "human":
        return { role: "user", content: text };
      case "ai": {
        const calls = (message as AIMessage).tool_calls ?? [];
        return {
          role: "assistant",
          content: text === "" && calls.length > 0 ? null : text,
          ...(calls.length > 0
            ? {
                toolCalls: calls.map((call, index) => ({
                  id: call.id ?? `call_${index}`,
                  name: call.name,
                  arguments: JSON.stringify(call.args ?? {}),
                })),
              }
            : {}),
        };
      }
      case "tool":
        return {
          role: "tool",
          content: text,
          toolCallId: (message as unknown as { tool_call_id: string }).tool_call_id,
        };
      default:
        throw new Error(`NexusChatModel cannot send a '${type}' message`);
    }
  });
}

export function usageMetadataOf(usage: ChatUsage): UsageMetadata {
  return {
    input_tokens: usage.promptTokens,
    output_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    input_token_details: { cache_read: usage.cachedTokens, cache_creation: usage.cacheWriteTokens },
  };
}

function parseArguments(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text || "{}");
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The fields of the AIMessage (or chunk) a ChatResult becomes. */
function aiFields(result: ChatResult, metadata: Record<string, unknown>) {
  return {
    content: result.content ?? "",
    tool_calls: result.toolCalls.map((call) => ({
      id: call.id,
      name: call.name,
      args: parseArguments(call.arguments),
      type: "tool_call" as const,
    })),
    usage_metadata: usageMetadataOf(result.usage),
    response_metadata: { finish_reason: result.finishReason, ...metadata },
  };
}

export function toAIMessage(result: ChatResult, metadata: Record<string, unknown>): AIMessage {
  return new AIMessage(aiFields(result, metadata));
}

export function toAIMessageChunk(result: ChatResult, metadata: Record<string, unknown>): AIMessageChunk {
  return new AIMessageChunk(aiFields(result, metadata));
}
