// `nexus run --dry-run`: the real input, no model. Tokens per node are the real tokenizer's count of the rendered
// requests; map bodies run once per element of the item's own list; one request writes a cacheable prefix and the
// others read it; input errors are found as a run finds them; --limit reads only the first items; and through the
// binary, a backend that cannot be reached is never called and no results file is written.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { batchAnnotation } from "../../src/ir/annotations/batch.js";
import { BUILTIN_PRICING } from "../../src/pricing/pricing.js";
import { renderRequest, requestPlanFor } from "../../src/prompt/assemble-request.js";
import { countTokens } from "../../src/prompt/tokenizer.js";
import { dryRun } from "../../src/runtime/dry-run/dry-run.js";
import { ensureCliBuilt, nexus } from "../helpers/cli.js";
import { selectBackend } from "../../src/backends/select-backend.js";
import {
  compileWorkflow,
  runFixture,
  useScratchDir,
  workflowFile,
  writeInput,
} from "../runtime/helpers/run-fixture.js";

const scratch = useScratchDir("nexus-dry-run-test-");

beforeAll(() => ensureCliBuilt());

const FEATURES_INPUT = [
  { id: "doc-long", topic: "compilers", sections: ["parsing", "lowering", "codegen"] },
  { id: "doc-short", topic: "caching", sections: ["eviction"] },
  "{not json",
  { id: "no-sections", topic: "queues" },
];

describe("a dry run", () => {
  it("counts the rendered requests of every node with the real tokenizer, map bodies per list element", async () => {
    const input = join(scratch(), "input.jsonl");
    writeInput(input, FEATURES_INPUT);
    const workflow = compileWorkflow("features");
    const { stats, costs } = await dryRun({ workflow, input, pricing: BUILTIN_PRICING });
    expect(stats).toMatchObject({ items: 4, succeeded: 2, failed: 2 });
    const record = stats.record.toJSON(() => null);
    const summarize = record.nodes.find((n) => n.node === "summarize")!;
    expect(summarize.requests).toBe(4);
    const body = workflow.graphByName("summarize_section")!;
    const plan = requestPlanFor(workflow, body, "summarize")!;
    const expected = ["parsing", "lowering", "codegen", "eviction"]
      .map((section) => renderRequest(plan, { section }).messages.reduce((n, m) => n + countTokens(m.content!), 0))
      .reduce((a, b) => a + b, 0);
    expect(summarize.promptTokens).toBe(expected);
    expect(record.nodes.find((n) => n.node === "keywords")!.requests).toBe(2);
    expect(record.failedItems.map((f) => f.id).sort()).toEqual(["3", "no-sections"]);
    expect(record.failedItems.every((f) => f.node === null && /NX5\d{3}/.test(f.error))).toBe(true);
    expect(costs).not.toBeNull();
    expect(costs!.batchApiUsd).toBeLessThan(costs!.realtimeUsd);
  });

  it("reads a shared prefix from cache for every request after the first, and --limit reads only the first items", async () => {
    const input = join(scratch(), "input.jsonl");
    writeInput(
      input,
      Array.from({ length: 20 }, (_, i) => ({ id: `t${i}`, title: `Paper number ${i}` })),
    );
    const workflow = compileWorkflow("shared-prefix");
    const prefix = workflow.mainGraph.annotations.get(batchAnnotation, "review")!.prefixTokens;
    const { stats } = await dryRun({ workflow, input, pricing: BUILTIN_PRICING, limit: 5 });
    expect(stats.items).toBe(5);
    expect(stats.modelRequests).toBe(5);
    expect(stats.usage.cachedTokens).toBe(prefix * 4);
  });

  it("calls no model and writes no results through nexus run --dry-run; input errors exit 1", async () => {
    const dir = scratch();
    const input = join(dir, "input.jsonl");
    writeInput(input, FEATURES_INPUT);
    const out = join(dir, "results.jsonl");
    const report = join(dir, "dry.json");
    const run = await nexus(
      "run",
      workflowFile("features"),
      "--input",
      input,
      "--out",
      out,
      "--backend",
      "http://127.0.0.1:9",
      "--dry-run",
      "--limit",
      "2",
      "--report",
      report,
    );
    expect(run.stdout).toMatch(/^dry run report \(no model called\): runtime-features on http:\/\/127\.0\.0\.1:9\n/);
    expect(run.stdout).toMatch(/dry run cost\s+realtime usd=\$[\d.]+ realtime cached usd=\$[\d.]+ batch api usd=/);
    expect(run.status).toBe(0);
    expect(existsSync(out)).toBe(false);
    const json = JSON.parse(readFileSync(report, "utf8"));
    expect(json).toMatchObject({ dryRun: true, items: 2, failed: 0 });
    expect(json.assumptions.length).toBeGreaterThan(0);
    const failing = await nexus("run", workflowFile("features"), "--input", input, "--dry-run", "--no-progress");
    expect(failing.status).toBe(1);
    expect(failing.stderr).toContain("2 of 4 input items have errors");
  });

  it("is followed by a real run of the same sample with --limit: only the first items run", async () => {
    const backend = selectBackend("instant://", { maxInflight: 8, timeScale: 1 });
    const items = Array.from({ length: 6 }, (_, i) => ({ id: `t${i}`, title: `Paper ${i}` }));
    const { lines, outcome } = await runFixture("shared-prefix", items, backend, scratch(), { limit: 2 });
    expect(lines.map((line) => line.id)).toEqual(["t0", "t1"]);
    expect(outcome.stats.items).toBe(2);
    expect(outcome.interrupted).toBe(false);
  });
});
