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
      throw asBackendError(error, hints.signal);
    }
  }

  /** Answers with the SDK's message stream, handing on each text delta; the final message is the result. */
  async stream(request: ChatRequest, hints: RequestHints, onDelta: (text: string) => void): Promise<ChatResult> {
    try {
      const stream = this.client.messages.stream(toAnthropicParams(request) as never, { signal: hints.signal });
      stream.on("text", (text) => onDelta(text));
      return fromAnthropicMessage((await stream.finalMessage()) as never);
    } catch (error) {
      throw asBackendError(error, hints.signal);
    }
  }

  async close(): Promise<void> {}
}

/** The SDK's errors as the runtime's: statuses decide the retry; an answer cut short may go again. */
function asBackendError(error: unknown, signal: AbortSignal | undefined): unknown {
  if (error instanceof Anthropic.APIError) {
    const status = error.status;
    return new BackendError(
      `anthropic answered ${status ?? "no status"}: ${error.message}`,
      status,
      status === undefined || isRetryableStatus(status),
      error.headers ? retryAfterMs(error.headers) : undefined,
    );
  }
  if (signal?.aborted) return error;
  // The answer arrived cut short or unreadable (a connection closed mid-body): the request may go again.
  return new BackendError(`anthropic answer could not be read: ${(error as Error).message}`, undefined, true);
}
