// Pass `pack-planning`: for every llm node with a `pack:` policy, how many items go in one model request, recorded
// in the `pack` annotation with the expected prompt tokens per item unpacked and packed. `pack: {size: K}` keeps K;
// `pack: auto` chooses the largest K (up to `max-auto-size`) whose packed request fits the model's context window
// and whose answers fit its output limit (src/models/model-limits.ts), given the expected tokens of an item's entry
// and answer. `planPack` is the one decision: the runtime calls it for an IR built without this pass, so a node
// packs alike at every -O level (packing is opted into per node, so it is not an optimization that -O0 turns off).
import { packAnnotation, type PackPlan } from "../ir/annotations/pack.js";
import { modelLimits } from "../models/model-limits.js";
import type { Pass } from "../pass-manager/pass.js";
import { ANSWER_OVERHEAD_TOKENS } from "../prompt/pack-request.js";
import { ITEM_STATE_VARIABLE } from "../prompt/request-plan.js";
import { toolWorkflowPlanText } from "../prompt/tool-workflow-plan.js";
import type { LlmNode, ToolDefinition } from "../ir/types.js";
import type { Workflow } from "../ir/workflow.js";
import { countTokens } from "../prompt/tokenizer.js";
import { formatPackEntry, MAX_PACK_SIZE, packInstructions, packUid } from "../util/pack-protocol.js";
import { allPromptFacts, promptAnalysis, type NodePromptFacts } from "./analyses/prompt-analysis.js";

export interface PackAssumptions {
  /** Tokens of each template variable's value, and of a whole item state (a node without a prompt). */
  variableTokens: number;
  itemStateTokens: number;
  /** Output tokens of one item's answer when the node sets no `max_tokens` (which bounds it otherwise). */
  outputTokens: number;
  /** The largest size `pack: auto` chooses. */
  maxAutoSize: number;
}

export const PACK_DEFAULTS: PackAssumptions = {
  variableTokens: 150,
  itemStateTokens: 400,
  outputTokens: 256,
  maxAutoSize: 16,
};

/** Share of the output limit a packed answer may plan to use (the rest is headroom for longer answers). */
const OUTPUT_HEADROOM = 0.8;

const SYSTEM_PARTS = new Set(["system", "output-schema instruction", "route instruction"]);

/** Tokens a packed entry adds around the item's own text. */
const ENTRY_OVERHEAD = countTokens(formatPackEntry({ uid: packUid(0), check: "a1b2", item: "" })) + 1;

/** The plan of one node (`facts` is its prompt analysis); undefined for a node without a `pack:` policy. */
export function planPack(
  facts: NodePromptFacts,
  tools: readonly ToolDefinition[],
  assumed: PackAssumptions = PACK_DEFAULTS,
): PackPlan | undefined {
  const node = facts.node;
  if (node.kind !== "llm" || !node.pack) return undefined;
  const limits = modelLimits(facts.target);
  const variableTokens = facts.variables.reduce(
    (sum, v) => sum + (v === ITEM_STATE_VARIABLE ? assumed.itemStateTokens : assumed.variableTokens),
    0,
  );
  const systemTokens = facts.parts.filter((p) => SYSTEM_PARTS.has(p.part)).reduce((n, p) => n + p.prefixTokens, 0);
  const instructions = countTokens(packInstructions({ plain: !node.outputSchema, maxTokensPerItem: node.maxTokens }));
  const sharedTokens = systemTokens + instructions;
  const itemTokens = facts.prefixTokens - systemTokens + facts.perItemTextTokens + variableTokens;
  const entryTokens = itemTokens + ENTRY_OVERHEAD;
  const answerTokens = (node.maxTokens ?? assumed.outputTokens) + ANSWER_OVERHEAD_TOKENS;
  const { size, reason } = node.pack.auto
    ? autoSize(limits, sharedTokens, entryTokens, answerTokens, assumed.maxAutoSize)
    : { size: node.pack.size!, reason: "as written" };
  const votes = size >= 2 ? (node.pack.votes ?? 1) : 1;
  const unpacked = facts.prefixTokens + facts.perItemTextTokens + variableTokens;
  const packed = size >= 2 ? Math.round((votes * (sharedTokens + size * entryTokens)) / size) : unpacked;
  const plan: PackPlan = {
    size,
    votes,
    source: node.pack.auto ? "auto" : "node",
    reason,
    contextTokens: limits.contextTokens,
    maxOutputTokens: limits.maxOutputTokens,
    limitsSource: limits.source,
    sharedTokens,
    entryTokens,
    answerTokens,
    unpackedPromptTokensPerItem: unpacked,
    packedPromptTokensPerItem: packed,
    savedPromptTokensPerItem: unpacked - packed,
  };
  if (node.tools.length > 0) plan.workflowPlan = toolWorkflowPlanText(tools);
  return plan;
}

/** The tokens of one full packed request, with `cacheHitShare` of its shared tokens read from the cache. */
export function packedRequestTokens(plan: PackPlan, cacheHitShare: number) {
  const cachedTokens = Math.round(plan.sharedTokens * cacheHitShare);
  return {
    inputTokens: plan.sharedTokens + plan.size * plan.entryTokens,
    cachedTokens,
    cacheWriteTokens: cacheHitShare > 0 ? plan.sharedTokens - cachedTokens : 0,
    outputTokens: plan.size * plan.answerTokens,
  };
}

/** The tool definitions of a node, in the order it lists them. */
export function nodeTools(workflow: Workflow, node: LlmNode): ToolDefinition[] {
  return node.tools.flatMap((name) => workflow.tool(name) ?? []);
}

function autoSize(
  limits: ReturnType<typeof modelLimits>,
  sharedTokens: number,
  entryTokens: number,
  answerTokens: number,
  maxAutoSize: number,
): { size: number; reason: string } {
  const byOutput = Math.floor((limits.maxOutputTokens * OUTPUT_HEADROOM) / answerTokens);
  const byContext = Math.floor((limits.contextTokens - sharedTokens) / (entryTokens + answerTokens));
  const size = Math.max(1, Math.min(byOutput, byContext, maxAutoSize, MAX_PACK_SIZE));
  const bound =
    size === maxAutoSize
      ? `the largest automatic size (max-auto-size=${maxAutoSize})`
      : size === byOutput
        ? `answers of ~${answerTokens} tokens within ${Math.round(OUTPUT_HEADROOM * 100)}% of the ${limits.maxOutputTokens}-token output limit`
        : `entries of ~${entryTokens} tokens and answers within the ${limits.contextTokens}-token context window`;
  if (size < 2) return { size: 1, reason: `not even two items fit: ${bound}` };
  return { size, reason: `bounded by ${bound}` };
}

export const packPlanningPass: Pass = {
  name: "pack-planning",
  summary: "choose how many items of a packed llm node share one request, with the prompt tokens saved per item",
  options: [
    {
      name: "max-auto-size",
      type: "number",
      default: PACK_DEFAULTS.maxAutoSize,
      description: "largest size pack: auto chooses",
    },
    {
      name: "variable-tokens",
      type: "number",
      default: PACK_DEFAULTS.variableTokens,
      description: "assumed tokens of each template variable's value",
    },
    {
      name: "output-tokens",
      type: "number",
      default: PACK_DEFAULTS.outputTokens,
      description: "assumed output tokens of one item's answer when the node sets no max_tokens",
    },
  ],
  requires: [promptAnalysis],
  preserves: "all",
  run(ir, context) {
    const assumed: PackAssumptions = {
      ...PACK_DEFAULTS,
      maxAutoSize: context.options["max-auto-size"] as number,
      variableTokens: context.options["variable-tokens"] as number,
      outputTokens: context.options["output-tokens"] as number,
    };
    for (const facts of allPromptFacts(context.getAnalysis(promptAnalysis))) {
      const node = facts.node;
      const plan = planPack(facts, node.kind === "llm" ? nodeTools(ir, node) : [], assumed);
      if (!plan) continue;
      ir.graphByName(facts.graph)!.annotations.set(packAnnotation, facts.node.id, plan);
      context.stat(plan.size >= 2 ? "nodes-packed" : "nodes-not-packed");
    }
  },
};
