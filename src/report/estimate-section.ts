// The estimate `nexus build --report` made next to what the run measured: cache-hit share, tokens and dollars per
// item, so users learn how far to trust the estimate (and which assumption to correct).
import type { RunReport } from "../runtime/run-report.js";
import { formatUsd } from "../util/units.js";
import { escapeHtml, formatCount, formatShare, htmlTable } from "./html.js";

function ratio(measured: number | null, estimated: number | null): string {
  if (measured === null || estimated === null || estimated === 0) return "—";
  return `${(measured / estimated).toFixed(2)}×`;
}

export function estimateSection(report: RunReport): string {
  const estimate = report.plan?.estimate;
  if (!estimate) return "<p>No estimate: the report carries no compiler plan.</p>";
  const ran = Math.max(0, report.items - report.resumed);
  const perItem = (n: number) => (ran > 0 ? n / ran : null);
  const measuredShare = report.promptTokens ? report.cachedPromptTokens / report.promptTokens : null;
  const per1k = (usd: number | null) => (usd === null || ran === 0 ? null : (usd / ran) * 1000);
  const usd = estimate.usdPer1kItems;
  const rows: [string, number | null, number | null, (n: number) => string][] = [
    ["cache-hit share of input tokens", estimate.expectedCachedShare, measuredShare, formatShare],
    ["input tokens per item", estimate.inputTokensPerItem, perItem(report.promptTokens), (n) => formatCount(n)],
    ["output tokens per item", estimate.outputTokensPerItem, perItem(report.completionTokens), (n) => formatCount(n)],
    ["cost per 1,000 items (as run)", usd?.asCompiled ?? null, per1k(report.estimatedCostUsd), formatUsd],
    ["cost per 1,000 items (realtime, no cache)", usd?.realtime ?? null, per1k(report.realtimeCostUsd), formatUsd],
  ];
  const cells = rows.map(([name, estimated, measured, format]) => [
    escapeHtml(name),
    estimated === null ? "—" : escapeHtml(format(estimated)),
    measured === null ? "—" : escapeHtml(format(measured)),
    ratio(measured, estimated),
  ]);
  const measured = report.dryRun ? "counted (dry run)" : "measured";
  return htmlTable("estimate", ["", "estimated (build --report)", measured, `${measured} / estimated`], cells);
}
