// The tool pool: runs tool calls for every item of a run. Identical concurrent calls of a coalescable tool share one
// execution; results of deterministic and cacheable tools are kept for their TTL (deterministic: the run); per-tool rate limits space executions out.
// A failing tool rejects its callers with ToolError; it never crashes the run.
import type { ToolDefinition } from "../../ir/types.js";
import type { RunStats } from "../run-stats.js";
import type { Workflow } from "../../ir/workflow.js";
import {
  coalesceAnnotation,
  coalesceDecisionFor,
  toolCallKey,
  type CoalesceDecision,
} from "../../ir/annotations/coalesce.js";
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

/** GET tools without a declared TTL: the tool-coalescing pass's default, for IRs built without the pass. */
const DEFAULT_GET_CACHE_TTL_MS = 300_000;

/** Most results kept at once; past it the oldest is dropped (and its call executes again if it comes back). */
const MAX_CACHED_RESULTS = 100_000;

/**
 * How calls of a tool may be shared: the `coalesce` annotation the tool-coalescing pass recorded in the IR, or the
 * same decision computed here when the IR was built without the pass (`-O0`, `-O1`).
 */
export function coalesceDecisionsOf(workflow: Workflow): (tool: ToolDefinition) => CoalesceDecision {
  const decisions = new Map<string, CoalesceDecision>();
  return (tool) => {
    let decision = decisions.get(tool.name);
    if (!decision) {
      decision =
        workflow.toolAnnotations.get(coalesceAnnotation, tool.name) ??
        coalesceDecisionFor(tool, DEFAULT_GET_CACHE_TTL_MS);
      decisions.set(tool.name, decision);
    }
    return decision;
  };
}

export class ToolPool {
  private readonly inflight = new Map<string, Promise<unknown>>();
  private readonly cache = new Map<string, { value: unknown; expiresAt: number }>();
  private readonly limiters = new Map<string, RateLimiter>();

  constructor(
    private readonly execute: ToolExecutor,
    private readonly stats: RunStats,
    private readonly decisionOf: (tool: ToolDefinition) => CoalesceDecision,
  ) {}

  async call(tool: ToolDefinition, args: Record<string, unknown>): Promise<unknown> {
    this.stats.toolCalls++;
    const decision = this.decisionOf(tool);
    const coalesce = decision.shareConcurrentCalls;
    // A cached result lives for the recorded TTL, or for the whole run when none is recorded.
    const cacheTtlMs = decision.cacheResults ? (decision.ttlMs ?? Number.POSITIVE_INFINITY) : 0;
    if (!coalesce && cacheTtlMs === 0) return this.run(tool, args);
    const key = toolCallKey(tool.name, decision, args);
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
        if (cacheTtlMs > 0) this.remember(key, value, cacheTtlMs);
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

  private remember(key: string, value: unknown, ttlMs: number): void {
    if (this.cache.size >= MAX_CACHED_RESULTS) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { value, expiresAt: Date.now() + ttlMs });
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
