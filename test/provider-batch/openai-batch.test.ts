// openai-batch:// against the Files + Batch emulator through the real `openai` SDK: the input file named after the
// marker and the marker in batch metadata, partial failures (error file) retried, invalid requests failing their item,
// expiry and cancellation, and a batch whose id was lost found exactly by its metadata.
import OpenAI from "openai";
import { afterAll, describe, expect, it } from "vitest";
import { BatchJournal } from "../../src/backends/provider-batch/index.js";
import { customIdFor, newMarker, requestKey } from "../../src/backends/provider-batch/request-identity.js";
import { inputJsonl, encodeChatBody } from "../../src/backends/provider-batch/drivers/openai-lines.js";
import type { ChatRequest, ChatResult } from "../../src/runtime/chat.js";
import {
  completeTickets,
  journalBatches,
  journalPath,
  openBackend,
  ticketHints,
  ticketRequest,
  waitForSubmittedBatch,
} from "./helpers/backend.js";
import { backendUrl, closeSimServers, expireBatch, simServer, simStats } from "./helpers/sim.js";

process.env.OPENAI_API_KEY ??= "test-key";
afterAll(closeSimServers);

const gpt = (i: number, overrides: Partial<ChatRequest> = {}) =>
  ticketRequest(i, { model: "gpt-4o-mini", ...overrides });
const fulfilled = (settled: PromiseSettledResult<ChatResult>[]) =>
  settled.filter((s) => s.status === "fulfilled").length;

describe("openai-batch://", () => {
  it("uploads one JSONL per batch with the marker in file name and metadata; retries the error file's requests", async () => {
    const sim = await simServer({ failRate: 0.3 });
    const journal = journalPath();
    const backend = openBackend(backendUrl("openai-batch", sim, "max-attempts=12&max-requests=8"), journal);
    const settled = await completeTickets(backend, 16, gpt);
    const report = backend.report() as {
      requestsSubmitted: number;
      resubmitted: number;
      cost: { pricedRequests: number; billedUsd: number; realtimeCachedUsd: number };
    };
    await backend.close();
    expect(fulfilled(settled)).toBe(16);
    expect(report.resubmitted).toBeGreaterThan(0);
    expect((await simStats(sim)).providers.openai.batchRequests).toBe(report.requestsSubmitted);
    expect(report.cost.pricedRequests).toBe(16);
    expect(report.cost.billedUsd).toBeCloseTo(report.cost.realtimeCachedUsd / 2, 6);

    const client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: "k", maxRetries: 0 });
    const first = journalBatches(journal)[0];
    const batch = await client.batches.retrieve(first.provider_batch_id!);
    expect(batch.metadata).toEqual({ nexus_marker: first.marker });
    const file = await client.files.retrieve(first.input_file_id!);
    expect(file.filename).toBe(`nexus-${first.marker}.jsonl`);
  });

  it("fails only the request the provider rejects (400 in the output), with its message", async () => {
    const sim = await simServer();
    const backend = openBackend(backendUrl("openai-batch", sim), journalPath());
    const settled = await completeTickets(backend, 4, (i) => gpt(i, i === 1 ? { maxTokens: 0 } : {}));
    await backend.close();
    expect(fulfilled(settled)).toBe(3);
    expect(String((settled[1] as PromiseRejectedResult).reason)).toMatch(/invalid request: 400: max_tokens/);
    expect((await simStats(sim)).providers.openai.batchRequests).toBe(4);
  });

  it("sends expired requests again; cancelled ones fail by default", async () => {
    const sim = await simServer({ batchLatencyMs: 400_000 });
    const journal = journalPath();
    const backend = openBackend(backendUrl("openai-batch", sim), journal);
    const pending = completeTickets(backend, 6, gpt);
    await expireBatch(sim, (await waitForSubmittedBatch(journal)).provider_batch_id!);
    expect(fulfilled(await pending)).toBe(6);
    const report = backend.report() as { resultsByStatus: Record<string, number> };
    await backend.close();
    expect(report.resultsByStatus.expired).toBeGreaterThan(0);

    const cancelJournal = journalPath();
    const cancelling = openBackend(backendUrl("openai-batch", sim), cancelJournal);
    const waiting = completeTickets(cancelling, 6, gpt);
    const client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: "k", maxRetries: 0 });
    await client.batches.cancel((await waitForSubmittedBatch(cancelJournal)).provider_batch_id!);
    const settled = await waiting;
    await cancelling.close();
    const rejected = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected");
    expect(rejected.length).toBeGreaterThan(0);
    expect(String(rejected[0].reason)).toMatch(/canceled: batch_cancelled/);
  });

  it("finds a batch whose id was never recorded by its metadata marker, and never sends it twice", async () => {
    const sim = await simServer({ batchLatencyMs: 200_000 });
    const journal = journalPath();
    const url = backendUrl("openai-batch", sim);
    const marker = newMarker();
    const members = [0, 1, 2].map((i) => {
      const key = requestKey(ticketHints(i).requestId!, gpt(i));
      return {
        customId: customIdFor(marker, key),
        requestKey: key,
        requestId: ticketHints(i).requestId!,
        model: "gpt-4o-mini",
      };
    });
    const db = BatchJournal.open(journal, { resume: false, provider: "openai", spec: url });
    db.insertBatch({ marker, provider: "openai", purpose: "work", bytes: 1, members });
    db.markSubmitting(marker);
    db.close();
    // The dead run had uploaded its file and created the batch, as the driver does.
    const client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: "k", maxRetries: 0 });
    const lines = members.map((m, i) => ({
      customId: m.customId,
      body: encodeChatBody(gpt(i), { prompt_cache_key: "prefix-k1" }).body,
    }));
    const file = await client.files.create({
      file: new File([inputJsonl(lines)], `nexus-${marker}.jsonl`),
      purpose: "batch",
    });
    await client.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
      metadata: { nexus_marker: marker },
    });

    const resumed = openBackend(url, journal, true);
    expect(fulfilled(await completeTickets(resumed, 3, gpt))).toBe(3);
    await resumed.close();
    expect(journalBatches(journal)).toEqual([expect.objectContaining({ status: "done", adoption: "found" })]);
    expect((await simStats(sim)).providers.openai).toMatchObject({ batches: 1, batchRequests: 3 });
  });
});
