// Pass `constant-condition-folding`: an edge expression that reads no state (`true`, `1 < 2`, `"a" in ["a"]`) is
// decided at compile time: a true one becomes unconditional, a false one removes the edge.
import { constantValue, truthy } from "../expr/index.js";
import type { Pass } from "../pass-manager/pass.js";

export const constantConditionFoldingPass: Pass = {
  name: "constant-condition-folding",
  summary: "decide edge expressions that read no state at compile time",
  options: [],
  requires: [],
  preserves: [],
  run(ir, context) {
    let changed = false;
    for (const graph of ir.graphs) {
      for (const edge of graph.edges()) {
        const expression = edge.condition.expression;
        if (!expression) continue;
        const value = constantValue(expression);
        if (value === undefined) continue;
        changed = true;
        if (truthy(value)) {
          delete edge.condition.expression;
          delete edge.condition.expressionSource;
          context.stat("conditions-folded-true");
        } else {
          graph.removeEdge(edge.id);
          context.stat("edges-removed");
        }
      }
    }
    if (!changed) context.markAllPreserved();
  },
};
