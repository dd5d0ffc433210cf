// Fast deterministic hashing for the simulator: 64-bit (two 32-bit lanes) hashes of strings and token
// runs and chained block hashes for the prefix cache (canonical JSON is `src/util/canonical-json.ts`).

import { createHash } from "node:crypto";

const SEED_A = 0x9e3779b9;
const SEED_B = 0x85ebca6b;

function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finalize(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hex(a: number, b: number): string {
  return a.toString(16).padStart(8, "0") + b.toString(16).padStart(8, "0");
}

/** Hash of `ints[start, end)` chained onto `parent` (a previous hash, or null for the root). 16 hex chars. */
export function chainHash(parent: string | null, ints: ArrayLike<number>, start = 0, end = ints.length): string {
  let a = parent ? parseInt(parent.slice(0, 8), 16) ^ SEED_A : SEED_A;
  let b = parent ? parseInt(parent.slice(8, 16), 16) ^ SEED_B : SEED_B;
  for (let i = start; i < end; i++) {
    const v = ints[i] | 0;
    a = mix(a, v);
    b = mix(b, v ^ 0x5bd1e995);
  }
  return hex(finalize(a, end - start), finalize(b, end - start));
}

/** A 53-bit block hash (an exact double, so Maps and Sets key it without building strings). */
export type BlockKey = number;

const LOW_BITS = 2 ** 21;

/** The root block key for a cache salt. */
export function saltKey(salt: string): BlockKey {
  return parseInt(hashString(salt).slice(0, 13), 16);
}

/**
 * Appends to `out` the chained keys of the consecutive `blockSize` runs of `ints[start, end)` (a partial last run is
 * left out): each block's key hashes its tokens seeded by the previous key (or `parent`, or the root).
 */
export function chainBlockKeys(
  parent: BlockKey | null,
  ints: ArrayLike<number>,
  blockSize: number,
  start: number,
  end: number,
  out: BlockKey[],
): void {
  let key = parent;
  for (let from = start; from + blockSize <= end; from += blockSize) {
    let a = key === null ? SEED_A : Math.floor(key / LOW_BITS) ^ SEED_A;
    let b = key === null ? SEED_B : (key % LOW_BITS) ^ SEED_B;
    for (let i = from; i < from + blockSize; i++) {
      const v = ints[i] | 0;
      a = mix(a, v);
      b = mix(b, v ^ 0x5bd1e995);
    }
    key = finalize(a, blockSize) * LOW_BITS + (finalize(b, blockSize) >>> 11);
    out.push(key);
  }
}

/** 64-bit hash of a string, as 16 hex chars (native code: request seeds hash whole prompts). */
export function hashString(text: string): string {
  return createHash("sha1").update(text).digest("hex").slice(0, 16);
}

/** A non-negative 32-bit integer derived from a string (for seeding and bucket picks). */
export function hashToInt(text: string): number {
  return parseInt(hashString(text).slice(0, 8), 16);
}
