// The request a packed node sends for several items at once (the `_uid` protocol of src/util/pack-protocol.ts), built
// from the node's request plan and each item's own request: the shared prefix (the system message, the same for
// every item) stays first and unchanged, so the prefix cache and the node's cache key still apply; the user turn is
// the static packing instructions, then one entry per item holding exactly what the item alone would have been asked.
// The answer schema asks for `{"results": [{"_uid", "_check", "answer"}]}`, with the node's own output schema (or
// plain text) as `answer`; it holds no per-request identifiers, so it too is the same for every pack of the node.
import {
  packCheck,
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
}

export interface PackedRequest {
  request: ChatRequest;
  /** The entries in request order: entry i is members[i]. */
  entries: PackEntry[];
}

/** Tokens of a packed answer beyond the items' own answers, per item (its `_uid`, `_check` and JSON around them). */
export const ANSWER_OVERHEAD_TOKENS = 24;

/** The packing format of a node's plan: plain text without an output schema, its `max_tokens` per item. */
export function packFormatOf(plan: RequestPlan): PackFormat {
  return plan.maxTokens === undefined
    ? { plain: !plan.responseSchema }
    : { plain: !plan.responseSchema, maxTokensPerItem: plan.maxTokens };
}

/** `max_tokens` of a packed request of `count` items: room for each item's answer, within the model's limit. */
export function packedMaxTokens(plan: RequestPlan, count: number, maxOutputTokens: number): number | undefined {
  if (plan.maxTokens === undefined) return undefined;
  return Math.min(maxOutputTokens, count * (plan.maxTokens + ANSWER_OVERHEAD_TOKENS) + 16);
}

/** The packed request for `members`, in this order (`maxOutputTokens`: the model's output limit). */
export function renderPackedRequest(
  plan: RequestPlan,
  members: readonly PackMember[],
  maxOutputTokens: number,
): PackedRequest {
  const alone = members.map((member) => renderRequest(plan, member.state));
  const first = alone[0];
  const shared = first.messages.slice(0, -1);
  const entries = alone.map((request, index): PackEntry => {
    const item = String(request.messages[request.messages.length - 1].content ?? "");
    const uid = packUid(index);
    const entry: PackEntry = { uid, check: packCheck(uid, item), item };
    const error = members[index].error;
    if (error !== undefined) entry.error = error;
    return entry;
  });
  const request: ChatRequest = {
    ...first,
    messages: [...shared, { role: "user", content: packedUserMessage(packFormatOf(plan), entries) }],
    responseSchema: {
      name: plan.responseSchema?.name ?? "packed_answers",
      schema: packedResponseSchema(plan.responseSchema?.schema),
    },
  };
  const maxTokens = packedMaxTokens(plan, members.length, maxOutputTokens);
  if (maxTokens === undefined) delete request.maxTokens;
  else request.maxTokens = maxTokens;
  return { request, entries };
}
