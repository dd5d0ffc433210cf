// What a chunk cost, as the worker that ran it records it (requests, retries, tokens by model), and the sum the
// coordinator's run report is made of.
import { addUsage, emptyUsage, type ChatUsage } from "../runtime/chat.js";
import type { RunStats } from "../runtime/run-stats.js";

const COUNTERS = [
  "modelRequests",
  "warmupRequests",
  "retries",
  "timeouts",
  "batchesFlushed",
  "toolCalls",
  "toolExecutions",
  "toolCacheHits",
] as const;

export interface ChunkStats {
  counters: Partial<Record<(typeof COUNTERS)[number], number>>;
  usage: ChatUsage;
  warmupUsage: ChatUsage;
  usageByModel: Record<string, ChatUsage>;
}

export function chunkStatsOf(stats: RunStats): ChunkStats {
  return {
    counters: Object.fromEntries(COUNTERS.map((name) => [name, stats[name]])),
    usage: { ...stats.usage },
    warmupUsage: { ...stats.warmupUsage },
    usageByModel: Object.fromEntries(stats.usageByModel),
  };
}

/** Adds a chunk's costs to the run's stats. */
export function addChunkStats(stats: RunStats, chunk: ChunkStats): void {
  for (const name of COUNTERS) stats[name] += chunk.counters[name] ?? 0;
  addUsage(stats.usage, chunk.usage);
  addUsage(stats.warmupUsage, chunk.warmupUsage);
  for (const [model, usage] of Object.entries(chunk.usageByModel)) {
    let total = stats.usageByModel.get(model);
    if (!total) stats.usageByModel.set(model, (total = emptyUsage()));
    addUsage(total, usage);
  }
}
