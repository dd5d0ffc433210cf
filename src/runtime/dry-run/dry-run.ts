// `nexus run --dry-run`: goes over the real input without calling a model. Each item is checked as a run checks it
// (an input error is reported as the run would), then walked through the graphs: every model-calling node's request
// is rendered from the item's state and counted with the real tokenizer, weighted by how often the node runs per
// item (branches split evenly; a map runs its body once per element of the item's list, when the input holds it).
// Given the batch plan, every request after the first of a cacheable prefix reads the prefix from cache; outputs are
// the cost estimate's. The result is a RunStats like a real run's (so the report, JSON and HTML, is the same format)
// and the cost under realtime, cached realtime and Batch API prices.
import type { ModelNode } from "../../passes/analyses/prompt-analysis.js";
import { PromptAnalyser, type NodePromptFacts } from "../../passes/analyses/prompt-analysis.js";
import { expectedVisitsAnalysis, type ExpectedVisits } from "../../passes/analyses/expected-visits.js";
import { analysisGetter } from "../../pass-manager/pass-manager.js";
import { costAnnotation } from "../../ir/annotations/cost.js";
import type { Workflow, WorkflowGraph } from "../../ir/workflow.js";
import { isPrefixCacheable } from "../../models/batch-decision.js";
import { minCacheableTokens, type PricingTable } from "../../pricing/pricing.js";
import { isModelCalling } from "../../prompt/request-plan.js";
import { readPath } from "../../expr/evaluate.js";
import { addUsage, type ChatUsage } from "../chat.js";
import { inputItemCheck, requiredFields } from "../input-schema.js";
import type { RunInput } from "../input-reader.js";
import { InputSource } from "../input-source.js";
import { usageCost } from "../run-cost.js";
import { RunStats } from "../run-stats.js";
import { renderedTokens } from "./rendered-tokens.js";

/** The list length assumed for a map whose list the input does not hold (the cost estimate's `map-items`). */
const ASSUMED_MAP_ITEMS = 10;
const DEFAULT_OUTPUT_TOKENS = 256;

export interface DryRunOptions {
  workflow: Workflow;
  input: RunInput;
  /** Only the first `limit` items. */
  limit?: number;
  pricing: PricingTable;
}

export interface DryRunCosts {
  realtimeUsd: number;
  realtimeCachedUsd: number;
  batchApiUsd: number;
}

export interface DryRunOutcome {
  stats: RunStats;
  /** Null when no model could be priced. */
  costs: DryRunCosts | null;
  /** What the counts assume where the input cannot say (per node). */
  assumptions: string[];
}

interface NodeModel {
  facts: NodePromptFacts;
  cacheable: boolean;
  outputTokens: number;
  requestsPerRun: number;
  missing: Set<string>;
}

/** Expected output tokens: the cost estimate's when the IR has it, else the assumed length capped by max_tokens. */
function outputTokensOf(graph: WorkflowGraph, node: ModelNode): number {
  const estimate = graph.annotations.get(costAnnotation, node.id);
  if (estimate) return estimate.perRequest.outputTokens;
  return Math.min(node.maxTokens ?? DEFAULT_OUTPUT_TOKENS, DEFAULT_OUTPUT_TOKENS);
}

class DryRunWalk {
  private readonly analyser: PromptAnalyser;
  private readonly visits: ExpectedVisits;
  private readonly models = new Map<string, NodeModel>();
  /** Cache keys already written: one prefix shared by nodes is written once. */
  private readonly written = new Set<string>();
  readonly assumedMaps = new Set<string>();

  constructor(
    private readonly workflow: Workflow,
    private readonly stats: RunStats,
    private readonly pricing: PricingTable,
  ) {
    this.analyser = new PromptAnalyser(workflow);
    this.visits = analysisGetter(workflow)(expectedVisitsAnalysis);
  }

  private model(graph: WorkflowGraph, node: ModelNode): NodeModel {
    const key = `${graph.name}\u0000${node.id}`;
    let model = this.models.get(key);
    if (!model) {
      const facts = this.analyser.analyse(graph, node);
      model = {
        facts,
        cacheable: isPrefixCacheable(facts.prefixTokens, minCacheableTokens(this.pricing, facts.target)),
        outputTokens: outputTokensOf(graph, node),
        requestsPerRun: node.kind === "llm" && node.tools.length > 0 ? node.maxTurns : 1,
        missing: new Set(),
      };
      this.models.set(key, model);
    }
    return model;
  }

  /** Counts one state's visit of `graph`, `weight` times (expected runs of the graph for this item). */
  visit(graph: WorkflowGraph, state: Record<string, unknown>, weight: number): void {
    const perRun = this.visits.perGraphRun.get(graph.name);
    for (const node of graph.nodes()) {
      const runs = weight * (perRun?.get(node.id) ?? 0);
      if (runs === 0) continue;
      const record = this.stats.record.node({ graph: graph.name, node: node.id });
      record.items += runs;
      if (isModelCalling(node)) this.request(graph, node, state, runs);
      else if (node.kind === "subgraph") this.visit(this.workflow.graphByName(node.graph)!, state, runs);
      else if (node.kind === "map") {
        const body = this.workflow.graphByName(node.body)!;
        const list = readPath(state, node.over.split("."));
        if (Array.isArray(list)) for (const element of list) this.visit(body, { ...state, [node.as]: element }, runs);
        else {
          this.assumedMaps.add(`${graph.name}/${node.id}`);
          this.visit(body, state, runs * ASSUMED_MAP_ITEMS);
        }
      }
    }
  }

  private request(graph: WorkflowGraph, node: ModelNode, state: Record<string, unknown>, runs: number): void {
    const model = this.model(graph, node);
    const { inputTokens, missing } = renderedTokens(model.facts, state);
    for (const name of missing) model.missing.add(name);
    const requests = runs * model.requestsPerRun;
    const key = model.facts.cacheKey;
    // Given the batch plan, one request writes a cacheable prefix and every later one reads it.
    const writes = model.cacheable && !this.written.has(key) ? Math.min(1, requests) : 0;
    if (writes > 0) this.written.add(key);
    const cachedRequests = model.cacheable ? requests - writes : 0;
    const usage: ChatUsage = {
      promptTokens: inputTokens * requests,
      cachedTokens: model.facts.prefixTokens * cachedRequests,
      completionTokens: model.outputTokens * requests,
      cacheWriteTokens: 0,
    };
    const record = this.stats.record.node({ graph: graph.name, node: node.id });
    record.model = node.model ?? "";
    record.requests += requests;
    addUsage(record.usage, usage);
    this.stats.addModelUsage(node.model ?? "", usage);
    this.stats.modelRequests += requests;
  }

  assumptions(): string[] {
    const out: string[] = [];
    for (const model of this.models.values()) {
      const id = `${model.facts.graph}/${model.facts.node.id}`;
      if (model.missing.size > 0)
        out.push(`${id}: ${[...model.missing].join(", ")} not in the input (written during the run): ~150 tokens each`);
      out.push(`${id}: ~${model.outputTokens} output tokens per request`);
    }
    for (const map of this.assumedMaps) out.push(`${map}: its list is not in the input: ${ASSUMED_MAP_ITEMS} elements`);
    return out;
  }
}

function totalCosts(stats: RunStats, pricing: PricingTable): DryRunCosts | null {
  const costs: DryRunCosts = { realtimeUsd: 0, realtimeCachedUsd: 0, batchApiUsd: 0 };
  let priced = false;
  for (const [model, usage] of stats.usageByModel) {
    const cost = usageCost(model, usage, pricing);
    if (cost.basis === "unpriced") continue;
    priced = true;
    costs.realtimeUsd += cost.usd.realtime;
    costs.realtimeCachedUsd += cost.usd.realtimeCached;
    costs.batchApiUsd += cost.usd.batchCached;
  }
  return priced ? costs : null;
}

/** Whole tokens and requests: the counts were weighted by expected runs (branches split evenly). */
function roundCounts(stats: RunStats): void {
  const round = (usage: ChatUsage) => {
    for (const field of Object.keys(usage) as (keyof ChatUsage)[]) usage[field] = Math.round(usage[field]);
  };
  round(stats.usage);
  for (const usage of stats.usageByModel.values()) round(usage);
  stats.modelRequests = Math.round(stats.modelRequests);
  for (const node of stats.record.nodeRecords()) {
    round(node.usage);
    node.items = Math.round(node.items);
    node.requests = Math.round(node.requests);
  }
}

/** Goes over the input as a run would, calling no model (see the file comment). */
export async function dryRun(options: DryRunOptions): Promise<DryRunOutcome> {
  const { workflow } = options;
  const input = new InputSource(
    options.input,
    requiredFields(workflow),
    inputItemCheck(workflow.mainGraph.stateSchema),
    options.limit,
  );
  const stats = new RunStats();
  const walk = new DryRunWalk(workflow, stats, options.pricing);
  for await (const record of input.records()) {
    stats.items++;
    if (record.kind === "invalid") {
      stats.failed++;
      stats.record.failedItem(record.id, null, record.error);
      continue;
    }
    stats.succeeded++;
    walk.visit(workflow.mainGraph, record.state, 1);
  }
  stats.expectedItems = stats.items;
  roundCounts(stats);
  return { stats, costs: totalCosts(stats, options.pricing), assumptions: walk.assumptions() };
}
