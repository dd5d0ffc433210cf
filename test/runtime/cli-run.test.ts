// `nexus run` as the README's quick start runs it, through the built binary: the paper-review example on the
// built-in simulator, results and run report, `--report FILE`, and a bigger run with the default --max-inflight
// that prints nothing but the report.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { ResultLine } from "../../src/runtime/results-writer.js";
import { ensureCliBuilt, nexus, type CliRun } from "../helpers/cli.js";
import { readResults, useScratchDir, workflowFile, writeInput } from "./helpers/run-fixture.js";

const scratch = useScratchDir("nexus-cli-run-test-");
const EXAMPLE = "examples/paper-review/workflow.yaml";
const EXAMPLE_INPUT = "examples/paper-review/inputs.jsonl";

beforeAll(() => ensureCliBuilt());

describe("nexus run on the quick start", () => {
  let run: CliRun;
  let out: string;
  let reportFile: string;

  beforeAll(async () => {
    const dir = scratch();
    out = join(dir, "results.jsonl");
    reportFile = join(dir, "report.json");
    run = await nexus("run", EXAMPLE, "--input", EXAMPLE_INPUT, "--out", out, "--report", reportFile);
  });

  it("exits 0 with eight result lines and prints the run report", () => {
    expect(run.status).toBe(0);
    const lines = readResults(out);
    expect(lines.map((line) => line.id).sort()).toEqual(["p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8"]);
    for (const line of lines) {
      expect(line.status).toBe("ok");
      expect(line.output!.screen === "relevant" || line.output!.screen === "off_topic").toBe(true);
    }
    const reviewed = lines.filter((line) => line.output!.screen === "relevant");
    for (const line of reviewed) expect(Object.keys(line.output!)).toEqual(["screen", "summary", "scores"]);
    expect(run.stdout).toMatch(/^run report: paper-review on sim:\/\/\n/);
    for (const row of ["items", "succeeded", "model requests", "cached prompt tokens", "tool executions"])
      expect(run.stdout).toMatch(new RegExp(`^\\s*${row}\\s+\\d`, "m"));
    expect(run.stdout).toContain(`results: ${out}\n`);
  });

  it("writes the run report as JSON with --report, consistent with the result lines", () => {
    const report = JSON.parse(readFileSync(reportFile, "utf8"));
    expect(report).toMatchObject({
      workflow: "paper-review",
      backend: "sim://",
      items: 8,
      succeeded: 8,
      failed: 0,
      resumed: 0,
      interrupted: false,
      wallSeconds: expect.any(Number),
      modelRequests: expect.any(Number),
      warmupRequests: expect.any(Number),
      warmupPromptTokens: expect.any(Number),
      retries: 0,
      batchesFlushed: expect.any(Number),
      promptTokens: expect.any(Number),
      cachedPromptTokens: expect.any(Number),
      completionTokens: expect.any(Number),
      cacheWriteTokens: 0,
      toolCalls: expect.any(Number),
      toolExecutions: expect.any(Number),
      toolCacheHits: expect.any(Number),
    });
    expect("estimatedCostUsd" in report).toBe(true);
    const lines = readResults(out);
    const total = (field: keyof ResultLine["usage"]) => lines.reduce((sum, line) => sum + line.usage[field], 0);
    expect(report.promptTokens).toBe(total("promptTokens"));
    expect(report.cachedPromptTokens).toBe(total("cachedTokens"));
    expect(report.completionTokens).toBe(total("completionTokens"));
    expect(report.cachedPromptTokens).toBeGreaterThan(0);
    // The start-up warm-up (the first paper's request, one token) is counted apart and shown next to the totals.
    expect(report.warmupRequests).toBe(1);
    expect(report.warmupPromptTokens).toBe(lines.find((line) => line.id === "p1")!.usage.promptTokens);
    expect(run.stdout).toMatch(
      new RegExp(`model requests\\s+${report.modelRequests} \\(\\+1 prefix warm-up, 0 retries\\)`),
    );
    expect(run.stdout).toMatch(
      new RegExp(`prompt tokens\\s+${report.promptTokens} \\(\\+${report.warmupPromptTokens} in prefix`),
    );
    expect(report.cachedPromptTokens).toBeLessThan(report.promptTokens);
    // Every item is screened; relevant ones are summarized (with tools) and scored.
    expect(report.modelRequests).toBeGreaterThanOrEqual(8);
    expect(report.toolExecutions).toBeLessThanOrEqual(report.toolCalls);
  });
});

describe("nexus run with many requests in flight", () => {
  it("prints only the report", async () => {
    const dir = scratch();
    const input = join(dir, "questions.jsonl");
    writeInput(
      input,
      Array.from({ length: 300 }, (_, i) => ({ question: `question ${i}` })),
    );
    const out = join(dir, "results.jsonl");
    const run = await nexus(
      "run",
      workflowFile("one-model"),
      "--input",
      input,
      "--out",
      out,
      "--backend",
      "sim://?time-scale=0.001",
      "--no-progress",
    );
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^run report: one-model on sim:/);
    const lines = readResults(out);
    expect(lines).toHaveLength(300);
    expect(new Set(lines.map((line) => line.id)).size).toBe(300);
    expect(lines.every((line) => line.status === "ok")).toBe(true);
  });
});
