// The run report: what a run did, in numbers users can check against their bills and engine metrics.
import type { WorkflowPlan } from "../printers/workflow-plan.js";
import type { ChatUsage } from "./chat.js";
import type { RunRecordData } from "./record/run-record.js";
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
  /** Attempts that got no answer within the request timeout. */
  timeouts: number;
  batchesFlushed: number;
  promptTokens: number;
  cachedPromptTokens: number;
  completionTokens: number;
  cacheWriteTokens: number;
  /** Tokens of the prefix warm-ups, not part of the totals above (which are the items' own), but in the cost. */
  warmupPromptTokens: number;
  warmupCachedPromptTokens: number;
  warmupCompletionTokens: number;
  toolCalls: number;
  toolExecutions: number;
  toolCacheHits: number;
  /** Model calls answered by another item's identical request (identical-call-memoization, -O3). */
  memoizedCalls: number;
  /** Dollars for these tokens (cached share priced as cache reads; GPU time for self-hosted), null when unpriced. */
  estimatedCostUsd: number | null;
  /** The same tokens as realtime calls without prompt caching. */
  realtimeCostUsd: number | null;
  costBasis: string[];
  interrupted: boolean;
  backendMetrics?: Record<string, number>;
  /** What the backend adds (provider batches: batches submitted, per-status counts, discounted cost). */
  backendReport?: Record<string, unknown>;
  /** True for `nexus run --dry-run`: no model was called; tokens come from the rendered prompts. */
  dryRun?: boolean;
  /** Dry runs: what the counts assume where the input cannot say (outputs, fields written during the run). */
  assumptions?: string[];
  /** What the compiler planned (graphs, batch decisions, the build estimate): for `nexus report` and --html. */
  plan?: WorkflowPlan;
  /** Per node, per time bucket and per edge, and the failed items (see src/runtime/record/). */
  record?: RunRecordData;
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
    plan?: WorkflowPlan;
    /** Dollars for one node's tokens (see usagePricer), for the record's per-node cost. */
    price?: (model: string, usage: ChatUsage) => number | null;
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
    timeouts: stats.timeouts,
    batchesFlushed: stats.batchesFlushed,
    promptTokens: stats.usage.promptTokens,
    cachedPromptTokens: stats.usage.cachedTokens,
    completionTokens: stats.usage.completionTokens,
    cacheWriteTokens: stats.usage.cacheWriteTokens,
    warmupPromptTokens: stats.warmupUsage.promptTokens,
    warmupCachedPromptTokens: stats.warmupUsage.cachedTokens,
    warmupCompletionTokens: stats.warmupUsage.completionTokens,
    toolCalls: stats.toolCalls,
    toolExecutions: stats.toolExecutions,
    toolCacheHits: stats.toolCacheHits,
    memoizedCalls: stats.memoizedCalls,
    estimatedCostUsd: fields.cost ? Number(fields.cost.usd.toFixed(6)) : null,
    realtimeCostUsd: fields.cost ? Number(fields.cost.realtimeUsd.toFixed(6)) : null,
    costBasis: fields.cost?.basis ?? [],
    interrupted: fields.interrupted,
    ...(fields.backendReport ? { backendReport: fields.backendReport } : {}),
    ...(fields.backendMetrics && Object.keys(fields.backendMetrics).length
      ? { backendMetrics: fields.backendMetrics }
      : {}),
    ...(fields.plan ? { plan: fields.plan } : {}),
    record: stats.record.toJSON(fields.price ?? (() => null)),
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
      `${report.modelRequests} (+${counted(report.warmupRequests, "prefix warm-up")}, ${counted(report.retries, "retry", "retries")}${report.timeouts ? `, ${counted(report.timeouts, "timeout")}` : ""})`,
    ],
    [
      "prompt tokens",
      `${report.promptTokens}${report.warmupRequests ? ` (+${report.warmupPromptTokens} in prefix warm-ups, ${report.warmupCachedPromptTokens} of them cached)` : ""}`,
    ],
    ["cached prompt tokens", `${report.cachedPromptTokens}${share}`],
    ["completion tokens", report.completionTokens],
    ...(report.memoizedCalls ? [["memoized model calls", report.memoizedCalls] as [string, number]] : []),
    ["tool calls", report.toolCalls],
    ["tool executions", `${report.toolExecutions} (${report.toolCacheHits} cache hits)`],
    [
      "estimated cost",
      report.estimatedCostUsd === null
        ? "n/a (no model in the pricing table)"
        : `$${report.estimatedCostUsd.toFixed(4)} (realtime without caching: $${report.realtimeCostUsd!.toFixed(4)}; ${report.costBasis.join(", ")})`,
    ],
  ];
  for (const [key, value] of Object.entries(report.backendReport ?? {}))
    rows.push([humanKey(key), compactValue(value)]);
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
  return `${report.dryRun ? "dry run report (no model called)" : "run report"}: ${report.workflow} on ${report.backend}${report.interrupted ? " (interrupted)" : ""}\n${lines.join("\n")}\n`;
}

/** `1 retry`, `2 retries`. */
function counted(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** `batchesSubmitted` -> `batches submitted`. */
function humanKey(key: string): string {
  return key.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

/** A backend report value on one line: numbers as they are, dollars to 4 places, objects as `key=value` pairs. */
function compactValue(value: unknown): string {
  if (value === null || typeof value !== "object") return String(value);
  if (Array.isArray(value)) return value.length ? value.map(compactValue).join(", ") : "none";
  const entries = Object.entries(value as Record<string, unknown>).filter(
    ([, v]) => !(Array.isArray(v) && v.length === 0),
  );
  if (entries.length === 0) return "none";
  return entries
    .map(
      ([k, v]) => `${humanKey(k)}=${typeof v === "number" && /usd$/i.test(k) ? `$${v.toFixed(4)}` : compactValue(v)}`,
    )
    .join(" ");
}
