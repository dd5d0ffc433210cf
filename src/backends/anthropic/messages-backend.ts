// `anthropic://`: the Anthropic Messages API through the official SDK (base URL and key from the environment or the
// backend URL), with prompt-cache breakpoints on the shared prefix. The SDK's own retries are off: the runtime
// retries with backoff and honours `retry-after` for every backend alike, and gives every attempt its time limit.
import Anthropic from "@anthropic-ai/sdk";
import { BackendError, isRetryableStatus, retryAfterMs, type ModelBackend } from "../../runtime/backend.js";
import type { ChatRequest, ChatResult, RequestHints } from "../../runtime/chat.js";
import { fromAnthropicMessage, toAnthropicParams } from "./messages-wire.js";
import { checkModels, missingKey } from "../preflight.js";

export class AnthropicMessagesBackend implements ModelBackend {
  readonly kind = "anthropic";
  readonly keyEnv = "ANTHROPIC_API_KEY";
  private readonly client: Anthropic;
  private readonly hasKey: boolean;

  constructor(options: { baseURL?: string; apiKey?: string }) {
    const apiKey = options.apiKey ?? process.env.ANTHROPIC_API_KEY;
    this.hasKey = Boolean(apiKey);
    this.client = new Anthropic({ baseURL: options.baseURL, apiKey, maxRetries: 0 });
  }

  /** A key is set, accepted, and every model the run needs is found (`GET /v1/models/{id}`). */
  async preflight(models: string[]): Promise<void> {
    if (!this.hasKey) throw missingKey("anthropic://", this.keyEnv);
    await checkModels(this.client.baseURL, this.keyEnv, models, (model) =>
      this.client.models.retrieve(model, {}, { timeout: 15_000 }),
    );
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
