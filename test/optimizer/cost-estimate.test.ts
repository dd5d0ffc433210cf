// cost-estimate: tokens and dollars per node and item from the pricing table (built in or overridden), GPU time for
// self-hosted models, expected runs through branches and map bodies.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { codes, compileYaml, costOf, workflowOf } from "./helpers.js";

const LONG_SYSTEM = "Follow the house style guide carefully and cite the section you rely on. ".repeat(80);

function provider(model: string, header = "latency_budget: 24h"): string {
  return `
name: cost
${header}
graphs:
  - name: main
    entry_node: n
    nodes:
      - { id: n, kind: llm, model: "${model}", system: "${LONG_SYSTEM}", prompt: "Rewrite {text}", max_tokens: 100 }
    edges: []
`;
}

describe("cost-estimate", () => {
  it("prices provider models from the table: realtime, cached, and batched at the batch discount", () => {
    const cost = costOf(workflowOf(compileYaml(provider("openai://gpt-4o-mini"))), "n")!;
    const { inputTokens, cachedTokens, cacheWriteTokens, outputTokens } = cost.perRequest;
    expect(cost.basis).toBe("provider-price");
    expect(outputTokens).toBe(100);
    expect(cachedTokens).toBeGreaterThan(0.9 * (inputTokens - 150));
    const realtime = (inputTokens * 0.15 + outputTokens * 0.6) / 1e6;
    const cached =
      ((inputTokens - cachedTokens - cacheWriteTokens) * 0.15 +
        cachedTokens * 0.075 +
        cacheWriteTokens * 0.15 +
        outputTokens * 0.6) /
      1e6;
    expect(cost.usdPerItem!.realtime).toBeCloseTo(realtime, 9);
    expect(cost.usdPerItem!.realtimeCached).toBeCloseTo(cached, 9);
    expect(cost.usdPerItem!.batchCached).toBeCloseTo(cached / 2, 9);
    expect(cost.priceSource).toMatch(/gpt-4o-mini\*/);
  });

  it("charges Anthropic cache writes at their own rate", () => {
    const cost = costOf(workflowOf(compileYaml(provider("anthropic://claude-sonnet-4-5"))), "n")!;
    const { inputTokens, cachedTokens, cacheWriteTokens, outputTokens } = cost.perRequest;
    const cached =
      ((inputTokens - cachedTokens - cacheWriteTokens) * 3 +
        cachedTokens * 0.3 +
        cacheWriteTokens * 3.75 +
        outputTokens * 15) /
      1e6;
    expect(cost.usdPerItem!.realtimeCached).toBeCloseTo(cached, 9);
  });

  it("self-hosted models cost GPU time: batching cuts it, realtime decode dominates", () => {
    const cost = costOf(workflowOf(compileYaml(provider("vllm://llama-3.1-8b-instruct"))), "n")!;
    expect(cost.basis).toBe("gpu-time");
    expect(cost.priceSource).toMatch(/8B model/);
    const { realtime, realtimeCached, batchCached } = cost.usdPerItem!;
    expect(realtime).toBeCloseTo(((cost.perRequest.inputTokens / 28000 + 100 / 208) / 3600) * 2.5, 9);
    expect(batchCached).toBeLessThan(realtimeCached / 10);
  });

  it("a model with no price is unpriced, with tokens still estimated", () => {
    const cost = costOf(workflowOf(compileYaml(provider("openai://gpt-9-experimental"))), "n")!;
    expect(cost.basis).toBe("unpriced");
    expect(cost.usdPerItem).toBeUndefined();
    expect(cost.perRequest.inputTokens).toBeGreaterThan(1000);
  });

  it("a --pricing file (the pricing-file option) overrides the table; an invalid one is NX4004", () => {
    const dir = mkdtempSync(join(tmpdir(), "nexus-pricing-"));
    const file = join(dir, "prices.json");
    const entry = {
      provider: "openai",
      model: "gpt-4o-mini",
      input: 10,
      cachedInput: 1,
      cacheWrite: 10,
      output: 20,
      batchDiscount: 0.25,
      minCacheableTokens: 1024,
    };
    writeFileSync(file, JSON.stringify({ asOf: "2030-01-01", source: "test", models: [entry] }));
    const passes = `prefix-layout,batch-optimization{pricing-file=${file}},cost-estimate{pricing-file=${file}}`;
    const cost = costOf(workflowOf(compileYaml(provider("openai://gpt-4o-mini"), { passes })), "n")!;
    expect(cost.pricingAsOf).toBe("2030-01-01");
    expect(cost.usdPerItem!.batchCached).toBeCloseTo(cost.usdPerItem!.realtimeCached * 0.75, 9);
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ models: [{ provider: "openai", model: "x" }] }));
    const result = compileYaml(provider("openai://gpt-4o-mini"), { passes: `cost-estimate{pricing-file=${bad}}` });
    expect(codes(result)).toEqual(["NX4004"]);
  });

  it("expected runs: branches of a router split evenly, map bodies run once per list element", () => {
    const workflow = workflowOf(
      compileYaml(
        `
name: runs
default_model: "vllm://m-8b"
graphs:
  - name: main
    entry_node: pick
    nodes:
      - { id: pick, kind: router, strategy: llm, routes: [a, b] }
      - { id: on_a, kind: llm, prompt: "A {x}" }
      - { id: each, kind: map, over: xs, as: x, body: per_x, output: ys }
    edges:
      - { from_node: pick, to_node: on_a, condition: { route: a } }
      - { from_node: pick, to_node: each, condition: { route: b } }
  - name: per_x
    entry_node: inner
    nodes:
      - { id: inner, kind: llm, prompt: "Inner {x}" }
    edges: []
`,
        { passes: "prefix-layout,cost-estimate{map-items=4}" },
      ),
    );
    expect(costOf(workflow, "pick")!.runsPerItem).toBe(1);
    expect(costOf(workflow, "on_a")!.runsPerItem).toBe(0.5);
    expect(costOf(workflow, "inner")!.runsPerItem).toBe(2);
    expect(costOf(workflow, "inner")!.assumptions).toContain("map lists of 4 items");
  });

  it("a tool-use loop counts max_turns requests per run", () => {
    const workflow = workflowOf(
      compileYaml(`
name: loop
graphs:
  - name: main
    entry_node: n
    nodes:
      - { id: n, kind: llm, model: "vllm://m", prompt: "Go {x}", tools: [t], max_turns: 3 }
    edges: []
tools:
  - { name: t, protocol: builtin }
`),
    );
    expect(costOf(workflow, "n")).toMatchObject({ requestsPerRun: 3 });
    expect(costOf(workflow, "n")!.perItem.inputTokens).toBe(costOf(workflow, "n")!.perRequest.inputTokens * 3);
  });
});
