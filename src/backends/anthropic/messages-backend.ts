// `anthropic://`: the Anthropic Messages API through the official SDK (base URL and key from the environment or the
// backend URL), with prompt-cache breakpoints on the shared prefix. The SDK's own retries are off: the runtime
// retries with backoff and honours `retry-after` for every backend alike, and gives every attempt its time limit.
import Anthropic from "@anthropic-ai/sdk";
import { BackendError, isRetryableStatus, retryAfterMs, type ModelBackend } from "../../runtime/backend.js";
import type { ChatRequest, ChatResult, RequestHints } from "../../runtime/chat.js";
import { fromAnthropicMessage, toAnthropicParams } from "./messages-wire.js";

export class AnthropicMessagesBackend implements ModelBackend {
  readonly kind = "anthropic";
  private readonly client: Anthropic;

  constructor(options: { baseURL?: string; apiKey?: string }) {
    this.client = new Anthropic({
      baseURL: options.baseURL,
      apiKey: options.apiKey ?? process.env.ANTHROPIC_API_KEY,
      maxRetries: 0,
    });
  }

  async complete(request: ChatRequest, hints: RequestHints): Promise<ChatResult> {
    try {
      const message = await this.client.messages.create(toAnthropicParams(request) as never, { signal: hints.signal });
      return fromAnthropicMessage(message as never);
    } catch (error) {
      if (error instanceof Anthropic.APIError) {
        const status = error.status;
        throw new BackendError(
          `anthropic answered ${status ?? "no status"}: ${error.message}`,
          status,
          status === undefined || isRetryableStatus(status),
          error.headers ? retryAfterMs(error.headers) : undefined,
        );
      }
      if (hints.signal?.aborted) throw error;
      // The answer arrived cut short or unreadable (a connection closed mid-body): the request may go again.
      throw new BackendError(`anthropic answer could not be read: ${(error as Error).message}`, undefined, true);
    }
  }

  async close(): Promise<void> {}
}
