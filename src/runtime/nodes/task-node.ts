// Executes a `task` node that calls no model: its action and config are recorded as its output.
import { outputField } from "../../ir/node-output.js";
import type { TaskNode } from "../../ir/types.js";
import type { WorkItem } from "../work-item.js";
import { setOutput } from "./node-outcome.js";

/** Records the task's action and config as each item's output. */
export function executeTaskNode(node: TaskNode, items: WorkItem[]): void {
  for (const item of items)
    setOutput(item, outputField(node)!, { ...node.config, ...(node.action ? { action: node.action } : {}) });
}
