// The provider-neutral model request and result the runtime passes to backends. Requests use the OpenAI chat shape
// (messages, tools, response_format) because every self-hosted engine speaks it; adapters translate for others.

export interface ChatToolCall {
  id: string;
  name: string;
  /** JSON text, as the model wrote it. */
  arguments: string;
}

export type ChatMessage =
  | { role: "system" | "user"; content: string }
  | { role: "assistant"; content: string | null; toolCalls?: ChatToolCall[] }
  | { role: "tool"; content: string; toolCallId: string };

export interface ChatToolDefinition {
  name: string;
  description?: string;
  parameters: Record<string, unknown>;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  tools?: ChatToolDefinition[];
  /** JSON Schema the answer must satisfy (sent as `response_format: json_schema`). */
  responseSchema?: { name: string; schema: Record<string, unknown> };
  maxTokens?: number;
  temperature?: number;
}

export interface ChatUsage {
  promptTokens: number;
  cachedTokens: number;
  completionTokens: number;
  /** Tokens written to a provider prompt cache (Anthropic `cache_creation_input_tokens`). */
  cacheWriteTokens: number;
}

export interface ChatResult {
  content: string | null;
  toolCalls: ChatToolCall[];
  finishReason: string;
  usage: ChatUsage;
}

/** Scheduling facts that travel with a request (from the node's batch annotation). */
export interface RequestHints {
  /** Higher runs first (Dynamo `nvext.agent_hints.priority`). */
  priority?: number;
  /** Expected output tokens (Dynamo `osl`). */
  expectedOutputTokens?: number;
  /** The node's prefix cache key: requests with equal keys share a prefix. */
  cacheKey?: string;
  /** Number of leading messages identical across the group (for provider cache breakpoints). */
  sharedPrefixMessages?: number;
  /** False when the shared prefix is under the provider's minimum cacheable length: writing it first gains nothing. */
  prefixCacheable?: boolean;
  /**
   * Stable identity of this request across runs (`item/graph/node/turn/attempt`): provider batch backends use it
   * as the `custom_id` source, so a resumed run re-attaches to what it already submitted instead of paying twice.
   */
  requestId?: string;
  /** The node's batch mode (its `batch` annotation): batch backends send `realtime` requests one by one. */
  batchMode?: "engine" | "provider-batch" | "realtime";
  signal?: AbortSignal;
}

export const emptyUsage = (): ChatUsage => ({
  promptTokens: 0,
  cachedTokens: 0,
  completionTokens: 0,
  cacheWriteTokens: 0,
});

export function addUsage(total: ChatUsage, more: ChatUsage): void {
  total.promptTokens += more.promptTokens;
  total.cachedTokens += more.cachedTokens;
  total.completionTokens += more.completionTokens;
  total.cacheWriteTokens += more.cacheWriteTokens;
}
