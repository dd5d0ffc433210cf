// The one place a model-calling node's request is assembled, at compile time (for prompt analysis) and at run time
// (for the real request): `requestPlanFor` lays the request out by the one layout rule (`requestLayout`, whatever
// the optimization level), `renderRequest` fills it from one item's state as the provider-neutral ChatRequest that
// backends translate to their wire formats.
//
// The output schema is sent twice on purpose: as an instruction in the messages (every backend sees it, and it sits
// in the cached prefix) and as `responseSchema` for backends that enforce it; a model router likewise lists its
// routes and asks for a structured route choice. A node without a prompt sends the item's state as canonical JSON
// for its user message.
import type { WorkflowNode } from "../ir/types.js";
import type { Workflow, WorkflowGraph } from "../ir/workflow.js";
import { readPath } from "../expr/evaluate.js";
import { canonicalJson } from "../util/canonical-json.js";
import type { ChatRequest } from "./chat-request.js";
import { chatToolResolver, isModelCalling, planRequest, type PlanSegment, type RequestPlan } from "./request-plan.js";

export type { RequestPlan } from "./request-plan.js";

/** The request plan of a model-calling node, laid out by `requestLayout`; undefined for other nodes. */
export function requestPlanFor(workflow: Workflow, graph: WorkflowGraph, nodeId: string): RequestPlan | undefined {
  const node: WorkflowNode = graph.node(nodeId);
  if (!isModelCalling(node)) return undefined;
  return planRequest(
    node,
    chatToolResolver((name) => workflow.tool(name)),
    undefined,
    workflow.settings.backend,
  );
}

function renderSegment(segment: PlanSegment, state: Record<string, unknown>): string {
  if (segment.type === "text") return segment.text;
  // `[]` is the whole state (a node without a prompt sends it); otherwise the path, `state.` prefix optional.
  const value = segment.path.length === 0 ? state : readPath(state, segment.path);
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : canonicalJson(value);
}

/** The request for one item: every variable filled from `state` (missing values render as empty text). */
export function renderRequest(plan: RequestPlan, state: Record<string, unknown>): ChatRequest {
  const request: ChatRequest = {
    model: plan.modelName,
    messages: plan.messages.map((message) => ({
      role: message.role,
      content: message.segments.map((segment) => renderSegment(segment, state)).join(""),
    })),
  };
  if (plan.tools.length > 0) request.tools = plan.tools;
  if (plan.responseSchema)
    request.responseSchema = { name: plan.responseSchema.name, schema: plan.responseSchema.schema };
  if (plan.maxTokens !== undefined) request.maxTokens = plan.maxTokens;
  if (plan.temperature !== undefined) request.temperature = plan.temperature;
  return request;
}

/** `requestPlanFor` then `renderRequest`; for repeated calls, keep the plan and call `renderRequest` per item. */
export function assembleRequest(
  workflow: Workflow,
  graph: WorkflowGraph,
  nodeId: string,
  state: Record<string, unknown>,
): ChatRequest | undefined {
  const plan = requestPlanFor(workflow, graph, nodeId);
  return plan && renderRequest(plan, state);
}
