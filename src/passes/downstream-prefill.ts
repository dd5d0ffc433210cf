// Pass `downstream-prefill` (Ayo-style early prefill): on every model-calling node, lists the model-calling nodes
// an item reaches next (directly, or through nodes that call no model) whose shared prefix is worth caching. When the
// first item reaches the node, the runtime warms those prefixes, so they are cached by the time items get there.
import { downstreamPrefillAnnotation } from "../ir/annotations/downstream-prefill.js";
import type { WorkflowGraph } from "../ir/workflow.js";
import type { Pass } from "../pass-manager/pass.js";
import { isModelCalling } from "../prompt/request-plan.js";
import { promptAnalysis } from "./analyses/prompt-analysis.js";

/** Model-calling nodes reached from `id` through nodes that call no model (not `id` itself). */
function nextModelNodes(graph: WorkflowGraph, id: string): string[] {
  const found = new Set<string>();
  const seen = new Set<string>([id]);
  const queue = [...graph.successors(id)];
  while (queue.length > 0) {
    const next = queue.shift()!;
    if (seen.has(next)) continue;
    seen.add(next);
    if (isModelCalling(graph.node(next))) found.add(next);
    else queue.push(...graph.successors(next));
  }
  return [...found].sort();
}

export const downstreamPrefillPass: Pass = {
  name: "downstream-prefill",
  summary: "warm the next model node's shared prefix when the first item reaches a node",
  options: [
    {
      name: "min-prefix-tokens",
      type: "number",
      default: 32,
      description: "shared prefixes shorter than this are not worth a warm-up",
    },
  ],
  requires: [promptAnalysis],
  preserves: "all",
  run(ir, context) {
    const facts = context.getAnalysis(promptAnalysis);
    const minTokens = context.options["min-prefix-tokens"] as number;
    for (const graph of ir.graphs) {
      const perNode = facts.get(graph.name);
      for (const id of graph.nodeIds()) {
        if (!isModelCalling(graph.node(id))) continue;
        const targets = nextModelNodes(graph, id).filter((t) => (perNode?.get(t)?.prefixTokens ?? 0) >= minTokens);
        if (targets.length === 0) continue;
        graph.annotations.set(downstreamPrefillAnnotation, id, { targets });
        context.stat("prefills-planned", targets.length);
      }
    }
  },
};
