// The run report: what a run did, in numbers users can check against their bills and engine metrics.
import { formatTable } from "../cli/shared.js";
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
  /** Dollars at list price for these tokens (with the cached share priced as cache reads), or null when unpriced. */
  estimatedCostUsd: number | null;
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
    estimatedCostUsd: number | null;
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
    estimatedCostUsd: fields.estimatedCostUsd,
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
        ? "n/a (self-hosted or unpriced model)"
        : `$${report.estimatedCostUsd.toFixed(4)}`,
    ],
  ];
  return (
    `run report: ${report.workflow} on ${report.backend}${report.interrupted ? " (interrupted)" : ""}\n` +
    formatTable(["", "value"], rows)
  );
}
