// Simulated engines for scheduler and cache tests: fast simulated time, closed after each test.
import { afterEach } from "vitest";
import { SimEngine } from "../../../src/sim/engine.js";

/** `n` consecutive token ids from `from`. */
export const tokens = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

/** A factory of engines (time scale 0.002 unless given) that are closed after each test. */
export function useEngines(): (opts?: ConstructorParameters<typeof SimEngine>[0]) => SimEngine {
  const engines: SimEngine[] = [];
  afterEach(() => {
    for (const e of engines.splice(0)) e.close();
  });
  return (opts = {}) => {
    const e = new SimEngine({ timeScale: 0.002, ...opts });
    engines.push(e);
    return e;
  };
}
