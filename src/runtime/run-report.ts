// The run report: what a run did, in numbers users can check against their bills and engine metrics.
import { formatTable } from "../cli/shared.js";
import type { RunCost } from "./run-cost.js";
import type { RunStats } from "./run-stats.js";

export interface RunReport {
  workflow: string;
  backend: string;
  items: number;
  succeeded: number;
  failed: number;
  resumed: number;
  wallSeconds: number;
  modelRequests: number;
  warmupRequests: number;
  retries: number;
  batchesFlushed: number;
  promptTokens: number;
  cachedPromptTokens: number;
  completionTokens: number;
  cacheWriteTokens: number;
  toolCalls: number;
  toolExecutions: number;
  toolCacheHits: number;
  /** Dollars for these tokens (cached share priced as cache reads; GPU time for self-hosted), null when unpriced. */
  estimatedCostUsd: number | null;
  /** The same tokens as realtime calls without prompt caching. */
  realtimeCostUsd: number | null;
  costBasis: string[];
  interrupted: boolean;
  backendMetrics?: Record<string, number>;
  /** What the backend adds (provider batches: batches submitted, per-status counts, discounted cost). */
  backendReport?: Record<string, unknown>;
}

export function buildRunReport(
  stats: RunStats,
  fields: {
    workflow: string;
    backend: string;
    interrupted: boolean;
    cost: RunCost | null;
    backendMetrics?: Record<string, number>;
    backendReport?: Record<string, unknown>;
  },
): RunReport {
  return {
    workflow: fields.workflow,
    backend: fields.backend,
    items: stats.items,
    succeeded: stats.succeeded,
    failed: stats.failed,
    resumed: stats.resumed,
    wallSeconds: Number(stats.elapsedSeconds.toFixed(3)),
    modelRequests: stats.modelRequests,
    warmupRequests: stats.warmupRequests,
    retries: stats.retries,
    batchesFlushed: stats.batchesFlushed,
    promptTokens: stats.usage.promptTokens,
    cachedPromptTokens: stats.usage.cachedTokens,
    completionTokens: stats.usage.completionTokens,
    cacheWriteTokens: stats.usage.cacheWriteTokens,
    toolCalls: stats.toolCalls,
    toolExecutions: stats.toolExecutions,
    toolCacheHits: stats.toolCacheHits,
    estimatedCostUsd: fields.cost ? Number(fields.cost.usd.toFixed(6)) : null,
    realtimeCostUsd: fields.cost ? Number(fields.cost.realtimeUsd.toFixed(6)) : null,
    costBasis: fields.cost?.basis ?? [],
    interrupted: fields.interrupted,
    ...(fields.backendReport ? { backendReport: fields.backendReport } : {}),
    ...(fields.backendMetrics && Object.keys(fields.backendMetrics).length
      ? { backendMetrics: fields.backendMetrics }
      : {}),
  };
}

export function formatRunReport(report: RunReport): string {
  const share = report.promptTokens
    ? ` (${((report.cachedPromptTokens / report.promptTokens) * 100).toFixed(1)}%)`
    : "";
  const rows: [string, string | number][] = [
    ["items", report.items],
    ["succeeded", report.succeeded],
    ["failed", report.failed],
    ...(report.resumed ? [["already done (resumed)", report.resumed] as [string, number]] : []),
    ["wall seconds", report.wallSeconds.toFixed(2)],
    [
      "model requests",
      `${report.modelRequests} (+${report.warmupRequests} prefix warm-ups, ${report.retries} retries)`,
    ],
    ["prompt tokens", report.promptTokens],
    ["cached prompt tokens", `${report.cachedPromptTokens}${share}`],
    ["completion tokens", report.completionTokens],
    ["tool calls", report.toolCalls],
    ["tool executions", `${report.toolExecutions} (${report.toolCacheHits} cache hits)`],
    [
      "estimated cost",
      report.estimatedCostUsd === null
        ? "n/a (no model in the pricing table)"
        : `$${report.estimatedCostUsd.toFixed(4)} (realtime without caching: $${report.realtimeCostUsd!.toFixed(4)}; ${report.costBasis.join(", ")})`,
    ],
  ];
  return (
    `run report: ${report.workflow} on ${report.backend}${report.interrupted ? " (interrupted)" : ""}\n` +
    formatTable(["", "value"], rows)
  );
}
