// The per-node table: what each node did (items, requests, tokens, cached share, latency percentiles, retries,
// errors, cost) and, side by side, the batch settings the compiler chose and what the run observed.
import type { PlannedGraph, PlannedNode } from "../printers/workflow-plan.js";
import type { NodeData } from "../runtime/record/node-record.js";
import { escapeHtml, formatCount, formatMs, formatShare, htmlTable } from "./html.js";
import type { NodeShares } from "./node-shares.js";
import { formatUsd } from "../util/units.js";

const HEAD = [
  "node",
  "items",
  "requests",
  "prompt tok",
  "cached tok",
  "cached",
  "completion tok",
  "p50",
  "p95",
  "p99",
  "retries",
  "errors",
  "est. cost",
  "share",
  "planned batch",
  "observed batch",
];

function planned(node: PlannedNode): string {
  const batch = node.batch;
  if (!batch) return "—";
  if (!batch.eligible) return `${escapeHtml(batch.mode)}, unbatched`;
  return escapeHtml(`${batch.mode}: size ≤ ${batch.maxBatchSize}, wait ≤ ${formatMs(batch.maxWaitMs)}`);
}

function observed(data: NodeData | undefined): string {
  if (!data || data.flushes === 0) return "—";
  return escapeHtml(
    `size ${data.meanBatchSize} mean, ${data.maxBatchSize} max (${formatCount(data.flushes)} flushes); wait p50 ${formatMs(data.wait.p50Ms)}, p95 ${formatMs(data.wait.p95Ms)}`,
  );
}

function row(graph: PlannedGraph, node: PlannedNode, shares: NodeShares, qualified: boolean): string[] {
  const data = shares.data(graph.name, node.id);
  const name = `<b>${escapeHtml(qualified ? `${graph.name}/${node.id}` : node.id)}</b> <span class="kind">${node.kind}</span>`;
  if (!data) return [name, "0", ...Array<string>(HEAD.length - 4).fill("—"), planned(node), "—"];
  const requested = data.requests > 0 || data.latency.count > 0;
  const dash = (text: string) => (requested ? text : "—");
  return [
    name,
    formatCount(data.items),
    formatCount(data.requests),
    dash(formatCount(data.promptTokens)),
    dash(formatCount(data.cachedTokens)),
    dash(data.promptTokens ? formatShare(data.cachedTokens / data.promptTokens) : "0.0%"),
    dash(formatCount(data.completionTokens)),
    ...[data.latency.p50Ms, data.latency.p95Ms, data.latency.p99Ms].map((ms) =>
      data.latency.count > 0 ? formatMs(ms) : "—",
    ),
    formatCount(data.retries),
    formatCount(data.errors),
    data.costUsd === null ? "—" : formatUsd(data.costUsd),
    formatShare(shares.share(graph.name, node.id)),
    planned(node),
    observed(data),
  ];
}

export function nodeTable(graphs: PlannedGraph[], shares: NodeShares): string {
  const qualified = graphs.length > 1;
  const rows = graphs.flatMap((graph) => graph.nodes.map((node) => row(graph, node, shares, qualified)));
  return htmlTable("nodes", HEAD, rows, (column) => column > 0 && column < HEAD.length - 2);
}
