// `--retry-failed`, `--max-failures` and `--out -` on a distributed run (`nexus run --queue`), with one `nexus worker`
// on the simulator behind a counting front that refuses the requests of chosen items (they fail) and counts what it
// is paid for, so a retried item is seen to be paid once more and nothing else again.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureCliBuilt } from "../helpers/cli.js";
import { startCountingEngine, type CountingEngine } from "../runtime/helpers/counting-engine.js";
import { readResults, useScratchDir, workflowFile, writeInput } from "../runtime/helpers/run-fixture.js";
import { startCluster, type Cluster } from "./helpers/cluster.js";

const scratch = useScratchDir("nexus-distributed-flags-");
const question = (i: number) => `question ${i}`;

function questions(items: number): { input: string; out: string } {
  const dir = scratch();
  const input = join(dir, "questions.jsonl");
  writeInput(
    input,
    Array.from({ length: items }, (_, i) => ({ id: `q${i + 1}`, question: question(i + 1) })),
  );
  return { input, out: join(dir, "results.jsonl") };
}

describe("distributed runs: --retry-failed, --max-failures, --out -", () => {
  let cluster: Cluster;
  let engine: CountingEngine;
  beforeAll(async () => {
    ensureCliBuilt();
    [cluster, engine] = await Promise.all([startCluster(), startCountingEngine()]);
    await cluster.worker(engine.backend);
  });
  afterAll(async () => {
    await cluster?.stop();
    await engine?.close();
  });

  const inChunksOf = (size: number) => ["--backend", engine.backend, "--chunk-size", String(size)];
  const run = (files: { input: string; out: string }, ...more: string[]) =>
    cluster.coordinator(workflowFile("one-model"), "--input", files.input, "--out", files.out, ...more).finished;

  it("--resume --retry-failed runs the failed items again, once each; their new lines supersede the old", async () => {
    const files = questions(20);
    const failing = new Set([3, 7, 11, 15].map(question));
    engine.failing = (content) => failing.has(content);
    const first = await run(files, "--backend", engine.backend, "--chunk-size", "5");
    expect(first.status).toBe(3);
    expect(readResults(files.out).filter((line) => line.status === "error")).toHaveLength(4);
    engine.failing = () => false;
    const paidBefore = engine.total();

    const retried = await run(files, "--backend", engine.backend, "--chunk-size", "5", "--resume", "--retry-failed");
    expect(retried.stderr).not.toContain("error:");
    expect(retried.status).toBe(0);
    expect(retried.stdout).toContain("retried: 4 failed items ran again");
    expect(engine.total()).toBe(paidBefore + 4);
    const results = readResults(files.out);
    expect(results).toHaveLength(24);
    const last = new Map(results.map((line) => [line.id, line.status]));
    expect(last.size).toBe(20);
    expect([...last.values()].every((status) => status === "ok")).toBe(true);
    for (const id of ["q3", "q7", "q11", "q15"])
      expect(results.filter((line) => line.id === id).map((line) => line.status)).toEqual(["error", "ok"]);

    // Nothing left to retry: another --retry-failed pays for nothing.
    const again = await run(files, "--backend", engine.backend, "--resume", "--retry-failed");
    expect(again.status).toBe(0);
    expect(engine.total()).toBe(paidBefore + 4);
    expect(readResults(files.out)).toHaveLength(24);
  });

  it("--max-failures: past it no more chunks are enqueued and the running ones drain; --resume finishes", async () => {
    const files = questions(200);
    const failing = new Set([1, 2, 3].map(question));
    engine.failing = (content) => failing.has(content);
    const stopped = await run(files, "--backend", engine.backend, "--chunk-size", "5", "--max-failures", "2");
    expect(stopped.status).toBe(3);
    expect(stopped.stderr).toContain("stopped: 3 items failed, more than --max-failures 2 allows");
    expect(stopped.stderr).toContain("--resume");
    const partial = readResults(files.out);
    expect(partial.length).toBeLessThan(200);
    // Every chunk a worker started was finished: the results come in whole chunks.
    expect(partial.length % 5).toBe(0);
    engine.failing = () => false;
    const resumed = await run(files, ...inChunksOf(5), "--resume", "--max-failures", "5");
    expect(resumed.status).toBe(0);
    const results = readResults(files.out);
    expect(results.filter((line) => line.status === "error").map((line) => line.id)).toEqual(["q1", "q2", "q3"]);
    expect(new Set(results.map((line) => line.id)).size).toBe(200);
    expect(results).toHaveLength(200);
  });

  it("--out -: every result once on stdout, the report on stderr", async () => {
    const files = questions(30);
    engine.failing = () => false;
    const finished = await cluster.coordinator(
      workflowFile("one-model"),
      ...["--input", files.input, "--out", "-", "--backend", engine.backend, "--chunk-size", "7"],
    ).finished;
    expect(finished.status).toBe(0);
    const ids = finished.stdout
      .split("\n")
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { id: string; status: string }).id);
    expect(ids.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `q${i + 1}`).sort());
    expect(finished.stderr).toMatch(/succeeded\s+30/);
  });
});
