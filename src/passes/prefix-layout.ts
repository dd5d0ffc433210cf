// Pass `prefix-layout`: places the static instructions Nexus adds to a request (output schema, router choices) ahead
// of the first per-item variable, so every request of a node shares the longest possible prefix. It never touches the
// user's words: the system prompt and the prompt keep their text and order; only Nexus's own instructions move, from
// after the prompt into the system message (after the system prompt, or before it when the system prompt itself has
// a per-item variable). Writes the `prefix` annotation on every model-calling node, which the runtime follows.
import type { Pass } from "../pass-manager/pass.js";
import { isModelCalling } from "../prompt/request-plan.js";
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
 * What moved into the shared prefix, compared with the layout without this pass ("after-prompt": instructions
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
  summary: "move static instructions (output schema, routes) ahead of the first per-item variable",
  options: [],
  requires: [],
  // The prompt analysis of the chosen placements is computed here anyway: handed on, not recomputed.
  preserves: [reachabilityAnalysis, componentsAnalysis, criticalPathAnalysis, expectedVisitsAnalysis, promptAnalysis],
  run(ir, context) {
    const analyser = new PromptAnalyser(ir);
    const analysis: PromptAnalysis = new Map();
    for (const graph of ir.graphs) {
      const chosen = new Map<string, NodePromptFacts>();
      analysis.set(graph.name, chosen);
      for (const node of graph.nodes()) {
        if (!isModelCalling(node)) continue;
        const afterSystem = analyser.analyse(graph, node, "after-system");
        let best = afterSystem;
        let baseline: NodePromptFacts | undefined;
        // Only a per-item variable in the system prompt can make "before the system prompt" the longer prefix;
        // otherwise "after the system prompt" is never shorter than the layout without this pass.
        if (
          afterSystem.split.firstVariable?.origin === "system" &&
          afterSystem.parts.some((p) => INSTRUCTION_PARTS.includes(p.part))
        ) {
          baseline = analyser.analyse(graph, node, "after-prompt");
          const beforeSystem = analyser.analyse(graph, node, "before-system");
          if (beforeSystem.prefixTokens > best.prefixTokens) best = beforeSystem;
          if (baseline.prefixTokens > best.prefixTokens) best = baseline;
        }
        const layout = layoutOf(best, baseline);
        graph.annotations.set(prefixAnnotation, node.id, layout);
        chosen.set(node.id, best);
        context.stat("nodes-laid-out");
        if (layout.movedTokens > 0) context.stat("tokens-moved-into-prefix", layout.movedTokens);
      }
    }
    context.provideAnalysis(promptAnalysis, analysis);
  },
};
