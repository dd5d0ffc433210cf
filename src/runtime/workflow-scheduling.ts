// What the -O3 annotations ask of each model call, in one place (called by model-call.ts):
//   remainingWork   the engine priority, raised by one turn's worth for each turn the item already made at the node;
//   retention       a keep-alive for turns that may call a tool: the annotation's (the declared or default tool
//                   latency plus the margin), or longer when the measured time from an answer to the item's next
//                   request at the node (the tool and the client's own work, in engine time) plus the margin is;
//                   and, while the engine's KV cache is under pressure, a share of a slot kept through the tool call;
//   admission       an item's first request waits for room in the engine's KV cache (kv-admission.ts);
//   downstreamPrefill  the first request at a node warms the next nodes' prefixes (downstream-prefill.ts);
//   memo            identical requests at temperature 0 share one answer (call-memo.ts).
// Without these annotations (-O0 to -O2) every call goes as before.
import { memoAnnotation } from "../ir/annotations/memo.js";
import { remainingWorkAnnotation } from "../ir/annotations/remaining-work.js";
import { retentionAnnotation } from "../ir/annotations/retention.js";
import type { LlmNode, RouterNode } from "../ir/types.js";
import type { WorkflowGraph } from "../ir/workflow.js";
import { CallMemo } from "./call-memo.js";
import type { ChatRequest, ChatResult, RequestHints } from "./chat.js";
import { DownstreamPrefill } from "./downstream-prefill.js";
import type { ExecutionContext } from "./execution-context.js";
import type { KvAdmission } from "./kv-admission.js";
import type { KvReadings } from "./kv-readings.js";
import type { RunStats } from "./run-stats.js";
import { ToolLatency } from "./tool-latency.js";

/** Priority added to a turn that may call a tool: above any remaining-work difference, so its prefix is evicted last. */
const RETAIN_PRIORITY_BOOST = 10_000;
/** An inference slot is kept for an item's next turn for this many times the expected wait before it lapses. */
const HOLD_SLOT_FACTOR = 3;
/** How old (real ms) the KV reading that decides whether a slot share is kept may be. */
const PRESSURE_READING_MS = 50;

export class WorkflowScheduling {
  readonly toolLatency = new ToolLatency();
  readonly memo = new CallMemo();
  private readonly prefill = new DownstreamPrefill();
  /** Set by the run when the workflow has an admission limit and the backend reports its KV usage. */
  private admission?: KvAdmission;
  /** The engine's KV readings, when it reports them: a slot share is kept only while its cache is under pressure. */
  private kv?: KvReadings;
  /** What the run's requests used so far, and since when (real ms): the rate at which the run fills the cache. */
  private written?: Pick<RunStats, "usage">;
  private startedAt = performance.now();
  /** Real ms per engine ms (a simulator's time scale), to turn measured tool latency into engine time. */
  private timeScale = 1;
  /** Top-level items that have sent their first request. */
  private readonly startedItems = new Set<string>();
  /** When each item's last answer at a node arrived (real ms), and the mean time to its next request there. */
  private readonly answeredAt = new Map<string, number>();
  private readonly nextUseMs = new Map<string, number>();

  /** Called once by the run, before its first item. */
  configure(options: {
    admission?: KvAdmission;
    kv?: KvReadings;
    written?: Pick<RunStats, "usage">;
    timeScale?: number;
  }): void {
    this.admission = options.admission;
    this.kv = options.kv;
    this.written = options.written;
    this.startedAt = performance.now();
    this.timeScale = options.timeScale ?? 1;
  }

  /** Before an item's request at a node: admission for its first request, downstream warm-ups for the node's first. */
  async beforeCall(
    context: ExecutionContext,
    graph: WorkflowGraph,
    node: LlmNode | RouterNode,
    itemId: string,
  ): Promise<void> {
    this.prefill.reached(context, graph, node);
    if (!this.admission || graph !== context.workflow.mainGraph || this.startedItems.has(itemId)) return;
    this.startedItems.add(itemId);
    await this.admission.admit();
  }

  /** The hints of the node's annotations for the item's `turn` (1-based) at the node. */
  hintsFor(
    graph: WorkflowGraph,
    node: LlmNode | RouterNode,
    itemId: string,
    turn: number,
    hints: RequestHints,
  ): RequestHints {
    const remaining = graph.annotations.get(remainingWorkAnnotation, node.id);
    const retention = graph.annotations.get(retentionAnnotation, node.id);
    if (!remaining && !retention) return hints;
    const result = { ...hints };
    if (remaining) {
      result.priority = remaining.priority + Math.min(turn - 1, remaining.turnsAtNode) * remaining.perTurn;
      if (remaining.clientQueue !== false) result.queuePriority = result.priority;
    }
    if (!retention || node.kind !== "llm") return result;
    const key = `${graph.name}\u0000${node.id}`;
    // The time from an answer to the item's next request: measured up to the moment that request is sent.
    if (turn > 1) result.onSent = () => this.noteNextUse(key, itemId, "sent");
    if (turn < node.maxTurns) {
      const tool = retention.source === "default" ? this.toolLatency.slowest(node.tools) : undefined;
      const gap = this.nextUseMs.get(key);
      const measured = Math.max(tool ?? 0, gap ?? 0) / this.timeScale;
      const margin = retention.toolLatencyMs > 0 ? retention.keepAliveMs / retention.toolLatencyMs : 1.25;
      result.keepAliveMs = Math.max(retention.keepAliveMs, Math.round(measured * margin));
      const holdMs = HOLD_SLOT_FACTOR * Math.max(result.keepAliveMs * this.timeScale, gap ?? 0);
      if (retention.slotShare && this.cacheUnderPressure(holdMs))
        result.holdSlot = { ms: holdMs, share: retention.slotShare };
      // Engines that evict by request priority (SGLang's priority eviction, and Dynamo in front of it) keep the
      // blocks of a turn whose next use is near (after the tool) over those of final turns, never used again.
      result.priority = (result.priority ?? 0) + RETAIN_PRIORITY_BOOST;
    }
    return result;
  }

  /**
   * Whether the engine's cache could evict an idle prefix within `ms` (real): the run writes more KV in that time
   * (its requests' uncached prompt tokens and answers, at the run's rate so far) than the cache has free. True when
   * the engine does not say its usage and capacity.
   */
  private cacheUnderPressure(ms: number): boolean {
    const reading = this.kv?.latest(PRESSURE_READING_MS);
    if (!reading?.capacityTokens || !this.written) return true;
    const elapsed = performance.now() - this.startedAt;
    const { promptTokens, cachedTokens, completionTokens } = this.written.usage;
    const perMs = elapsed > 0 ? (promptTokens - cachedTokens + completionTokens) / elapsed : 0;
    return perMs * ms >= (1 - reading.usage) * reading.capacityTokens;
  }

  /** Measures the time from an item's answer at a node to its next request there (for retention's keep-alive). */
  private noteNextUse(key: string, itemId: string, event: "sent" | "answer"): void {
    const itemKey = `${key}\u0000${itemId}`;
    const now = performance.now();
    if (event === "answer") {
      this.answeredAt.set(itemKey, now);
      return;
    }
    const answered = this.answeredAt.get(itemKey);
    if (answered === undefined) return;
    this.answeredAt.delete(itemKey);
    const mean = this.nextUseMs.get(key);
    this.nextUseMs.set(key, mean === undefined ? now - answered : mean + 0.2 * (now - answered - mean));
  }

  /** Sends the request, or shares an identical one's answer where the node's `memo` annotation allows it. */
  async send(
    graph: WorkflowGraph,
    node: LlmNode | RouterNode,
    itemId: string,
    request: ChatRequest,
    send: () => Promise<ChatResult>,
  ): Promise<{ result: ChatResult; shared: boolean }> {
    const retained = graph.annotations.get(retentionAnnotation, node.id) !== undefined;
    const answer = graph.annotations.get(memoAnnotation, node.id)?.share
      ? await this.memo.answer(request, send)
      : { result: await send(), shared: false };
    if (retained && answer.result.toolCalls.length > 0)
      this.noteNextUse(`${graph.name}\u0000${node.id}`, itemId, "answer");
    return answer;
  }
}
