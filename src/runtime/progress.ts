// Shows a run's progress: a live bar on a terminal, or a plain line every few seconds when output goes to a file or
// CI log. The text (progress-text.ts) has the items done (those a resumed run found done included), elapsed time,
// an ETA from the recent rate, failures, requests in flight, the cache-hit share, items per node, and what the run
// waits on when nothing moves. The bar is redrawn every second even when no item finishes, and other writes to the
// terminal never collide with it (terminal-writes.ts).
import cliProgress from "cli-progress";
import { itemsDone, itemsTotal, progressText, RecentRate } from "./progress-text.js";
import type { RunStats } from "./run-stats.js";
import { guardWrites } from "./terminal-writes.js";

export interface ProgressDisplay {
  update(stats: RunStats): void;
  /** Draws the last state and ends the display on a line of its own; later calls do nothing. */
  stop(stats: RunStats): void;
}

const REDRAW_MS = 1000;
const PLAIN_LINE_EVERY_MS = 2000;

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

/** Calls `tick` with the last stats every REDRAW_MS until stopped (an idle run's line still moves its clock). */
function ticking(display: ProgressDisplay, rate: RecentRate): ProgressDisplay {
  let last: RunStats | undefined;
  const timer = setInterval(() => {
    if (last) display.update(last);
  }, REDRAW_MS);
  timer.unref();
  return {
    update: (stats) => {
      last = stats;
      rate.sample(itemsDone(stats));
      display.update(stats);
    },
    stop: (stats) => {
      clearInterval(timer);
      rate.sample(itemsDone(stats));
      display.stop(stats);
    },
  };
}

export function createProgress(stream: NodeJS.WriteStream): ProgressDisplay {
  const rate = new RecentRate();
  if (stream.isTTY) {
    // Drawn again after each message (cli-progress types `render` without its `forceRendering` argument).
    const guard = guardWrites(stream, () => (bar as unknown as { render(force: boolean): void }).render(true));
    const bar = new cliProgress.SingleBar(
      {
        format: " {bar} {text}",
        stream: guard.raw as unknown as NodeJS.WritableStream,
        hideCursor: true,
        clearOnComplete: false,
        barsize: 24,
      },
      cliProgress.Presets.shades_classic,
    );
    const draw = (stats: RunStats) => {
      bar.setTotal(itemsTotal(stats));
      bar.update(itemsDone(stats), { text: progressText(stats, rate) });
    };
    bar.start(1, 0, { text: "starting" });
    return once(
      ticking(
        {
          update: draw,
          stop: (stats) => {
            draw(stats);
            bar.stop();
            guard.release();
          },
        },
        rate,
      ),
    );
  }
  let last = 0;
  const line = (stats: RunStats) => stream.write(`[nexus] ${progressText(stats, rate)}\n`);
  return once(
    ticking(
      {
        update: (stats) => {
          const now = performance.now();
          if (now - last < PLAIN_LINE_EVERY_MS) return;
          last = now;
          line(stats);
        },
        stop: line,
      },
      rate,
    ),
  );
}
