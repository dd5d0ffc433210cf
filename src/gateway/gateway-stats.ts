// What the gateway counts, per client and in total, for `/nexus/stats` (JSON) and `/metrics` (Prometheus text, with
// vLLM's metric names where one exists). A client is named by its `x-nexus-client` header, else the body's `user`
// (OpenAI) or `metadata.user_id` (Anthropic), else "anonymous"; never by its key.
import type { ChatUsage } from "../runtime/chat.js";

export interface ClientStats {
  requests: number;
  succeeded: number;
  failed: number;
  rejected: number;
  promptTokens: number;
  cachedTokens: number;
  completionTokens: number;
  /** Sum of request durations, ms (for the mean). */
  totalMs: number;
}

export type RejectionReason = "unauthorized" | "queue-full" | "timeout-too-short" | "bad-request";

const LATENCY_WINDOW = 10_000;
const CLIENT_NAME = /[^A-Za-z0-9._:@-]/g;

export function clientName(header: string | undefined, bodyUser: string | undefined): string {
  const name = (header ?? bodyUser ?? "anonymous").replace(CLIENT_NAME, "_").slice(0, 64);
  return name === "" ? "anonymous" : name;
}

function emptyClientStats(): ClientStats {
  return {
    requests: 0,
    succeeded: 0,
    failed: 0,
    rejected: 0,
    promptTokens: 0,
    cachedTokens: 0,
    completionTokens: 0,
    totalMs: 0,
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

export class GatewayStats {
  readonly startedAt = Date.now();
  readonly clients = new Map<string, ClientStats>();
  readonly rejected: Record<RejectionReason, number> = {
    unauthorized: 0,
    "queue-full": 0,
    "timeout-too-short": 0,
    "bad-request": 0,
  };
  /** Requests the gateway holds now (queued in the accumulator or at the backend). */
  inflight = 0;
  /** The last durations, ms, for percentiles. */
  private readonly latencies: number[] = [];
  private latencyAt = 0;

  client(name: string): ClientStats {
    let stats = this.clients.get(name);
    if (!stats) this.clients.set(name, (stats = emptyClientStats()));
    return stats;
  }

  reject(name: string, reason: RejectionReason): void {
    this.rejected[reason]++;
    this.client(name).rejected++;
  }

  finish(name: string, ms: number, usage?: ChatUsage): void {
    const stats = this.client(name);
    stats.totalMs += ms;
    if (this.latencies.length < LATENCY_WINDOW) this.latencies.push(ms);
    else this.latencies[this.latencyAt++ % LATENCY_WINDOW] = ms;
    if (!usage) {
      stats.failed++;
      return;
    }
    stats.succeeded++;
    stats.promptTokens += usage.promptTokens;
    stats.cachedTokens += usage.cachedTokens;
    stats.completionTokens += usage.completionTokens;
  }

  latencyMs(): { p50: number; p90: number; p99: number } {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return { p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), p99: percentile(sorted, 0.99) };
  }

  totals(): ClientStats {
    const total = emptyClientStats();
    for (const stats of this.clients.values())
      for (const key of Object.keys(total) as (keyof ClientStats)[]) total[key] += stats[key];
    return total;
  }
}
