// A renamed backend is the backend with only each request's model changed: every other member (flags, report,
// metrics, the KV-cache reading, batch observers, close) is the backend's own, so no member is ever dropped.
import { describe, expect, it } from "vitest";
import type { ModelBackend } from "../../src/runtime/backend.js";
import type { ChatRequest } from "../../src/runtime/chat.js";
import { ModelNames } from "../../src/runtime/model-names.js";
import { compileWorkflow } from "./helpers/run-fixture.js";

class RecordingBackend implements ModelBackend {
  readonly kind = "recording";
  readonly concurrency = "unbounded" as const;
  readonly inProcess = true;
  readonly keyEnv = "RECORDING_KEY";
  readonly models: string[] = [];
  closed = false;
  async complete(request: ChatRequest) {
    this.models.push(request.model);
    return {
      content: "ok",
      finishReason: "stop" as const,
      toolCalls: [],
      usage: { promptTokens: 1, cachedTokens: 0, completionTokens: 1, cacheWriteTokens: 0 },
    };
  }
  report() {
    return { seen: this.models.length };
  }
  async kvCache() {
    return { usage: 0.5 };
  }
  async close() {
    this.closed = true;
  }
}

describe("ModelNames.wrap", () => {
  it("renames the model and keeps every other member of the backend, bound to it", async () => {
    const workflow = compileWorkflow("one-model");
    const names = new ModelNames(workflow, { modelMap: { "qwen2.5-7b-instruct": "served-name" } });
    expect(names.renames).toBe(true);
    const backend = new RecordingBackend();
    const wrapped = names.wrap(backend);
    expect(wrapped).not.toBe(backend);
    await wrapped.complete({ model: "qwen2.5-7b-instruct", messages: [] } as unknown as ChatRequest, {} as never);
    expect(backend.models).toEqual(["served-name"]);
    expect([wrapped.kind, wrapped.concurrency, wrapped.inProcess, wrapped.keyEnv]).toEqual([
      "recording",
      "unbounded",
      true,
      "RECORDING_KEY",
    ]);
    expect(wrapped.report?.()).toEqual({ seen: 1 });
    expect(await wrapped.kvCache?.()).toEqual({ usage: 0.5 });
    await wrapped.close();
    expect(backend.closed).toBe(true);
  });
});
