// Pass `identical-call-memoization` (Helium-style): marks the model-calling nodes whose identical requests (same
// rendered messages, tools, schema and settings) may share one answer across items: those at temperature 0, where one
// request has one answer, unless the node says `memoize: false`. The runtime sends the first such request and gives
// its answer to every identical one, and counts them in the run report (`memoizedCalls`).
import { memoAnnotation, type MemoDecision } from "../ir/annotations/memo.js";
import type { WorkflowNode } from "../ir/types.js";
import type { Pass } from "../pass-manager/pass.js";
import { isModelCalling } from "../prompt/request-plan.js";

function decide(node: Extract<WorkflowNode, { kind: "llm" | "router" }>): MemoDecision {
  if (node.kind === "llm" && node.memoize === false) return { share: false, because: "the node says memoize: false" };
  if (node.temperature !== 0)
    return {
      share: false,
      because:
        node.temperature === undefined
          ? "no temperature is set (the engine's default samples)"
          : `temperature ${node.temperature} samples`,
    };
  return { share: true, because: "temperature 0: an identical request has one answer" };
}

export const identicalCallMemoizationPass: Pass = {
  name: "identical-call-memoization",
  summary: "share one answer between items whose requests are identical at temperature 0",
  options: [],
  requires: [],
  preserves: "all",
  run(ir, context) {
    for (const { graph, node } of ir.allNodes()) {
      if (!isModelCalling(node)) continue;
      const decision = decide(node);
      graph.annotations.set(memoAnnotation, node.id, decision);
      context.stat(decision.share ? "nodes-memoized" : "nodes-not-memoized");
    }
  },
};
