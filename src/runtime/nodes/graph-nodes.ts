// Executes `map` and `subgraph` nodes by running another graph over sub-items. A map hands every element of every
// item at this node to the body graph in one go, so all their model requests reach the accumulator together; an
// item whose elements have all left the body gets its output at once (`onMapped`), while other items' elements are
// still at work.
import { readPath } from "../../expr/index.js";
import type { MapNode, SubgraphNode } from "../../ir/types.js";
import type { ExecutionContext } from "../execution-context.js";
import { emptyUsage, addUsage } from "../chat.js";
import type { WorkItem } from "../work-item.js";
import { failItem, setOutput } from "./node-outcome.js";

/** An item at a map node and its elements, in list order (filled as they leave the body graph). */
interface Mapped {
  item: WorkItem;
  elements: (WorkItem | undefined)[];
  waiting: number;
}

/** The item's output from its elements: the list of their results, or the failure of the elements that failed. */
function collect(node: MapNode, { item, elements }: Mapped): void {
  const failures: string[] = [];
  const results: unknown[] = [];
  for (const sub of elements as WorkItem[]) {
    addUsage(item.usage, sub.usage);
    if (sub.status === "error") failures.push(`${sub.id}: ${sub.error}`);
    const written = Object.fromEntries(sub.written.map((field) => [field, sub.state[field]]));
    results.push(sub.written.length === 1 ? written[sub.written[0]] : written);
  }
  if (failures.length > 0)
    failItem(item, `map node '${node.id}': ${failures.length} element(s) failed: ${failures.slice(0, 3).join("; ")}`);
  else setOutput(item, node.output, results);
}

/** Called once per item, as soon as its own elements are done (before the other items' elements, when sooner). */
export type OnMapped = (item: WorkItem) => void | Promise<void>;

export async function executeMapNode(
  context: ExecutionContext,
  node: MapNode,
  items: WorkItem[],
  onMapped: OnMapped = () => {},
): Promise<void> {
  const body = context.workflow.graphByName(node.body)!;
  const mapped: Mapped[] = [];
  const elementOf = new Map<string, { of: Mapped; index: number }>();
  const subItems: WorkItem[] = [];
  const after: Promise<void>[] = [];
  const done = (item: WorkItem) => {
    const next = onMapped(item);
    if (!next) return;
    after.push(next);
    // Awaited below; a failure while the body still runs (or after it threw) is not an unhandled rejection.
    next.catch(() => {});
  };
  for (const item of items) {
    const list = readPath(item.state, node.over.split("."));
    if (!Array.isArray(list)) {
      failItem(item, `map node '${node.id}': '${node.over}' is not a list`);
      done(item);
      continue;
    }
    const entry: Mapped = { item, elements: list.map(() => undefined), waiting: list.length };
    mapped.push(entry);
    list.forEach((element, index) => {
      const id = `${item.id}/${node.id}[${index}]`;
      elementOf.set(id, { of: entry, index });
      subItems.push({
        id,
        line: item.line,
        state: { ...item.state, [node.as]: element },
        at: body.entry,
        status: "running",
        written: [],
        usage: emptyUsage(),
      });
    });
  }
  // By id: a body resumed from its checkpoint may also hand back elements of items that finished before the stop.
  const place = (sub: WorkItem): Mapped | undefined => {
    const slot = elementOf.get(sub.id);
    if (!slot || slot.of.elements[slot.index] !== undefined) return undefined;
    slot.of.elements[slot.index] = sub;
    slot.of.waiting--;
    return slot.of.waiting === 0 ? slot.of : undefined;
  };
  const finish = (entry: Mapped) => {
    collect(node, entry);
    done(entry.item);
  };
  for (const entry of mapped) if (entry.waiting === 0) finish(entry);
  const finished = await context.runGraph(body.name, subItems, (left) => {
    for (const sub of left) {
      const complete = place(sub);
      if (complete) finish(complete);
    }
  });
  // Elements that did not leave the body (the run stopped before they sent anything) complete their items here.
  for (const sub of finished) {
    const complete = place(sub);
    if (complete) finish(complete);
  }
  await Promise.all(after);
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
  // By id, as for a map: a graph resumed from its checkpoint may hand back items that are not these.
  const byId = new Map(items.map((item) => [item.id, item]));
  for (const sub of finished) {
    const item = byId.get(sub.id);
    if (!item) continue;
    item.state = sub.state;
    item.written = sub.written;
    addUsage(item.usage, sub.usage);
    if (sub.status === "error") failItem(item, `subgraph '${node.graph}': ${sub.error}`);
    else item.outcome = "success";
  }
}
