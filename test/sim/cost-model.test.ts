// Cost model proportions, both as pure functions and as observed through the engine's scheduler in simulated
// time: prefill scales with uncached tokens, cached tokens cost ~nothing, decode steps are shared by the running
// batch, the running-sequence cap queues requests, Dynamo priorities reorder the waiting queue, and the lower
// bound never exceeds the engine's busy time.

import { describe, expect, it } from "vitest";
import {
  decodeStepMs,
  dependentLowerBoundMs,
  lowerBoundMs,
  prefillMs,
  soloRequestMs,
  stepMs,
  type RoundWork,
} from "../../src/sim/engine-timing.js";
import { tokens, useEngines } from "./helpers/engines.js";
import { PROFILES, type EngineProfile } from "../../src/sim/profiles.js";

const P8 = PROFILES["h100-8b"];
const engine = useEngines();

describe("cost model functions", () => {
  it("uses the reference H100 figures", () => {
    expect(prefillMs(28_000, P8)).toBeCloseTo(1000);
    expect(decodeStepMs(1, P8)).toBeCloseTo(4.83);
    expect(prefillMs(7_000, PROFILES["h100-32b"])).toBeCloseTo(1000);
    expect(decodeStepMs(1, PROFILES["h100-32b"])).toBeCloseTo(19.15);
  });

  it("prefill is linear in uncached tokens; decode steps grow with the batch", () => {
    expect(prefillMs(4000, P8)).toBeCloseTo(2 * prefillMs(2000, P8));
    expect(decodeStepMs(0, P8)).toBe(0);
    expect(decodeStepMs(64, P8)).toBeGreaterThan(decodeStepMs(1, P8));
    // Batching pays: 64 sequences per step cost far less than 64 single steps.
    expect(decodeStepMs(64, P8)).toBeLessThan(2 * decodeStepMs(1, P8));
    expect(stepMs(1000, 10, P8)).toBeCloseTo(prefillMs(1000, P8) + decodeStepMs(10, P8));
    expect(soloRequestMs(2800, 11, P8)).toBeCloseTo(100 + 10 * decodeStepMs(1, P8));
  });

  it("lower bound: unique prefill plus decode steps (longest sequence or full batches) and per-token cost", () => {
    const work = { uniquePrefillTokens: 28_000, decodeTokens: 256 * 10, longestCompletion: 5 };
    expect(lowerBoundMs(work, P8)).toBeCloseTo(1000 + 10 * decodeStepMs(256, P8));
    const long = { uniquePrefillTokens: 0, decodeTokens: 100, longestCompletion: 101 };
    expect(lowerBoundMs(long, P8)).toBeCloseTo(100 * decodeStepMs(1, P8));
    // Both at once: 100 steps for the longest sequence, and every one of the 1,000 tokens pays its share of a step.
    const mixed = { uniquePrefillTokens: 0, decodeTokens: 1000, longestCompletion: 101 };
    expect(lowerBoundMs(mixed, P8)).toBeCloseTo(100 * P8.decodeBaseMs + 1000 * P8.decodePerSeqMs);
    expect(lowerBoundMs(mixed, P8)).toBeGreaterThan(100 * decodeStepMs(1, P8));
  });
});

describe("dependent lower bound (turn -> client time -> turn)", () => {
  const round = (requests: number, prompt: number, out: number, minParentSoloMs?: number): RoundWork => ({
    requests,
    uniquePrefillTokens: requests * prompt,
    decodeTokens: requests * (out - 1),
    longestCompletion: out,
    minParentSoloMs,
  });

  it("one round is the engine bound", () => {
    const only = round(10, 100, 21, soloRequestMs(100, 21, P8));
    expect(dependentLowerBoundMs([only], 400, P8)).toBeCloseTo(lowerBoundMs(only, P8));
    expect(lowerBoundMs(only, P8)).toBeCloseTo(prefillMs(1000, P8) + 20 * decodeStepMs(10, P8));
  });

  it("later rounds start no sooner than the fastest chain of solo requests and client gaps before them", () => {
    // 100 agents share a 2,000-token prompt and add 30 tokens each.
    const first = { ...round(100, 30, 25, soloRequestMs(2030, 25, P8)), uniquePrefillTokens: 2000 + 100 * 30 };
    const second = round(100, 30, 40);
    const secondWork = prefillMs(3000, P8) + 39 * decodeStepMs(100, P8);
    expect(dependentLowerBoundMs([first, second], 400, P8)).toBeCloseTo(first.minParentSoloMs! + 400 + secondWork);
    // More client time between rounds moves the bound by exactly that much.
    expect(
      dependentLowerBoundMs([first, second], 900, P8) - dependentLowerBoundMs([first, second], 400, P8),
    ).toBeCloseTo(500);
  });

  it("never exceeds what the engine achieves for a real two-round run", async () => {
    const e = engine();
    const prefix = tokens(1, 2000);
    // A one-token warm-up of the shared prefix: the fastest round-0 request, but no later request follows it.
    await e.run({ promptTokens: [...prefix, 50_000], outputTokens: [7] });
    const firsts = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        e.run({
          promptTokens: [...prefix, 50_000 + i],
          outputTokens: tokens(70_000 + i * 100, 20),
          answerCallIds: [`c${i}`],
        }),
      ),
    );
    expect(firsts).toHaveLength(8);
    const gapStart = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 10));
    const gapMs = (performance.now() - gapStart) / 0.002;
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        e.run({ promptTokens: [...prefix, 60_000 + i], outputTokens: tokens(1, 30), followsCallIds: [`c${i}`] }),
      ),
    );
    const stats = e.stats();
    expect(stats.rounds.map((r) => r.requests)).toEqual([9, 8]);
    // The parents' solo time: the whole 2,001-token prompt (nothing cached at the start) and 19 decode steps.
    expect(stats.rounds[0].minParentSoloMs).toBeCloseTo(soloRequestMs(2001, 20, P8));
    expect(stats.rounds[1].minParentSoloMs).toBeUndefined();
    const bound = dependentLowerBoundMs(stats.rounds, gapMs * 0.9, P8);
    expect(bound).toBeGreaterThan(stats.lowerBoundMs);
    expect(bound).toBeLessThanOrEqual(stats.simElapsedMs);
  });
});

describe("cost model through the engine (simulated time)", () => {
  it("a request with 2x uncached prompt tokens takes ~2x prefill time; a cached prompt costs ~nothing", async () => {
    const e = engine();
    const small = await e.run({ promptTokens: tokens(1000, 2800), outputTokens: [1] });
    const large = await e.run({ promptTokens: tokens(50_000, 5600), outputTokens: [1] });
    expect(small.ttftMs).toBeCloseTo(prefillMs(2800, P8), 1);
    expect(large.ttftMs / small.ttftMs).toBeCloseTo(2, 1);
    const repeat = await e.run({ promptTokens: tokens(50_000, 5600), outputTokens: [1] });
    expect(repeat.cachedTokens).toBe(5584); // 5600 - 1 rounded down to 16-token blocks
    expect(repeat.ttftMs).toBeLessThan(large.ttftMs / 100);
    expect(e.stats().prefillTokensComputed).toBe(2800 + 5600 + 16);
  });

  it("decode takes one step per output token and concurrent requests share steps", async () => {
    const e = engine();
    const solo = await e.run({ promptTokens: tokens(1, 100), outputTokens: tokens(1, 50) });
    expect(solo.e2eMs - solo.ttftMs).toBeCloseTo(49 * decodeStepMs(1, P8), 1);
    e.reset();
    const many = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        e.run({ promptTokens: tokens(10_000 * (i + 1), 100), outputTokens: tokens(1, 50) }),
      ),
    );
    const s = e.stats();
    expect(s.maxBatchSize).toBe(20);
    expect(s.batches).toBeLessThan(60); // 1 prefill step + 49 decode steps, not 20 x 50
    expect(Math.max(...many.map((r) => r.e2eMs))).toBeLessThan(3 * solo.e2eMs);
    expect(s.busyMs).toBeGreaterThanOrEqual(s.lowerBoundMs - 1e-6);
  });

  it("caps the running batch; excess requests wait", async () => {
    const tiny: EngineProfile = { ...P8, name: "tiny", maxRunningSeqs: 2 };
    const e = engine({ profile: tiny });
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        e.run({ promptTokens: tokens(1000 * (i + 1), 50), outputTokens: tokens(1, 10) }),
      ),
    );
    expect(e.stats().maxBatchSize).toBe(2);
    expect(results[0].queueMs).toBe(0);
    expect(results[3].queueMs).toBeGreaterThan(results[0].e2eMs * 0.9);
  });

  it("caps the running batch with maxRunningSeqs (nexus sim --max-num-seqs) over any profile", async () => {
    const e = engine({ profile: "h100-32b", maxRunningSeqs: 3 });
    expect(e.profile.maxRunningSeqs).toBe(3);
    expect(e.profile.decodeBaseMs).toBe(PROFILES["h100-32b"].decodeBaseMs);
    await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        e.run({ promptTokens: tokens(1000 * (i + 1), 50), outputTokens: tokens(1, 10) }),
      ),
    );
    expect(e.stats().maxBatchSize).toBe(3);
  });

  it("dynamo mode admits higher agent_hints.priority first", async () => {
    const tiny: EngineProfile = { ...P8, name: "tiny", maxRunningSeqs: 1 };
    const e = engine({ profile: tiny, mode: "dynamo" });
    const order: string[] = [];
    const run = (name: string, priority: number) =>
      e.run({
        promptTokens: tokens(name.charCodeAt(0) * 1000, 40),
        outputTokens: tokens(1, 5),
        priority,
        onFirstToken: () => order.push(name),
      });
    await Promise.all([run("zero", 0), run("low", 1), run("high", 9), run("mid", 5)]);
    expect(order).toEqual(["high", "mid", "low", "zero"]);
  });

  it("requests without a priority are first come, first served", async () => {
    const e = engine({ profile: { ...P8, name: "tiny", maxRunningSeqs: 1 } });
    const order: string[] = [];
    const run = (name: string) =>
      e.run({
        promptTokens: tokens(name.charCodeAt(0) * 1000, 40),
        outputTokens: tokens(1, 5),
        onFirstToken: () => order.push(name),
      });
    await Promise.all([run("a"), run("b"), run("c")]);
    expect(order).toEqual(["a", "b", "c"]);
  });

  it("simulated time follows timeScale", async () => {
    const e = engine({ timeScale: 0.05 });
    const start = performance.now();
    const r = await e.run({ promptTokens: tokens(1, 28_000 / 10), outputTokens: tokens(1, 21) }); // 100 ms + 20 steps ≈ 197 ms sim
    const realMs = performance.now() - start;
    expect(r.e2eMs).toBeCloseTo(100 + 20 * decodeStepMs(1, P8), 0);
    expect(realMs).toBeGreaterThan(r.e2eMs * 0.05 * 0.8);
    expect(realMs).toBeLessThan(r.e2eMs * 0.05 + 100);
  });

  it("aborting a request frees its slot", async () => {
    const e = engine();
    const ctl = new AbortController();
    const p = e.run({ promptTokens: tokens(1, 100), outputTokens: tokens(1, 5000), signal: ctl.signal });
    setTimeout(() => ctl.abort(), 5);
    await expect(p).rejects.toThrow(/abort/);
    expect(e.stats().running).toBe(0);
    expect(e.cache.usedBlocks).toBe(0);
  });
});
