// Executes a `human` node: batch runs have no human in the loop, so the items are parked with an error that names
// the node and its question.
import type { HumanNode } from "../../ir/types.js";
import type { WorkItem } from "../work-item.js";
import { failItem } from "./node-outcome.js";

/** Parks each item at the node as an error that names it: a batch run has no one to ask. */
export function executeHumanNode(node: HumanNode, items: WorkItem[]): void {
  for (const item of items)
    failItem(
      item,
      `needs a human: node '${node.id}'${node.prompt ? ` (${node.prompt.slice(0, 80)})` : ""}; batch runs park such items`,
    );
}
