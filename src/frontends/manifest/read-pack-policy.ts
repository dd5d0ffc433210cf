// Reads a node's `pack:` field (`pack: {size: K}`, `pack: {size: K, votes: V}`, `pack: auto`, `pack: {size: auto}`)
// and reports, at the value, what cannot be packed: a bad size or vote count, or a node kind that sends no model
// request of its own per item (only `llm` nodes, whose system prompt every item shares, pack; a tool-using one asks
// for a plan of tool calls first).
import { diagnostics } from "../../diagnostics/codes.js";
import type { LlmNode, PackPolicy, WorkflowNode } from "../../ir/types.js";
import { parseTemplate } from "../../ir/template.js";
import { MAX_PACK_SIZE } from "../../util/pack-protocol.js";
import type { LoweringContext } from "./context.js";
import { describeValue, isRecord, type FieldReader } from "./fields.js";

const PACK_FIELDS = ["size", "votes"];
const MAX_VOTES = 9;

function readSize(value: unknown): number | "auto" | string {
  if (value === "auto") return "auto";
  if (typeof value !== "number" || !Number.isInteger(value))
    return `'size' must be an integer or 'auto', got ${describeValue(value)}`;
  if (value < 2) return `'size' must be at least 2 (one item per request is no packing), got ${value}`;
  if (value > MAX_PACK_SIZE) return `'size' must be at most ${MAX_PACK_SIZE}, got ${value}`;
  return value;
}

/** What a `pack:` value says: its policy, or what is wrong with it and in which of its fields (unknown fields aside). */
export type PackReading = { policy: PackPolicy } | { error: string; field?: "size" | "votes" };

/** Reads a `pack:` value (`'auto'`, `{size, votes}`) as either frontend wrote it. */
export function readPackValue(value: unknown): PackReading {
  if (value === "auto") return { policy: { auto: true } };
  if (!isRecord(value)) return { error: `expected 'auto' or {size, votes}, got ${describeValue(value)}` };
  const size = value.size === undefined ? "auto" : readSize(value.size);
  if (typeof size === "string" && size !== "auto")
    return { error: size, ...(value.size === undefined ? {} : { field: "size" as const }) };
  const policy: PackPolicy = size === "auto" ? { auto: true } : { size };
  if (value.votes !== undefined) {
    const votes = value.votes;
    if (typeof votes !== "number" || !Number.isInteger(votes) || votes < 1 || votes > MAX_VOTES)
      return {
        error: `'votes' must be an integer from 1 to ${MAX_VOTES}, got ${describeValue(votes)}`,
        field: "votes",
      };
    if (votes > 1) policy.votes = votes;
  }
  return { policy };
}

/** The node's pack policy, or undefined when it has none or it is invalid (reported). */
export function readPackPolicy(reader: FieldReader, context: LoweringContext, node: string): PackPolicy | undefined {
  if (!reader.has("pack")) {
    reader.consume("pack");
    return undefined;
  }
  const value = reader.object.pack;
  const at = reader.at("pack");
  reader.consume("pack");
  const fields = isRecord(value) ? context.reader(value, `pack policy of node '${node}'`) : undefined;
  fields?.consume(...PACK_FIELDS);
  fields?.rest(PACK_FIELDS);
  const reading = readPackValue(value);
  if ("policy" in reading) return reading.policy;
  const where = reading.field && fields ? fields.at(reading.field) : at;
  context.report(diagnostics.invalidPackPolicy(node, reading.error, where));
  return undefined;
}

/** Why `node` cannot be packed, or undefined when it can. */
export function whyNotPackable(node: WorkflowNode): string | undefined {
  if (node.kind !== "llm")
    return `${node.kind} nodes send no model request per item that could be packed (only llm nodes pack)`;
  if (node.system && parseTemplate(node.system).some((part) => part.type === "variable"))
    return "its system prompt holds a per-item variable, so the items share no system prompt";
  return undefined;
}

/** Reports `pack:` on a node that cannot be packed (after the node is lowered, so the reason is exact). */
export function checkPackable(node: WorkflowNode, reader: FieldReader, context: LoweringContext): void {
  const written = (node as Partial<LlmNode>).pack !== undefined || (node.kind !== "llm" && reader.has("pack"));
  if (!written) return;
  const why = whyNotPackable(node);
  if (why === undefined) return;
  context.report(diagnostics.packNotPossible(node.id, why, reader.at("pack")));
  if (node.kind === "llm") delete node.pack;
}
