// Start-up prefix warm-up: before the run opens its checkpoint store, reads its input and builds its LangGraph, the
// entry node's request for the first input item goes to the backend as a one-token warm-up, so the engine prefills
// the shared prefix while Nexus is still starting. The first records come from the run's one input reader (peeked,
// then replayed to the scheduler). Best effort: anything unusual (no model at the entry, an invalid first line, a
// template that needs more than the item has) skips it, and the run warms as usual.
import type { Workflow } from "../ir/workflow.js";
import type { ExecutionContext } from "./execution-context.js";
import type { InputRecord } from "./input-reader.js";
import { renderRequest } from "../prompt/assemble-request.js";
import { requestHints } from "./nodes/model-call.js";

/**
 * Sends the entry node's prefix warm-up for the first input item, when the entry node calls a model and a second
 * record follows (a prefix only one item uses needs no warm-up). `first` holds the input's first two records.
 */
export function warmEntryPrefix(context: ExecutionContext, workflow: Workflow, first: InputRecord[]): void {
  const graph = workflow.mainGraph;
  const node = graph.node(graph.entry);
  if (!node || (node.kind !== "llm" && node.kind !== "router")) return;
  if (first.length < 2 || first[0].kind !== "item") return;
  const state = first[0].state;
  try {
    const request = renderRequest(context.plan(graph, node), state);
    const batch = context.batchHints(graph, node);
    context.accumulator.prewarm(request, batch, requestHints(context, batch, request));
  } catch {
    // An expression router calls no model; a template may need a field the first line lacks: no early warm-up.
  }
}
