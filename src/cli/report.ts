// `nexus build --report`: what the optimizer decided, in a few tables. Model-calling nodes by mode, one table per
// batch group (cache keys, shared-prefix tokens, per-item tokens), nodes left unbatched and why, tools that coalesce,
// the expected cache-hit share of input tokens, and the estimated cost per 1,000 items realtime vs batched.
import type { Workflow, WorkflowGraph } from "../ir/workflow.js";
import { formatPercent, formatUsd } from "../util/units.js";
import { batchAnnotation, type BatchDecision } from "../ir/annotations/batch.js";
import { coalesceAnnotation } from "../ir/annotations/coalesce.js";
import { costAnnotation, type CostEstimate } from "../ir/annotations/cost.js";
import { asCompiledUsdPerItem, compiledEstimate } from "../printers/workflow-plan.js";
import { packReport } from "./pack-report.js";
import { formatTable } from "./shared.js";

interface NodeRow {
  graph: WorkflowGraph;
  id: string;
  batch: BatchDecision;
  cost?: CostEstimate;
}

function collect(workflow: Workflow): NodeRow[] {
  const rows: NodeRow[] = [];
  for (const { graph, node } of workflow.allNodes()) {
    const batch = graph.annotations.get(batchAnnotation, node.id);
    if (batch) rows.push({ graph, id: node.id, batch, cost: graph.annotations.get(costAnnotation, node.id) });
  }
  return rows;
}

/** Text with every line indented by two spaces. */
function indent(text: string): string {
  return text.replace(/^(?=.)/gm, "  ");
}

function nodeName(row: NodeRow, workflow: Workflow): string {
  return workflow.graphs.length > 1 ? `${row.graph.name}/${row.id}` : row.id;
}

function groupTables(rows: NodeRow[], workflow: Workflow): string[] {
  const out: string[] = [];
  const groups = [...new Set(rows.filter((r) => r.batch.eligible).map((r) => r.batch.group!))];
  for (const group of groups) {
    const members = rows.filter((r) => r.batch.group === group);
    const keys = new Map(members.map((r) => [r.batch.cacheKey, r.batch.prefixTokens]));
    const shared = [...keys.values()].reduce((sum, n) => sum + n, 0);
    const { mode, model } = members[0].batch;
    out.push(
      `group ${group}: ${mode}, ${model}, ${members.length} node(s), ${keys.size} distinct prefix(es), ${shared} shared-prefix tokens`,
    );
    const table = members.map((r) => [
      nodeName(r, workflow),
      r.batch.cacheKey.slice(0, 8),
      `${r.batch.prefixTokens}`,
      r.batch.prefixCacheable ? "yes" : `no (<${r.batch.minCacheableTokens})`,
      r.cost ? `${r.cost.perRequest.inputTokens - r.batch.prefixTokens}` : "-",
      `${r.batch.maxBatchSize}`,
      `${r.batch.maxWaitMs}`,
      `${r.batch.priority}`,
    ]);
    out.push(
      indent(formatTable(["node", "key", "prefix tok", "cached", "per-item tok", "size<=", "wait ms", "prio"], table)),
    );
  }
  return out;
}

/** Dollars per item as compiled: batched modes at the batch price, realtime at the cached realtime price. */
const asCompiled = (row: NodeRow): number => asCompiledUsdPerItem(row.batch, row.cost);

function costTable(rows: NodeRow[]): string[] {
  const priced = rows.filter((r) => r.cost?.usdPerItem);
  const sum = (basis: string, pick: (r: NodeRow) => number) =>
    priced.filter((r) => r.cost!.basis === basis).reduce((total, r) => total + pick(r) * 1000, 0);
  const scenarios: [string, (r: NodeRow) => number][] = [
    ["realtime", (r) => r.cost!.usdPerItem!.realtime],
    ["realtime + prompt cache", (r) => r.cost!.usdPerItem!.realtimeCached],
    ["batched + cache", (r) => r.cost!.usdPerItem!.batchCached],
    ["as compiled (each node's mode)", asCompiled],
  ];
  const table = scenarios.map(([name, pick]) => [
    name,
    formatUsd(sum("provider-price", pick)),
    formatUsd(sum("gpu-time", pick)),
  ]);
  const out = ["estimated cost per 1,000 items:", indent(formatTable(["scenario", "provider $", "GPU-time $"], table))];
  const unpriced = rows.filter((r) => r.cost && !r.cost.usdPerItem).map((r) => r.id);
  if (unpriced.length > 0) out.push(`unpriced (no price in the table): ${unpriced.join(", ")}`);
  const asOf = rows.find((r) => r.cost)?.cost?.pricingAsOf;
  if (asOf) out.push(`prices as of ${asOf}; assumptions per node: nexus inspect --node ID`);
  return out;
}

/** The report text; empty-handed workflows get one line saying so. */
export function printBuildReport(workflow: Workflow): string {
  const rows = collect(workflow);
  if (rows.length === 0)
    return "optimizer report: no model-calling nodes (run at -O2, or add batch-optimization to --passes)\n";
  const byMode = (mode: string) => rows.filter((r) => r.batch.mode === mode).length;
  const out = [
    `optimizer report for ${workflow.name}`,
    `model-calling nodes: ${rows.length} (engine ${byMode("engine")}, provider-batch ${byMode("provider-batch")}, realtime ${byMode("realtime")})`,
    "",
    ...groupTables(rows, workflow),
  ];
  const unbatched = rows.filter((r) => !r.batch.eligible);
  if (unbatched.length > 0) {
    out.push(
      "not batched:",
      ...unbatched.map((r) => `  ${nodeName(r, workflow)} (${r.batch.mode}): ${r.batch.reason ?? ""}`),
      "",
    );
  }
  const tools = workflow.tools.flatMap((tool) => {
    const decision = workflow.toolAnnotations.get(coalesceAnnotation, tool.name);
    if (!decision) return [];
    const what = [decision.shareConcurrentCalls && "shares identical calls", decision.cacheResults && "caches results"];
    const verdict = what.filter(Boolean).join(", ") || "runs every call";
    return [`  ${tool.name}: ${verdict} (${decision.because})`];
  });
  if (tools.length > 0) out.push("tools:", ...tools, "");
  const packed = packReport(workflow);
  if (packed) out.push(packed.heading, indent(packed.table), "");
  const estimate = compiledEstimate(workflow);
  const input = estimate.inputTokensPerItem;
  const cached = estimate.cachedTokensPerItem;
  if (input > 0)
    out.push(
      `expected cache-hit share of input tokens: ${formatPercent(estimate.expectedCachedShare)} (${cached} of ${input} per item)`,
      "",
    );
  out.push(...costTable(rows));
  return out.join("\n") + "\n";
}
