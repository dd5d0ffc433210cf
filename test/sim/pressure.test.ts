// The simulator under pressure: a KV cache smaller than the work evicts (by recency, or by priority), preempts and
// recomputes running sequences, keeps pinned prefixes for their TTL, reads each engine's hints in its wire format,
// and bounds wall time by what a cache of that size allows.
import { describe, expect, it } from "vitest";
import { capacityLowerBoundMs, prefillMs } from "../../src/sim/engine-timing.js";
import type { SimEngine } from "../../src/sim/engine.js";
import { tokens, useEngines } from "./helpers/engines.js";
import { PrefixCache } from "../../src/sim/prefix-cache.js";
import { PROFILES } from "../../src/sim/profiles.js";
import { parseRequestHints, parseTtlMs } from "../../src/sim/request-hints.js";

const P8 = PROFILES["h100-8b"];
const engine = useEngines();

describe("prefix cache under pressure", () => {
  it("evicts the least recently freed blocks and counts them", () => {
    const cache = new PrefixCache({ blockSize: 4, capacityBlocks: 4 });
    cache.release(cache.allocate(tokens(0, 8)));
    cache.release(cache.allocate(tokens(100, 8)));
    expect(cache.evictedBlocks).toBe(0);
    cache.release(cache.allocate(tokens(200, 8)));
    expect(cache.evictedBlocks).toBe(2);
    expect(cache.match(tokens(0, 9))).toBe(0);
    expect(cache.match(tokens(100, 9))).toBe(8);
  });

  it("evicts lower-priority blocks first when the engine evicts by priority", () => {
    const cache = new PrefixCache({ blockSize: 4, capacityBlocks: 4 });
    cache.release(cache.allocate(tokens(0, 8)), 5);
    cache.release(cache.allocate(tokens(100, 8)), 1);
    cache.release(cache.allocate(tokens(200, 8)), 3);
    expect(cache.match(tokens(0, 9))).toBe(8);
    expect(cache.match(tokens(100, 9))).toBe(0);
  });

  it("keeps pinned blocks until their pin expires", () => {
    let now = 0;
    const cache = new PrefixCache({ blockSize: 4, capacityBlocks: 4, now: () => now, maxPinnedShare: 0.5 });
    cache.release(cache.allocate(tokens(0, 8)), 0, 100);
    expect(cache.pinnedBlocks).toBe(2);
    expect(cache.usage()).toBe(0.5);
    cache.release(cache.allocate(tokens(100, 8)));
    cache.release(cache.allocate(tokens(200, 8)));
    expect(cache.match(tokens(0, 9))).toBe(8);
    now = 101;
    expect(cache.pinnedBlocks).toBe(0);
    cache.release(cache.allocate(tokens(300, 8)));
    cache.release(cache.allocate(tokens(400, 8)));
    expect(cache.match(tokens(0, 9))).toBe(0);
  });

  it("a running sequence's decode needs blocks; reserve says when none can be freed", () => {
    const cache = new PrefixCache({ blockSize: 4, capacityBlocks: 3 });
    const a = cache.allocate(tokens(0, 4));
    expect(cache.reserve(a, 8)).toBe(true);
    const b = cache.allocate(tokens(100, 3));
    expect(cache.usedBlocks).toBe(3);
    expect(cache.reserve(b, 5)).toBe(false);
    cache.release(a);
    expect(cache.reserve(b, 5)).toBe(true);
  });
});

describe("engine under pressure", () => {
  it("preempts and recomputes a running sequence that does not fit, and the answer is unchanged", async () => {
    const small = engine({ cacheTokens: 160, blockSize: 16 });
    const big = engine({ blockSize: 16 });
    const run = (e: SimEngine, i: number) =>
      e.run({ promptTokens: tokens(i * 1000, 40), outputTokens: tokens(7, 40) }).then((r) => r.cachedTokens);
    await Promise.all([0, 1, 2].map((i) => run(small, i)));
    await Promise.all([0, 1, 2].map((i) => run(big, i)));
    const s = small.stats();
    expect(s.capacityTokens).toBe(160);
    expect(s.preemptions).toBeGreaterThan(0);
    expect(s.preemptionRecomputeTokens).toBeGreaterThan(0);
    expect(s.prefillTokensComputed).toBeGreaterThan(big.stats().prefillTokensComputed);
    expect(s.recomputedTokens).toBe(s.prefillTokensComputed - s.uniquePrefillTokens);
    expect(s.completionTokens).toBe(big.stats().completionTokens);
    expect(big.stats().preemptions).toBe(0);
  });

  it("counts evictions, and a pinned prefix survives other work in dynamo mode", async () => {
    const chat = (e: SimEngine, text: string, nvext?: unknown) =>
      e.chatCompletion({
        model: "m",
        messages: [{ role: "user", content: text }],
        max_tokens: 4,
        ...(nvext ? { nvext } : {}),
      });
    const long = (i: number) => `agent ${i}: ` + "lorem ipsum dolor sit amet ".repeat(20);
    for (const pinned of [false, true]) {
      const e = engine({ cacheTokens: 400, mode: "dynamo" });
      await chat(e, long(0), pinned ? { cache_control: { type: "ephemeral", ttl: "60s" } } : undefined);
      for (let i = 1; i <= 4; i++) await chat(e, long(i));
      const again = await chat(e, long(0));
      expect(e.stats().evictedBlocks).toBeGreaterThan(0);
      if (pinned) expect(again.usage?.prompt_tokens_details?.cached_tokens).toBeGreaterThan(100);
      else expect(again.usage?.prompt_tokens_details?.cached_tokens).toBeLessThan(50);
    }
  });

  it("the sim:// cache-tokens option reaches the engine", async () => {
    const { selectBackend } = await import("../../src/backends/select-backend.js");
    const backend = selectBackend("sim://?cache-tokens=4096", { maxInflight: 4, timeScale: 0.001 });
    const stats = (await backend.metrics!()) as Record<string, number>;
    expect(stats.capacityTokens).toBe(4096);
    await backend.close();
    expect(() => selectBackend("sim://?cache-tokens=lots", { maxInflight: 4, timeScale: 0.001 })).toThrow(
      /cache-tokens must be a positive integer/,
    );
  });
});

describe("hints in each engine's wire format", () => {
  it("reads vLLM (lower first), SGLang (higher first) and Dynamo priorities, sensitivity and pins", () => {
    expect(parseRequestHints({ priority: 3 }, "vllm")).toEqual({ priority: -3 });
    expect(parseRequestHints({ priority: 3 }, "sglang")).toEqual({ priority: 3 });
    expect(parseRequestHints({ priority: 3 }, "dynamo").priority).toBeUndefined();
    expect(
      parseRequestHints(
        {
          nvext: {
            agent_hints: { priority: 7, latency_sensitivity: 1.5 },
            cache_control: { type: "ephemeral", ttl: "400ms" },
          },
        },
        "dynamo",
      ),
    ).toEqual({ priority: 7, latencySensitivityMs: 1500, pinMs: 400 });
    expect([parseTtlMs("600"), parseTtlMs("5m"), parseTtlMs("1h"), parseTtlMs("soon")]).toEqual([
      600_000, 300_000, 3_600_000, 300_000,
    ]);
    expect(() => parseRequestHints({ priority: "high" }, "sglang")).toThrow(/priority must be a number/);
  });

  it("latency sensitivity moves a request ahead of earlier arrivals of the same priority", async () => {
    const e = engine({ profile: { ...P8, name: "tiny", maxRunningSeqs: 1 }, mode: "dynamo" });
    const order: string[] = [];
    const run = (name: string, latencySensitivityMs?: number) =>
      e.run({
        promptTokens: tokens(name.charCodeAt(0) * 1000, 40),
        outputTokens: tokens(1, 3),
        latencySensitivityMs,
        onFirstToken: () => order.push(name),
      });
    await Promise.all([run("a"), run("b"), run("c", 5000)]);
    expect(order).toEqual(["c", "a", "b"]);
  });
});

describe("capacity-aware lower bound", () => {
  const work = {
    boundMs: 1000,
    engineBoundMs: 800,
    gapHeldTokens: 100_000,
    decodeHeldTokenSteps: 0,
    capacityTokens: 10_000,
  };

  it("is the plain bound when the cache can hold what waits through the gaps", () => {
    expect(capacityLowerBoundMs({ ...work, gapHeldTokens: 1000 }, 400, P8)).toBe(1000);
    expect(capacityLowerBoundMs({ ...work, gapHeldTokens: 0 }, 400, P8)).toBe(1000);
  });

  it("is the crossing of recompute time and hold time when it cannot", () => {
    const bound = capacityLowerBoundMs(work, 400, P8);
    // hold all: 100,000 x 400 / 10,000 = 4,000 ms; recompute all: 800 + 100,000 tokens of prefill.
    expect(bound).toBeGreaterThan(1000);
    expect(bound).toBeLessThan(Math.min(4000, 800 + prefillMs(100_000, P8)));
    const x = (bound - 800) / (1000 / P8.prefillTokensPerSec);
    expect(((100_000 - x) * 400) / 10_000).toBeCloseTo(bound, 6);
  });

  it("counts what decoding sequences hold: with a small enough cache, decode alone sets the bound", () => {
    const steps = 10_000_000; // token-steps
    const bound = capacityLowerBoundMs({ ...work, gapHeldTokens: 0, decodeHeldTokenSteps: steps }, 400, P8);
    expect(bound).toBeCloseTo((steps * (P8.decodeBaseMs + P8.decodePerSeqMs)) / 10_000, 6);
  });

  it("the engine records gap-held tokens and decode token-steps", async () => {
    const e = engine({ blockSize: 16 });
    const tools = [{ type: "function", function: { name: "lookup", parameters: { type: "object" } } }];
    const chat = (messages: unknown[]) => e.chatCompletion({ model: "m", messages, tools, max_tokens: 8 });
    const first = await e.chatCompletion({
      model: "m",
      messages: [{ role: "user", content: "Agent #1: " + "check the port ".repeat(20) }],
      tools,
    });
    const call = first.choices[0].message.tool_calls![0];
    await chat([
      { role: "user", content: "Agent #1: " + "check the port ".repeat(20) },
      { role: "assistant", content: null, tool_calls: [call] },
      { role: "tool", tool_call_id: call.id, content: "facts" },
    ]);
    const s = e.stats();
    expect(s.gapHeldTokens).toBeGreaterThan(16 * 3);
    expect(s.decodeHeldTokenSteps).toBeGreaterThan(0);
  });
});
