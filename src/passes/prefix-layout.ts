// Pass `prefix-layout`: records, in the `prefix` annotation of every model-calling node, how its requests are laid
// out and what that gives: the static instructions Nexus adds (output schema, router choices) sit ahead of the first
// per-item variable (in the system message, after the system prompt, or before it when the system prompt itself has
// a per-item variable), so every request of a node shares the longest possible prefix; and how many tokens that moves
// into the prefix compared with appending them to the prompt. The layout itself is one rule (`requestLayout` in
// src/prompt/request-plan.ts) that every request follows at every `-O` level: this pass explains it, never changes it.
import type { Pass } from "../pass-manager/pass.js";
import { isModelCalling, requestLayout } from "../prompt/request-plan.js";
import { prefixAnnotation, type PrefixLayout } from "../ir/annotations/prefix.js";
import {
  promptAnalysis,
  PromptAnalyser,
  type NodePromptFacts,
  type PromptAnalysis,
} from "./analyses/prompt-analysis.js";
import { criticalPathAnalysis } from "./analyses/critical-path.js";
import { expectedVisitsAnalysis } from "./analyses/expected-visits.js";
import { reachabilityAnalysis } from "./analyses/reachability.js";
import { componentsAnalysis } from "./analyses/strongly-connected.js";

const INSTRUCTION_PARTS = ["output-schema instruction", "route instruction"];

/**
 * What moved into the shared prefix, compared with the naive layout ("after-prompt": instructions
 * appended to the prompt). There the instructions are in the prefix only when no per-item variable precedes them,
 * that is when the request has no variable at all; so unless a computed baseline is given (needed when the layout
 * reorders the system prompt), the moved parts are the instruction parts now in the prefix of a request that has one.
 */
function movedInto(facts: NodePromptFacts, baseline: NodePromptFacts | undefined): { parts: string[]; tokens: number } {
  if (baseline) {
    const parts = facts.parts.filter((part) => {
      const before = baseline.parts.find((p) => p.part === part.part);
      return INSTRUCTION_PARTS.includes(part.part) && part.prefixTokens > (before?.prefixTokens ?? 0);
    });
    return { parts: parts.map((p) => p.part), tokens: Math.max(0, facts.prefixTokens - baseline.prefixTokens) };
  }
  if (facts.split.firstVariable === undefined) return { parts: [], tokens: 0 };
  const parts = facts.parts.filter((part) => INSTRUCTION_PARTS.includes(part.part) && part.prefixTokens > 0);
  return { parts: parts.map((p) => p.part), tokens: parts.reduce((sum, p) => sum + p.prefixTokens, 0) };
}

function layoutOf(facts: NodePromptFacts, baseline: NodePromptFacts | undefined): PrefixLayout {
  const moved = movedInto(facts, baseline);
  const layout: PrefixLayout = {
    placement: facts.plan.placement,
    prefixTokens: facts.prefixTokens,
    perItemTextTokens: facts.perItemTextTokens,
    variables: facts.variables,
    parts: facts.parts,
    movedTokens: moved.tokens,
    moved: moved.parts,
    tokenizer: facts.tokenizer,
    exactCounts: facts.exactCounts,
  };
  if (facts.splitAt) layout.splitAt = facts.splitAt;
  return layout;
}

export const prefixLayoutPass: Pass = {
  name: "prefix-layout",
  summary: "record how requests place static instructions (output schema, routes) ahead of per-item variables",
  options: [],
  requires: [],
  // The prompt analysis of the requests as laid out is computed here anyway: handed on, not recomputed.
  preserves: [reachabilityAnalysis, componentsAnalysis, criticalPathAnalysis, expectedVisitsAnalysis, promptAnalysis],
  run(ir, context) {
    const analyser = new PromptAnalyser(ir);
    const analysis: PromptAnalysis = new Map();
    for (const graph of ir.graphs) {
      const chosen = new Map<string, NodePromptFacts>();
      analysis.set(graph.name, chosen);
      for (const node of graph.nodes()) {
        if (!isModelCalling(node)) continue;
        const placement = requestLayout(node);
        const facts = analyser.analyse(graph, node, placement);
        // Moving the instructions ahead of the system prompt reorders what precedes the first variable: the gain
        // over the naive layout is measured on it. After the system prompt, it is the instructions' own tokens.
        const baseline = placement === "before-system" ? analyser.analyse(graph, node, "after-prompt") : undefined;
        const layout = layoutOf(facts, baseline);
        graph.annotations.set(prefixAnnotation, node.id, layout);
        chosen.set(node.id, facts);
        context.stat("nodes-laid-out");
        if (layout.movedTokens > 0) context.stat("tokens-moved-into-prefix", layout.movedTokens);
      }
    }
    context.provideAnalysis(promptAnalysis, analysis);
  },
};
