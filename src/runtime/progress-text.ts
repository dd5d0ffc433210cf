// What the progress line says: items done of the total (counting those a resumed run found done), time elapsed and
// an ETA from the recent rate (the last RATE_WINDOW_MS, not the whole run's average), failures, requests in flight,
// the cache-hit share, items per node and, when nothing has finished for a while, what the run is waiting on
// ("waiting on 3 provider batches, oldest 4m12s").
import type { RunStats } from "./run-stats.js";

const RATE_WINDOW_MS = 30_000;
/** No item finished for this long: the line says what the run waits on. */
export const STALLED_AFTER_MS = 5_000;
const MAX_NODES_SHOWN = 4;

/** `12s`, `4m12s`, `1h02m` */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, "0")}m`;
}

/** Items finished per second over the last RATE_WINDOW_MS, from samples of the done count. */
export class RecentRate {
  private readonly samples: { at: number; done: number }[] = [];
  /** When the done count last changed. */
  lastChangeAt: number;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.lastChangeAt = now();
  }

  sample(done: number): void {
    const at = this.now();
    const last = this.samples[this.samples.length - 1];
    if (last && last.done !== done) this.lastChangeAt = at;
    // One sample per 250 ms at most: the window holds at most 120 of them.
    if (!last || at - last.at >= 250 || last.done !== done) this.samples.push({ at, done });
    while (this.samples.length > 2 && at - this.samples[1].at > RATE_WINDOW_MS) this.samples.shift();
  }

  /** Items per second, or undefined before there are two samples a moment apart. */
  perSecond(): number | undefined {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.at - first.at < 500) return undefined;
    return ((last.done - first.done) * 1000) / (last.at - first.at);
  }

  stalledForMs(): number {
    return this.now() - this.lastChangeAt;
  }
}

/** Items done, counting those an earlier run finished (resume). */
export function itemsDone(stats: RunStats): number {
  return stats.done + stats.resumed;
}

/** Items to show as the total: the input's count once known, and never less than the items seen. */
export function itemsTotal(stats: RunStats): number {
  return Math.max(stats.expectedItems ?? 0, stats.items, itemsDone(stats));
}

/** What a run that has not finished an item for a while is waiting on. */
export function waitingOn(stats: RunStats, now = performance.now()): string {
  const batches = [...stats.record.openBatches.values()];
  if (batches.length > 0) {
    const oldest = Math.min(...batches.map((batch) => batch.submittedAt));
    return `waiting on ${batches.length} provider batch${batches.length === 1 ? "" : "es"}, oldest ${formatElapsed(now - oldest)}`;
  }
  if (stats.inflight > 0)
    return `waiting on ${stats.inflight} request${stats.inflight === 1 ? "" : "s"} at the backend`;
  return "waiting on tools or the input";
}

/** `screen 8 · summarize 3`: the nodes that saw the most items. */
function nodeCounts(stats: RunStats): string {
  const nodes = stats.record
    .nodeRecords()
    .filter((node) => node.items > 0)
    .sort((a, b) => b.items - a.items)
    .slice(0, MAX_NODES_SHOWN);
  return nodes.map((node) => `${node.node} ${Math.round(node.items)}`).join(" · ");
}

/** The line after the bar (or the whole plain line). */
export function progressText(stats: RunStats, rate: RecentRate): string {
  const done = itemsDone(stats);
  const total = itemsTotal(stats);
  const perSecond = rate.perSecond();
  const remaining = total - done;
  const eta =
    perSecond && perSecond > 0 && remaining > 0
      ? formatElapsed((remaining / perSecond) * 1000)
      : remaining
        ? "?"
        : "0s";
  const parts = [
    `${done}/${total} items${stats.resumed ? ` (${stats.resumed} already done)` : ""}`,
    `${formatElapsed(stats.elapsedSeconds * 1000)} elapsed, ETA ${eta}`,
    `${perSecond === undefined ? "-" : perSecond.toFixed(1)} items/s recently`,
    `failed ${stats.failed}`,
    `in flight ${stats.inflight}`,
    `cached ${(stats.cachedShare * 100).toFixed(0)}%`,
  ];
  const nodes = nodeCounts(stats);
  if (nodes) parts.push(nodes);
  if (remaining > 0 && rate.stalledForMs() >= STALLED_AFTER_MS) parts.push(waitingOn(stats));
  return parts.join(" | ");
}
