// Dispatches a node's execution by kind over the items waiting at it.
import type { WorkflowNode } from "../../ir/types.js";
import type { WorkflowGraph } from "../../ir/workflow.js";
import type { ExecutionContext } from "../execution-context.js";
import type { WorkItem } from "../work-item.js";
import { executeMapNode, executeSubgraphNode } from "./graph-nodes.js";
import { executeLlmNode } from "./llm-node.js";
import { executeRouterNode } from "./router-node.js";
import { executeHumanNode } from "./human-node.js";
import { executeReduceNode } from "./reduce-node.js";
import { executeTaskNode } from "./task-node.js";
import { executeToolNode } from "./tool-node.js";
import { asBatchNative } from "../../ir/batch-forms.js";
import { executeBatchNativeNode, executeImplementedTask } from "./batch-native-node.js";

export async function executeNode(
  context: ExecutionContext,
  graph: WorkflowGraph,
  node: WorkflowNode,
  items: WorkItem[],
): Promise<void> {
  const native = asBatchNative(node);
  if (native) return executeBatchNativeNode(context, graph, native, items);
  switch (node.kind) {
    case "llm":
      return executeLlmNode(context, graph, node, items);
    case "router":
      return executeRouterNode(context, graph, node, items);
    case "tool":
      return executeToolNode(context, node, items);
    case "task":
      return node.implementation ? executeImplementedTask(context, node, items) : executeTaskNode(node, items);
    case "reduce":
      return executeReduceNode(node, items);
    case "human":
      return executeHumanNode(node, items);
    case "map":
      return executeMapNode(context, node, items);
    case "subgraph":
      return executeSubgraphNode(context, node, items);
  }
}
