// Result lines that cannot be read, from the batch emulators' fault options: a line cut in half (not JSON) and a
// 200 line whose answer is not one. The provider answered and billed those requests, so they are never submitted
// again: the results are read again a bounded number of times (`result-reads`), then each such request fails its
// item with the line's text. Before, OpenAI re-submitted them (paid twice) and Anthropic re-read forever.
import { afterAll, describe, expect, it } from "vitest";
import type { ChatResult } from "../../src/runtime/chat.js";
import type { SimServerOptions } from "../../src/sim/index.js";
import { completeTickets, journalPath, openBackend, ticketRequest } from "./helpers/backend.js";
import { backendUrl, closeSimServers, simServer, simStats } from "./helpers/sim.js";

process.env.ANTHROPIC_API_KEY ??= "test-key";
process.env.OPENAI_API_KEY ??= "test-key";
afterAll(closeSimServers);

/** custom_ids are `<marker>_<40 hex digits>`: about a quarter of the requests have a key starting 0-3. */
const QUARTER = "_[0-3]";
const N = 16;

async function runWith(scheme: "anthropic-batch" | "openai-batch", faults: SimServerOptions) {
  const sim = await simServer(faults);
  const backend = openBackend(backendUrl(scheme, sim, "prefix-write=off&result-reads=3"), journalPath());
  const settled = await completeTickets(backend, N, (i) =>
    ticketRequest(i, scheme === "openai-batch" ? { model: "gpt-4o-mini" } : {}),
  );
  const report = backend.report() as { resultsByStatus: Record<string, number> };
  await backend.close();
  const failed = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected");
  const ok = settled.filter((s): s is PromiseFulfilledResult<ChatResult> => s.status === "fulfilled");
  return { stats: await simStats(sim), failed, ok, report };
}

describe("unreadable batch result lines", () => {
  it("openai-batch: a line that is not JSON fails its request with the line's text, never re-submitted", async () => {
    const { stats, failed, ok, report } = await runWith("openai-batch", { corruptResultIds: QUARTER });
    expect(failed.length).toBeGreaterThan(0);
    expect(ok.length + failed.length).toBe(N);
    expect(stats.providers.openai.batchRequests).toBe(N);
    expect(report.resultsByStatus.unreadable).toBe(failed.length);
    for (const { reason } of failed)
      expect(String(reason)).toMatch(/unreadable result line \(not JSON: .*\): \{"id":"batch_req_/);
    expect(stats.endpoints["GET /v1/files/:id/content"]).toBeGreaterThanOrEqual(3);
  });

  it("openai-batch: a 200 line whose answer cannot be parsed fails its request, never re-submitted", async () => {
    const { stats, failed, ok } = await runWith("openai-batch", { unreadableAnswerIds: QUARTER });
    expect(failed.length).toBeGreaterThan(0);
    expect(ok.length + failed.length).toBe(N);
    expect(stats.providers.openai.batchRequests).toBe(N);
    for (const { reason } of failed)
      expect(String(reason)).toMatch(/unreadable result line \(answer: response has no choices/);
  });

  it("anthropic-batch: results that never parse are read 3 times, then their requests fail with the reason", async () => {
    const { stats, failed, ok, report } = await runWith("anthropic-batch", { corruptResultIds: QUARTER });
    expect(failed.length).toBeGreaterThan(0);
    expect(ok.length + failed.length).toBe(N);
    expect(stats.providers.anthropic.batchRequests).toBe(N);
    expect(stats.endpoints["GET /v1/messages/batches/:id/results"]).toBe(3);
    expect(report.resultsByStatus.unreadable).toBe(failed.length);
    for (const { reason } of failed)
      expect(String(reason)).toMatch(/unreadable result line \(not JSON: .*\): \{"custom_id":/);
  });

  it("anthropic-batch: a succeeded result whose message cannot be read fails its request", async () => {
    const { stats, failed, ok } = await runWith("anthropic-batch", { unreadableAnswerIds: QUARTER });
    expect(failed.length).toBeGreaterThan(0);
    expect(ok.length + failed.length).toBe(N);
    expect(stats.providers.anthropic.batchRequests).toBe(N);
    for (const { reason } of failed) expect(String(reason)).toMatch(/unreadable result line \(answer: /);
  });
});
