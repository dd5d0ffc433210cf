// Model backends over real HTTP: the OpenAI-compatible backend against the simulator's server (vLLM and Dynamo
// modes), against tiny local servers that answer 429 with retry-after and 400, and the Anthropic backend against the
// simulator's Messages API with prompt caching. Each test runs a workflow as `nexus run --backend URL` would.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startSimServer, type SimServer } from "../../src/sim/index.js";
import { parsePrometheusText } from "../../src/backends/openai-compatible/prometheus.js";
import type { ModelBackend } from "../../src/runtime/backend.js";
import type { ChatRequest } from "../../src/runtime/chat.js";
import { selectBackend } from "../../src/backends/select-backend.js";
import { chatCompletion, sendJson, startRecordingProxy, type TestServer } from "./helpers/http-servers.js";
import { useTestResources } from "./helpers/closing.js";
import { runFixture, useScratchDir } from "./helpers/run-fixture.js";

const scratch = useScratchDir();
const TITLES = [
  "PagedAttention for serving",
  "RadixAttention and structured programs",
  "Iteration-level scheduling",
  "Prefill and decode disaggregation",
  "Speculative decoding at scale",
  "Quantized KV caches",
].map((title, i) => ({ id: `t${i + 1}`, title }));

const { track, sim, server } = useTestResources();

function backendFor(url: string): ModelBackend {
  return track(selectBackend(url, { maxInflight: 8, timeScale: 1 }));
}

/** A Messages API response as Anthropic writes it. */
const anthropicMessage = (text: string) => ({
  id: "msg_test",
  type: "message",
  role: "assistant",
  model: "claude-test",
  content: [{ type: "text", text }],
  stop_reason: "end_turn",
  stop_sequence: null,
  usage: { input_tokens: 12, output_tokens: 3, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
});
const chatRequests = (s: TestServer) => s.received.filter((r) => r.path === "/v1/chat/completions");
/** The last user message's text, from an OpenAI (string) or Anthropic (text blocks) request body. */
function lastUserText(body: Record<string, unknown>): string {
  const messages = (body.messages ?? []) as { role: string; content: string | { text?: string }[] }[];
  const content = messages.findLast((m) => m.role === "user")?.content ?? "";
  return typeof content === "string" ? content : content.map((block) => block.text ?? "").join("");
}

describe("the OpenAI-compatible backend", () => {
  it("runs on a vLLM server, reads cached tokens from usage and the engine's /metrics", async () => {
    const engine = await sim({ mode: "vllm" });
    const backend = backendFor(`vllm://127.0.0.1:${engine.port}`);
    const { lines, outcome } = await runFixture("shared-prefix", TITLES, backend, scratch());
    expect(lines.map((line) => line.status)).toEqual(Array(6).fill("ok"));
    // One warm-up at start-up (the first item's request, one token) cached the shared system prompt while the run
    // started: every item's request read it from the cache.
    expect(outcome.stats.warmupRequests).toBe(1);
    for (const line of lines) {
      expect(line.usage.cachedTokens).toBeGreaterThan(0);
      expect(line.usage.cachedTokens).toBeLessThan(line.usage.promptTokens);
    }
    expect(outcome.stats.usage.cachedTokens).toBe(lines.reduce((sum, line) => sum + line.usage.cachedTokens, 0));

    const metrics = await backend.metrics!();
    const { usage, warmupUsage } = outcome.stats;
    expect(metrics["vllm:prefix_cache_hits_total"]).toBe(usage.cachedTokens + warmupUsage.cachedTokens);
    expect(metrics["vllm:request_success_total"]).toBe(7);
    // The warm-up is the first item's prompt again, counted apart from the items' usage; together they are all the
    // engine saw.
    const firstPrompt = lines.find((line) => line.id === TITLES[0].id)!.usage.promptTokens;
    expect(warmupUsage.promptTokens).toBe(firstPrompt);
    expect(warmupUsage.completionTokens).toBe(1);
    expect(metrics["vllm:prompt_tokens_total"]).toBe(usage.promptTokens + warmupUsage.promptTokens);
  });

  it("sends Dynamo's nvext.agent_hints and no request_id (the simulator rejects request_id in dynamo mode)", async () => {
    const engine = await sim({ mode: "dynamo" });
    const proxy = await startRecordingProxy(engine.url);
    track(proxy);
    const { lines } = await runFixture(
      "shared-prefix",
      TITLES.slice(0, 3),
      backendFor(`dynamo://127.0.0.1:${proxy.port}`),
      scratch(),
    );
    expect(lines.map((line) => line.status)).toEqual(["ok", "ok", "ok"]);
    const bodies = chatRequests(proxy).map((r) => r.body);
    expect(bodies.length).toBe(4); // the start-up warm-up and three items
    for (const body of bodies) {
      expect(body).not.toHaveProperty("request_id");
      expect(body.nvext).toEqual({ agent_hints: expect.objectContaining({ priority: expect.any(Number) }) });
    }
  });

  it("retries a 429, waiting the server's retry-after", async () => {
    const engine = await server((_request, res, received) => {
      if (chatRequests({ received } as TestServer).length === 1)
        sendJson(res, 429, { error: { message: "slow down" } }, { "retry-after": "1" });
      else sendJson(res, 200, chatCompletion("after waiting"));
    });
    const { lines, outcome } = await runFixture(
      "one-model",
      [{ id: "q", question: "Are you there?" }],
      backendFor(`http://127.0.0.1:${engine.port}`),
      scratch(),
    );
    expect(lines[0]).toMatchObject({ status: "ok", output: { answer: "after waiting" } });
    const [first, second] = chatRequests(engine);
    expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(990);
    expect(outcome.stats.retries).toBe(1);
  });

  it("fails only the item whose request the server rejects with 400, without retrying it", async () => {
    const engine = await server((request, res) => {
      if (lastUserText(request.body).includes("bad"))
        sendJson(res, 400, { error: { message: "prompt is too long", type: "invalid_request_error" } });
      else sendJson(res, 200, chatCompletion("fine", { prompt_tokens: 20, completion_tokens: 1, cached: 16 }));
    });
    const { byId, outcome } = await runFixture(
      "one-model",
      [
        { id: "good-1", question: "good question" },
        { id: "bad", question: "bad question" },
        { id: "good-2", question: "good question too" },
      ],
      backendFor(`http://127.0.0.1:${engine.port}/v1`),
      scratch(),
    );
    expect(byId.get("bad")).toMatchObject({ status: "error", output: null });
    expect(byId.get("bad")!.error).toContain("answered 400: ");
    expect(byId.get("bad")!.error).toContain("prompt is too long");
    expect(byId.get("good-1")).toMatchObject({
      status: "ok",
      output: { answer: "fine" },
      usage: { promptTokens: 20, cachedTokens: 16, completionTokens: 1, cacheWriteTokens: 0 },
    });
    expect(byId.get("good-2")!.status).toBe("ok");
    const badRequests = chatRequests(engine).filter(
      (r) => lastUserText(r.body).includes("bad") && r.body.max_tokens !== 1,
    );
    expect(badRequests).toHaveLength(1);
    expect(outcome.stats.retries).toBe(0);
  });
});

describe("Prometheus text", () => {
  it("is read into one number per metric, labelled series summed, comments skipped", () => {
    const text = [
      "# HELP vllm:prefix_cache_hits_total Prefix cache hits.",
      "# TYPE vllm:prefix_cache_hits_total counter",
      'vllm:prefix_cache_hits_total{model_name="a"} 120',
      'vllm:prefix_cache_hits_total{model_name="b"} 30',
      "vllm:num_requests_running 2",
      "garbage line",
    ].join("\n");
    expect(parsePrometheusText(text)).toEqual({
      "vllm:prefix_cache_hits_total": 150,
      "vllm:num_requests_running": 2,
    });
  });
});

describe("the Anthropic backend", () => {
  let engine: SimServer;
  beforeAll(async () => {
    engine = await startSimServer({ timeScale: 0.001, anthropicMinCacheTokens: 64 });
  });
  afterAll(() => engine.close());

  const stubEnvironment = () => {
    vi.stubEnv("ANTHROPIC_BASE_URL", engine.url);
    vi.stubEnv("ANTHROPIC_API_KEY", "sk-ant-test");
  };

  it("marks the shared prefix with cache_control: the second request reads the cache", async () => {
    stubEnvironment();
    const backend = backendFor("anthropic://");
    const system = "You answer questions about prefix caching. ".repeat(20);
    const ask = (question: string): ChatRequest => ({
      model: "claude-sonnet-4-5",
      messages: [
        { role: "system", content: system },
        { role: "user", content: question },
      ],
      maxTokens: 64,
    });
    const first = await backend.complete(ask("What is a cache breakpoint?"), {});
    const second = await backend.complete(ask("How long does a cache entry live?"), {});
    expect(first.usage.cachedTokens).toBe(0);
    expect(first.usage.cacheWriteTokens).toBeGreaterThan(0);
    expect(second.usage.cachedTokens).toBe(first.usage.cacheWriteTokens);
    expect(second.usage.cacheWriteTokens).toBe(0);
    expect(second.usage.promptTokens).toBeGreaterThan(second.usage.cachedTokens);
  });

  it("retries a 429 after the server's retry-after, and fails only the item a 400 rejects", async () => {
    const api = await server((request, res, received) => {
      const good = received.filter((r) => lastUserText(r.body).includes("good"));
      if (lastUserText(request.body).includes("bad"))
        sendJson(res, 400, { type: "error", error: { type: "invalid_request_error", message: "bad prompt" } });
      else if (good.length === 1)
        sendJson(
          res,
          429,
          { type: "error", error: { type: "rate_limit_error", message: "slow down" } },
          {
            "retry-after": "1",
          },
        );
      else sendJson(res, 200, anthropicMessage("after waiting"));
    });
    vi.stubEnv("ANTHROPIC_BASE_URL", api.url);
    vi.stubEnv("ANTHROPIC_API_KEY", "sk-ant-test");
    const { byId, outcome } = await runFixture(
      "one-model",
      [
        { id: "good", question: "good question" },
        { id: "bad", question: "bad question" },
      ],
      backendFor("anthropic://"),
      scratch(),
      { prefixWarmup: "off" },
    );
    expect(byId.get("good")).toMatchObject({ status: "ok", output: { answer: "after waiting" } });
    expect(byId.get("bad")).toMatchObject({ status: "error", output: null });
    expect(byId.get("bad")!.error).toContain("anthropic answered 400");
    const good = api.received.filter((r) => lastUserText(r.body).includes("good"));
    expect(good).toHaveLength(2);
    expect(good[1].receivedAt - good[0].receivedAt).toBeGreaterThanOrEqual(990);
    expect(api.received.filter((r) => lastUserText(r.body).includes("bad"))).toHaveLength(1);
    expect(outcome.stats.retries).toBe(1);
  });

  it("reads the delay from retry-after-ms too", async () => {
    const messages = (received: TestServer["received"]) => received.filter((r) => r.path.startsWith("/v1/messages"));
    const api = await server((request, res, received) => {
      if (request.method === "GET") sendJson(res, 200, { type: "model", id: "claude-sonnet-4-5" });
      else if (messages(received).length === 1)
        sendJson(
          res,
          429,
          { type: "error", error: { type: "rate_limit_error", message: "slow down" } },
          {
            "retry-after-ms": "400",
          },
        );
      else sendJson(res, 200, anthropicMessage("after waiting"));
    });
    vi.stubEnv("ANTHROPIC_BASE_URL", api.url);
    vi.stubEnv("ANTHROPIC_API_KEY", "sk-ant-test");
    const { lines } = await runFixture("one-model", [{ question: "q" }], backendFor("anthropic://"), scratch());
    expect(lines[0].status).toBe("ok");
    const [first, second] = messages(api.received);
    expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(390);
  });

  it("runs a workflow: after the warm-up, every item reads the shared prefix from the cache", async () => {
    stubEnvironment();
    const { lines, outcome } = await runFixture("shared-prefix", TITLES, backendFor("anthropic://"), scratch());
    expect(lines.map((line) => line.status)).toEqual(Array(6).fill("ok"));
    for (const line of lines) expect(line.usage.cachedTokens).toBeGreaterThan(0);
    expect(outcome.stats.warmupRequests).toBe(1);
  });
});
