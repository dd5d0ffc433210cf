// OpenAI Files + Batch API emulator through the real OpenAI SDK: lifecycle and status order, output lines in any
// order, request_counts, prompt caching in batches, metadata lookup via list, cancel, expiry (forced and by
// deadline), partial failure, validation failures and limits, and per-provider submission counters.

import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimServer, type SimServer } from "../../src/sim/index.js";

const servers: SimServer[] = [];
async function server(opts: Parameters<typeof startSimServer>[0] = {}) {
  const s = await startSimServer({
    timeScale: 0.01,
    validationMs: 200,
    batchLatencyMs: 4000,
    finalizeMs: 200,
    cancelLatencyMs: 300,
    ...opts,
  });
  servers.push(s);
  return { sim: s, client: new OpenAI({ baseURL: `${s.url}/v1`, apiKey: "x", maxRetries: 0 }) };
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const SYSTEM = "Shared batch instructions for every request in this job. ".repeat(120); // > 1024 tokens
const line = (customId: string, content: string, extra: object = {}) =>
  JSON.stringify({
    custom_id: customId,
    method: "POST",
    url: "/v1/chat/completions",
    body: {
      model: "sim",
      messages: [
        { role: "system", content: SYSTEM },
        { role: "user", content },
      ],
      ...extra,
    },
  });

async function upload(client: OpenAI, lines: string[]) {
  return client.files.create({ file: new File([lines.join("\n")], "input.jsonl"), purpose: "batch" });
}

const FINAL = new Set(["completed", "failed", "expired", "cancelled"]);
async function pollUntilFinal(client: OpenAI, id: string) {
  const seen: string[] = [];
  for (let i = 0; i < 2000; i++) {
    const b = await client.batches.retrieve(id);
    if (seen[seen.length - 1] !== b.status) seen.push(b.status);
    if (FINAL.has(b.status)) return { batch: b, seen };
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`batch ${id} did not finish; saw ${seen.join(" -> ")}`);
}

async function jsonl(client: OpenAI, fileId: string | undefined | null) {
  if (!fileId) return [];
  const text = await (await client.files.content(fileId)).text();
  return text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

describe("OpenAI Files", () => {
  it("uploads, retrieves, lists, downloads and deletes files", async () => {
    const { client } = await server();
    const f = await upload(client, [line("a", "x")]);
    expect(f).toMatchObject({ object: "file", purpose: "batch", filename: "input.jsonl", status: "processed" });
    expect((await client.files.retrieve(f.id)).bytes).toBe(f.bytes);
    expect(await (await client.files.content(f.id)).text()).toBe(line("a", "x"));
    const listed = [];
    for await (const x of client.files.list({ purpose: "batch" })) listed.push(x.id);
    expect(listed).toContain(f.id);
    expect(await client.files.delete(f.id)).toMatchObject({ id: f.id, deleted: true });
    await expect(client.files.retrieve(f.id)).rejects.toMatchObject({ status: 404 });
  });
});

describe("OpenAI Batch lifecycle", () => {
  let env: Awaited<ReturnType<typeof server>>;
  beforeAll(async () => {
    env = await server();
  });

  it("validating -> in_progress -> finalizing -> completed, with outputs for every request in any order", async () => {
    const { client, sim } = env;
    const ids = Array.from({ length: 20 }, (_, i) => `req-${i}`);
    const file = await upload(
      client,
      ids.map((id) => line(id, `question ${id}`)),
    );
    const created = await client.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
      metadata: { run: "lifecycle-1" },
    });
    expect(created.status).toBe("validating");
    expect(created.request_counts).toEqual({ total: 0, completed: 0, failed: 0 });
    expect(created.expires_at! - created.created_at).toBe(24 * 3600);
    let partial = false;
    for (let i = 0; i < 500; i++) {
      const b = await client.batches.retrieve(created.id);
      if (b.status === "in_progress" && b.request_counts!.completed > 0 && b.request_counts!.completed < 20)
        partial = true;
      if (b.status !== "validating" && b.status !== "in_progress") break;
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(partial).toBe(true); // counts advance while in progress
    const { batch, seen } = await pollUntilFinal(client, created.id);
    const order = ["validating", "in_progress", "finalizing", "completed"];
    expect(seen.map((s) => order.indexOf(s))).toEqual([...seen.map((s) => order.indexOf(s))].sort((a, b) => a - b));
    expect(batch.status).toBe("completed");
    expect(batch.request_counts).toEqual({ total: 20, completed: 20, failed: 0 });
    expect(batch.error_file_id ?? null).toBeNull();
    expect(batch.completed_at).toBeGreaterThanOrEqual(batch.finalizing_at!);
    const out = await jsonl(client, batch.output_file_id);
    expect(out.map((l) => l.custom_id).sort()).toEqual([...ids].sort());
    expect(out.map((l) => l.custom_id)).not.toEqual(ids); // any order
    for (const l of out) {
      expect(l.id).toMatch(/^batch_req_/);
      expect(l.error).toBeNull();
      expect(l.response.status_code).toBe(200);
      expect(l.response.body.object).toBe("chat.completion");
      expect(l.response.body.choices[0].message.content.length).toBeGreaterThan(0);
    }
    // The shared >1024-token prefix is cached after the first request, in 128-token increments.
    const cached = out.map((l) => l.response.body.usage.prompt_tokens_details.cached_tokens);
    expect(cached.filter((c) => c > 1024)).toHaveLength(19);
    expect(cached.every((c) => c % 128 === 0)).toBe(true);
    expect(batch.usage?.input_tokens_details.cached_tokens).toBe(cached.reduce((a, b) => a + b, 0));
    const stats = sim.engine.stats().providers.openai;
    expect(stats.batches).toBe(1);
    expect(stats.batchRequests).toBe(20);
  });

  it("finds a batch by its metadata marker through the list endpoint", async () => {
    const { client } = env;
    const file = await upload(client, [line("m1", "x")]);
    const mine = await client.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
      metadata: { marker: "nexus-run-42" },
    });
    const found = [];
    for await (const b of client.batches.list({ limit: 1 }))
      if (b.metadata?.marker === "nexus-run-42") found.push(b.id);
    expect(found).toEqual([mine.id]);
  });

  it("cancels: cancelling -> cancelled, finished requests kept, the rest reported as batch_cancelled", async () => {
    const { client } = await server({ batchLatencyMs: 20_000 });
    const file = await upload(
      client,
      Array.from({ length: 10 }, (_, i) => line(`c${i}`, `q${i}`)),
    );
    const b = await client.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
    });
    await new Promise((r) => setTimeout(r, 60)); // ~6 s simulated of 20 s: some requests done
    const cancelling = await client.batches.cancel(b.id);
    expect(cancelling.status).toBe("cancelling");
    const { batch } = await pollUntilFinal(client, b.id);
    expect(batch.status).toBe("cancelled");
    const done = batch.request_counts!.completed;
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(10);
    expect((await jsonl(client, batch.output_file_id)).length).toBe(done);
    const errors = await jsonl(client, batch.error_file_id);
    expect(errors.length).toBe(10 - done);
    expect(errors.every((e) => e.error.code === "batch_cancelled" && e.response === null)).toBe(true);
    await expect(client.batches.cancel(b.id)).rejects.toMatchObject({ status: 409 });
  });

  it("expires on demand (POST /sim/batches/{id}/expire)", async () => {
    const { client, sim } = env;
    const file = await upload(
      client,
      Array.from({ length: 5 }, (_, i) => line(`e${i}`, `q${i}`)),
    );
    const b = await client.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
    });
    await new Promise((r) => setTimeout(r, 5));
    expect((await fetch(`${sim.url}/sim/batches/${b.id}/expire`, { method: "POST" })).status).toBe(200);
    const after = await client.batches.retrieve(b.id);
    expect(after.status).toBe("expired");
    expect(after.expired_at).toBeDefined();
    const errors = await jsonl(client, after.error_file_id);
    expect(errors.length).toBe(5 - (after.request_counts?.completed ?? 0));
    expect(errors.every((e) => e.error.code === "batch_expired")).toBe(true);
  });

  it("fails validation: duplicate custom_id, wrong url, bad JSON (errors.data with line numbers)", async () => {
    const { client, sim } = env;
    const before = sim.engine.stats().providers.openai.batchRequests;
    const file = await upload(client, [
      line("d1", "x"),
      line("d1", "y"),
      "{not json",
      JSON.stringify({ custom_id: "u", method: "POST", url: "/v1/embeddings", body: {} }),
    ]);
    const b = await client.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
    });
    const { batch } = await pollUntilFinal(client, b.id);
    expect(batch.status).toBe("failed");
    expect(batch.errors?.data?.map((e) => [e.code, e.line])).toEqual([
      ["duplicate_custom_id", 2],
      ["invalid_json_line", 3],
      ["mismatched_endpoint", 4],
    ]);
    expect(batch.output_file_id ?? null).toBeNull();
    expect(sim.engine.stats().providers.openai.batchRequests).toBe(before); // nothing was submitted
  });

  it("enforces request limits: metadata pairs, endpoint, input file, 50,000 requests", async () => {
    const { client } = env;
    const file = await upload(client, [line("x", "x")]);
    const metadata = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, "v"]));
    await expect(
      client.batches.create({
        input_file_id: file.id,
        endpoint: "/v1/chat/completions",
        completion_window: "24h",
        metadata,
      }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(
      client.batches.create({
        input_file_id: "file-missing",
        endpoint: "/v1/chat/completions",
        completion_window: "24h",
      }),
    ).rejects.toMatchObject({ status: 404 });
    await expect(
      client.batches.create({ input_file_id: file.id, endpoint: "/v1/moderations", completion_window: "24h" }),
    ).rejects.toMatchObject({ status: 400 });
    const small = JSON.stringify({
      custom_id: "",
      method: "POST",
      url: "/v1/chat/completions",
      body: { model: "m", messages: [{ role: "user", content: "x" }] },
    });
    const many = Array.from({ length: 50_001 }, (_, i) => small.replace('"custom_id":""', `"custom_id":"r${i}"`));
    const big = await upload(client, many);
    const b = await client.batches.create({
      input_file_id: big.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
    });
    const { batch } = await pollUntilFinal(client, b.id);
    expect(batch.status).toBe("failed");
    expect(batch.errors?.data?.[0].code).toBe("too_many_requests");
  });
});

describe("OpenAI Batch failures and deadlines", () => {
  it("reports injected per-request failures in the error file (partial failure)", async () => {
    const { client } = await server({ failCustomIds: "^bad-" });
    const file = await upload(client, [
      line("ok-1", "a"),
      line("bad-1", "b"),
      line("ok-2", "c"),
      line("bad-2", "d"),
      line("ok-3", "e", { messages: [] }),
    ]);
    const b = await client.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
    });
    const { batch } = await pollUntilFinal(client, b.id);
    expect(batch.status).toBe("completed");
    expect(batch.request_counts).toEqual({ total: 5, completed: 2, failed: 3 });
    const errors = await jsonl(client, batch.error_file_id);
    const byId = Object.fromEntries(errors.map((e) => [e.custom_id, e]));
    expect(
      [byId["bad-1"].response.status_code, byId["bad-2"].response.status_code].every((c) => c === 500 || c === 503),
    ).toBe(true);
    expect(byId["ok-3"].response.status_code).toBe(400); // invalid body: messages must be non-empty
    expect(byId["ok-3"].response.body.error.type).toBe("invalid_request_error");
    expect((await jsonl(client, batch.output_file_id)).map((l) => l.custom_id).sort()).toEqual(["ok-1", "ok-2"]);
  });

  it("expires batches that outlive expireAfterMs, keeping finished results", async () => {
    const { client } = await server({ expireAfterMs: 2000, batchLatencyMs: 8000 });
    const file = await upload(
      client,
      Array.from({ length: 8 }, (_, i) => line(`t${i}`, `q${i}`)),
    );
    const b = await client.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
    });
    expect(b.expires_at! - b.created_at).toBe(2);
    const { batch } = await pollUntilFinal(client, b.id);
    expect(batch.status).toBe("expired");
    const done = batch.request_counts!.completed;
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(8);
    expect((await jsonl(client, batch.output_file_id)).length).toBe(done);
  });
});
