// The request a packed node sends for several items at once (the `_uid` protocol of src/util/pack-protocol.ts), built
// from the node's request plan and each item's own request: the shared prefix (the system message, the same for
// every item) stays first and unchanged, so the prefix cache and the node's cache key still apply; the user turn is
// the static packing instructions, then one entry per item holding exactly what the item alone would have been asked.
// The answer schema asks for `{"results": [{"_uid", "_check", "answer"}]}`, with the node's own output schema (or
// plain text) as `answer`; it holds no per-request identifiers, so it too is the same for every pack of the node.
import {
  packCheck,
  packedPlanSchema,
  packedResponseSchema,
  packedUserMessage,
  packUid,
  type PackEntry,
  type PackFormat,
} from "../util/pack-protocol.js";
import { renderRequest } from "./assemble-request.js";
import type { ChatRequest } from "./chat-request.js";
import type { RequestPlan } from "./request-plan.js";

/** One item of a pack: its state, and what was wrong with its earlier answer when it is asked again. */
export interface PackMember {
  state: Record<string, unknown>;
  error?: string;
  /** The results of its tool calls (a tool-using node's answer request). */
  results?: string[];
}

/** A tool-using node's plan request: where call outputs may go, and the workflow plan given as context. */
export interface PlanRequestOptions {
  outputRoots: string[];
  workflowPlan: string;
}

export interface PackedRequest {
  request: ChatRequest;
  /** The entries in request order: entry i is members[i]. */
  entries: PackEntry[];
}

/** Tokens of a packed answer beyond the items' own answers, per item: its `_uid`, `_check` and JSON around them (o200k). */
export const ANSWER_OVERHEAD_TOKENS = 18;

/** The packing format of a node's plan: plain text without an output schema, its `max_tokens` per item. */
export function packFormatOf(plan: RequestPlan): PackFormat {
  const format: PackFormat = { plain: !plan.responseSchema };
  if (plan.maxTokens !== undefined) format.maxTokensPerItem = plan.maxTokens;
  if (plan.tools.length > 0)
    format.tools = plan.tools.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters }));
  return format;
}

/** `max_tokens` of a packed request of `count` items: room for each item's answer, within the model's limit. */
export function packedMaxTokens(plan: RequestPlan, count: number, maxOutputTokens: number): number | undefined {
  if (plan.maxTokens === undefined) return undefined;
  // Headroom per item beyond the expected overhead: later identifiers (㊱, Ⓐ) take more tokens than ①.
  return Math.min(maxOutputTokens, count * (plan.maxTokens + ANSWER_OVERHEAD_TOKENS + 8) + 16);
}

/**
 * The packed request for `members`, in this order (`maxOutputTokens`: the model's output limit); with `planFor`, a
 * tool-using node's request for a plan of tool calls instead of answers. Tools are described in the instructions,
 * not offered natively: the reply is one JSON document either way.
 */
export function renderPackedRequest(
  plan: RequestPlan,
  members: readonly PackMember[],
  maxOutputTokens: number,
  planFor?: PlanRequestOptions,
): PackedRequest {
  const alone = members.map((member) => renderRequest(plan, member.state));
  const first = alone[0];
  const shared = first.messages.slice(0, -1);
  const entries = alone.map((request, index): PackEntry => {
    const item = String(request.messages[request.messages.length - 1].content ?? "");
    const uid = packUid(index);
    const entry: PackEntry = { uid, check: packCheck(uid, item), item };
    const { error, results } = members[index];
    if (error !== undefined) entry.error = error;
    if (results !== undefined) entry.results = results;
    return entry;
  });
  const format = planFor ? { ...packFormatOf(plan), plan: planFor } : packFormatOf(plan);
  const itemSchema = plan.responseSchema?.schema;
  const request: ChatRequest = {
    ...first,
    messages: [...shared, { role: "user", content: packedUserMessage(format, entries) }],
    responseSchema: {
      name: plan.responseSchema?.name ?? "packed_answers",
      schema: planFor ? packedPlanSchema(itemSchema) : packedResponseSchema(itemSchema),
    },
  };
  delete request.tools;
  const maxTokens = packedMaxTokens(plan, members.length, maxOutputTokens);
  if (maxTokens === undefined) delete request.maxTokens;
  else request.maxTokens = maxTokens;
  return { request, entries };
}
