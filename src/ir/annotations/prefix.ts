// Annotation `prefix` (written by prefix-layout on every model-calling node): where a node's requests put Nexus's own
// instructions, and the request split into the static prefix and the per-item part, with token counts per part. It
// explains the request; it does not steer it: every request is laid out by one rule at every `-O` level
// (`requestLayout` in src/prompt/request-plan.ts).
import { z } from "zod";
import { defineAnnotation } from "./define.js";
import { quote } from "../../util/text.js";

/**
 * Where Nexus's instructions (output schema, routes) go: into the system message after or before the user's system
 * prompt, or appended to the user message (`after-prompt`, the naive layout, analysed for comparison only).
 */
export const INSTRUCTION_PLACEMENTS = ["after-prompt", "after-system", "before-system"] as const;
export type InstructionPlacement = (typeof INSTRUCTION_PLACEMENTS)[number];

const PART_NAMES = [
  "tools",
  "system",
  "output-schema instruction",
  "route instruction",
  "prompt",
  "item state",
] as const;

const prefixPartSchema = z.object({
  part: z.enum(PART_NAMES),
  /** Tokens of this part inside the static prefix. */
  prefixTokens: z.number().int().nonnegative(),
  /** Tokens of this part's literal text after the split (variables not counted). */
  perItemTokens: z.number().int().nonnegative(),
  excerpt: z.string().optional(),
});

export const prefixLayoutSchema = z.object({
  placement: z.enum(INSTRUCTION_PLACEMENTS),
  /** Tokens identical for every item: tools, then messages up to the first variable. */
  prefixTokens: z.number().int().nonnegative(),
  /** Literal template text after the first variable (variable values come on top). */
  perItemTextTokens: z.number().int().nonnegative(),
  /** The per-item variables in order, as written (`{title}`), or `{$state}` (the whole item state) when the node has no prompt. */
  variables: z.array(z.string()),
  /** Where the per-item part starts, e.g. `{title} in prompt`; absent when the whole request is static. */
  splitAt: z.string().optional(),
  parts: z.array(prefixPartSchema),
  /** Tokens prefix-layout moved ahead of the first variable, and what they were. */
  movedTokens: z.number().int().nonnegative(),
  moved: z.array(z.string()),
  tokenizer: z.string(),
  /** True when the tokenizer is the model's own, so counts are exact rather than estimates. */
  exactCounts: z.boolean(),
});

export type PrefixLayout = z.infer<typeof prefixLayoutSchema>;

function formatPrefix(value: PrefixLayout): string {
  const perItem = value.variables.length === 0 ? "none" : `${value.perItemTextTokens}tok+${value.variables.length}var`;
  const parts = [`static=${value.prefixTokens}tok`, `item=${perItem}`];
  if (value.variables.length > 0) parts.push(`at=${value.variables[0]}`);
  if (value.movedTokens > 0) parts.push(`moved=${value.movedTokens}tok`);
  return `prefix{${parts.join(" ")}}`;
}

export const prefixAnnotation = defineAnnotation("prefix", prefixLayoutSchema, formatPrefix, explainPrefix);

const PLACEMENT_TEXT: Record<PrefixLayout["placement"], string> = {
  "after-prompt": "appended to the prompt (the naive layout)",
  "after-system": "in the system message, after the system prompt",
  "before-system": "in the system message, before the system prompt (it has a per-item variable)",
};

function explainPrefix(value: PrefixLayout): string {
  const hasInstructions = value.parts.some((p) => p.part.endsWith("instruction"));
  const lines = [
    hasInstructions ? `Nexus instructions: ${PLACEMENT_TEXT[value.placement]}` : "Nexus instructions: none",
  ];
  if (value.movedTokens > 0)
    lines.push(`prefix-layout moved ${value.movedTokens} tokens into the shared prefix (${value.moved.join(", ")})`);
  lines.push(`static prefix: ${value.prefixTokens} tokens, identical for every item`);
  const width = Math.max(...value.parts.map((p) => p.part.length));
  for (const part of value.parts.filter((p) => p.prefixTokens > 0)) {
    lines.push(
      `  ${part.part.padEnd(width)}  ${String(part.prefixTokens).padStart(6)} tok${part.excerpt ? `  ${quote(part.excerpt)}` : ""}`,
    );
  }
  if (value.splitAt) {
    const variables = value.variables.join(", ");
    lines.push(
      `per-item part: from ${value.splitAt} on: ${value.perItemTextTokens} tokens of template text + ${value.variables.length} variable(s): ${variables}`,
    );
  } else lines.push("per-item part: none (the request is the same for every item)");
  const exactness = value.exactCounts
    ? "exact for this model"
    : "an estimate for this model (exact for OpenAI o200k models)";
  lines.push(`token counts: ${value.tokenizer}, ${exactness}`);
  return lines.join("\n");
}
