// Executes a `reduce` node: folds a list in an item's state (collect, concat, merge, sum, count, min, max, first,
// last), optionally reading one field of each element.
import { readPath } from "../../expr/index.js";
import type { ReduceNode } from "../../ir/types.js";
import type { WorkItem } from "../work-item.js";
import { failItem, setOutput } from "./node-outcome.js";

function reduceList(node: ReduceNode, list: unknown[]): unknown {
  const values =
    node.field === undefined
      ? list
      : list.map((v) => (v && typeof v === "object" ? (v as Record<string, unknown>)[node.field!] : undefined));
  const numbers = values.filter((v): v is number => typeof v === "number");
  switch (node.operation) {
    case "collect":
      return values;
    case "concat":
      return values.flatMap((v) => (Array.isArray(v) ? v : [v]));
    case "merge":
      return Object.assign({}, ...values.filter((v) => v && typeof v === "object"));
    case "sum":
      return numbers.reduce((a, b) => a + b, 0);
    case "count":
      return values.length;
    case "min":
      return numbers.length ? Math.min(...numbers) : null;
    case "max":
      return numbers.length ? Math.max(...numbers) : null;
    case "first":
      return values[0] ?? null;
    case "last":
      return values[values.length - 1] ?? null;
  }
}

/** Folds the list at the node's input path of each item with the node's operation. */
export function executeReduceNode(node: ReduceNode, items: WorkItem[]): void {
  for (const item of items) {
    const input = readPath(item.state, node.input.split("."));
    if (!Array.isArray(input)) {
      failItem(item, `reduce node '${node.id}': '${node.input}' is not a list`);
      continue;
    }
    setOutput(item, node.output, reduceList(node, input));
  }
}
