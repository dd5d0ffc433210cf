// Distributed runs end to end: `nexus run --queue redis://... --state postgres://...` as the coordinator, `nexus
// worker` processes on the built-in simulator, a real redis-server and PostgreSQL. Every input line gets exactly one
// result line in --out, whatever is killed: a worker (its chunk stalls and another worker resumes it from its
// checkpoint), the coordinator (then --resume), or Redis itself (restarted from its append-only file).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureCliBuilt, nexus } from "../helpers/cli.js";
import { PAPER_REVIEW } from "../helpers/paths.js";
import { completeLines, startNexus, waitForLines } from "../runtime/helpers/cli-process.js";
import { startCluster, type Cluster } from "./helpers/cluster.js";
import { parseQueueUrl } from "../../src/distributed/queue-connection.js";

const SIM = "sim://?time-scale=0.02";

function writeItems(file: string, count: number, extra: string[] = []): string[] {
  const ids = Array.from({ length: count }, (_, i) => `p${i}`);
  const lines = ids.map((id, i) =>
    JSON.stringify({ id, title: `Paper ${i}`, abstract: `We study problem ${i} of serving.`, venue: "SOSP" }),
  );
  writeFileSync(file, [...lines, ...extra].join("\n") + "\n");
  return ids;
}

/** Each id's result lines in the file. */
function linesPerId(file: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of completeLines(file)) {
    const id = (JSON.parse(line) as { id: string }).id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

function expectExactlyOnce(file: string, ids: string[]): void {
  const counts = linesPerId(file);
  expect([...counts.values()].filter((n) => n > 1)).toEqual([]);
  expect(ids.filter((id) => !counts.has(id))).toEqual([]);
}

describe("distributed runs", () => {
  let cluster: Cluster;
  let dir: string;
  beforeAll(async () => {
    ensureCliBuilt();
    dir = mkdtempSync(join(tmpdir(), "nexus-distributed-"));
    cluster = await startCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs every item once over two workers; status, metrics, bad input lines as error results", async () => {
    const [first, second] = await Promise.all([cluster.worker(SIM), cluster.worker(SIM, "--lock-ms", "2000")]);
    const input = join(dir, "a.jsonl");
    const out = join(dir, "a.out.jsonl");
    const ids = writeItems(input, 60, ["{not json", JSON.stringify({ id: "p3", title: "again" })]);
    const run = await cluster.coordinator(PAPER_REVIEW, "--input", input, "--out", out, "--chunk-size", "10").finished;
    expect(run.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(run.status).toBe(3); // the two bad lines are failed items
    expectExactlyOnce(out, ids);
    expect(completeLines(out)).toHaveLength(62);
    expect(run.stdout).toMatch(/succeeded\s+60/);
    const status = await nexus("status", "--queue", cluster.redis.url, "--state", cluster.postgres.url);
    expect(status.stdout).toContain("items: 60 done, 2 failed");
    expect(status.stdout).toMatch(/chunks: 0 queued, 0 active, 0 stalled.*, 6 done/);
    expect(status.stdout).toContain("workers: 2 connected");
    const metrics = await Promise.all([first, second].map((w) => fetch(w.metricsUrl).then((r) => r.text())));
    const done = metrics.map((text) => Number(/nexus_worker_chunks_done_total (\d+)/.exec(text)![1]));
    expect(done[0] + done[1]).toBe(6); // the 7th chunk holds only the two bad lines: no job
    expect(metrics.join("")).toContain("nexus_worker_items_ok_total");
  });

  it("--max-queued-chunks caps the chunks enqueued and not done at once", async () => {
    const input = join(dir, "g.jsonl");
    const out = join(dir, "g.out.jsonl");
    const ids = writeItems(input, 40);
    const address = parseQueueUrl(cluster.redis.url);
    const queue = new Queue(address.name, { connection: address.connection });
    let most = 0;
    let polling = true;
    const poll = (async () => {
      while (polling) {
        const counts = await queue.getJobCounts("active", "waiting", "prioritized", "delayed");
        most = Math.max(
          most,
          Object.values(counts).reduce((a, b) => a + b, 0),
        );
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const args = ["--input", input, "--out", out, "--chunk-size", "5", "--max-queued-chunks", "1"];
    const run = await cluster.coordinator(PAPER_REVIEW, ...args).finished;
    polling = false;
    await poll;
    await queue.close();
    expect(run.status).toBe(0);
    expectExactlyOnce(out, ids);
    // 8 chunks, all enqueued at once under the default cap; with 1, a job is seen next to the one it follows only
    // between the chunk's recorded finish and its job's completion.
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(2);
  });

  it("kill -9 of a worker mid-chunk: its chunk is handed on and resumed; nothing lost or written twice", async () => {
    const input = join(dir, "b.jsonl");
    const out = join(dir, "b.out.jsonl");
    const ids = writeItems(input, 100);
    // The victim works alone until it runs a chunk (its /metrics says so), so it surely has one to lose.
    const victim = await cluster.worker(SIM, "--lock-ms", "1500");
    const run = cluster.coordinator(PAPER_REVIEW, "--input", input, "--out", out, "--chunk-size", "20");
    for (;;) {
      const text = await fetch(victim.metricsUrl).then((r) => r.text());
      if (Number(/nexus_worker_chunks_active (\d+)/.exec(text)![1]) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await cluster.worker(SIM, "--lock-ms", "1500");
    victim.process.child.kill("SIGKILL");
    const finished = await run.finished;
    expect(finished.stderr).toBe(finished.stderr.replace(/error:/, ""));
    expect(finished.status).toBe(0);
    expectExactlyOnce(out, ids);
    const status = await nexus("status", "--queue", cluster.redis.url, "--state", cluster.postgres.url);
    expect(status.stdout).toContain("items: 100 done, 0 failed");
  });

  it("kill -9 of the coordinator, then --resume: every item once", async () => {
    const input = join(dir, "c.jsonl");
    const out = join(dir, "c.out.jsonl");
    const ids = writeItems(input, 100);
    const args = [PAPER_REVIEW, "--input", input, "--out", out, "--chunk-size", "20"];
    const first = cluster.coordinator(...args);
    await waitForLines(out, 20);
    first.child.kill("SIGKILL");
    await first.finished;
    const resumed = await cluster.coordinator(...args, "--resume").finished;
    expect(resumed.status).toBe(0);
    expectExactlyOnce(out, ids);
  });

  it("Ctrl-C stops enqueueing and lets running chunks finish; --resume completes the run", async () => {
    const input = join(dir, "d.jsonl");
    const out = join(dir, "d.out.jsonl");
    const ids = writeItems(input, 300);
    const args = [PAPER_REVIEW, "--input", input, "--out", out, "--chunk-size", "20"];
    const first = cluster.coordinator(...args);
    await waitForLines(out, 20);
    first.child.kill("SIGINT");
    const stopped = await first.finished;
    expect(stopped.status).toBe(130);
    expect(stopped.stderr).toContain("--resume");
    const partial = linesPerId(out);
    expect(partial.size).toBeLessThan(300);
    // Every chunk a worker had started was finished: the results come in whole chunks of 20.
    expect(partial.size % 20).toBe(0);
    const resumed = await cluster.coordinator(...args, "--resume").finished;
    expect(resumed.status).toBe(0);
    expectExactlyOnce(out, ids);
  });

  it("--state without --queue: one process, checkpoints and results in Postgres; kill -9, then --resume", async () => {
    const input = join(dir, "f.jsonl");
    const out = join(dir, "f.out.jsonl");
    const ids = writeItems(input, 100);
    const args = ["run", PAPER_REVIEW, "--input", input, "--out", out, "--chunk-size", "10", "--backend", SIM];
    const first = startNexus(...args, "--state", cluster.postgres.url, "--no-progress");
    await waitForLines(out, 20);
    first.child.kill("SIGKILL");
    await first.finished;
    const resumed = await nexus(...args, "--state", cluster.postgres.url, "--no-progress", "--resume");
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toMatch(/already done \(resumed\)\s+[1-9]/);
    expectExactlyOnce(out, ids);
  });

  it("Redis killed and restarted mid-run (append-only file): the run continues without loss", async () => {
    const input = join(dir, "e.jsonl");
    const out = join(dir, "e.out.jsonl");
    const ids = writeItems(input, 100);
    const run = cluster.coordinator(PAPER_REVIEW, "--input", input, "--out", out, "--chunk-size", "20");
    await waitForLines(out, 20);
    await cluster.redis.kill();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await cluster.redis.restart();
    const finished = await run.finished;
    expect(finished.status).toBe(0);
    expectExactlyOnce(out, ids);
  });
});
