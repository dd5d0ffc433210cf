// The user's view: `nexus run --backend anthropic-batch://` over the two-step triage workflow (the run report carries
// batches submitted, per-status counts and the discounted cost next to realtime), then `nexus batches list` and
// `nexus batches status` on the run's journal and at the provider.
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { journalBatches } from "./helpers/backend.js";
import { backendUrl, closeSimServers, simServer } from "./helpers/sim.js";
import { readResults, triageRunArgs, writeTriage } from "./helpers/triage-workflow.js";

process.env.ANTHROPIC_API_KEY ??= "test-key";
afterAll(closeSimServers);

async function nexus(...args: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  try {
    return { code: await main(args), stdout };
  } finally {
    spy.mockRestore();
  }
}

interface BackendReport {
  batchesSubmitted: number;
  requestsSubmitted: number;
  resultsByStatus: Record<string, number>;
  cost: { pricedRequests: number; billedUsd: number; realtimeCachedUsd: number; realtimeUncachedUsd: number };
}

describe("nexus run with a provider batch backend, and nexus batches", () => {
  it("runs both steps in batches, reports them, and lists them", async () => {
    const sim = await simServer({ failRate: 0.2 });
    const files = writeTriage("anthropic://claude-sonnet-4-6", 10);
    const url = backendUrl("anthropic-batch", sim, "max-attempts=10&prefix-write=off");
    const report = `${files.dir}/report.json`;
    const run = await nexus(...triageRunArgs(files, url, "--report", report));
    expect(run.code).toBe(0);
    expect(readResults(files.out).filter((line) => line.status === "ok")).toHaveLength(10);

    const backend = (JSON.parse(readFileSync(report, "utf8")) as { backendReport: BackendReport }).backendReport;
    expect(backend.batchesSubmitted).toBeGreaterThanOrEqual(2); // classify, then reply
    expect(backend.resultsByStatus.succeeded).toBe(20);
    expect(backend.requestsSubmitted).toBe(20 + (backend.resultsByStatus.errored ?? 0));
    expect(backend.cost.pricedRequests).toBe(20);
    expect(backend.cost.billedUsd).toBeCloseTo(backend.cost.realtimeCachedUsd / 2, 6);
    expect(backend.cost.realtimeUncachedUsd).toBeGreaterThanOrEqual(backend.cost.realtimeCachedUsd);

    const listed = await nexus("batches", "list", "--journal", files.journal);
    expect(listed.code).toBe(0);
    const batches = journalBatches(files.journal);
    for (const batch of batches) expect(listed.stdout).toContain(batch.provider_batch_id!);
    expect(listed.stdout).toMatch(/done\s+ended/);

    const provider = await nexus("batches", "list", "--backend", url);
    expect(provider.stdout).toContain(batches[0].provider_batch_id!);

    const status = await nexus("batches", "status", batches[0].marker, "--journal", files.journal);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/provider status\s+ended/);
    expect(status.stdout).toContain(batches[0].provider_batch_id!);

    const unknown = await nexus("batches", "status", "nope", "--journal", files.journal, "--backend", url);
    expect(unknown.code).toBe(1);
  });
});
