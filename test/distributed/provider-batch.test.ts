// Distributed runs on provider Batch APIs: `nexus worker --backend anthropic-batch://` / `openai-batch://` against the
// simulator's Message Batches and Batch endpoints, each chunk's batch journal in the shared Postgres state. Every item
// gets one result line, and the simulator's counters show every distinct request submitted once, also when a worker
// is SIGKILLed right after its batch was created (before it could record the batch's id): the worker that takes the
// chunk over replays the chunk's journal and finds the batch by its marker instead of submitting it again.
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SimServer } from "../../src/sim/index.js";
import { ensureCliBuilt } from "../helpers/cli.js";
import { backendUrl, closeSimServers, simServer, simStats } from "../provider-batch/helpers/sim.js";
import { readResults, resultCounts, writeTriage, type TriageFiles } from "../provider-batch/helpers/triage-workflow.js";
import type { RunningNexus } from "../runtime/helpers/cli-process.js";
import { startCluster, type Cluster } from "./helpers/cluster.js";

const ITEMS = 12;
/** Two requests per item (classify, then reply). */
const DISTINCT_REQUESTS = 2 * ITEMS;

type Scheme = "anthropic-batch" | "openai-batch";

function expectEveryItemOnce(files: TriageFiles): void {
  const lines = readResults(files.out);
  const counts = resultCounts(lines);
  expect([...counts.keys()].sort()).toEqual([...files.ids].sort());
  expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
  expect(lines.filter((line) => line.status !== "ok")).toEqual([]);
}

async function submittedRequests(sim: SimServer, scheme: Scheme): Promise<number> {
  return (await simStats(sim)).providers[scheme === "anthropic-batch" ? "anthropic" : "openai"].batchRequests;
}

/** Starts a worker whose process SIGKILLs itself at the provider-batch crash point `crashAt`. */
async function crashingWorker(cluster: Cluster, url: string, crashAt: string) {
  process.env.NEXUS_TEST_CRASH_AT = crashAt; // the child takes its environment when spawned
  try {
    return await cluster.worker(url, "--lock-ms", "1500");
  } finally {
    delete process.env.NEXUS_TEST_CRASH_AT;
  }
}

/** Ctrl-C for a worker: it takes no more chunks (and the next test's run is not its business). */
async function stopWorker(worker: { process: RunningNexus }): Promise<void> {
  worker.process.child.kill("SIGTERM");
  await worker.process.finished;
}

describe("distributed runs on provider Batch APIs", () => {
  let cluster: Cluster;
  const folders: string[] = [];
  beforeAll(async () => {
    ensureCliBuilt();
    process.env.ANTHROPIC_API_KEY = "test-key";
    process.env.OPENAI_API_KEY = "test-key";
    cluster = await startCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
    await closeSimServers();
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  function triage(scheme: Scheme): TriageFiles {
    const files = writeTriage(
      scheme === "anthropic-batch" ? "anthropic://claude-sonnet-4-6" : "openai://gpt-4o-mini",
      ITEMS,
    );
    folders.push(files.dir);
    return files;
  }

  it("anthropic-batch:// over two workers: every item once, every request submitted once", async () => {
    const sim = await simServer();
    const url = backendUrl("anthropic-batch", sim);
    const files = triage("anthropic-batch");
    const workers = await Promise.all([cluster.worker(url), cluster.worker(url)]);
    const run = cluster.coordinator(
      files.workflow,
      ...["--input", files.input, "--out", files.out, "--backend", url, "--chunk-size", "4"],
    );
    const finished = await run.finished;
    await Promise.all(workers.map(stopWorker));
    expect(finished.stderr).not.toMatch(/error:/);
    expect(finished.status).toBe(0);
    expectEveryItemOnce(files);
    expect(await submittedRequests(sim, "anthropic-batch")).toBe(DISTINCT_REQUESTS);
  });

  for (const scheme of ["openai-batch", "anthropic-batch"] as const) {
    it(`${scheme}: a worker killed after its batch was created; the chunk taken over re-attaches`, async () => {
      const sim = await simServer();
      const url = backendUrl(scheme, sim);
      const files = triage(scheme);
      const victim = await crashingWorker(cluster, url, "after-submit-before-record");
      const run = cluster.coordinator(
        files.workflow,
        ...["--input", files.input, "--out", files.out, "--backend", url, "--chunk-size", "6"],
      );
      const died = await victim.process.finished;
      expect(died.signal).toBe("SIGKILL");
      expect(await submittedRequests(sim, scheme)).toBeGreaterThan(0); // it died with a batch at the provider
      const rescuer = await cluster.worker(url, "--lock-ms", "1500");
      const finished = await run.finished;
      await stopWorker(rescuer);
      expect(finished.stderr).not.toMatch(/error:/);
      expect(finished.status).toBe(0);
      expectEveryItemOnce(files);
      expect(await submittedRequests(sim, scheme)).toBe(DISTINCT_REQUESTS);
    });
  }
});
