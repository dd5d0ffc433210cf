// One batch decision at every level: the runtime's batch hints for a node are the same whether the batch pass ran
// (`-O2`: read from the `batch` annotation) or not (`-O0`, `-O1`: the same decision made at run time), for a node
// that turns batching off, a workflow-level batch policy, and a node with no policy at all.
import { describe, expect, it } from "vitest";
import { compileText } from "../../src/driver/compile.js";
import type { LlmNode } from "../../src/ir/types.js";
import type { Workflow } from "../../src/ir/workflow.js";
import { requestPlanFor } from "../../src/prompt/assemble-request.js";
import { batchHintsFor, criticalPathOf } from "../../src/runtime/batch-hints.js";
import { BATCH_DEFAULTS } from "../../src/models/batch-decision.js";

function manifest(header: string, nodeExtra: string): string {
  return `
name: hints
${header}
graphs:
  - name: main
    entry_node: a
    nodes:
      - { id: a, kind: llm, model: "vllm://m", prompt: "A {x}" ${nodeExtra} }
      - { id: b, kind: llm, model: "vllm://m", prompt: "B {x}" }
    edges:
      - { from: a, to: b }
`;
}

function compileAt(text: string, level: string): Workflow {
  const result = compileText("hints.yaml", text, { optimizationLevel: level });
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return result.workflow!;
}

/** The runtime's hints for node `id` of the main graph. */
function hintsOf(workflow: Workflow, id: string) {
  const graph = workflow.mainGraph;
  const node = graph.node(id) as LlmNode;
  return batchHintsFor(workflow, graph, node, requestPlanFor(workflow, graph, id)!, () => criticalPathOf(workflow));
}

describe.each([
  ["a node with 'batch: false'", manifest("", ", batch: false"), { a: [1, 0, "realtime"], b: [64, 2000, "engine"] }],
  [
    "a workflow 'batch: {size: 8, timeout_ms: 300}'",
    manifest("batch: { size: 8, timeout_ms: 300 }", ""),
    { a: [8, 300, "engine"], b: [8, 300, "engine"] },
  ],
  [
    "no batch policy",
    manifest("", ""),
    { a: [BATCH_DEFAULTS.maxBatchSize, BATCH_DEFAULTS.maxWaitMs, "engine"], b: [64, 2000, "engine"] },
  ],
])("batch hints for %s", (_name, text, expected) => {
  const optimized = compileAt(text, "2");

  it("at -O2 follow the batch annotation", () => {
    for (const [id, [size, wait, mode]] of Object.entries(expected)) {
      expect(hintsOf(optimized, id)).toMatchObject({ maxBatchSize: size, maxWaitMs: wait, mode });
    }
    expect(hintsOf(optimized, "a").priority).toBe(2);
    expect(hintsOf(optimized, "b").priority).toBe(1);
  });

  it.each(["0", "1"])("are the same at -O%s, where no pass annotated the node", (level) => {
    const plain = compileAt(text, level);
    expect(plain.mainGraph.annotations.forNode("a").batch).toBeUndefined();
    for (const id of ["a", "b"]) expect(hintsOf(plain, id)).toEqual(hintsOf(optimized, id));
  });
});

describe("batch groups", () => {
  it("keep an unbatched node out of the queue of the batched nodes of its model", () => {
    const workflow = compileAt(manifest("", ", batch: false"), "1");
    expect(hintsOf(workflow, "a").group).not.toBe(hintsOf(workflow, "b").group);
  });
});
