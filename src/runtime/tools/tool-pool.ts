// The tool pool: runs tool calls for every item of a run. Identical concurrent calls of a coalescable tool share one
// execution; results of cacheable tools are kept for their TTL; per-tool rate limits space executions out.
// A failing tool rejects its callers with ToolError; it never crashes the run.
import type { ToolDefinition } from "../../ir/types.js";
import type { RunStats } from "../run-stats.js";
import { canonicalArguments } from "./canonical-arguments.js";
import { RateLimiter } from "./rate-limiter.js";

export class ToolError extends Error {
  constructor(
    readonly tool: string,
    message: string,
  ) {
    super(`tool '${tool}' failed: ${message}`);
    this.name = "ToolError";
  }
}

/** Runs one tool call; implemented per protocol in ./executors.ts. */
export type ToolExecutor = (tool: ToolDefinition, args: Record<string, unknown>) => Promise<unknown>;

/** How calls of one tool may be shared (from the tool-coalescing pass, or the tool's own flags). */
export interface ToolSharing {
  coalesce: boolean;
  cacheTtlMs: number;
}

export function sharingOf(tool: ToolDefinition): ToolSharing {
  const readOnlyHttp = tool.protocol === "http" && String(tool.config.method ?? "POST").toUpperCase() === "GET";
  return {
    coalesce: tool.deterministic || tool.cacheable || readOnlyHttp,
    cacheTtlMs: tool.cacheable ? (tool.cacheTtlMs ?? 3_600_000) : 0,
  };
}

export class ToolPool {
  private readonly inflight = new Map<string, Promise<unknown>>();
  private readonly cache = new Map<string, { value: unknown; expiresAt: number }>();
  private readonly limiters = new Map<string, RateLimiter>();

  constructor(
    private readonly execute: ToolExecutor,
    private readonly stats: RunStats,
    private readonly sharing: (tool: ToolDefinition) => ToolSharing = sharingOf,
  ) {}

  async call(tool: ToolDefinition, args: Record<string, unknown>): Promise<unknown> {
    this.stats.toolCalls++;
    const { coalesce, cacheTtlMs } = this.sharing(tool);
    if (!coalesce && cacheTtlMs === 0) return this.run(tool, args);
    const key = `${tool.name}\u0000${canonicalArguments(args)}`;
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > Date.now()) {
      this.stats.toolCacheHits++;
      return cached.value;
    }
    const running = this.inflight.get(key);
    if (running) return running;
    const execution = this.run(tool, args).then(
      (value) => {
        this.inflight.delete(key);
        if (cacheTtlMs > 0) this.cache.set(key, { value, expiresAt: Date.now() + cacheTtlMs });
        return value;
      },
      (error: unknown) => {
        this.inflight.delete(key);
        throw error;
      },
    );
    if (coalesce) this.inflight.set(key, execution);
    return execution;
  }

  private async run(tool: ToolDefinition, args: Record<string, unknown>): Promise<unknown> {
    if (tool.rateLimit) {
      let limiter = this.limiters.get(tool.name);
      if (!limiter) this.limiters.set(tool.name, (limiter = new RateLimiter(tool.rateLimit)));
      await limiter.take();
    }
    this.stats.toolExecutions++;
    try {
      return await this.execute(tool, args);
    } catch (error) {
      throw error instanceof ToolError ? error : new ToolError(tool.name, (error as Error).message ?? String(error));
    }
  }
}
