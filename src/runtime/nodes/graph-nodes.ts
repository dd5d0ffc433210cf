// Executes `map` and `subgraph` nodes by running another graph over sub-items. A map hands every element of every
// item at this node to the body graph in one go, so all their model requests reach the accumulator together.
import { readPath } from "../../expr/index.js";
import type { MapNode, SubgraphNode } from "../../ir/types.js";
import type { ExecutionContext } from "../execution-context.js";
import { emptyUsage, addUsage } from "../chat.js";
import type { WorkItem } from "../work-item.js";
import { failItem, setOutput } from "./node-outcome.js";

export async function executeMapNode(context: ExecutionContext, node: MapNode, items: WorkItem[]): Promise<void> {
  const body = context.workflow.graphByName(node.body)!;
  const owners: WorkItem[] = [];
  const subItems: WorkItem[] = [];
  for (const item of items) {
    const list = readPath(item.state, node.over.split("."));
    if (!Array.isArray(list)) {
      failItem(item, `map node '${node.id}': '${node.over}' is not a list`);
      continue;
    }
    list.forEach((element, index) => {
      owners.push(item);
      subItems.push({
        id: `${item.id}/${node.id}[${index}]`,
        line: item.line,
        state: { ...item.state, [node.as]: element },
        at: body.entry,
        status: "running",
        written: [],
        usage: emptyUsage(),
      });
    });
  }
  const finished = await context.runGraph(body.name, subItems);
  const results = new Map<WorkItem, unknown[]>();
  const errors = new Map<WorkItem, string[]>();
  finished.forEach((sub, index) => {
    const owner = owners[index];
    addUsage(owner.usage, sub.usage);
    if (sub.status === "error") errors.set(owner, [...(errors.get(owner) ?? []), `${sub.id}: ${sub.error}`]);
    const written = Object.fromEntries(sub.written.map((field) => [field, sub.state[field]]));
    results.set(owner, [...(results.get(owner) ?? []), sub.written.length === 1 ? written[sub.written[0]] : written]);
  });
  for (const item of items) {
    if (item.outcome === "error") continue;
    const failures = errors.get(item);
    if (failures) {
      failItem(item, `map node '${node.id}': ${failures.length} element(s) failed: ${failures.slice(0, 3).join("; ")}`);
      continue;
    }
    setOutput(item, node.output, results.get(item) ?? []);
  }
}

export async function executeSubgraphNode(
  context: ExecutionContext,
  node: SubgraphNode,
  items: WorkItem[],
): Promise<void> {
  const graph = context.workflow.graphByName(node.graph)!;
  const subItems = items.map((item) => ({
    ...item,
    state: { ...item.state },
    written: [...item.written],
    usage: emptyUsage(),
    at: graph.entry,
    status: "running" as const,
  }));
  const finished = await context.runGraph(graph.name, subItems);
  finished.forEach((sub, index) => {
    const item = items[index];
    item.state = sub.state;
    item.written = sub.written;
    addUsage(item.usage, sub.usage);
    if (sub.status === "error") failItem(item, `subgraph '${node.graph}': ${sub.error}`);
    else item.outcome = "success";
  });
}
