// Seeded pseudo-random numbers (sfc32) so that every simulated answer is a pure function of its seed.

import { hashString } from "./hash.js";

export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
}

export function createRng(seed: string): Rng {
  const h = hashString(seed) + hashString(seed + "#");
  let a = parseInt(h.slice(0, 8), 16);
  let b = parseInt(h.slice(8, 16), 16);
  let c = parseInt(h.slice(16, 24), 16);
  let d = parseInt(h.slice(24, 32), 16) | 1;
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 8; i++) next();
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)],
  };
}
