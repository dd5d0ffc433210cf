// `nexus run` on a LangGraph.js program, as a user runs it: the items' model calls are batched through the run's
// accumulator, an item whose node throws gets an error line (the others go on, exit 3), a killed run resumes each
// item from its last checkpointed step and never runs a finished item again, and a program that cannot load or a
// backend that cannot be reached stops the run with one line before anything is written.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimServer, type SimServer } from "../../src/sim/index.js";
import type { RunReport } from "../../src/runtime/run-report.js";
import { ensureCliBuilt, nexus } from "../helpers/cli.js";
import { REPO_ROOT } from "../helpers/paths.js";
import { completeLines, startNexus, waitForLines } from "../runtime/helpers/cli-process.js";
import { useScratchDir, writeInput } from "../runtime/helpers/run-fixture.js";

const scratch = useScratchDir("nexus-program-run-test-");
const MAP_REDUCE = join(REPO_ROOT, "test/frontends/typescript/corpus/map-reduce.ts");
const program = (name: string) => join(REPO_ROOT, "test/program-run/programs", name);

let sim: SimServer;
beforeAll(async () => {
  ensureCliBuilt();
  sim = await startSimServer({ timeScale: 0.001 });
});
afterAll(() => sim.close());

interface Line {
  id: string;
  status: "ok" | "error";
  output: Record<string, unknown> | null;
  error: string | null;
  usage: { promptTokens: number };
}

const lines = (out: string) => completeLines(out).map((line) => JSON.parse(line) as Line);
const report = (file: string) => JSON.parse(readFileSync(file, "utf8")) as RunReport;

describe.concurrent("nexus run on a LangGraph.js program", () => {
  it("batches the model calls of many items: one flush per step, not one request at a time", async () => {
    const dir = scratch();
    const input = join(dir, "topics.jsonl");
    writeInput(
      input,
      Array.from({ length: 40 }, (_, i) => ({ id: `t${i}`, topic: `topic number ${i}` })),
    );
    const out = join(dir, "results.jsonl");
    const run = await nexus(
      "run",
      MAP_REDUCE,
      "--input",
      input,
      "--out",
      out,
      "--report",
      join(dir, "r.json"),
      "--no-progress",
    );
    expect(run.status).toBe(0);
    const results = lines(out);
    expect(results).toHaveLength(40);
    expect(results.every((line) => line.status === "ok" && typeof line.output?.best === "string")).toBe(true);
    const numbers = report(join(dir, "r.json"));
    // Three model steps per item (topics, one joke per subject, the best): at least 120 requests in a few flushes.
    expect(numbers.modelRequests).toBeGreaterThanOrEqual(120);
    expect(numbers.batchesFlushed).toBeLessThanOrEqual(10);
    // Each item's line carries the tokens of its own calls; together they are the run's.
    const itemTokens = results.reduce((sum, line) => sum + line.usage.promptTokens, 0);
    expect(itemTokens).toBe(numbers.promptTokens);
    expect(results.every((line) => line.usage.promptTokens > 0)).toBe(true);
  });

  it("writes an error line for an item whose node throws, and exits 3; the other items succeed", async () => {
    const dir = scratch();
    const input = join(dir, "numbers.jsonl");
    writeInput(
      input,
      Array.from({ length: 9 }, (_, i) => ({ id: `n${i + 1}`, n: i + 1 })),
    );
    const out = join(dir, "results.jsonl");
    const run = await nexus("run", program("flaky.ts"), "--input", input, "--out", out, "--no-progress");
    expect(run.status).toBe(3);
    expect(run.stderr).toContain("3 of 9 items failed");
    const byId = new Map(lines(out).map((line) => [line.id, line]));
    expect(byId.size).toBe(9);
    for (const n of [3, 6, 9])
      expect(byId.get(`n${n}`)).toMatchObject({ status: "error", error: `item ${n} has no reply` });
    for (const n of [1, 2, 4, 5, 7, 8]) expect(byId.get(`n${n}`)?.status).toBe("ok");
  });

  it("killed with SIGKILL, continues each item from its last step on --resume, each item once", async () => {
    const dir = scratch();
    const input = join(dir, "topics.jsonl");
    const items = 16;
    writeInput(
      input,
      Array.from({ length: items }, (_, i) => ({ id: `e${i}`, topic: `essay topic ${i}` })),
    );
    const out = join(dir, "results.jsonl");
    const args = (...more: string[]) => [
      "run",
      program("two-steps.ts"),
      "--input",
      input,
      "--out",
      out,
      "--max-inflight",
      "2",
      "--no-progress",
      ...more,
    ];
    const slow = startNexus(...args("--time-scale", "1"));
    await waitForLines(out, 3, 90_000);
    slow.child.kill("SIGKILL");
    expect((await slow.finished).signal).toBe("SIGKILL");
    const doneBefore = completeLines(out).length;
    expect(doneBefore).toBeLessThan(items);
    const resumed = await nexus(...args("--resume", "--time-scale", "0.01", "--report", join(dir, "r.json")));
    expect(resumed.stderr).toBe("");
    expect(resumed.status).toBe(0);
    const ids = lines(out).map((line) => line.id);
    expect(new Set(ids).size).toBe(items);
    expect(ids).toHaveLength(items);
    const numbers = report(join(dir, "r.json"));
    expect(numbers).toMatchObject({ resumed: doneBefore, succeeded: items - doneBefore, failed: 0 });
    // Items whose outline was checkpointed before the kill send only their essay request again.
    expect(numbers.modelRequests).toBeLessThan(2 * (items - doneBefore));
  }, 180_000);

  it("sends the program's other calls (embeddings) where its environment pointed them before the run", async () => {
    const dir = scratch();
    const input = join(dir, "questions.jsonl");
    writeInput(input, [
      { id: "q1", question: "What is a cache?" },
      { id: "q2", question: "Why batch?" },
    ]);
    const out = join(dir, "results.jsonl");
    process.env.OPENAI_BASE_URL = `${sim.url}/v1`;
    process.env.OPENAI_API_KEY = "sim";
    const run = await nexus("run", program("embed-then-answer.ts"), "--input", input, "--out", out, "--no-progress");
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const results = lines(out);
    expect(results.every((line) => line.status === "ok" && (line.output?.dims as number) > 0)).toBe(true);
    expect(results.every((line) => typeof line.output?.answer === "string")).toBe(true);
    // One embeddings request per item reached the simulator, not the run's gateway.
    const stats = (await (await fetch(`${sim.url}/sim/stats`)).json()) as { embeddingRequests: number };
    expect(stats.embeddingRequests).toBe(2);
  });

  it("stops in one line, writing nothing, when the program exports no graph or the backend cannot be reached", async () => {
    const dir = scratch();
    const input = join(dir, "items.jsonl");
    writeInput(input, [{ id: "a", topic: "x" }]);
    const out = join(dir, "results.jsonl");
    const noGraph = await nexus(
      "run",
      MAP_REDUCE,
      "--graph",
      "generateTopics",
      "--input",
      input,
      "--out",
      out,
      "--no-progress",
    );
    expect(noGraph.status).toBe(2);
    expect(noGraph.stderr).toBe(`error: ${MAP_REDUCE} exports no 'generateTopics' (--graph names an export)\n`);
    const unreachable = await nexus(
      "run",
      MAP_REDUCE,
      "--input",
      input,
      "--out",
      out,
      "--backend",
      "http://127.0.0.1:1",
      "--no-progress",
    );
    expect(unreachable.status).toBe(4);
    expect(unreachable.stderr.trim().split("\n")).toHaveLength(1);
    expect(unreachable.stderr).toMatch(/^error: cannot reach http:\/\/127\.0\.0\.1:1/);
    expect(existsSync(out)).toBe(false);
  });
});
