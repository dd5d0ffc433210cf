// `instant://`: answers every request at once, for measuring the runtime's own overhead. A request with an output
// schema gets a schema-valid sample (deterministic per request); a model router gets its first route; others "ok".
import { createHash } from "node:crypto";
import type { ModelBackend } from "../../runtime/backend.js";
import type { ChatRequest, ChatResult } from "../../runtime/chat.js";
import { createRng } from "../../sim/rng.js";
import { sampleFromSchema } from "../../sim/schema-sample.js";

export class InstantBackend implements ModelBackend {
  readonly kind = "instant";
  readonly inProcess = true;

  async complete(request: ChatRequest): Promise<ChatResult> {
    let content = "ok";
    if (request.responseSchema) {
      const last = request.messages[request.messages.length - 1];
      const seed = createHash("sha1").update(String(last.content)).digest("hex");
      content = JSON.stringify(sampleFromSchema(request.responseSchema.schema, createRng(seed)));
    }
    const promptTokens = request.messages.reduce((n, m) => n + Math.ceil(String(m.content ?? "").length / 4), 0);
    return {
      content,
      toolCalls: [],
      finishReason: "stop",
      usage: { promptTokens, cachedTokens: 0, completionTokens: 1, cacheWriteTokens: 0 },
    };
  }

  async close(): Promise<void> {}
}
