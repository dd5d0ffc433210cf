// Prefix cache against hand-computed cases: block boundaries, the promptLength-1 cap, chained hashes, LRU
// eviction order (tail blocks first), in-use protection, capacity accounting and flush.

import { describe, expect, it } from "vitest";
import { PrefixCache } from "../../src/sim/prefix-cache.js";

const seq = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe("PrefixCache (16-token blocks)", () => {
  it("caches only full blocks: a repeated 40-token prompt hits 32 tokens", () => {
    const cache = new PrefixCache({ blockSize: 16, capacityBlocks: 100 });
    const prompt = seq(1, 40);
    const first = cache.allocate(prompt);
    expect(first.cachedTokens).toBe(0);
    cache.release(first);
    expect(cache.cachedBlocks).toBe(2); // tokens 1..32; the 8-token tail is not cached
    expect(cache.match(prompt)).toBe(32);
    const second = cache.allocate(prompt);
    expect(second.cachedTokens).toBe(32);
    expect(cache.hitTokens).toBe(32);
    expect(cache.queriedTokens).toBe(80);
  });

  it("caps a hit at promptLength - 1: an exactly repeated 32-token prompt hits only 16", () => {
    const cache = new PrefixCache({ blockSize: 16, capacityBlocks: 100 });
    cache.release(cache.allocate(seq(1, 32)));
    expect(cache.cachedBlocks).toBe(2);
    expect(cache.match(seq(1, 32))).toBe(16);
    expect(cache.match(seq(1, 33))).toBe(32);
  });

  it("shares a prefix between different prompts up to the last common full block", () => {
    const cache = new PrefixCache({ blockSize: 16, capacityBlocks: 100 });
    cache.release(cache.allocate(seq(1, 50)));
    const other = [...seq(1, 20), ...seq(900, 30)]; // diverges inside block 2
    expect(cache.match(other)).toBe(16);
  });

  it("chains hashes: the same block content under a different parent does not hit", () => {
    const cache = new PrefixCache({ blockSize: 16, capacityBlocks: 100 });
    const a = seq(100, 16);
    const b = seq(200, 16);
    const c = seq(300, 16);
    cache.release(cache.allocate([...a, ...b, 1]));
    expect(cache.match([...a, ...b, 2])).toBe(32);
    expect(cache.match([...c, ...b, 2])).toBe(0); // b sits under parent c now
    expect(cache.match([...b, 2])).toBe(0); // b at the root is a different block too
    expect(cache.hashBlocks([...a, ...b])[1]).not.toBe(cache.hashBlocks([...c, ...b])[1]);
  });

  it("caches generated tokens appended to a running sequence", () => {
    const cache = new PrefixCache({ blockSize: 16, capacityBlocks: 100 });
    const prompt = seq(1, 24);
    const output = seq(500, 20); // prompt + output = 44 tokens = 2 full blocks + 12
    const h = cache.allocate(prompt);
    cache.append(h, output);
    cache.release(h);
    expect(cache.match([...prompt, ...output, 7])).toBe(32);
  });

  it("salts the root hash (cache_salt isolates tenants)", () => {
    const cache = new PrefixCache({ blockSize: 16, capacityBlocks: 100 });
    cache.release(cache.allocate(seq(1, 40), "tenant-a"));
    expect(cache.match(seq(1, 40), "tenant-a")).toBe(32);
    expect(cache.match(seq(1, 40), "tenant-b")).toBe(0);
    expect(cache.match(seq(1, 40))).toBe(0);
  });
});

describe("PrefixCache eviction (4-token blocks, 4 blocks of capacity)", () => {
  // X, Y, Z, W are 9-token prompts: 2 full blocks + 1 partial block each.
  const X = seq(10, 9);
  const Y = seq(30, 9);
  const Z = seq(50, 9);
  const W = seq(70, 9);

  it("evicts the least recently freed blocks, a sequence's tail block before its head", () => {
    const cache = new PrefixCache({ blockSize: 4, capacityBlocks: 4 });
    const [x1, x2] = cache.hashBlocks(X);
    const [y1, y2] = cache.hashBlocks(Y);
    const [z1, z2] = cache.hashBlocks(Z);

    const x = cache.allocate(X);
    expect(cache.usedBlocks).toBe(3); // x1, x2 + partial
    cache.release(x);
    expect(cache.evictionOrder()).toEqual([x2, x1]); // tail first
    expect(cache.usedBlocks).toBe(0);

    // Y needs 3 blocks; 2 slots are empty, so one free block is evicted: x2 (X's tail), not x1.
    const y = cache.allocate(Y);
    expect(cache.has(x2)).toBe(false);
    expect(cache.has(x1)).toBe(true);
    cache.release(y);
    expect(cache.evictionOrder()).toEqual([x1, y2, y1]);
    expect(cache.match([...X, 0])).toBe(4); // only X's head block survived

    // Z needs 3 blocks; 1 slot is empty: evicts x1 then y2 (least recently freed first).
    const z = cache.allocate(Z);
    expect(cache.has(x1)).toBe(false);
    expect(cache.has(y2)).toBe(false);
    expect(cache.has(y1)).toBe(true);
    expect(cache.has(z1) && cache.has(z2)).toBe(true);
    cache.release(z);
  });

  it("never evicts blocks of running sequences", () => {
    const cache = new PrefixCache({ blockSize: 4, capacityBlocks: 4 });
    const z = cache.allocate(Z); // 3 blocks in use
    cache.release(cache.allocate(seq(90, 4))); // 1 full block (4 tokens, no partial), freed
    expect(cache.usedBlocks).toBe(3);
    expect(cache.canAllocate(W)).toBe(false); // needs 3, only 1 evictable
    const w = cache.allocate(W); // best effort: takes the one free block, the rest stays uncached
    const [z1, z2] = cache.hashBlocks(Z);
    expect(cache.has(z1) && cache.has(z2)).toBe(true);
    expect(cache.usedBlocks).toBeLessThanOrEqual(4);
    cache.release(w);
    cache.release(z);
    expect(cache.canAllocate(W)).toBe(true);
  });

  it("a hit on a free block pins it (it leaves the eviction queue)", () => {
    const cache = new PrefixCache({ blockSize: 4, capacityBlocks: 4 });
    const [x1, x2] = cache.hashBlocks(X);
    cache.release(cache.allocate(X));
    const again = cache.allocate(X);
    expect(again.cachedTokens).toBe(8);
    expect(cache.evictionOrder()).toEqual([]);
    expect(cache.has(x1) && cache.has(x2)).toBe(true);
    expect(cache.canAllocate(Y)).toBe(false); // 4 - 3 in use = 1 free slot, Y needs 3
    cache.release(again);
    expect(cache.canAllocate(Y)).toBe(true);
  });

  it("flush drops everything only when nothing is in use", () => {
    const cache = new PrefixCache({ blockSize: 4, capacityBlocks: 4 });
    const x = cache.allocate(X);
    expect(cache.flush()).toBe(false);
    expect(cache.cachedBlocks).toBe(2);
    cache.release(x);
    expect(cache.flush()).toBe(true);
    expect(cache.cachedBlocks).toBe(0);
    expect(cache.match([...X, 0])).toBe(0);
  });

  it("reports KV usage of running sequences", () => {
    const cache = new PrefixCache({ blockSize: 4, capacityBlocks: 4 });
    const x = cache.allocate(X);
    expect(cache.usage()).toBe(0.75);
    cache.release(x);
    expect(cache.usage()).toBe(0);
  });
});
