// anthropic-batch:// against the Message Batches emulator through the real @anthropic-ai/sdk: partial failures retried
// in later batches, results in any order matched by custom_id, invalid requests failing their item only, expiry and
// cancellation (resubmitted or failed, as configured), splitting at the count and byte limits, the shared prefix
// written first, realtime nodes, and re-attaching to batches from the journal (including one whose id was lost).
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, describe, expect, it } from "vitest";
import { BatchJournal } from "../../src/backends/provider-batch/index.js";
import { AnthropicBatchDriver } from "../../src/backends/provider-batch/drivers/anthropic-driver.js";
import { toAnthropicParams } from "../../src/backends/anthropic/messages-wire.js";
import { customIdFor, newMarker, requestKey } from "../../src/backends/provider-batch/request-identity.js";
import { main } from "../../src/cli/main.js";
import type { ChatResult } from "../../src/runtime/chat.js";
import {
  completeTickets,
  journalBatches,
  journalPath,
  openBackend,
  ticketHints,
  ticketRequest,
  waitForSubmittedBatch,
} from "./helpers/backend.js";
import type { SimServer } from "../../src/sim/index.js";
import { backendUrl, closeSimServers, expireBatch, simServer, simStats } from "./helpers/sim.js";

process.env.ANTHROPIC_API_KEY ??= "test-key";
afterAll(closeSimServers);

const values = (settled: PromiseSettledResult<ChatResult>[]) =>
  settled.map((s) => {
    if (s.status === "rejected") throw s.reason;
    return s.value;
  });

describe("anthropic-batch://", () => {
  it("retries errored requests in later batches and matches results in any order by custom_id", async () => {
    const sim = await simServer({ failRate: 0.3 });
    const journal = journalPath();
    const backend = openBackend(backendUrl("anthropic-batch", sim, "max-attempts=12&prefix-write=off"), journal);
    const results = values(await completeTickets(backend, 20));
    const report = backend.report() as {
      requestsSubmitted: number;
      resubmitted: number;
      resultsByStatus: Record<string, number>;
    };
    await backend.close();

    // Each answer is the one the model gives to exactly that request (the simulator answers deterministically).
    const client = new Anthropic({ baseURL: sim.url, apiKey: "k", maxRetries: 0 });
    for (const i of [0, 7, 19]) {
      const direct = await client.messages.create(toAnthropicParams(ticketRequest(i), "1h") as never);
      expect(results[i].content).toBe((direct.content[0] as { text: string }).text);
    }
    expect(report.resultsByStatus.errored).toBeGreaterThan(0);
    expect(report.resubmitted).toBe(report.resultsByStatus.errored);
    expect(report.resultsByStatus.succeeded).toBe(20);
    const stats = await simStats(sim);
    expect(stats.providers.anthropic.batchRequests).toBe(report.requestsSubmitted);
    expect(report.requestsSubmitted).toBe(20 + report.resubmitted);
  });

  it("fails only the invalid request, with the provider's message, and never resends it", async () => {
    const sim = await simServer();
    const backend = openBackend(backendUrl("anthropic-batch", sim, "prefix-write=off"), journalPath());
    const settled = await completeTickets(backend, 6, (i) => ticketRequest(i, i === 2 ? { maxTokens: 0 } : {}));
    await backend.close();
    expect(settled.filter((s) => s.status === "fulfilled")).toHaveLength(5);
    const failure = settled[2] as PromiseRejectedResult;
    expect(String(failure.reason)).toMatch(/invalid request: invalid_request_error: max_tokens/);
    expect((failure.reason as { retryable: boolean }).retryable).toBe(false);
    expect((await simStats(sim)).providers.anthropic.batchRequests).toBe(6);
  });

  for (const policy of ["resubmit", "fail"] as const) {
    it(`expired requests are ${policy === "resubmit" ? "sent again in a new batch" : "failed"} (on-expired=${policy})`, async () => {
      const sim = await simServer({ batchLatencyMs: 400_000 });
      const journal = journalPath();
      const backend = openBackend(backendUrl("anthropic-batch", sim, `on-expired=${policy}&prefix-write=off`), journal);
      const pending = completeTickets(backend, 8);
      await expireBatch(sim, (await waitForSubmittedBatch(journal)).provider_batch_id!);
      const settled = await pending;
      const report = backend.report() as { resultsByStatus: Record<string, number> };
      await backend.close();
      const expired = report.resultsByStatus.expired ?? 0;
      expect(expired).toBeGreaterThan(0);
      if (policy === "resubmit") {
        expect(settled.every((s) => s.status === "fulfilled")).toBe(true);
        expect(journalBatches(journal)).toHaveLength(2);
      } else {
        const failed = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected");
        expect(failed).toHaveLength(expired);
        expect(String(failed[0].reason)).toMatch(/expired/);
      }
    });
  }

  it("`nexus batches cancel` cancels a running batch; unfinished requests fail (on-canceled=fail) or go again", async () => {
    for (const policy of ["fail", "resubmit"] as const) {
      const sim = await simServer({ batchLatencyMs: 400_000 });
      const journal = journalPath();
      const url = backendUrl("anthropic-batch", sim, `on-canceled=${policy}&prefix-write=off`);
      const backend = openBackend(url, journal);
      const pending = completeTickets(backend, 8);
      const batch = await waitForSubmittedBatch(journal);
      expect(await main(["batches", "cancel", batch.marker, "--journal", journal])).toBe(0);
      const settled = await pending;
      await backend.close();
      const rejected = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected");
      if (policy === "fail") {
        expect(rejected.length).toBeGreaterThan(0);
        expect(String(rejected[0].reason)).toMatch(/canceled/);
      } else expect(rejected).toHaveLength(0);
    }
  });

  it("splits batches at the request-count and byte limits, one model per batch", async () => {
    const sim = await simServer();
    const journal = journalPath();
    const backend = openBackend(backendUrl("anthropic-batch", sim, "max-requests=4&prefix-write=off"), journal);
    const mixed = (i: number) => ticketRequest(i, i % 5 === 0 ? { model: "claude-haiku-4-5" } : {});
    expect((await completeTickets(backend, 10, mixed)).every((s) => s.status === "fulfilled")).toBe(true);
    await backend.close();
    const sizes = journalBatches(journal).map((b) => b.request_count);
    expect(sizes.every((n) => n <= 4)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(10);
    expect(sizes.sort()).toEqual([2, 4, 4]); // 8 sonnet requests in 2 batches of 4, 2 haiku requests in one

    const bytesJournal = journalPath();
    const oneRequest = new AnthropicBatchDriver({}).encode(ticketRequest(0)).bytes;
    const bytes = openBackend(
      backendUrl("anthropic-batch", sim, `max-bytes=${oneRequest * 2 + 10}&prefix-write=off`),
      bytesJournal,
    );
    expect((await completeTickets(bytes, 5)).every((s) => s.status === "fulfilled")).toBe(true);
    await bytes.close();
    expect(journalBatches(bytesJournal).map((b) => b.request_count)).toEqual([2, 2, 1]);
  });

  it("writes a large batch's shared prefix first (one request, 1-hour TTL), then sends the rest reading it", async () => {
    expect(new AnthropicBatchDriver({}).encode(ticketRequest(0)).body.system).toEqual([
      expect.objectContaining({ cache_control: { type: "ephemeral", ttl: "1h" } }),
    ]);
    const sim = await simServer();
    const journal = journalPath();
    const backend = openBackend(backendUrl("anthropic-batch", sim, "prefix-write-min=4"), journal);
    const results = values(await completeTickets(backend, 12));
    await backend.close();
    const [writer, ...rest] = journalBatches(journal);
    expect(writer).toMatchObject({ purpose: "prefix-write", request_count: 1 });
    expect(rest.map((b) => b.request_count)).toEqual([11]);
    expect(rest[0].created_at).toBeGreaterThanOrEqual(writer.ended_at!);
    expect(results.filter((r) => r.usage.cacheWriteTokens > 0)).toHaveLength(1);
    expect(results.filter((r) => r.usage.cachedTokens > 1000)).toHaveLength(11);
  });

  it("prefix-write=realtime writes the prefix with one realtime call (journaled, billed at full price)", async () => {
    const sim = await simServer();
    const journal = journalPath();
    const backend = openBackend(
      backendUrl("anthropic-batch", sim, "prefix-write=realtime&prefix-write-min=4"),
      journal,
    );
    const results = values(await completeTickets(backend, 8));
    await backend.close();
    expect(journalBatches(journal).map((b) => [b.provider, b.purpose, b.request_count])).toEqual([
      ["realtime", "prefix-write", 1],
      ["anthropic", "work", 7],
    ]);
    expect(results.filter((r) => r.usage.cachedTokens > 1000)).toHaveLength(7);
    expect((await simStats(sim)).providers.anthropic).toMatchObject({ requests: 1, batches: 1, batchRequests: 7 });
  });

  it("sends requests of realtime nodes through the Messages API, outside any batch", async () => {
    const sim = await simServer();
    const backend = openBackend(backendUrl("anthropic-batch", sim), journalPath());
    const result = await backend.complete(ticketRequest(1), ticketHints(1, { batchMode: "realtime" }));
    await backend.close();
    expect(result.content).toBeTruthy();
    const stats = await simStats(sim);
    expect(stats.providers.anthropic).toMatchObject({ requests: 1, batches: 0 });
  });

  it("a resumed backend re-attaches to the journal's batches and answers finished requests from the journal", async () => {
    const sim = await simServer({ batchLatencyMs: 300_000 });
    const journal = journalPath();
    const url = backendUrl("anthropic-batch", sim, "prefix-write=off");
    const first = openBackend(url, journal);
    const abandoned = completeTickets(first, 6);
    await waitForSubmittedBatch(journal);
    await first.close(); // the run stops while its batch is at the provider
    expect((await abandoned).every((s) => s.status === "rejected")).toBe(true);

    const second = openBackend(url, journal, true);
    expect((await completeTickets(second, 6)).every((s) => s.status === "fulfilled")).toBe(true);
    await second.close();
    const third = openBackend(url, journal, true);
    const again = await completeTickets(third, 6);
    expect((third.report() as { answeredFromJournal: number }).answeredFromJournal).toBe(6);
    await third.close();
    expect(again.every((s) => s.status === "fulfilled")).toBe(true);
    expect((await simStats(sim)).providers.anthropic).toMatchObject({ batches: 1, batchRequests: 6 });
  });

  it("a fresh run refuses to drop a journal whose batches are still at the provider", async () => {
    const sim = await simServer({ batchLatencyMs: 300_000 });
    const journal = journalPath();
    const url = backendUrl("anthropic-batch", sim);
    const first = openBackend(url, journal);
    const pending = completeTickets(first, 2);
    await waitForSubmittedBatch(journal);
    await first.close();
    await pending;
    expect(() => openBackend(url, journal)).toThrow(/still at the provider.*--resume/);
  });

  describe("a batch created by a run that died before recording its id", () => {
    /** Journals a batch as `submitting` and, unless `create` is false, creates it at the provider as that run did. */
    async function lostBatch(sim: SimServer, journal: string, n: number, create = true) {
      const url = backendUrl("anthropic-batch", sim, "prefix-write=off");
      const marker = newMarker();
      const members = Array.from({ length: n }, (_, i) => ({
        customId: customIdFor(marker, requestKey(ticketHints(i).requestId!, ticketRequest(i))),
        requestKey: requestKey(ticketHints(i).requestId!, ticketRequest(i)),
        requestId: ticketHints(i).requestId!,
        model: "claude-sonnet-4-6",
      }));
      const db = BatchJournal.open(journal, { resume: true, provider: "anthropic", spec: url });
      db.insertBatch({ marker, provider: "anthropic", purpose: "work", bytes: 1, members });
      db.markSubmitting(marker);
      db.close();
      const client = new Anthropic({ baseURL: sim.url, apiKey: "k", maxRetries: 0 });
      if (create) {
        await client.messages.batches.create({
          requests: members.map((m, i) => ({
            custom_id: m.customId,
            params: toAnthropicParams(ticketRequest(i), "1h") as never,
          })),
        });
      }
      return { url, marker, client };
    }

    it("is found at the provider (likely while running, confirmed by its results) and not sent again", async () => {
      const sim = await simServer({ batchLatencyMs: 200_000 });
      const journal = journalPath();
      const { url } = await lostBatch(sim, journal, 5);
      const resumed = openBackend(url, journal, true);
      expect((await completeTickets(resumed, 5)).every((s) => s.status === "fulfilled")).toBe(true);
      await resumed.close();
      expect(journalBatches(journal)[0]).toMatchObject({ status: "done", adoption: "found" });
      expect((await simStats(sim)).providers.anthropic).toMatchObject({ batches: 1, batchRequests: 5 });
    });

    it("is sent again when the provider has no such batch", async () => {
      const sim = await simServer();
      const journal = journalPath();
      const { url } = await lostBatch(sim, journal, 3, false);
      const resumed = openBackend(url, journal, true);
      expect((await completeTickets(resumed, 3)).every((s) => s.status === "fulfilled")).toBe(true);
      await resumed.close();
      expect(journalBatches(journal).map((b) => b.status)).toEqual(["abandoned", "done"]);
      expect((await simStats(sim)).providers.anthropic.batchRequests).toBe(3);
    });

    it("a likely batch whose results prove it someone else's is ignored and the requests go again", async () => {
      const sim = await simServer({ batchLatencyMs: 200_000 });
      const journal = journalPath();
      const { url, client } = await lostBatch(sim, journal, 2, false);
      // Another client's batch of the same size, created in the same window.
      await client.messages.batches.create({
        requests: [0, 1].map((i) => ({
          custom_id: `other-${i}`,
          params: toAnthropicParams(ticketRequest(100 + i)) as never,
        })),
      });
      const resumed = openBackend(url, journal, true);
      const results = values(await completeTickets(resumed, 2));
      await resumed.close();
      expect(results).toHaveLength(2);
      expect(journalBatches(journal).map((b) => b.status)).toEqual(["misattributed", "done"]);
    });
  });
});
