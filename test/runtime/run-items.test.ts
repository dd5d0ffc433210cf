// `runWorkflow` as a library call: items handed over as an array or an async iterable, results iterated as they
// finish (or reported to `onResult`), no results file; the outcome still awaited for the report.
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ResultLine } from "../../src/runtime/results-writer.js";
import { runWorkflow } from "../../src/runtime/run-workflow.js";
import { compileWorkflow, useScratchDir, workflowFile } from "./helpers/run-fixture.js";
import { ScriptedBackend, sleep, textOf } from "./helpers/scripted-backend.js";

const scratch = useScratchDir();
const workflow = compileWorkflow("one-model");
const echo = () => new ScriptedBackend((request) => `answer to ${textOf(request)}`);

describe("runWorkflow over items handed over", () => {
  it("iterates each result as its item finishes, then resolves to the outcome", async () => {
    // The model answers the item asked last first: results come in finishing order, not input order.
    const backend = new ScriptedBackend(async (request) => {
      const question = textOf(request);
      await sleep(question === "q0" ? 150 : 10);
      return `answer to ${question}`;
    });
    const run = runWorkflow({
      workflow,
      workflowFile: workflowFile("one-model"),
      input: [0, 1, 2].map((i) => ({ id: `i${i}`, question: `q${i}` })),
      backend,
    });
    const seen: ResultLine[] = [];
    for await (const result of run) seen.push(result);
    expect(seen.map((r) => r.id).at(-1)).toBe("i0");
    expect(new Map(seen.map((r) => [r.id, r.output]))).toEqual(
      new Map([0, 1, 2].map((i) => [`i${i}`, { answer: `answer to q${i}` }])),
    );
    const outcome = await run;
    expect(outcome.stats).toMatchObject({ items: 3, succeeded: 3, failed: 0, expectedItems: 3 });
  });

  it("takes an async iterable, reports input errors as results, and calls onResult once per item", async () => {
    async function* items() {
      yield { id: "a", question: "first" };
      yield { id: { nested: true }, question: "bad id" };
      yield { id: "c" };
    }
    const reported: string[] = [];
    const outcome = await runWorkflow({
      workflow,
      input: items(),
      backend: echo(),
      onResult: (result) => reported.push(`${result.id}:${result.status}`),
    });
    expect(reported.sort()).toEqual(["2:error", "a:ok", "c:error"]);
    expect(outcome.stats).toMatchObject({ succeeded: 1, failed: 2 });
    expect(outcome.stats.expectedItems).toBeUndefined();
  });

  it("leaves no results or checkpoint file behind when none was asked for", async () => {
    const dir = scratch();
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const outcome = await runWorkflow({ workflow, input: [{ question: "x" }], backend: echo() });
      expect(outcome.stats.succeeded).toBe(1);
    } finally {
      process.chdir(cwd);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it("refuses to resume without a results file, and the iterator rethrows a run's failure", async () => {
    const run = runWorkflow({ workflow, input: [{ question: "x" }], backend: echo(), resume: true });
    const iterate = async () => {
      for await (const _ of run) expect.unreachable();
    };
    await expect(iterate()).rejects.toThrow("a run resumes from its results file");
    await expect(run).rejects.toThrow("a run resumes from its results file");
  });

  it("stops queueing results for a caller that only awaits the outcome", async () => {
    const run = runWorkflow({ workflow, input: [{ question: "x" }, { question: "y" }], backend: echo() });
    const outcome = await run;
    expect(outcome.stats.succeeded).toBe(2);
    const late: ResultLine[] = [];
    for await (const result of run) late.push(result);
    expect(late).toEqual([]);
  });
});
