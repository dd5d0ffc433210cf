// Downstream prefill (the `downstreamPrefill` annotation, -O3): the first time an item reaches a node, the shared
// prefix of each node listed there (its static system text, tools and the text before its first variable) goes to
// the engine as a warm-up, so it is cached before the first item gets there.
import type { LlmNode, RouterNode } from "../ir/types.js";
import type { WorkflowGraph } from "../ir/workflow.js";
import { downstreamPrefillAnnotation } from "../ir/annotations/downstream-prefill.js";
import type { RequestPlan } from "../prompt/request-plan.js";
import type { ChatMessage, ChatRequest } from "./chat.js";
import type { ExecutionContext } from "./execution-context.js";
import { requestHints } from "./nodes/model-call.js";

/** The request of `plan` cut where its first per-item value begins. */
export function staticPrefixRequest(plan: RequestPlan): ChatRequest | undefined {
  const messages: ChatMessage[] = [];
  for (const message of plan.messages) {
    let content = "";
    let variable = false;
    for (const segment of message.segments) {
      if (segment.type === "variable") {
        variable = true;
        break;
      }
      content += segment.text;
    }
    if (content) messages.push({ role: message.role, content });
    if (variable) break;
  }
  if (messages.length === 0) return undefined;
  return { model: plan.modelName, messages, ...(plan.tools.length > 0 ? { tools: plan.tools } : {}), maxTokens: 1 };
}

/** Warms the prefixes the node's annotation lists, once per node per run. */
export class DownstreamPrefill {
  private readonly done = new Set<string>();

  reached(context: ExecutionContext, graph: WorkflowGraph, node: LlmNode | RouterNode): void {
    const key = `${graph.name}\u0000${node.id}`;
    if (this.done.has(key)) return;
    this.done.add(key);
    for (const target of graph.annotations.get(downstreamPrefillAnnotation, node.id)?.targets ?? []) {
      const next = graph.node(target);
      if (next.kind !== "llm" && next.kind !== "router") continue;
      const request = staticPrefixRequest(context.plan(graph, next));
      if (!request) continue;
      const batch = context.batchHints(graph, next);
      context.accumulator.prewarm(request, batch, requestHints(context, batch, request));
    }
  }
}
