// Pass `kv-admission` (CONCUR-style admission control): on the main graph's entry node, records the share of the
// engine's KV cache the run may fill, the KV an item is expected to hold (its own prompt part and its answers, from
// the prompt analysis) and the shared prefix every item uses, so items already running keep room to finish their
// turns. The runtime holds an item's first request while the shared prefix and the items started and not finished
// (their measured KV once some have finished) would not fit; against an engine that reports only its usage
// (`vllm:kv_cache_usage_perc` in `/metrics`), while that usage is at or above the limit.
import { admissionAnnotation } from "../ir/annotations/admission.js";
import type { Pass } from "../pass-manager/pass.js";
import { allPromptFacts, promptAnalysis } from "./analyses/prompt-analysis.js";

export const kvAdmissionPass: Pass = {
  name: "kv-admission",
  summary: "admit new items only while the engine's KV cache usage leaves room for running ones",
  options: [
    { name: "max-usage", type: "number", default: 0.8, description: "KV cache usage (0..1) at which admission stops" },
    {
      name: "default-output-tokens",
      type: "number",
      default: 256,
      description: "output tokens assumed per turn of a node without max_tokens",
    },
    { name: "tokens-per-variable", type: "number", default: 64, description: "tokens assumed per item variable" },
  ],
  requires: [promptAnalysis],
  preserves: "all",
  run(ir, context) {
    const graph = ir.mainGraph;
    if (!graph || !graph.hasNode(graph.entry)) return;
    const maxUsage = context.options["max-usage"] as number;
    if (!(maxUsage > 0 && maxUsage <= 1)) throw new Error(`option 'max-usage' of 'kv-admission' must be in (0, 1]`);
    const perTurn = context.options["default-output-tokens"] as number;
    const perVariable = context.options["tokens-per-variable"] as number;
    let itemTokens = 0;
    let sharedTokens = 0;
    for (const facts of allPromptFacts(context.getAnalysis(promptAnalysis))) {
      const node = facts.node;
      const turns = node.kind === "llm" && node.tools.length > 0 ? node.maxTurns : 1;
      // The per-item part of the prompt, and every answer of the node's turns (sent back as the conversation grows).
      const ownPrompt = facts.perItemTextTokens + facts.variables.length * perVariable;
      itemTokens = Math.max(itemTokens, ownPrompt + turns * (node.maxTokens ?? perTurn));
      sharedTokens = Math.max(sharedTokens, facts.prefixTokens);
    }
    if (itemTokens === 0) return;
    graph.annotations.set(admissionAnnotation, graph.entry, {
      maxUsage,
      itemTokens: Math.ceil(itemTokens),
      sharedTokens: Math.ceil(sharedTokens),
    });
    context.stat("admission-limits");
  },
};
