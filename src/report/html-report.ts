// `nexus run --html FILE` and `nexus report run.json -o FILE`: the run report as one self-contained HTML page (styles
// and its one small script inline, pictures as inline SVG drawn when the page is written; it loads nothing). From a
// run report that carries the compiler's plan and the run record: the graph coloured by cost or time, the per-node
// table, the timeline, the estimate next to the measured numbers, and the failed items with a filter.
import type { RunReport } from "../runtime/run-report.js";
import { formatUsd } from "../util/units.js";
import { dryRunSection } from "./dry-run-section.js";
import { estimateSection } from "./estimate-section.js";
import { FAILED_ITEMS_SCRIPT, failedItemsSection } from "./failed-items.js";
import { graphSvg } from "./graph-svg.js";
import { escapeHtml, formatCount, formatShare } from "./html.js";
import { nodeShares } from "./node-shares.js";
import { nodeTable } from "./node-table.js";
import { timelineCharts } from "./timeline-svg.js";
import { REPORT_STYLES } from "./report-styles.js";

/** Thrown for a report that cannot be drawn (no plan: written by a Nexus without one). */
export class ReportDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReportDataError";
  }
}

function summary(report: RunReport): string {
  const facts: [string, string][] = [
    ["items", formatCount(report.items)],
    ["succeeded", formatCount(report.succeeded)],
    ["failed", formatCount(report.failed)],
    ...(report.resumed ? [["already done (resumed)", formatCount(report.resumed)] as [string, string]] : []),
    ["wall time", `${report.wallSeconds.toFixed(1)} s`],
    ["model requests", formatCount(report.modelRequests)],
    ["cached prompt tokens", report.promptTokens ? formatShare(report.cachedPromptTokens / report.promptTokens) : "—"],
    ["estimated cost", report.estimatedCostUsd === null ? "unpriced" : formatUsd(report.estimatedCostUsd)],
  ];
  return `<dl class="summary">${facts.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join("")}</dl>`;
}

export function renderHtmlReport(report: RunReport): string {
  const plan = report.plan;
  if (!plan) throw new ReportDataError("the run report has no compiler plan (write it again with this nexus)");
  const shares = nodeShares(report.record);
  const title = `${report.dryRun ? "Dry run" : "Run"} report: ${report.workflow}`;
  const graphs = plan.graphs
    .map(
      (graph, index) =>
        `<figure><figcaption>graph <b>${escapeHtml(graph.name)}</b></figcaption>${graphSvg(graph, report.record, shares, index, !report.dryRun)}</figure>`,
    )
    .join("\n");
  const measure = shares.measure === "cost" ? "estimated cost" : "time at the backend";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${REPORT_STYLES}</style>
</head>
<body>
<header><h1>${escapeHtml(title)}</h1><p>on <code>${escapeHtml(report.backend)}</code>${report.interrupted ? " · <b>interrupted</b>" : ""}${report.dryRun ? " · no model was called: tokens from the rendered prompts, outputs as estimated" : ""}</p></header>
${summary(report)}
<section id="graph-section"><h2>Workflow</h2><p class="note">Nodes are coloured by their share of the run's ${measure}; ${report.dryRun ? "" : "edges say how many items took them."}</p>${graphs}</section>
<section id="nodes-section"><h2>Per node</h2>${nodeTable(plan.graphs, shares)}</section>
${report.dryRun ? `<section id="dry-run-section"><h2>Cost before spending</h2>${dryRunSection(report)}</section>` : `<section id="timeline-section"><h2>Timeline</h2>${report.record ? timelineCharts(report.record.timeline) : "<p>No timeline recorded.</p>"}</section>`}
<section id="estimate-section"><h2>Estimate and measurement</h2>${estimateSection(report)}</section>
<section id="failed-section"><h2>Failed items</h2>${failedItemsSection(report.record)}</section>
<script>${FAILED_ITEMS_SCRIPT}</script>
</body>
</html>
`;
}
