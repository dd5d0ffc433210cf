// Analysis: for every model-calling node (llm nodes and model-driven routers, map bodies included), the request it
// sends, split into the static prefix (tools, then messages up to the first per-item variable) and the per-item part,
// with token counts per part and the prefix cache key, for the request as it is sent (laid out by `requestLayout`).
import type { WorkflowNode } from "../../ir/types.js";
import type { Workflow, WorkflowGraph } from "../../ir/workflow.js";
import { parseModelUri, type ModelTarget } from "../../models/model-uri.js";
import type { Analysis } from "../../pass-manager/pass.js";
import { canonicalToolText, prefixCacheKey, splitPlan, type PrefixSplit } from "../../prompt/prefix-split.js";
import {
  chatToolResolver,
  isModelCalling,
  planRequest,
  type InstructionPlacement,
  type PlanTool,
  type RequestPlan,
  type SegmentOrigin,
} from "../../prompt/request-plan.js";
import { countsAreExactFor, countTokens, TOKENIZER_NAME } from "../../prompt/tokenizer.js";
import type { PrefixLayout } from "../../ir/annotations/prefix.js";

type PromptPart = PrefixLayout["parts"][number];

/** A node that calls a model: an `llm` node or a model-driven router. */
export type ModelNode = Extract<WorkflowNode, { kind: "llm" | "router" }>;

export interface NodePromptFacts {
  graph: string;
  node: ModelNode;
  target: ModelTarget;
  plan: RequestPlan;
  split: PrefixSplit;
  cacheKey: string;
  /** Tokens identical for every item (tools + static text), the sum of the parts' prefix tokens. */
  prefixTokens: number;
  /** Literal text after the first variable. */
  perItemTextTokens: number;
  /** Per-item variables in order of first use, as written (`{title}`), or `{$state}` (the whole item state). */
  variables: string[];
  /** Where the per-item part starts (`{title} in prompt`); undefined when the request is all static. */
  splitAt?: string;
  parts: PromptPart[];
  tokenizer: string;
  exactCounts: boolean;
}

/** graph name -> node id -> facts. */
export type PromptAnalysis = Map<string, Map<string, NodePromptFacts>>;

const ORIGIN_ORDER: SegmentOrigin[] = [
  "system",
  "output-schema instruction",
  "route instruction",
  "prompt",
  "item state",
];

const EXCERPT_CHARS = 40;

/** The start of a text, on one line, cut at EXCERPT_CHARS with an ellipsis. */
function excerpt(text: string): string | undefined {
  const flat = text
    .trimStart()
    .slice(0, EXCERPT_CHARS * 4)
    .trim()
    .replace(/\s+/g, " ");
  if (!flat) return undefined;
  return flat.length <= EXCERPT_CHARS ? flat : `${flat.slice(0, EXCERPT_CHARS - 1)}…`;
}

/** Shared while analysing one workflow: each tool's chat definition and token count are built once. */
interface ToolCache {
  resolve: (name: string) => PlanTool;
  tokens: Map<PlanTool, number>;
}

function toolCache(workflow: Workflow): ToolCache {
  return { resolve: chatToolResolver((name) => workflow.tool(name)), tokens: new Map() };
}

/** Tokens of the tool definitions: the sum over tools of their canonical JSON (as the cache key hashes them). */
function toolTokens(tools: PlanTool[], cache: ToolCache): number {
  let total = 0;
  for (const tool of tools) {
    let count = cache.tokens.get(tool);
    if (count === undefined) cache.tokens.set(tool, (count = countTokens(canonicalToolText(tool))));
    total += count;
  }
  return total;
}

function promptParts(plan: RequestPlan, split: PrefixSplit, cache: ToolCache): PromptPart[] {
  const parts: PromptPart[] = [];
  if (plan.tools.length > 0) {
    const names = plan.tools.map((t) => t.name).join(", ");
    parts.push({ part: "tools", prefixTokens: toolTokens(plan.tools, cache), perItemTokens: 0, excerpt: names });
  }
  const present = new Set(plan.messages.flatMap((m) => m.segments.map((s) => s.origin)));
  for (const origin of ORIGIN_ORDER.filter((o) => present.has(o))) {
    const prefixText = split.prefixSegments
      .filter((s) => s.origin === origin)
      .map((s) => s.text)
      .join("");
    const perItemText = split.perItemSegments
      .map((s) => (s.origin === origin && s.type === "text" ? s.text : ""))
      .join("");
    const part: PromptPart = {
      part: origin,
      prefixTokens: countTokens(prefixText),
      perItemTokens: countTokens(perItemText),
    };
    const shown = excerpt(prefixText) ?? excerpt(perItemText);
    if (shown) part.excerpt = shown;
    parts.push(part);
  }
  return parts;
}

/** Analyses the model-calling nodes of one workflow (prefix-layout compares placements with it). */
export class PromptAnalyser {
  private readonly tools: ToolCache;

  constructor(private readonly workflow: Workflow) {
    this.tools = toolCache(workflow);
  }

  /** The prompt facts of one node, as its requests are laid out, or for another `placement` (to compare). */
  analyse(graph: WorkflowGraph, node: ModelNode, placement?: InstructionPlacement): NodePromptFacts {
    const { workflow } = this;
    const plan = planRequest(node, this.tools.resolve, placement, workflow.settings.backend);
    const split = splitPlan(plan);
    const parts = promptParts(plan, split, this.tools);
    let cacheKey: string | undefined;
    const variables = [...new Set(split.perItemSegments.flatMap((s) => (s.type === "variable" ? [s.source] : [])))];
    const facts: NodePromptFacts = {
      graph: graph.name,
      node,
      target: parseModelUri(plan.modelUri, workflow.settings.backend),
      plan,
      split,
      // Hashing the canonical prefix is the costliest step; prefix-layout compares placements without it.
      get cacheKey() {
        return (cacheKey ??= prefixCacheKey(plan, split));
      },
      prefixTokens: parts.reduce((sum, p) => sum + p.prefixTokens, 0),
      perItemTextTokens: parts.reduce((sum, p) => sum + p.perItemTokens, 0),
      variables,
      parts,
      tokenizer: TOKENIZER_NAME,
      exactCounts: countsAreExactFor(plan.modelUri),
    };
    if (split.firstVariable) facts.splitAt = `${split.firstVariable.source} in ${split.firstVariable.origin}`;
    return facts;
  }
}

export const promptAnalysis: Analysis<PromptAnalysis> = {
  name: "prompt-analysis",
  summary: "each model-calling node's request, split into static prefix and per-item part, with token counts",
  compute(ir) {
    const result: PromptAnalysis = new Map();
    const analyser = new PromptAnalyser(ir);
    for (const graph of ir.graphs) {
      const facts = new Map<string, NodePromptFacts>();
      for (const node of graph.nodes()) if (isModelCalling(node)) facts.set(node.id, analyser.analyse(graph, node));
      result.set(graph.name, facts);
    }
    return result;
  },
};

/** Every node's facts, graph by graph in IR order. */
export function allPromptFacts(analysis: PromptAnalysis): NodePromptFacts[] {
  return [...analysis.values()].flatMap((facts) => [...facts.values()]);
}
