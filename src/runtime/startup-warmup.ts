// Start-up prefix warm-up: before the run opens its checkpoint store, reads its input and builds its LangGraph, the
// entry node's request for the first input item goes to the backend as a one-token warm-up, so the engine prefills
// the shared prefix while Nexus is still starting. Best effort: anything unusual (no model at the entry, an
// unreadable first line, a template that needs more than the item has) skips it, and the run warms as usual.
import { closeSync, openSync, readSync } from "node:fs";
import type { Workflow } from "../ir/workflow.js";
import type { ExecutionContext } from "./execution-context.js";
import { renderRequest } from "../prompt/assemble-request.js";
import { requestHints } from "./nodes/model-call.js";

const FIRST_LINE_LIMIT = 1 << 20;

/**
 * The state of the input's first non-empty line, if it is a JSON object and a second item follows within the first
 * megabyte (a prefix only one item uses needs no warm-up).
 */
export function firstInputState(file: string): Record<string, unknown> | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    const buffer = Buffer.alloc(FIRST_LINE_LIMIT);
    const length = readSync(fd, buffer, 0, FIRST_LINE_LIMIT, 0);
    const lines = buffer
      .subarray(0, length)
      .toString("utf8")
      .split("\n")
      .filter((text) => text.trim() !== "");
    const value: unknown = lines.length >= 2 ? JSON.parse(lines[0]) : undefined;
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Sends the entry node's prefix warm-up for the first input item, when the entry node calls a model. */
export function warmEntryPrefix(context: ExecutionContext, workflow: Workflow, input: string): void {
  const graph = workflow.mainGraph;
  const node = graph.node(graph.entry);
  if (!node || (node.kind !== "llm" && node.kind !== "router")) return;
  const state = firstInputState(input);
  if (!state) return;
  try {
    const request = renderRequest(context.plan(graph, node), state);
    const batch = context.batchHints(graph, node);
    context.accumulator.prewarm(request, batch, requestHints(context, batch, request));
  } catch {
    // An expression router calls no model; a template may need a field the first line lacks: no early warm-up.
  }
}
