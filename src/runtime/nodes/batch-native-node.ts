// Executes a batch-native node (a tool node, or a task node with an `implementation:`, that has `batch:` or `join:`):
// each item's input (a tool node's arguments, a task's state) joins the node's queue, and the item takes its own
// outcome from the batch it went out in. An item whose outcome a previous run journaled (`--resume`) takes it from
// the journal and is not sent again. A task with an implementation and no batch policy calls its tool per item.
import { readPath } from "../../expr/index.js";
import { implementationToolOf, type BatchNativeNode } from "../../ir/batch-forms.js";
import { outputField } from "../../ir/node-output.js";
import type { TaskNode } from "../../ir/types.js";
import type { WorkflowGraph } from "../../ir/workflow.js";
import type { ExecutionContext } from "../execution-context.js";
import type { UnitOutcome } from "../batch-native/batch-results.js";
import type { WorkItem } from "../work-item.js";
import { errorMessage, failItem, setOutput } from "./node-outcome.js";
import { toolArguments } from "./tool-node.js";

function apply(node: BatchNativeNode | TaskNode, item: WorkItem, outcome: UnitOutcome): void {
  if ("deferred" in outcome) item.status = "deferred";
  else if (outcome.ok) setOutput(item, outputField(node)!, outcome.value);
  else failItem(item, outcome.error);
}

export async function executeBatchNativeNode(
  context: ExecutionContext,
  graph: WorkflowGraph,
  node: BatchNativeNode,
  items: WorkItem[],
): Promise<void> {
  const tool = context.workflow.tool(implementationToolOf(node) ?? "");
  const queue = tool && context.batches.queueFor(graph.name, node);
  const deferrable = graph === context.workflow.mainGraph;
  await Promise.all(
    items.map(async (item) => {
      if (!tool || !queue) return failItem(item, `node '${node.id}': unknown tool '${implementationToolOf(node)}'`);
      const recorded = context.batches.journal.recorded(graph.name, node.id, item.id);
      if (recorded) return apply(node, item, recorded);
      const input = node.kind === "tool" ? toolArguments(node, tool.inputSchema, item.state) : { ...item.state };
      const key = node.join ? readPath(item.state, node.join.by.split(".")) : undefined;
      if (node.join && (key === undefined || key === null))
        return failItem(item, `node '${node.id}': join key '${node.join.by}' is missing from the item's state`);
      apply(node, item, await queue.add({ id: item.id, input }, deferrable, key));
    }),
  );
}

/** A task whose implementation runs per item: its tool is called with the item's state. */
export async function executeImplementedTask(context: ExecutionContext, node: TaskNode, items: WorkItem[]) {
  const tool = context.workflow.tool(node.implementation ?? "");
  await Promise.all(
    items.map(async (item) => {
      if (!tool) return failItem(item, `task node '${node.id}': unknown tool '${node.implementation}'`);
      try {
        setOutput(item, outputField(node)!, await context.tools.call(tool, { ...item.state }));
      } catch (error) {
        failItem(item, errorMessage(error));
      }
    }),
  );
}
