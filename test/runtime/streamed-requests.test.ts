// Streamed requests: the OpenAI-compatible backend's `stream` against the simulator over real HTTP (text in pieces
// that make up the unstreamed answer, tool calls joined, usage with cached tokens at the end), and the accumulator
// forwarding a stream's text once when a fault proxy cuts the first attempt mid-stream and the retry answers.
import { afterEach, describe, expect, it } from "vitest";
import { AnthropicMessagesBackend } from "../../src/backends/anthropic/messages-backend.js";
import { OpenAICompatibleBackend } from "../../src/backends/openai-compatible/backend.js";
import { BatchAccumulator, type BatchHints } from "../../src/runtime/batch-accumulator.js";
import type { ChatRequest } from "../../src/runtime/chat.js";
import { InferenceSlots } from "../../src/runtime/inference-slots.js";
import { RunStats } from "../../src/runtime/run-stats.js";
import { startSimServer, type SimServerOptions } from "../../src/sim/index.js";
import { startFaultProxy } from "../helpers/fault-proxy.js";

const closing: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const thing of closing.splice(0).reverse()) await thing.close();
});

async function simBackend(scenario?: SimServerOptions["scenario"]) {
  const sim = await startSimServer({ timeScale: 0.001, scenario });
  closing.push(sim);
  const backend = new OpenAICompatibleBackend({ baseUrl: `${sim.url}/v1`, flavor: "vllm", connections: 4 });
  closing.push(backend);
  return { sim, backend };
}

const SYSTEM = "You summarise shipping manifests in plain words. ".repeat(30);
const ask = (user: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: "sim-model",
  messages: [
    { role: "system", content: SYSTEM },
    { role: "user", content: user },
  ],
  maxTokens: 24,
  ...extra,
});

describe("OpenAICompatibleBackend.stream", () => {
  it("hands on the text in pieces that make up the unstreamed answer, with usage at the end", async () => {
    const { backend } = await simBackend();
    const plain = await backend.complete(ask("Manifest 7"), {});
    const pieces: string[] = [];
    const streamed = await backend.stream(ask("Manifest 7"), {}, (text) => pieces.push(text));
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join("")).toBe(plain.content);
    expect(streamed.content).toBe(plain.content);
    expect(streamed.finishReason).toBe(plain.finishReason);
    expect(streamed.usage.completionTokens).toBe(plain.usage.completionTokens);
    expect(streamed.usage.promptTokens).toBe(plain.usage.promptTokens);
    // The same prompt again: its prefix is in the engine's cache, and the stream's usage says so.
    expect(streamed.usage.cachedTokens).toBeGreaterThan(100);
  });

  it("joins streamed tool-call pieces into the calls the unstreamed answer has", async () => {
    const { backend } = await simBackend({ toolCalls: { turns: 1 } });
    const tools = [
      {
        name: "lookup",
        description: "Looks a parcel up",
        parameters: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
      },
    ];
    const plain = await backend.complete(ask("Where is parcel 9?", { tools, maxTokens: 400 }), {});
    const streamed = await backend.stream(ask("Where is parcel 9?", { tools, maxTokens: 400 }), {}, () => {});
    expect(plain.toolCalls.length).toBeGreaterThan(0);
    expect(streamed.toolCalls.map(({ name, arguments: args }) => ({ name, args }))).toEqual(
      plain.toolCalls.map(({ name, arguments: args }) => ({ name, args })),
    );
    expect(streamed.finishReason).toBe("tool_calls");
  });
});

describe("AnthropicMessagesBackend.stream", () => {
  it("hands on the text in pieces that make up the unstreamed answer, with usage at the end", async () => {
    const sim = await startSimServer({ timeScale: 0.001 });
    closing.push(sim);
    const backend = new AnthropicMessagesBackend({ baseURL: sim.url, apiKey: "sim-key" });
    // A prefix over the provider's minimum cacheable length, so the second request reads it from the prompt cache.
    const request = ask("Manifest 8", { model: "claude-sim" });
    request.messages[0].content = SYSTEM.repeat(8);
    const plain = await backend.complete(request, { sharedPrefixMessages: 1 });
    const pieces: string[] = [];
    const streamed = await backend.stream(request, { sharedPrefixMessages: 1 }, (text) => pieces.push(text));
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join("")).toBe(plain.content);
    expect(streamed.content).toBe(plain.content);
    expect(streamed.usage.completionTokens).toBe(plain.usage.completionTokens);
    expect(streamed.usage.cachedTokens).toBeGreaterThan(100);
  });
});

describe("streamed requests through the accumulator", () => {
  it("forwards the text once when the first attempt is cut mid-stream and the retry answers", async () => {
    const sim = await startSimServer({ timeScale: 0.001 });
    closing.push(sim);
    const proxy = await startFaultProxy(sim.url, (request) =>
      request.path.endsWith("/chat/completions") && request.attempt === 1
        ? { kind: "reset-mid-body" }
        : { kind: "none" },
    );
    closing.push(proxy);
    const backend = new OpenAICompatibleBackend({ baseUrl: `${proxy.url}/v1`, flavor: "vllm", connections: 4 });
    closing.push(backend);
    const stats = new RunStats();
    const accumulator = new BatchAccumulator({
      backend,
      slots: new InferenceSlots(4),
      stats,
      retry: { retryForMs: 10_000, attempts: 3, baseDelayMs: 1, maxDelayMs: 10 },
      nothingElseCanArrive: () => true,
      prefixWarmup: "off",
      continuous: true,
    });
    const batch: BatchHints = { group: "g", cacheKey: "k", maxBatchSize: 8, maxWaitMs: 5, priority: 0, model: "" };
    const pieces: string[] = [];
    const result = await accumulator.submit(ask("Manifest 12", { maxTokens: 40 }), batch, {
      onDelta: (text) => pieces.push(text),
    });
    accumulator.close(new Error("test over"));
    expect(stats.retries).toBe(1);
    expect(proxy.counts().faults["reset-mid-body"]).toBe(1);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join("")).toBe(result.content);
  });
});
