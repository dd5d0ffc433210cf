// Which state field a node writes its result to: its `output`, or by default its id.
import type { WorkflowNode } from "./types.js";

export function outputField(node: WorkflowNode): string | undefined {
  switch (node.kind) {
    case "llm":
    case "router":
    case "tool":
    case "task":
    case "human":
      return node.output ?? node.id;
    case "map":
    case "reduce":
      return node.output;
    case "subgraph":
      return undefined;
  }
}
