// Pass `cost-estimate`: expected tokens and dollars per model-calling node and per workflow item, in three scenarios
// (realtime, realtime with prompt caching, batched with caching), written to the `cost` annotation. Token counts come
// from the prompt analysis; variable values, output lengths and map list lengths are assumptions (pass options), and
// prices come from the pricing table (built in, overridable). `nexus build --report` sums these per 1,000 items.
// From the same token estimates it records, for each reduce that calls a model, whether the synthesis is one call or
// hierarchical (the `reduce` annotation, see ./analyses/reduce-estimate.ts).
// A packed node (the `pack` annotation) is priced per pack: one request carries `size` items.
import type { Pass } from "../pass-manager/pass.js";
import { requestCost, type RequestTokens } from "../pricing/request-cost.js";
import { minCacheableTokens } from "../pricing/pricing.js";
import { resolvePricing } from "../pricing/resolve-pricing.js";
import { ITEM_STATE_VARIABLE } from "../prompt/request-plan.js";
import { countTokens } from "../prompt/tokenizer.js";
import { costAnnotation, type CostEstimate } from "../ir/annotations/cost.js";
import { packAnnotation } from "../ir/annotations/pack.js";
import { packedRequestTokens } from "./pack-planning.js";
import { expectedVisitsAnalysis, graphRunsPerItem } from "./analyses/expected-visits.js";
import { allPromptFacts, promptAnalysis, type NodePromptFacts } from "./analyses/prompt-analysis.js";
import { decideReduce, recordReducePlans, synthesisCalls } from "./analyses/reduce-estimate.js";

interface Assumptions {
  variableTokens: number;
  itemStateTokens: number;
  outputTokens: number;
  cacheHitShare: number;
}

/** Expected output tokens: a route name for routers, else the assumed length capped by `max_tokens`. */
function expectedOutputTokens(facts: NodePromptFacts, assumed: number): number {
  const node = facts.node;
  if (node.kind === "router" && node.routes.length > 0) return Math.max(...node.routes.map((r) => countTokens(r))) + 1;
  return Math.min(node.maxTokens ?? Number.POSITIVE_INFINITY, assumed);
}

function requestTokens(facts: NodePromptFacts, cacheable: boolean, assumed: Assumptions): RequestTokens {
  const variableTokens = facts.variables.reduce(
    (sum, v) => sum + (v === ITEM_STATE_VARIABLE ? assumed.itemStateTokens : assumed.variableTokens),
    0,
  );
  const cachedTokens = cacheable ? Math.round(facts.prefixTokens * assumed.cacheHitShare) : 0;
  return {
    inputTokens: facts.prefixTokens + facts.perItemTextTokens + variableTokens,
    cachedTokens,
    cacheWriteTokens: cacheable ? facts.prefixTokens - cachedTokens : 0,
    outputTokens: expectedOutputTokens(facts, assumed.outputTokens),
  };
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

export const costEstimatePass: Pass = {
  name: "cost-estimate",
  summary: "expected tokens and dollars per node and item: realtime, with prompt caching, batched",
  options: [
    {
      name: "variable-tokens",
      type: "number",
      default: 150,
      description: "assumed tokens of each template variable's value",
    },
    {
      name: "item-state-tokens",
      type: "number",
      default: 400,
      description: "assumed tokens of the item state a node without prompt sends",
    },
    {
      name: "output-tokens",
      type: "number",
      default: 256,
      description: "assumed output tokens (capped by the node's max_tokens)",
    },
    {
      name: "cache-hit-share",
      type: "number",
      default: 0.95,
      description: "share of a cacheable prefix read from cache",
    },
    { name: "map-items", type: "number", default: 10, description: "assumed list length of every map node" },
    {
      name: "pricing-file",
      type: "string",
      default: "",
      description: "pricing overrides (JSON/YAML), same shape as the built-in table",
    },
  ],
  requires: [promptAnalysis, expectedVisitsAnalysis],
  preserves: "all",
  run(ir, context) {
    const option = (name: string) => context.options[name] as number;
    const assumed: Assumptions = {
      variableTokens: option("variable-tokens"),
      itemStateTokens: option("item-state-tokens"),
      outputTokens: option("output-tokens"),
      cacheHitShare: Math.min(1, Math.max(0, option("cache-hit-share"))),
    };
    const pricing = resolvePricing(ir, context.options["pricing-file"] as string, context.report);
    const visits = context.getAnalysis(expectedVisitsAnalysis);
    /** graph -> its runs per item with the assumed map length, and with map lists of one. */
    const graphRunsByName = new Map<string, [number, number]>();
    for (const facts of allPromptFacts(context.getAnalysis(promptAnalysis))) {
      const node = facts.node;
      const pack = ir.graphByName(facts.graph)!.annotations.get(packAnnotation, node.id);
      const packed = pack && pack.size >= 2 ? pack : undefined;
      const shared = packed ? packed.sharedTokens : facts.prefixTokens;
      const cacheable = shared > 0 && shared >= minCacheableTokens(pricing, facts.target);
      const perRequest = packed
        ? packedRequestTokens(packed, cacheable ? assumed.cacheHitShare : 0)
        : requestTokens(facts, cacheable, assumed);
      const toolLoop = node.kind === "llm" && node.tools.length > 0;
      // A packed node sends one request per pack (a plan, then the answers, when it uses tools), per vote.
      const requestsPerRun = packed
        ? toolLoop
          ? 2
          : 1
        : node.kind === "llm" && node.reduce
          ? synthesisCalls(decideReduce(ir, ir.graphByName(facts.graph)!, node))
          : toolLoop
            ? node.maxTurns
            : 1;
      let graphRuns = graphRunsByName.get(facts.graph);
      if (!graphRuns) {
        graphRuns = [
          graphRunsPerItem(visits, facts.graph, option("map-items")),
          graphRunsPerItem(visits, facts.graph, 1),
        ];
        graphRunsByName.set(facts.graph, graphRuns);
      }
      const visitsPerGraphRun = visits.perGraphRun.get(facts.graph)?.get(node.id) ?? 0;
      const runs = visitsPerGraphRun * graphRuns[0];
      const perItemFactor = runs * requestsPerRun * (packed ? packed.votes / packed.size : 1);
      const cost = requestCost(facts.target, perRequest, pricing);
      const assumptions = [
        `variable values ~${assumed.variableTokens} tokens`,
        `output ~${perRequest.outputTokens} tokens`,
      ];
      if (facts.variables.includes(ITEM_STATE_VARIABLE))
        assumptions.push(`item state ~${assumed.itemStateTokens} tokens`);
      if (cacheable) assumptions.push(`${Math.round(assumed.cacheHitShare * 100)}% of the prefix read from cache`);
      if (runs !== visitsPerGraphRun * graphRuns[1]) assumptions.push(`map lists of ${option("map-items")} items`);
      if (runs < 1) assumptions.push("branches taken evenly");
      if (packed)
        assumptions.push(`${packed.size} items per request${packed.votes > 1 ? `, ${packed.votes} votes` : ""}`);
      const estimate: CostEstimate = {
        basis: cost.basis,
        priceSource: cost.priceSource,
        pricingAsOf: pricing.asOf,
        runsPerItem: round(runs, 4),
        requestsPerRun,
        perRequest,
        perItem: {
          inputTokens: Math.round(perRequest.inputTokens * perItemFactor),
          cachedTokens: Math.round(perRequest.cachedTokens * perItemFactor),
          outputTokens: Math.round(perRequest.outputTokens * perItemFactor),
        },
        assumptions,
      };
      if (cost.basis !== "unpriced") {
        const { realtime, realtimeCached, batchCached } = cost.usd;
        estimate.usdPerItem = {
          realtime: round(realtime * perItemFactor, 9),
          realtimeCached: round(realtimeCached * perItemFactor, 9),
          batchCached: round(batchCached * perItemFactor, 9),
        };
      }
      ir.graphByName(facts.graph)!.annotations.set(costAnnotation, node.id, estimate);
      context.stat("nodes-estimated");
    }
    recordReducePlans(ir, context);
  },
};
