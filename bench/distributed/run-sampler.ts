// Samples a running bench every 250 ms: each simulated engine's running and waiting sequences (`/sim/stats`), and
// how many result lines the run has written to its results file so far. From these: how full each engine's running
// batch was on average, and the steady-state rate (the items finished between 10% and 90% of the results, over the
// time between), which leaves out the run's start-up and its tail.
import { closeSync, existsSync, openSync, readSync } from "node:fs";
import { performance } from "node:perf_hooks";

export interface EngineSlots {
  /** Mean running sequences, as a share of the engine's --max-num-seqs. */
  used: number;
  /** Mean waiting sequences. */
  waiting: number;
}

export interface RunSample {
  slots: EngineSlots[];
  /** Items per second between 10% and 90% of the results (undefined for runs too short to tell). */
  steadyItemsPerSecond?: number;
}

/** Counts the newlines of a growing file, reading only what was appended since the last call. */
function lineCounter(file: string): () => number {
  let offset = 0;
  let lines = 0;
  const buffer = Buffer.alloc(1 << 16);
  return () => {
    if (!existsSync(file)) return 0;
    const fd = openSync(file, "r");
    try {
      for (let read; (read = readSync(fd, buffer, 0, buffer.length, offset)) > 0; offset += read)
        for (let i = 0; i < read; i++) if (buffer[i] === 10) lines++;
    } finally {
      closeSync(fd);
    }
    return lines;
  };
}

/** The time at which `count` was first reached, interpolated between samples. */
function timeOf(count: number, samples: { t: number; lines: number }[]): number | undefined {
  for (let i = 1; i < samples.length; i++) {
    const [a, b] = [samples[i - 1], samples[i]];
    if (b.lines >= count && b.lines > a.lines) return a.t + ((count - a.lines) / (b.lines - a.lines)) * (b.t - a.t);
  }
  return undefined;
}

export function sampleRun(ports: number[], maxNumSeqs: number, resultsFile: string, items: number) {
  const sums = ports.map(() => ({ running: 0, waiting: 0, samples: 0 }));
  const progress: { t: number; lines: number }[] = [];
  const countLines = lineCounter(resultsFile);
  let sampling = false;
  const timer = setInterval(() => {
    if (sampling) return;
    sampling = true;
    progress.push({ t: performance.now(), lines: countLines() });
    void Promise.all(
      ports.map(async (port, i) => {
        const response = await fetch(`http://127.0.0.1:${port}/sim/stats`);
        const stats = (await response.json()) as { running: number; waiting: number };
        sums[i].running += stats.running;
        sums[i].waiting += stats.waiting;
        sums[i].samples++;
      }),
    ).finally(() => (sampling = false));
  }, 250);
  return {
    stop(): RunSample {
      clearInterval(timer);
      progress.push({ t: performance.now(), lines: countLines() });
      const [from, to] = [timeOf(0.1 * items, progress), timeOf(0.9 * items, progress)];
      return {
        slots: sums.map((sum) => ({
          used: sum.running / Math.max(1, sum.samples) / maxNumSeqs,
          waiting: sum.waiting / Math.max(1, sum.samples),
        })),
        steadyItemsPerSecond:
          from !== undefined && to !== undefined && to > from ? (0.8 * items) / ((to - from) / 1000) : undefined,
      };
    },
  };
}
