// Translates the runtime's ChatRequest to the OpenAI chat.completions JSON body and the response back to a
// ChatResult. Shared by every OpenAI-compatible engine (vLLM, SGLang, Dynamo) and OpenAI itself.
import type { ChatMessage, ChatRequest, ChatResult, RequestHints } from "../../runtime/chat.js";

/** Engines whose hints have a wire format of their own. */
export type HintedEngine = "vllm" | "sglang" | "dynamo";

/**
 * The scheduling hints of a request in the engine's own fields (Nexus priorities are higher-first):
 *   Dynamo  `nvext.agent_hints.{priority, osl}` and, for a keep-alive, `nvext.cache_control: {type: "ephemeral",
 *           ttl}` (Dynamo with SGLang HiCache pins the prefix after the answer; it clamps ttl to 300-3600 s, so the
 *           milliseconds written here, which the simulator reads as such, become Dynamo's 300 s minimum);
 *   SGLang  top-level `priority` (higher first, as with `--enable-priority-scheduling`);
 *   vLLM    top-level `priority`, lower first, only with `vllmPriority` (vLLM rejects a non-zero priority unless it
 *           runs with `--scheduling-policy priority`).
 */
export function engineHintFields(
  engine: HintedEngine | string,
  hints: RequestHints,
  vllmPriority = false,
): Record<string, unknown> {
  if (engine === "dynamo") {
    const agentHints: Record<string, unknown> = {};
    if (hints.priority !== undefined) agentHints.priority = hints.priority;
    if (hints.expectedOutputTokens !== undefined) agentHints.osl = hints.expectedOutputTokens;
    const nvext: Record<string, unknown> = {};
    if (Object.keys(agentHints).length) nvext.agent_hints = agentHints;
    if (hints.keepAliveMs) nvext.cache_control = { type: "ephemeral", ttl: `${Math.ceil(hints.keepAliveMs)}ms` };
    return Object.keys(nvext).length ? { nvext } : {};
  }
  if (hints.priority === undefined) return {};
  if (engine === "sglang") return { priority: hints.priority };
  if (engine === "vllm" && vllmPriority) return { priority: -hints.priority };
  return {};
}

function wireMessage(message: ChatMessage): Record<string, unknown> {
  switch (message.role) {
    case "assistant":
      return {
        role: "assistant",
        content: message.content,
        ...(message.toolCalls?.length
          ? {
              tool_calls: message.toolCalls.map((c) => ({
                id: c.id,
                type: "function",
                function: { name: c.name, arguments: c.arguments },
              })),
            }
          : {}),
      };
    case "tool":
      return { role: "tool", content: message.content, tool_call_id: message.toolCallId };
    default:
      return { role: message.role, content: message.content };
  }
}

/** The request body; `extra` carries engine-specific fields (Dynamo's `nvext`). */
export function toWireRequest(request: ChatRequest, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const body: Record<string, unknown> = { model: request.model, messages: request.messages.map(wireMessage) };
  if (request.tools?.length) {
    body.tools = request.tools.map((t) => ({
      type: "function",
      function: { name: t.name, description: t.description, parameters: t.parameters },
    }));
  }
  if (request.toolChoice !== undefined && request.tools?.length)
    body.tool_choice =
      typeof request.toolChoice === "string"
        ? request.toolChoice
        : { type: "function", function: { name: request.toolChoice.name } };
  if (request.responseSchema) {
    body.response_format = {
      type: "json_schema",
      json_schema: { name: request.responseSchema.name, schema: request.responseSchema.schema, strict: true },
    };
  }
  if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  return { ...body, ...extra };
}

interface WireResponse {
  choices?: {
    message?: {
      content?: string | null;
      tool_calls?: { id: string; function: { name: string; arguments: string } }[];
    };
    finish_reason?: string;
  }[];
  usage?: {
    prompt_tokens?: number;
    completion_tokens?: number;
    prompt_tokens_details?: { cached_tokens?: number } | null;
  };
}

export function fromWireResponse(json: unknown): ChatResult {
  const response = json as WireResponse;
  const choice = response.choices?.[0];
  if (!choice?.message) throw new Error("response has no choices[0].message");
  return {
    content: choice.message.content ?? null,
    toolCalls: (choice.message.tool_calls ?? []).map((c) => ({
      id: c.id,
      name: c.function.name,
      arguments: c.function.arguments,
    })),
    finishReason: choice.finish_reason ?? "stop",
    usage: {
      promptTokens: response.usage?.prompt_tokens ?? 0,
      cachedTokens: response.usage?.prompt_tokens_details?.cached_tokens ?? 0,
      completionTokens: response.usage?.completion_tokens ?? 0,
      cacheWriteTokens: 0,
    },
  };
}
