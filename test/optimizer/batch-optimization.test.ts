// batch-optimization: mode from backend and latency budget, groups, sizes and waits from policies and options,
// priority from the critical path, cache minimums, opt-outs, and the compile-time errors for policies that cannot
// take effect.
import { describe, expect, it } from "vitest";
import { batchOf, codes, compileYaml, workflowOf } from "./helpers.js";

function oneNode(model: string, extra = "", header = ""): string {
  return `
name: modes
${header}
graphs:
  - name: main
    entry_node: n
    nodes:
      - { id: n, kind: llm, model: "${model}", prompt: "Do {thing}" ${extra} }
    edges: []
`;
}

describe("batch-optimization: mode", () => {
  it.each([
    ["vllm://qwen3-32b", "", "engine"],
    ["sglang://llama", "", "engine"],
    ["ollama://qwen3:8b", "", "engine"],
    ["openai://qwen2.5-32b-instruct", "", "engine"],
    ["qwen2.5-7b-instruct", "", "engine"],
    ["openai://gpt-4o-mini", "latency_budget: 2h", "provider-batch"],
    ["anthropic://claude-haiku-4-5", "latency_budget: 1d", "provider-batch"],
    ["openai://gpt-4o-mini", "latency_budget: 30m", "realtime"],
    ["anthropic://claude-sonnet-4-5", "", "realtime"],
  ])("%s with '%s' -> %s", (model, header, mode) => {
    const batch = batchOf(workflowOf(compileYaml(oneNode(model, "", header))), "n")!;
    expect(batch.mode).toBe(mode);
    expect(batch.eligible).toBe(mode !== "realtime");
    expect(batch.modeReason.length).toBeGreaterThan(20);
    if (mode === "realtime") expect(batch.reason).toMatch(/latency budget/);
  });

  it("the provider-batch threshold is a pass option", () => {
    const text = oneNode("openai://gpt-4o-mini", "", "latency_budget: 30m");
    const result = compileYaml(text, {
      passes: "prefix-layout,batch-optimization{provider-batch-min-budget-ms=600000}",
    });
    expect(batchOf(workflowOf(result), "n")!.mode).toBe("provider-batch");
  });
});

describe("batch-optimization: sizes, groups, priorities", () => {
  const workflow = workflowOf(
    compileYaml(`
name: groups
batch: { size: 16, timeout_ms: 300 }
graphs:
  - name: main
    entry_node: a
    nodes:
      - { id: a, kind: llm, model: "vllm://m1", prompt: "A {x}" }
      - { id: b, kind: llm, model: "vllm://m1", prompt: "B {x}", batch: { size: 4, priority: 42 } }
      - { id: c, kind: llm, model: "vllm://m2", prompt: "C {x}" }
      - { id: d, kind: llm, model: "vllm://m1", prompt: "D {x}", batch: false }
      - { id: e, kind: task, config: { action: log } }
    edges:
      - { from_node: a, to_node: b }
      - { from_node: a, to_node: c }
      - { from_node: c, to_node: d }
      - { from_node: d, to_node: e }
`),
  );

  it("groups nodes by model and backend family, in order of appearance", () => {
    expect(["a", "b", "c"].map((id) => batchOf(workflow, id)!.group)).toEqual(["g1", "g1", "g2"]);
  });

  it("takes size and wait from the node's policy, else the workflow's", () => {
    expect(batchOf(workflow, "a")).toMatchObject({ maxBatchSize: 16, maxWaitMs: 300, policySource: "workflow" });
    expect(batchOf(workflow, "b")).toMatchObject({ maxBatchSize: 4, maxWaitMs: 300, policySource: "node" });
  });

  it("ranks by the longest path to an exit, unless the policy sets a priority", () => {
    expect(batchOf(workflow, "a")).toMatchObject({ priority: 4, prioritySource: "critical-path" });
    expect(batchOf(workflow, "c")!.priority).toBe(3);
    expect(batchOf(workflow, "b")).toMatchObject({ priority: 42, prioritySource: "policy" });
  });

  it("a node with 'batch: false' is not batched and has no group", () => {
    expect(batchOf(workflow, "d")).toMatchObject({ eligible: false, mode: "realtime", maxBatchSize: 1, maxWaitMs: 0 });
    expect(batchOf(workflow, "d")!.reason).toMatch(/batch: false/);
    expect(batchOf(workflow, "d")!.group).toBeUndefined();
  });

  it("uses the pass defaults without any policy", () => {
    const batch = batchOf(
      workflowOf(compileYaml(oneNode("vllm://m"), { passes: "batch-optimization{max-batch-size=8,max-wait-ms=50}" })),
      "n",
    );
    expect(batch).toMatchObject({ maxBatchSize: 8, maxWaitMs: 50, policySource: "default" });
  });

  it("caps provider batches at the provider's limit", () => {
    const batch = batchOf(workflowOf(compileYaml(oneNode("openai://gpt-4o-mini", "", "latency_budget: 24h"))), "n")!;
    expect(batch).toMatchObject({ maxBatchSize: 50000, maxWaitMs: 60000 });
  });
});

describe("batch-optimization: cache minimum", () => {
  it("a short prefix on a provider model is below the 1,024-token minimum; a long one clears it", () => {
    const short = batchOf(workflowOf(compileYaml(oneNode("openai://gpt-4o-mini"))), "n")!;
    expect(short).toMatchObject({ minCacheableTokens: 1024, prefixCacheable: false });
    const longSystem = "Follow the house style guide carefully. ".repeat(150);
    const long = batchOf(workflowOf(compileYaml(oneNode("openai://gpt-4o-mini", `, system: "${longSystem}"`))), "n")!;
    expect(long.prefixTokens).toBeGreaterThan(1024);
    expect(long.prefixCacheable).toBe(true);
  });

  it("pricing overrides change the minimum (a workflow 'pricing:' section)", () => {
    const header = `pricing: { models: [{ provider: openai, model: "gpt-4o-mini*", input: 1, cachedInput: 0.1, cacheWrite: 1, output: 2, batchDiscount: 0.5, minCacheableTokens: 2 }] }`;
    const batch = batchOf(workflowOf(compileYaml(oneNode("openai://gpt-4o-mini", "", header))), "n")!;
    expect(batch).toMatchObject({ minCacheableTokens: 2, prefixCacheable: true });
  });
});

describe("batch-optimization: policies that cannot take effect", () => {
  it("NX4001: a task node with a batch policy", () => {
    const result = compileYaml(`
name: t
graphs:
  - name: main
    entry_node: t
    nodes:
      - { id: t, kind: task, config: { action: x }, batch: { size: 4 } }
      - { id: u, kind: task, config: { action: y }, batch: false }
    edges: [{ from_node: t, to_node: u }]
`);
    expect(codes(result)).toEqual(["NX4001"]);
    expect(result.diagnostics[0]).toMatchObject({ loc: { line: 7 }, hint: expect.stringContaining("remove 'batch:'") });
  });

  it("NX4001: an expression router with a batch policy", () => {
    const result = compileYaml(`
name: r
graphs:
  - name: main
    entry_node: r
    nodes:
      - { id: r, kind: router, strategy: expression, batch: { size: 4 } }
      - { id: u, kind: task, config: { action: y } }
    edges: [{ from_node: r, to_node: u, condition: { expression: "true" } }]
`);
    expect(codes(result)).toEqual(["NX4001"]);
    expect(result.diagnostics[0].hint).toMatch(/strategy: llm/);
  });

  it("NX4002: a batch policy on a model whose backend cannot batch; without a policy it is only not batched", () => {
    const withPolicy = compileYaml(oneNode("custom://summarizer", ", batch: { size: 8 }"));
    expect(codes(withPolicy)).toEqual(["NX4002"]);
    expect(withPolicy.diagnostics[0].hint).toMatch(/batch: false/);
    const withoutPolicy = compileYaml(oneNode("custom://summarizer"));
    expect(codes(withoutPolicy)).toEqual([]);
    expect(batchOf(workflowOf(withoutPolicy), "n")).toMatchObject({ eligible: false, mode: "realtime" });
  });

  it("NX4003 (warning): a batch policy on a provider model the latency budget keeps realtime", () => {
    const result = compileYaml(oneNode("openai://gpt-4o-mini", ", batch: { size: 8 }", "latency_budget: 10m"));
    expect(codes(result)).toEqual([]);
    expect(codes(result, "warning")).toEqual(["NX4003"]);
    expect(result.diagnostics[0].message).toMatch(/latency budget \(10m\) is under 1h/);
  });
});
