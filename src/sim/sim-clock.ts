// Simulated time: real time divided by timeScale (timeScale 0.01 runs 100x faster than real), plus
// timers expressed in simulated milliseconds. Shared by the engine scheduler and the batch emulators.

import { performance } from "node:perf_hooks";

export class SimClock {
  private readonly startReal = performance.now();
  private readonly startEpoch = Date.now();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(readonly timeScale: number) {
    if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new Error(`timeScale must be > 0, got ${timeScale}`);
  }

  /** Simulated milliseconds since the clock started. */
  now(): number {
    return (performance.now() - this.startReal) / this.timeScale;
  }

  /** Simulated wall-clock time (epoch ms) for timestamps in API objects. */
  epochMs(simMs = this.now()): number {
    return this.startEpoch + simMs;
  }

  /** Epoch seconds (integer), as used by OpenAI objects. */
  epochSeconds(simMs = this.now()): number {
    return Math.floor(this.epochMs(simMs) / 1000);
  }

  /** Run `fn` after `simMs` simulated milliseconds. Unref'd when `background` so it never holds the process open. */
  after(simMs: number, fn: () => void, background = true): () => void {
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        fn();
      },
      Math.max(0, simMs * this.timeScale),
    );
    if (background) timer.unref();
    this.timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
  }

  /** Cancel every pending timer (used on shutdown). */
  cancelAll(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
