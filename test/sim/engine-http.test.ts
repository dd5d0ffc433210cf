// Engine endpoints over HTTP through the real OpenAI SDK (chat non-streaming and streaming, tool-call streaming,
// prefix-cache reporting), plus /v1/completions, /v1/models, SGLang /generate and /flush_cache, Prometheus
// /metrics, Dynamo request rules and the /sim control endpoints.

import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimServer, type GenerateResponse, type SimServer, type SimStats } from "../../src/sim/index.js";

let sim: SimServer;
let client: OpenAI;
const SYSTEM = "You are a meticulous research agent. Follow the procedure exactly. ".repeat(60);

beforeAll(async () => {
  sim = await startSimServer({
    timeScale: 0.002,
    scenario: { outputTokens: 24, toolCalls: { argValues: { city: { distinct: 2 } } } },
  });
  client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: "x", maxRetries: 0 });
});
afterAll(() => sim.close());

const post = (path: string, body: unknown) =>
  fetch(sim.url + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
interface ErrorBody {
  error: { type: string; message: string };
}
const json = <T>(r: Response) => r.json() as Promise<T>;
const stats = async (): Promise<SimStats> => (await fetch(`${sim.url}/sim/stats`)).json() as Promise<SimStats>;

describe("OpenAI-compatible chat completions", () => {
  it("answers non-streaming requests and reports cached prompt tokens for a shared prefix", async () => {
    await post("/sim/reset", {});
    const ask = (i: number) =>
      client.chat.completions.create({
        model: "sim",
        messages: [
          { role: "system", content: SYSTEM },
          { role: "user", content: `agent ${i}` },
        ],
      });
    const first = await ask(0);
    expect(first.object).toBe("chat.completion");
    expect(first.choices[0].message.role).toBe("assistant");
    expect(first.usage?.completion_tokens).toBe(24);
    expect(first.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
    const second = await ask(1);
    const prompt = second.usage?.prompt_tokens ?? 0;
    const cached = second.usage?.prompt_tokens_details?.cached_tokens ?? 0;
    expect(cached % 16).toBe(0);
    expect(cached).toBeGreaterThan(prompt - 32);
    expect(cached).toBeLessThan(prompt);
    const s = await stats();
    expect(s.requests).toBe(2);
    expect(s.cachedTokens).toBe(cached);
    expect(s.prefillTokensComputed).toBe(s.promptTokens - s.cachedTokens);
    expect(s.endpoints["POST /v1/chat/completions"]).toBe(2);
  });

  it("streams content deltas that add up to the non-streaming answer, with include_usage", async () => {
    const body = { model: "sim", messages: [{ role: "user" as const, content: "stream me" }] };
    const whole = await client.chat.completions.create(body);
    const stream = await client.chat.completions.create({
      ...body,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let chunks = 0;
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      chunks++;
      expect(chunk.object).toBe("chat.completion.chunk");
      text += chunk.choices[0]?.delta?.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(whole.choices[0].message.content);
    expect(chunks).toBeGreaterThan(20);
    expect(finish).toBe("stop");
    expect(usage?.completion_tokens).toBe(24);
  });

  it("streams tool calls that reassemble into the non-streaming tool call", async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: "function",
        function: {
          name: "lookup",
          parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
        },
      },
    ];
    const body = { model: "sim", tools, messages: [{ role: "user" as const, content: "weather" }] };
    const whole = await client.chat.completions.create(body);
    const expected = whole.choices[0].message.tool_calls?.[0];
    const stream = client.chat.completions.stream({ ...body, stream: true });
    const final = await stream.finalChatCompletion();
    const got = final.choices[0].message.tool_calls?.[0];
    expect(got?.type === "function" && got.function.arguments).toBe(
      expected?.type === "function" && expected.function.arguments,
    );
    expect(final.choices[0].finish_reason).toBe("tool_calls");
  });

  it("rejects invalid requests with 400 in the OpenAI error shape", async () => {
    await expect(client.chat.completions.create({ model: "sim", messages: [] })).rejects.toMatchObject({ status: 400 });
    const r = await post("/v1/chat/completions", { model: "sim", messages: [{ role: "wizard", content: "x" }] });
    expect(r.status).toBe(400);
    expect((await json<ErrorBody>(r)).error.type).toBe("invalid_request_error");
    expect((await fetch(`${sim.url}/v1/nothing`)).status).toBe(404);
  });

  it("serves /v1/completions and /v1/models", async () => {
    const c = await client.completions.create({ model: "sim", prompt: "Once upon a time", max_tokens: 5 });
    expect(c.object).toBe("text_completion");
    expect(c.usage?.completion_tokens).toBe(5);
    expect(c.choices[0].finish_reason).toBe("length");
    const models = await client.models.list();
    expect(models.data[0].id).toBe("sim-llama-3.1-8b");
  });
});

describe("SGLang endpoints, metrics and stats", () => {
  it("/generate returns text and meta_info with cached tokens", async () => {
    const body = {
      text: "The quick brown fox jumps over the lazy dog. ".repeat(10),
      sampling_params: { max_new_tokens: 8 },
    };
    const a = await json<GenerateResponse>(await post("/generate", body));
    const b = await json<GenerateResponse>(await post("/generate", body));
    expect(a.meta_info.completion_tokens).toBe(8);
    expect(a.meta_info.prompt_tokens).toBeGreaterThan(90);
    expect(a.meta_info.finish_reason.type).toBe("length");
    expect(b.meta_info.cached_tokens).toBe(Math.floor((b.meta_info.prompt_tokens - 1) / 16) * 16);
    expect(b.text).toBe(a.text);
    const batch = await json<GenerateResponse[]>(
      await post("/generate", { text: ["a", "b"], sampling_params: { max_new_tokens: 2 } }),
    );
    expect(batch).toHaveLength(2);
  });

  it("/flush_cache is refused (400) while requests run and succeeds (200) when idle", async () => {
    const slow = await startSimServer({ timeScale: 1 }); // ~70 ms prefill + 31 decode steps ≈ 220 ms real
    try {
      const flush = () => fetch(`${slow.url}/flush_cache`, { method: "POST" });
      const running = fetch(`${slow.url}/v1/chat/completions`, {
        method: "POST",
        body: JSON.stringify({ model: "m", messages: [{ role: "user", content: SYSTEM }] }),
      });
      await new Promise((r) => setTimeout(r, 30));
      expect(slow.engine.stats().running).toBe(1);
      expect((await flush()).status).toBe(400);
      expect((await running).status).toBe(200);
      expect(slow.engine.stats().cachedBlocks).toBeGreaterThan(0);
      expect((await flush()).status).toBe(200);
      expect(slow.engine.stats().cachedBlocks).toBe(0);
    } finally {
      await slow.close();
    }
  });

  it("/metrics exposes vLLM metric names", async () => {
    const text = await (await fetch(`${sim.url}/metrics`)).text();
    for (const name of [
      "vllm:prefix_cache_queries_total",
      "vllm:prefix_cache_hits_total",
      "vllm:prompt_tokens_total",
      "vllm:generation_tokens_total",
      "vllm:num_requests_running",
      "vllm:num_requests_waiting",
      "vllm:kv_cache_usage_perc",
    ])
      expect(text).toMatch(new RegExp(`^${name}\\{model_name="sim-llama-3.1-8b"\\} \\d`, "m"));
    expect(text).toMatch(/# TYPE vllm:prompt_tokens_total counter/);
  });

  it("/sim/reset zeroes the statistics", async () => {
    await client.chat.completions.create({ model: "sim", messages: [{ role: "user", content: "x" }] });
    const reset = await json<SimStats>(await post("/sim/reset", {}));
    expect(reset.requests).toBe(0);
    expect(reset.promptTokens).toBe(0);
    expect(reset.lowerBoundMs).toBe(0);
  });
});

describe("Dynamo mode", () => {
  it("rejects a top-level request_id and accepts nvext.agent_hints", async () => {
    const dyn = await startSimServer({ timeScale: 0.002, mode: "dynamo" });
    try {
      const bad = await fetch(`${dyn.url}/v1/chat/completions`, {
        method: "POST",
        body: JSON.stringify({ model: "m", request_id: "r1", messages: [{ role: "user", content: "x" }] }),
      });
      expect(bad.status).toBe(400);
      expect((await json<ErrorBody>(bad)).error.message).toMatch(/request_id/);
      const ok = await fetch(`${dyn.url}/v1/chat/completions`, {
        method: "POST",
        body: JSON.stringify({
          model: "m",
          nvext: { agent_hints: { priority: 5, osl: 10 } },
          messages: [{ role: "user", content: "x" }],
        }),
      });
      expect(ok.status).toBe(200);
      expect((await json<{ data: { owned_by: string }[] }>(await fetch(`${dyn.url}/v1/models`))).data[0].owned_by).toBe(
        "nvidia",
      );
    } finally {
      await dyn.close();
    }
  });
});
