// Translates the runtime's OpenAI-shaped ChatRequest to an Anthropic Messages request and back. The shared prefix
// (tools, then the system prompt) carries `cache_control` breakpoints so siblings read it from the prompt cache.
// An output schema becomes a forced `respond` tool whose input is the answer, Anthropic's way to structured output.
import type { ChatMessage, ChatRequest, ChatResult } from "../../runtime/chat.js";

export const RESPOND_TOOL = "respond";

type Block = Record<string, unknown>;

function toAnthropicMessages(messages: ChatMessage[]): { role: "user" | "assistant"; content: Block[] }[] {
  const out: { role: "user" | "assistant"; content: Block[] }[] = [];
  const push = (role: "user" | "assistant", block: Block) => {
    const last = out[out.length - 1];
    if (last && last.role === role) last.content.push(block);
    else out.push({ role, content: [block] });
  };
  for (const message of messages) {
    if (message.role === "system") continue;
    if (message.role === "user") push("user", { type: "text", text: message.content });
    else if (message.role === "tool")
      push("user", { type: "tool_result", tool_use_id: message.toolCallId, content: message.content });
    else if (message.role === "assistant") {
      if (message.content) push("assistant", { type: "text", text: message.content });
      for (const call of message.toolCalls ?? []) {
        let input: unknown;
        try {
          input = JSON.parse(call.arguments);
        } catch {
          input = { raw: call.arguments };
        }
        push("assistant", { type: "tool_use", id: call.id, name: call.name, input });
      }
    }
  }
  return out;
}

/** The Messages API params; `cacheTtl` is "5m" or "1h". */
export function toAnthropicParams(request: ChatRequest, cacheTtl: "5m" | "1h" = "5m"): Record<string, unknown> {
  const cacheControl = cacheTtl === "1h" ? { type: "ephemeral", ttl: "1h" } : { type: "ephemeral" };
  const tools: Block[] = (request.tools ?? []).map((t) => ({
    name: t.name,
    description: t.description,
    input_schema: t.parameters,
  }));
  if (request.responseSchema) {
    tools.push({
      name: RESPOND_TOOL,
      description: "Give the final answer.",
      input_schema: request.responseSchema.schema,
    });
  }
  if (tools.length) tools[tools.length - 1].cache_control = cacheControl;
  const systemText = request.messages.filter((m) => m.role === "system").map((m) => m.content as string);
  const params: Record<string, unknown> = {
    model: request.model,
    max_tokens: request.maxTokens ?? 4096,
    messages: toAnthropicMessages(request.messages),
  };
  if (systemText.length) params.system = [{ type: "text", text: systemText.join("\n\n"), cache_control: cacheControl }];
  if (tools.length) params.tools = tools;
  if (request.responseSchema) {
    params.tool_choice = request.tools?.length ? { type: "any" } : { type: "tool", name: RESPOND_TOOL };
  } else if (request.toolChoice !== undefined && request.tools?.length) {
    const choice = request.toolChoice;
    params.tool_choice =
      typeof choice === "object"
        ? { type: "tool", name: choice.name }
        : { type: choice === "required" ? "any" : choice };
  }
  if (request.temperature !== undefined) params.temperature = request.temperature;
  return params;
}

interface AnthropicMessage {
  content: (
    { type: "text"; text: string } | { type: "tool_use"; id: string; name: string; input: unknown } | { type: string }
  )[];
  stop_reason: string | null;
  usage: {
    input_tokens: number;
    output_tokens: number;
    cache_creation_input_tokens?: number | null;
    cache_read_input_tokens?: number | null;
  };
}

export function fromAnthropicMessage(message: AnthropicMessage): ChatResult {
  let content: string | null = null;
  const toolCalls: ChatResult["toolCalls"] = [];
  for (const block of message.content) {
    if (block.type === "text") content = (content ?? "") + (block as { text: string }).text;
    if (block.type === "tool_use") {
      const use = block as { id: string; name: string; input: unknown };
      if (use.name === RESPOND_TOOL) content = JSON.stringify(use.input);
      else toolCalls.push({ id: use.id, name: use.name, arguments: JSON.stringify(use.input) });
    }
  }
  const cacheRead = message.usage.cache_read_input_tokens ?? 0;
  const cacheWrite = message.usage.cache_creation_input_tokens ?? 0;
  return {
    content,
    toolCalls:
      content !== null &&
      message.content.some((b) => b.type === "tool_use" && (b as { name: string }).name === RESPOND_TOOL)
        ? []
        : toolCalls,
    finishReason: message.stop_reason ?? "end_turn",
    usage: {
      // Anthropic's input_tokens excludes cached and cache-written tokens; the runtime counts the whole prompt.
      promptTokens: message.usage.input_tokens + cacheRead + cacheWrite,
      cachedTokens: cacheRead,
      completionTokens: message.usage.output_tokens,
      cacheWriteTokens: cacheWrite,
    },
  };
}
