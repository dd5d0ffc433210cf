// Anthropic emulator through the real @anthropic-ai/sdk: Messages with cache_control prompt caching (write then
// read, minimum length, TTL, breakpoint limit), auth headers, tool use, SSE streaming, and Message Batches (create / retrieve /
// list pagination / results in any order / cancel / delete / expiry / partial failure / limits).

import { request } from "node:http";
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimServer, type SimServer } from "../../src/sim/index.js";

const MODEL = "claude-sim-1";
const LONG_SYSTEM = "You review contracts for a large company and must follow the checklist carefully. ".repeat(90); // ~1.4k tokens
const servers: SimServer[] = [];
async function server(opts: Parameters<typeof startSimServer>[0] = {}) {
  const s = await startSimServer({ timeScale: 0.001, batchLatencyMs: 20_000, cancelLatencyMs: 2000, ...opts });
  servers.push(s);
  return { sim: s, client: new Anthropic({ baseURL: s.url, apiKey: "x", maxRetries: 0 }) };
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const params = (
  content: string,
  extra: Partial<Anthropic.MessageCreateParamsNonStreaming> = {},
): Anthropic.MessageCreateParamsNonStreaming => ({
  model: MODEL,
  max_tokens: 64,
  messages: [{ role: "user", content }],
  ...extra,
});

const json = <T>(r: Response) => r.json() as Promise<T>;

async function waitEnded(client: Anthropic, id: string) {
  for (let i = 0; i < 3000; i++) {
    const b = await client.messages.batches.retrieve(id);
    if (b.processing_status === "ended") return b;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`batch ${id} did not end`);
}

describe("Anthropic Messages", () => {
  let env: Awaited<ReturnType<typeof server>>;
  beforeAll(async () => {
    env = await server();
  });

  it("requires an API key and anthropic-version", async () => {
    const body = JSON.stringify(params("hi"));
    const noKey = await fetch(`${env.sim.url}/v1/messages`, {
      method: "POST",
      headers: { "anthropic-version": "2023-06-01" },
      body,
    });
    expect(noKey.status).toBe(401);
    expect((await json<{ error: { type: string } }>(noKey)).error.type).toBe("authentication_error");
    const noVersion = await fetch(`${env.sim.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": "k" },
      body,
    });
    expect(noVersion.status).toBe(400);
    const ok = await fetch(`${env.sim.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": "k", "anthropic-version": "2023-06-01" },
      body,
    });
    expect(ok.status).toBe(200);
    expect((await json<{ type: string }>(ok)).type).toBe("message");
  });

  it("prompt caching: the first call writes the prefix, the next calls read it", async () => {
    const system: Anthropic.TextBlockParam[] = [
      { type: "text", text: LONG_SYSTEM, cache_control: { type: "ephemeral" } },
    ];
    const first = await env.client.messages.create(params("case 1", { system }));
    const second = await env.client.messages.create(params("case 2", { system }));
    const prefix = first.usage.cache_creation_input_tokens ?? 0;
    expect(prefix).toBeGreaterThan(1024);
    expect(first.usage.cache_read_input_tokens).toBe(0);
    expect(first.usage.cache_creation?.ephemeral_5m_input_tokens).toBe(prefix);
    expect(second.usage.cache_read_input_tokens).toBe(prefix);
    expect(second.usage.cache_creation_input_tokens).toBe(0);
    expect(second.usage.input_tokens).toBeLessThan(40);
    expect(first.usage.input_tokens + prefix).toBe(second.usage.input_tokens + prefix); // same total prompt length
    const stats = env.sim.engine.stats().providers.anthropic;
    expect(stats.cacheCreationTokens).toBe(prefix);
    expect(stats.cachedTokens).toBe(prefix);
  });

  it("does not cache prefixes shorter than the minimum, and limits breakpoints to 4", async () => {
    const short: Anthropic.TextBlockParam[] = [
      { type: "text", text: "Short system prompt.", cache_control: { type: "ephemeral" } },
    ];
    await env.client.messages.create(params("a", { system: short }));
    const again = await env.client.messages.create(params("b", { system: short }));
    expect(again.usage.cache_creation_input_tokens).toBe(0);
    expect(again.usage.cache_read_input_tokens).toBe(0);
    const five = Array.from({ length: 5 }, (_, i) => ({
      type: "text" as const,
      text: `part ${i}`,
      cache_control: { type: "ephemeral" as const },
    }));
    await expect(env.client.messages.create(params("c", { system: five }))).rejects.toMatchObject({ status: 400 });
  });

  it("1h TTL is reported separately; entries expire after their TTL (simulated time)", async () => {
    const { client } = await server({ timeScale: 0.0005 }); // 5 min simulated = 150 ms real
    const sys = (ttl: "5m" | "1h"): Anthropic.TextBlockParam[] => [
      { type: "text", text: `${ttl} ${LONG_SYSTEM}`, cache_control: { type: "ephemeral", ttl } },
    ];
    const hour = await client.messages.create(params("x", { system: sys("1h") }));
    expect(hour.usage.cache_creation?.ephemeral_1h_input_tokens).toBe(hour.usage.cache_creation_input_tokens);
    await client.messages.create(params("x", { system: sys("5m") }));
    await new Promise((r) => setTimeout(r, 200));
    const after5m = await client.messages.create(params("y", { system: sys("5m") }));
    expect(after5m.usage.cache_read_input_tokens).toBe(0); // expired: written again
    expect(after5m.usage.cache_creation_input_tokens).toBeGreaterThan(1024);
    const after1h = await client.messages.create(params("y", { system: sys("1h") }));
    expect(after1h.usage.cache_read_input_tokens).toBeGreaterThan(1024);
  });

  it("streams (SSE) text and tool_use blocks that reassemble into the non-streaming message", async () => {
    const plain = params("tell me a story");
    const whole = await env.client.messages.create(plain);
    const events: string[] = [];
    const stream = env.client.messages.stream(plain).on("streamEvent", (e) => events.push(e.type));
    const final = await stream.finalMessage();
    expect(final.content).toEqual(whole.content);
    expect(final.stop_reason).toBe("end_turn");
    expect(final.usage.output_tokens).toBe(whole.usage.output_tokens);
    expect(events[0]).toBe("message_start");
    expect(events.filter((e) => e === "content_block_delta").length).toBeGreaterThan(10);
    expect(events.slice(-2)).toEqual(["message_delta", "message_stop"]);
    const tools: Anthropic.Tool[] = [
      { name: "lookup", input_schema: { type: "object", properties: { city: { type: "string" } } } },
    ];
    const toolWhole = await env.client.messages.create(params("weather", { tools }));
    const toolFinal = await env.client.messages.stream(params("weather", { tools })).finalMessage();
    expect(toolFinal.stop_reason).toBe("tool_use");
    expect(toolFinal.content.map((b) => (b.type === "tool_use" ? b.input : b))).toEqual(
      toolWhole.content.map((b) => (b.type === "tool_use" ? b.input : b)),
    );
  });

  it("uses tools per the scenario: tool_use first, a text answer after the tool_result", async () => {
    const tools: Anthropic.Tool[] = [
      {
        name: "lookup",
        input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
      },
    ];
    const first = await env.client.messages.create(params("weather?", { tools }));
    expect(first.stop_reason).toBe("tool_use");
    const use = first.content.find((b) => b.type === "tool_use");
    expect(use?.type === "tool_use" && typeof (use.input as { city: unknown }).city).toBe("string");
    const second = await env.client.messages.create({
      model: MODEL,
      max_tokens: 64,
      tools,
      messages: [
        { role: "user", content: "weather?" },
        { role: "assistant", content: first.content },
        {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: use?.type === "tool_use" ? use.id : "", content: "sunny" }],
        },
      ],
    });
    expect(second.stop_reason).toBe("end_turn");
    expect(second.content[0].type).toBe("text");
  });
});

describe("Anthropic Message Batches", () => {
  it("create -> in_progress (counts stay processing) -> ended; results JSONL in any order", async () => {
    const { client, sim } = await server({ batchLatencyMs: 50_000 });
    const ids = Array.from({ length: 12 }, (_, i) => `q_${i}`);
    const batch = await client.messages.batches.create({
      requests: ids.map((custom_id) => ({ custom_id, params: params(`question ${custom_id}`) })),
    });
    expect(batch.id).toMatch(/^msgbatch_/);
    expect(batch.type).toBe("message_batch");
    expect(batch.processing_status).toBe("in_progress");
    expect(batch.results_url).toBeNull();
    expect(Date.parse(batch.expires_at) - Date.parse(batch.created_at)).toBe(24 * 3600_000);
    await expect(client.messages.batches.results(batch.id)).rejects.toThrow(/results_url/);
    await new Promise((r) => setTimeout(r, 8));
    const mid = await client.messages.batches.retrieve(batch.id);
    expect(mid.processing_status).toBe("in_progress");
    expect(mid.request_counts).toEqual({ processing: 12, succeeded: 0, errored: 0, canceled: 0, expired: 0 });
    const ended = await waitEnded(client, batch.id);
    expect(ended.request_counts).toEqual({ processing: 0, succeeded: 12, errored: 0, canceled: 0, expired: 0 });
    expect(ended.ended_at).not.toBeNull();
    expect(ended.results_url).toBe(`${sim.url}/v1/messages/batches/${batch.id}/results`);
    const got: string[] = [];
    for await (const r of await client.messages.batches.results(batch.id)) {
      expect(r.result.type).toBe("succeeded");
      if (r.result.type === "succeeded") {
        expect(r.result.message.usage.service_tier).toBe("batch");
        expect(r.result.message.content[0].type).toBe("text");
      }
      got.push(r.custom_id);
    }
    expect([...got].sort()).toEqual([...ids].sort());
    expect(got).not.toEqual(ids);
    expect(sim.engine.stats().providers.anthropic).toMatchObject({ batches: 1, batchRequests: 12 });
  });

  it("lists newest first with limit / after_id / before_id pagination", async () => {
    const { client } = await server();
    const created = [];
    for (let i = 0; i < 5; i++)
      created.push(
        (await client.messages.batches.create({ requests: [{ custom_id: `b${i}`, params: params("x") }] })).id,
      );
    const newestFirst = [...created].reverse();
    const all = [];
    for await (const b of client.messages.batches.list({ limit: 2 })) all.push(b.id);
    expect(all).toEqual(newestFirst);
    const page = await client.messages.batches.list({ limit: 2, after_id: newestFirst[1] });
    expect(page.data.map((b) => b.id)).toEqual(newestFirst.slice(2, 4));
    expect(page.has_more).toBe(true);
    expect(page.first_id).toBe(newestFirst[2]);
    const before = await client.messages.batches.list({ limit: 2, before_id: newestFirst[3] });
    expect(before.data.map((b) => b.id)).toEqual(newestFirst.slice(1, 3));
    expect(before.has_more).toBe(true);
  });

  it("cancel: canceling -> ended with processed requests kept and the rest canceled; delete only once ended", async () => {
    const { client } = await server({ batchLatencyMs: 100_000 });
    const batch = await client.messages.batches.create({
      requests: Array.from({ length: 10 }, (_, i) => ({ custom_id: `c${i}`, params: params(`q${i}`) })),
    });
    await new Promise((r) => setTimeout(r, 25)); // ~25 s of 100 s simulated
    await expect(client.messages.batches.delete(batch.id)).rejects.toMatchObject({ status: 400 });
    const canceling = await client.messages.batches.cancel(batch.id);
    expect(canceling.processing_status).toBe("canceling");
    expect(canceling.cancel_initiated_at).not.toBeNull();
    const ended = await waitEnded(client, batch.id);
    const { succeeded, canceled } = ended.request_counts;
    expect(succeeded).toBeGreaterThan(0);
    expect(canceled).toBeGreaterThan(0);
    expect(succeeded + canceled).toBe(10);
    const types: string[] = [];
    for await (const r of await client.messages.batches.results(batch.id)) types.push(r.result.type);
    expect(types.filter((t) => t === "canceled")).toHaveLength(canceled);
    expect(await client.messages.batches.delete(batch.id)).toEqual({ id: batch.id, type: "message_batch_deleted" });
    await expect(client.messages.batches.retrieve(batch.id)).rejects.toMatchObject({ status: 404 });
  });

  it("expires unfinished requests (per-batch control and expireAfterMs)", async () => {
    const { client, sim } = await server();
    const forced = await client.messages.batches.create({
      requests: [0, 1, 2].map((i) => ({ custom_id: `e${i}`, params: params(`q${i}`) })),
    });
    expect((await fetch(`${sim.url}/sim/batches/${forced.id}/expire`, { method: "POST" })).status).toBe(200);
    const ended = await client.messages.batches.retrieve(forced.id);
    expect(ended.processing_status).toBe("ended");
    expect(ended.request_counts.expired).toBe(3 - ended.request_counts.succeeded);
    expect(ended.request_counts.expired).toBeGreaterThan(0);

    const short = await server({ expireAfterMs: 5000 });
    const b = await short.client.messages.batches.create({
      requests: Array.from({ length: 8 }, (_, i) => ({ custom_id: `x${i}`, params: params(`q${i}`) })),
    });
    expect(Date.parse(b.expires_at) - Date.parse(b.created_at)).toBe(5000);
    const done = await waitEnded(short.client, b.id);
    expect(done.request_counts.succeeded).toBe(2); // 8 requests over 20 s: 2 finished by 5 s
    expect(done.request_counts.expired).toBe(6);
  });

  it("partial failure: injected api_error/overloaded and async invalid params as errored results", async () => {
    const { client } = await server({ failCustomIds: "^flaky", batchLatencyMs: 1000 });
    const batch = await client.messages.batches.create({
      requests: [
        { custom_id: "good", params: params("x") },
        { custom_id: "flaky_1", params: params("x") },
        { custom_id: "flaky_2", params: params("y") },
        { custom_id: "flaky_3", params: params("z") },
        {
          custom_id: "invalid",
          params: {
            model: MODEL,
            messages: [{ role: "user", content: "no max_tokens" }],
          } as unknown as Anthropic.MessageCreateParamsNonStreaming,
        },
      ],
    });
    const ended = await waitEnded(client, batch.id);
    expect(ended.request_counts).toMatchObject({ succeeded: 1, errored: 4 });
    const results = new Map<string, Anthropic.Messages.MessageBatchResult>();
    for await (const r of await client.messages.batches.results(batch.id)) results.set(r.custom_id, r.result);
    const errType = (id: string) => {
      const r = results.get(id);
      return r?.type === "errored" ? r.error.error.type : r?.type;
    };
    expect(errType("good")).toBe("succeeded");
    expect(errType("invalid")).toBe("invalid_request_error");
    for (const id of ["flaky_1", "flaky_2", "flaky_3"])
      expect(["api_error", "overloaded_error"]).toContain(errType(id));
  });

  it("rejects bad custom_ids, duplicates, empty and oversized batches", async () => {
    const { client, sim } = await server();
    const create = (requests: Anthropic.Messages.BatchCreateParams.Request[]) =>
      client.messages.batches.create({ requests });
    await expect(create([{ custom_id: "has space", params: params("x") }])).rejects.toMatchObject({
      status: 400,
      type: "invalid_request_error",
    });
    await expect(create([{ custom_id: "x".repeat(65), params: params("x") }])).rejects.toMatchObject({ status: 400 });
    await expect(
      create([
        { custom_id: "same", params: params("x") },
        { custom_id: "same", params: params("y") },
      ]),
    ).rejects.toMatchObject({ status: 400 });
    await expect(create([])).rejects.toMatchObject({ status: 400 });
    const tooMany = Array.from({ length: 100_001 }, (_, i) => ({
      custom_id: `r${i}`,
      params: { model: "m", max_tokens: 1, messages: [] } as unknown as Anthropic.MessageCreateParamsNonStreaming,
    }));
    await expect(create(tooMany)).rejects.toMatchObject({ status: 400 });
    expect(sim.engine.stats().providers.anthropic.batches).toBe(0);
    // > 256 MB is refused with 413 from the declared Content-Length, before the body is read.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(`${sim.url}/v1/messages/batches`, {
        method: "POST",
        headers: {
          "x-api-key": "k",
          "anthropic-version": "2023-06-01",
          "content-type": "application/json",
          "content-length": String(300 * 1024 * 1024),
        },
      });
      req.on("response", (res) => {
        resolve(res.statusCode);
        req.destroy();
      });
      req.on("error", reject);
      req.flushHeaders();
    });
    expect(status).toBe(413);
  });
});
