// Shows a run's progress: a live bar on a terminal (items done/failed, requests in flight, cache-hit share, rate),
// or a plain line every few seconds when output goes to a file or CI log.
import cliProgress from "cli-progress";
import type { RunStats } from "./run-stats.js";

export interface ProgressDisplay {
  update(stats: RunStats): void;
  /** Draws the last state and ends the display on a line of its own; later calls do nothing. */
  stop(stats: RunStats): void;
}

/** Makes `stop` idempotent and `update` a no-op once stopped, so messages written after stop are never overdrawn. */
function once(display: ProgressDisplay): ProgressDisplay {
  let stopped = false;
  return {
    update: (stats) => {
      if (!stopped) display.update(stats);
    },
    stop: (stats) => {
      if (stopped) return;
      stopped = true;
      display.stop(stats);
    },
  };
}

function payload(stats: RunStats) {
  const rate = stats.done / Math.max(stats.elapsedSeconds, 0.001);
  return {
    failed: stats.failed,
    inflight: stats.inflight,
    cached: `${(stats.cachedShare * 100).toFixed(0)}%`,
    rate: rate.toFixed(1),
  };
}

/** Items to show as the total: the input's count once known, and never less than the items seen. */
function totalOf(stats: RunStats): number {
  return Math.max(stats.expectedItems ?? 0, stats.items);
}

export function createProgress(stream: NodeJS.WriteStream): ProgressDisplay {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format:
          " {bar} {value}/{total} items | failed {failed} | in flight {inflight} | cached {cached} | {rate} items/s",
        stream,
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(0, 0, { failed: 0, inflight: 0, cached: "0%", rate: "0.0" });
    return once({
      update: (stats) => {
        bar.setTotal(totalOf(stats));
        bar.update(stats.done, payload(stats));
      },
      stop: (stats) => {
        bar.update(stats.done, payload(stats));
        bar.stop();
      },
    });
  }
  let last = 0;
  const line = (stats: RunStats) => {
    const p = payload(stats);
    stream.write(
      `[nexus] ${stats.done}/${totalOf(stats)} items, ${p.failed} failed, ${p.inflight} in flight, ${p.cached} cached, ${p.rate} items/s\n`,
    );
  };
  return once({
    update: (stats) => {
      const now = performance.now();
      if (now - last < 2000) return;
      last = now;
      line(stats);
    },
    stop: line,
  });
}
