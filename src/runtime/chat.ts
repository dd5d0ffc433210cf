// The provider-neutral model request (rendered by src/prompt, re-exported here) and the result and scheduling hints the
// runtime passes to and gets from backends; each backend translates to and from its own wire format.
import type { BatchMode } from "../ir/annotations/batch.js";
import type { ChatToolCall } from "../prompt/chat-request.js";

export type {
  ChatMessage,
  ChatRequest,
  ChatToolCall,
  ChatToolChoice,
  ChatToolDefinition,
  ResponseSchema,
} from "../prompt/chat-request.js";

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
  /** The provider batch that answered the request, when one did. */
  batchId?: string;
}

/** Scheduling facts that travel with a request (from the node's batch annotation). */
export interface RequestHints {
  /** Higher runs first (Dynamo `nvext.agent_hints.priority`). */
  priority?: number;
  /**
   * Order among requests waiting for one of the run's inference slots (higher first; -O3's remaining-work
   * priority, without the engine-side lift of tool-calling turns): an item's continuing turn goes before a new
   * item's first. Not sent to the backend.
   */
  queuePriority?: number;
  /**
   * When the answer calls a tool, `share` of an inference slot is kept for the item's next request, for up to `ms`
   * (real ms; -O3's tool-wait retention), so that turn does not queue behind new items' first turns. Not sent.
   */
  holdSlot?: { ms: number; share: number };
  /** Called each time the request is sent (it has its inference slot). */
  onSent?: () => void;
  /** Expected output tokens (Dynamo `osl`). */
  expectedOutputTokens?: number;
  /**
   * Keep this request's prefix cached for this long after it finishes (a tool call follows): Dynamo
   * `nvext.cache_control` (tool-wait-retention, -O3).
   */
  keepAliveMs?: number;
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
  batchMode?: BatchMode;
  signal?: AbortSignal;
  /** The caller wants the answer's text as it is generated: a backend with `stream` calls this with each piece. */
  onDelta?: (text: string) => void;
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
