// A streamed chat completion through the official `openai` SDK (server-sent events, `stream_options.include_usage`):
// each text delta is handed on as it arrives, tool-call pieces are joined, and the last chunk's usage (with cached
// tokens) completes the result, which equals what the same request answers unstreamed.
import OpenAI from "openai";
import { BackendError, isRetryableStatus, retryAfterMs } from "../../runtime/backend.js";
import type { ChatResult, ChatToolCall } from "../../runtime/chat.js";

/** One client per backend: the SDK's own retries are off (the runtime retries), its timeout is the runtime's. */
export function streamingClient(baseURL: string, apiKey: string | undefined): OpenAI {
  return new OpenAI({ baseURL, apiKey: apiKey ?? "none", maxRetries: 0, timeout: 24 * 3600 * 1000 });
}

/** Sends `body` (a chat.completions body) with `stream: true` and gathers the result. */
export async function streamCompletion(
  client: OpenAI,
  body: Record<string, unknown>,
  signal: AbortSignal | undefined,
  onDelta: (text: string) => void,
): Promise<ChatResult> {
  let content: string | null = null;
  const calls: ChatToolCall[] = [];
  let finishReason = "stop";
  let usage: OpenAI.CompletionUsage | undefined;
  try {
    const stream = await client.chat.completions.create(
      {
        ...body,
        stream: true,
        stream_options: { include_usage: true },
      } as unknown as OpenAI.ChatCompletionCreateParamsStreaming,
      { signal },
    );
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (!choice) continue;
      if (choice.delta.content) {
        content = (content ?? "") + choice.delta.content;
        onDelta(choice.delta.content);
      }
      for (const piece of choice.delta.tool_calls ?? []) {
        const call = (calls[piece.index] ??= { id: "", name: "", arguments: "" });
        if (piece.id) call.id = piece.id;
        if (piece.function?.name) call.name += piece.function.name;
        if (piece.function?.arguments) call.arguments += piece.function.arguments;
      }
      if (choice.finish_reason) finishReason = choice.finish_reason;
    }
  } catch (error) {
    throw asBackendError(error, client.baseURL, signal);
  }
  return {
    content,
    toolCalls: calls.filter(Boolean),
    finishReason,
    usage: {
      promptTokens: usage?.prompt_tokens ?? 0,
      cachedTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
      completionTokens: usage?.completion_tokens ?? 0,
      cacheWriteTokens: 0,
    },
  };
}

/** The SDK's errors as the runtime's: statuses decide the retry, a lost connection is retried. */
function asBackendError(error: unknown, where: string, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return signal.reason ?? error;
  if (error instanceof OpenAI.APIError && error.status !== undefined)
    return new BackendError(
      `${where} answered ${error.status}: ${error.message.slice(0, 500)}`,
      error.status,
      isRetryableStatus(error.status),
      error.headers ? retryAfterMs(error.headers) : undefined,
    );
  return new BackendError(`${where} failed while streaming: ${(error as Error).message}`, undefined, true);
}
