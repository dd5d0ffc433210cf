// The gateway with the official SDKs over real HTTP, in front of the simulator: OpenAI chat completions (plain,
// streamed, a tool-call loop), Anthropic Messages (plain and streamed), its own API key (never logged), the bounded
// queue (429 with retry-after), provider batches (a short client timeout refused, a long one answered with the
// batch id), /metrics and /nexus/stats per client, and independent client processes batched together.
import Anthropic from "@anthropic-ai/sdk";
import { ChatOpenAI } from "@langchain/openai";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeNexusBackends } from "../../src/dropins/shared-backend.js";
import { startGateway, type Gateway } from "../../src/gateway/index.js";
import { startSimServer, type SimServer, type SimStats } from "../../src/sim/index.js";
import { backendUrl, closeSimServers, simServer } from "../provider-batch/helpers/sim.js";
import { runAgentClients } from "./helpers.js";

const KEY = "gateway-secret-key-123";
const SYSTEM = "You are the support desk of a parcel service. Be brief and exact. ".repeat(30);
let sim: SimServer;
let gateway: Gateway;
const logged: string[] = [];

beforeAll(async () => {
  sim = await startSimServer({ timeScale: 0.001, scenario: { toolCalls: { turns: 1 } } });
  gateway = await startGateway({
    backend: `vllm://127.0.0.1:${sim.port}`,
    apiKey: KEY,
    log: (line) => logged.push(line),
  });
});
afterAll(async () => {
  await gateway.close();
  await closeNexusBackends();
  await sim.close();
  await closeSimServers();
});

async function simStats(server: SimServer): Promise<SimStats> {
  return (await (await fetch(`${server.url}/sim/stats`)).json()) as SimStats;
}

const openai = () =>
  new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: KEY, defaultHeaders: { "x-nexus-client": "sdk-tests" } });

describe("nexus gateway", () => {
  it("answers OpenAI chat completions, plain and streamed, with cached tokens in the usage", async () => {
    const client = openai();
    const messages = [
      { role: "system" as const, content: SYSTEM },
      { role: "user" as const, content: "Where is parcel 1?" },
    ];
    const first = await client.chat.completions.create({ model: "sim-model", messages, max_tokens: 16 });
    expect(first.choices[0].message.content!.length).toBeGreaterThan(0);
    expect(first.usage!.prompt_tokens).toBeGreaterThan(100);
    const { data: stream, response } = await client.chat.completions
      .create({
        model: "sim-model",
        messages: [messages[0], { role: "user", content: "Where is parcel 2?" }],
        max_tokens: 16,
        stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse();
    // The headers go out with the first delta, the request id among them.
    expect(response.headers.get("x-nexus-request-id")).toMatch(/\/\d+$/);
    const pieces: string[] = [];
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) pieces.push(chunk.choices[0].delta.content);
      usage ??= chunk.usage ?? undefined;
    }
    // The backend streams: the text arrives in pieces, and they make up the answer the same request gets unstreamed.
    expect(pieces.length).toBeGreaterThan(1);
    const plain = await client.chat.completions.create({
      model: "sim-model",
      messages: [messages[0], { role: "user", content: "Where is parcel 2?" }],
      max_tokens: 16,
    });
    expect(pieces.join("")).toBe(plain.choices[0].message.content);
    expect(usage!.prompt_tokens_details!.cached_tokens).toBeGreaterThan(100);
    expect(usage!.completion_tokens).toBe(plain.usage!.completion_tokens);
  });

  it("serves a LangChain ChatOpenAI pointed at it by base URL", async () => {
    const model = new ChatOpenAI({
      model: "sim-model",
      apiKey: KEY,
      maxTokens: 16,
      configuration: { baseURL: `${gateway.url}/v1` },
    });
    await model.invoke([
      ["system", SYSTEM],
      ["human", "Where is parcel 5?"],
    ]);
    const answer = await model.invoke([
      ["system", SYSTEM],
      ["human", "Where is parcel 6?"],
    ]);
    expect(String(answer.content).length).toBeGreaterThan(0);
    expect(answer.usage_metadata!.input_token_details!.cache_read).toBeGreaterThan(100);
  });

  it("passes tool calls through, and the answer after the tool result", async () => {
    const client = openai();
    const tools = [
      {
        type: "function" as const,
        function: { name: "track", parameters: { type: "object", properties: { id: { type: "string" } } } },
      },
    ];
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Track parcel 7" }];
    const first = await client.chat.completions.create({ model: "sim-model", messages, tools });
    expect(first.choices[0].finish_reason).toBe("tool_calls");
    const call = first.choices[0].message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(call.function.name).toBe("track");
    messages.push(first.choices[0].message, { role: "tool", tool_call_id: call.id, content: "in transit" });
    const second = await client.chat.completions.create({ model: "sim-model", messages, tools });
    expect(second.choices[0].finish_reason).toBe("stop");
  });

  it("answers Anthropic Messages, plain and streamed", async () => {
    const client = new Anthropic({ baseURL: gateway.url, apiKey: KEY });
    const message = await client.messages.create({
      model: "claude-sonnet-4-5",
      system: SYSTEM,
      max_tokens: 16,
      messages: [{ role: "user", content: "Where is parcel 3?" }],
    });
    expect(message.content[0].type).toBe("text");
    expect(message.usage.cache_read_input_tokens).toBeGreaterThan(100);
    const stream = client.messages.stream({
      model: "claude-sonnet-4-5",
      system: SYSTEM,
      max_tokens: 64,
      messages: [{ role: "user", content: "Where is parcel 4?" }],
    });
    const pieces: string[] = [];
    stream.on("text", (delta) => pieces.push(delta));
    const final = await stream.finalMessage();
    expect(pieces.length).toBeGreaterThan(1);
    const plain = await client.messages.create({
      model: "claude-sonnet-4-5",
      system: SYSTEM,
      max_tokens: 64,
      messages: [{ role: "user", content: "Where is parcel 4?" }],
    });
    expect(pieces.join("")).toBe((plain.content[0] as { text: string }).text);
    expect(final.stop_reason).toBe("end_turn");
    // Usage is known at the end of the stream: the final message carries it, cached tokens included.
    expect(final.usage.cache_read_input_tokens).toBeGreaterThan(100);
    expect(final.usage.output_tokens).toBe(plain.usage.output_tokens);
  });

  it("refuses a missing or wrong key, and never logs keys", async () => {
    const wrong = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: "wrong", maxRetries: 0 });
    await expect(
      wrong.chat.completions.create({ model: "sim-model", messages: [{ role: "user", content: "x" }] }),
    ).rejects.toMatchObject({ status: 401 });
    expect((await fetch(`${gateway.url}/nexus/stats`)).status).toBe(401);
    expect(logged.join("\n")).not.toContain(KEY);
    expect(logged.join("\n")).not.toContain("wrong");
  });

  it("answers a malformed body with a 400 in the API's own error shape", async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${gateway.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": KEY },
        body: JSON.stringify(body),
      });
    const anthropic = await post("/v1/messages", { model: "m", messages: [{ role: "user", content: "x" }] });
    expect(anthropic.status).toBe(400);
    expect(await anthropic.json()).toEqual({
      type: "error",
      error: { type: "invalid_request_error", message: "max_tokens: Field required" },
    });
    const openaiAnswer = await post("/v1/chat/completions", { model: "m" });
    expect(openaiAnswer.status).toBe(400);
    expect(((await openaiAnswer.json()) as { error: { message: string } }).error.message).toBe("messages are required");
  });

  it("reports per-client stats on /metrics and /nexus/stats", async () => {
    const headers = { authorization: `Bearer ${KEY}` };
    const metrics = await (await fetch(`${gateway.url}/metrics`, { headers })).text();
    expect(metrics).toMatch(/vllm:prompt_tokens_total\{client="sdk-tests"\} [1-9]/);
    expect(metrics).toMatch(/vllm:prefix_cache_hits_total\{client="sdk-tests"\} [1-9]/);
    expect(metrics).toMatch(/nexus_gateway_rejected_total\{reason="unauthorized"\} [1-9]/);
    const stats = (await (await fetch(`${gateway.url}/nexus/stats`, { headers })).json()) as {
      clients: Record<string, { requests: number; cachedTokens: number }>;
      backendRequests: number;
    };
    expect(stats.clients["sdk-tests"].requests).toBeGreaterThanOrEqual(4);
    expect(stats.clients["sdk-tests"].cachedTokens).toBeGreaterThan(0);
    expect(stats.backendRequests).toBeGreaterThanOrEqual(5);
  });

  it("answers 429 with retry-after when its queue is full", async () => {
    const slowSim = await simServer({ timeScale: 1 });
    const small = await startGateway({ backend: `vllm://127.0.0.1:${slowSim.port}/`, maxQueue: 2 });
    try {
      const send = () =>
        fetch(`${small.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }], max_tokens: 64 }),
        });
      const responses = await Promise.all([send(), send(), send(), send()]);
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 200, 429, 429]);
      const refused = responses.find((r) => r.status === 429)!;
      expect(refused.headers.get("retry-after")).toBe("1");
      expect(((await refused.json()) as { error: { message: string } }).error.message).toContain("holds 2 requests");
    } finally {
      await small.close();
    }
  });

  it("holds requests into provider batches, refusing clients whose timeout is too short", async () => {
    const batchSim = await simServer({ batchLatencyMs: 1_000 });
    process.env.OPENAI_API_KEY ??= "test-key";
    const batching = await startGateway({ backend: backendUrl("openai-batch", batchSim), batchTimeoutMinS: 3_600 });
    try {
      const impatient = new OpenAI({
        baseURL: `${batching.url}/v1`,
        apiKey: "x",
        maxRetries: 0,
        defaultHeaders: { "x-nexus-timeout": "60" },
      });
      const refusal = await impatient.chat.completions
        .create({ model: "gpt-4.1-mini", messages: [{ role: "user", content: "x" }] })
        .catch((error: unknown) => error);
      expect(refusal).toMatchObject({ status: 400 });
      expect(String((refusal as Error).message)).toContain("at least 3600 s");
      const patient = new OpenAI({
        baseURL: `${batching.url}/v1`,
        apiKey: "x",
        timeout: 3_600_000,
        defaultHeaders: { "x-nexus-timeout": "3600" },
      });
      const answers = await Promise.all(
        ["a", "b", "c"].map((x) =>
          patient.chat.completions
            .create({ model: "gpt-4.1-mini", messages: [{ role: "user", content: `item ${x}` }] })
            .withResponse(),
        ),
      );
      const batchIds = answers.map((a) => a.response.headers.get("x-nexus-batch-id"));
      expect(batchIds[0]).toMatch(/^batch_/);
      expect(new Set(batchIds).size).toBe(1);
      expect((await simStats(batchSim)).providers.openai.batches).toBe(1);
    } finally {
      await batching.close();
    }
  });

  it("batches independent client processes, each with a tool call between two turns", async () => {
    const before = await simStats(sim);
    const { results } = await runAgentClients(`${gateway.url}/v1`, 4, SYSTEM, { NEXUS_TEST_GATEWAY_KEY: KEY });
    const after = await simStats(sim);
    expect(results.map((r) => [r.turns, r.toolCalls])).toEqual(results.map(() => [2, 1]));
    expect(after.requests - before.requests).toBe(8);
    // The shared system prompt is computed once across all processes.
    const computed = after.prefillTokensComputed - before.prefillTokensComputed;
    const prompt = after.promptTokens - before.promptTokens;
    expect(computed / prompt).toBeLessThan(0.2);
  }, 60_000);
});
