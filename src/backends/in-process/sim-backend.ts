// `sim://PROFILE?time-scale=..&mode=..&scenario=FILE&cache-tokens=N`: the built-in engine simulator, in process. The request takes
// the same wire format as an HTTP engine (so the simulator's protocol handling is exercised), without a socket.
import { SimEngine, type SimEngineOptions } from "../../sim/engine.js";
import { SimHttpError } from "../../sim/errors.js";
import { BackendError, isRetryableStatus, type KvCacheReading, type ModelBackend } from "../../runtime/backend.js";
import type { ChatRequest, ChatResult, RequestHints } from "../../runtime/chat.js";
import { engineHintFields, fromWireResponse, toWireRequest } from "../openai-compatible/wire.js";

export class SimBackend implements ModelBackend {
  readonly kind = "sim";
  /** The simulator registers a request's prompt blocks when it admits it, as vLLM V1 does. */
  readonly sharesInflightPrefixes = true;
  readonly engine: SimEngine;

  constructor(
    options: SimEngineOptions,
    /** Send vLLM-mode priorities (the simulator then stands for vLLM with `--scheduling-policy priority`). */
    private readonly vllmPriority = false,
  ) {
    this.engine = new SimEngine(options);
  }

  async complete(request: ChatRequest, hints: RequestHints): Promise<ChatResult> {
    // The hints in the wire format of the engine the simulator plays.
    const extra = engineHintFields(this.engine.mode, hints, this.vllmPriority);
    try {
      return fromWireResponse(
        await this.engine.chatCompletion(toWireRequest(request, extra), { signal: hints.signal }),
      );
    } catch (error) {
      if (error instanceof SimHttpError)
        throw new BackendError(error.message, error.status, isRetryableStatus(error.status));
      throw error;
    }
  }

  async kvCache(): Promise<KvCacheReading> {
    const cache = this.engine.cache;
    return {
      usage: cache.usage(),
      capacityTokens: cache.capacityBlocks * cache.blockSize,
      waiting: this.engine.waitingRequests,
    };
  }

  async metrics(): Promise<Record<string, number>> {
    const stats = this.engine.stats() as unknown as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(stats).filter((entry): entry is [string, number] => typeof entry[1] === "number"),
    );
  }

  async close(): Promise<void> {
    this.engine.close();
  }
}
