// Samples a running bench every 250 ms: each simulated engine's running and waiting sequences and the requests it
// was sent (`/sim/stats`). From these: how full each engine's running batch was on average, and the steady-state
// rate: the requests sent between 10% and 90% of the run's requests, over the time between, in items (the run's
// requests per item). It leaves out the run's start-up and its tail, and unlike results, requests do not arrive in
// bursts as whole chunks finish.
import { performance } from "node:perf_hooks";

export interface EngineSlots {
  /** Mean running sequences, as a share of the engine's --max-num-seqs. */
  used: number;
  /** Mean waiting sequences. */
  waiting: number;
}

export interface RunSample {
  slots: EngineSlots[];
  /** Items per second between 10% and 90% of the requests (undefined for runs too short to tell). */
  steadyItemsPerSecond?: number;
}

/** The time at which `count` was first reached, interpolated between samples. */
function timeOf(count: number, samples: { t: number; requests: number }[]): number | undefined {
  for (let i = 1; i < samples.length; i++) {
    const [a, b] = [samples[i - 1], samples[i]];
    if (b.requests >= count && b.requests > a.requests)
      return a.t + ((count - a.requests) / (b.requests - a.requests)) * (b.t - a.t);
  }
  return undefined;
}

interface EngineStats {
  running: number;
  waiting: number;
  requests: number;
}

export function sampleRun(ports: number[], maxNumSeqs: number, items: number) {
  const sums = ports.map(() => ({ running: 0, waiting: 0, samples: 0 }));
  const progress: { t: number; requests: number }[] = [];
  const read = () =>
    Promise.all(
      ports.map(async (port) => (await (await fetch(`http://127.0.0.1:${port}/sim/stats`)).json()) as EngineStats),
    );
  const record = (stats: EngineStats[]) =>
    progress.push({ t: performance.now(), requests: stats.reduce((n, s) => n + s.requests, 0) });
  let sampling = false;
  const timer = setInterval(() => {
    if (sampling) return;
    sampling = true;
    void read()
      .then((stats) => {
        record(stats);
        stats.forEach((s, i) => {
          sums[i].running += s.running;
          sums[i].waiting += s.waiting;
          sums[i].samples++;
        });
      })
      .finally(() => (sampling = false));
  }, 250);
  const started = read().then(record);
  return {
    async stop(): Promise<RunSample> {
      clearInterval(timer);
      await started;
      record(await read());
      progress.sort((a, b) => a.t - b.t);
      const first = progress[0].requests;
      const total = progress[progress.length - 1].requests - first;
      const [from, to] = [timeOf(first + 0.1 * total, progress), timeOf(first + 0.9 * total, progress)];
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
