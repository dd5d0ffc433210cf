// Annotation `pack` (written by pack-planning on every llm node with a `pack:` policy): how many items of the node go
// in one model request (`size`; 1 means the node is not packed, with the reason), how many requests with the items
// in other orders are voted per pack (`votes`), where the size came from (the node, or chosen from the model's
// limits for `pack: auto`), and the expected prompt tokens per item unpacked and packed. The runtime packs exactly
// `size` items per request; nexus inspect and build --report print the choice and the tokens saved.
import { z } from "zod";
import { defineAnnotation } from "./define.js";

const tokens = z.number().nonnegative();

export const packPlanSchema = z.object({
  size: z.number().int().min(1),
  votes: z.number().int().min(1),
  source: z.enum(["node", "auto"]),
  /** Why this size: what bounded an automatic choice, or that the node set it. */
  reason: z.string(),
  contextTokens: z.number().int().positive(),
  maxOutputTokens: z.number().int().positive(),
  limitsSource: z.string(),
  /** Tokens every packed request shares: the node's system message and the packing instructions. */
  sharedTokens: tokens,
  /** Expected tokens of one item's entry, and of one item's answer in a packed reply. */
  entryTokens: tokens,
  answerTokens: tokens,
  /** Expected prompt tokens per item: one request each, and in a full pack (votes included). */
  unpackedPromptTokensPerItem: tokens,
  packedPromptTokensPerItem: tokens,
  savedPromptTokensPerItem: z.number(),
  /** A tool-using node: its tools in dependency order, given to the model as context with every plan request. */
  workflowPlan: z.string().optional(),
});

export type PackPlan = z.infer<typeof packPlanSchema>;

function formatPack(value: PackPlan): string {
  if (value.size < 2) return `pack{off ${value.source}}`;
  const votes = value.votes > 1 ? ` votes=${value.votes}` : "";
  const plan = value.workflowPlan === undefined ? "" : ` plan=${JSON.stringify(value.workflowPlan)}`;
  return `pack{size=${value.size}${votes} ${value.source} saved=${value.savedPromptTokensPerItem}tok/item${plan}}`;
}

function explainPack(value: PackPlan): string {
  const lines = [
    value.size < 2
      ? `packed: no: ${value.reason}`
      : `packed: ${value.size} items per request (${value.source === "auto" ? "chosen by pack: auto" : "the node's pack policy"}): ${value.reason}`,
  ];
  if (value.votes > 1)
    lines.push(`votes: ${value.votes} requests per pack, items in other orders, answers voted per item`);
  lines.push(
    `model limits: ${value.contextTokens} context tokens, ${value.maxOutputTokens} output tokens (${value.limitsSource})`,
    `per request: ${value.sharedTokens} shared tokens; per item: ${value.entryTokens} entry tokens, ${value.answerTokens} answer tokens`,
    `prompt tokens per item: ${value.unpackedPromptTokensPerItem} unpacked, ${value.packedPromptTokensPerItem} packed: ${value.savedPromptTokensPerItem} saved`,
  );
  if (value.workflowPlan !== undefined)
    lines.push(`tools: a plan of calls per pack, then the answers; workflow plan: ${value.workflowPlan}`);
  return lines.join("\n");
}

export const packAnnotation = defineAnnotation("pack", packPlanSchema, formatPack, explainPack);
