// The start-up prefix warm-up: the entry node's request for the first item goes out as a one-token warm-up before
// the run opens its store and reads its input, so the engine prefills the shared prefix meanwhile; a prefix only
// one item uses, Batch APIs and `--prefix-warmup off` get none.
import { describe, expect, it } from "vitest";
import { ScriptedBackend, textOf } from "./helpers/scripted-backend.js";
import { runFixture, useScratchDir } from "./helpers/run-fixture.js";

const scratch = useScratchDir();
const titles = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `t${i}`, title: `Paper ${i}` }));
const warmUps = (backend: ScriptedBackend) => backend.calls.filter((call) => call.request.maxTokens === 1);

describe("start-up prefix warm-up", () => {
  it("sends the first item's entry request with one output token before anything else, then waits for it", async () => {
    const backend = new ScriptedBackend((request) => `review of ${textOf(request)}`, 20);
    const { lines, outcome } = await runFixture("shared-prefix", titles(4), backend, scratch());
    expect(lines.map((line) => line.status)).toEqual(["ok", "ok", "ok", "ok"]);
    const [first, ...rest] = backend.calls;
    expect(first.request.maxTokens).toBe(1);
    expect(textOf(first.request)).toBe("Title: Paper 0");
    expect(first.hints.cacheKey).toBe(rest[0].hints.cacheKey);
    // This backend does not share in-flight prefills: the items' requests wait for the warm-up's answer.
    for (const call of rest) expect(call.startedAt).toBeGreaterThanOrEqual(first.endedAt!);
    expect(warmUps(backend)).toHaveLength(1);
    expect(outcome.stats.warmupRequests).toBe(1);
    expect(outcome.stats.modelRequests).toBe(4);
  });

  it("on an engine that shares in-flight prefills, the items' requests go out without waiting", async () => {
    const backend = new ScriptedBackend((request) => `review of ${textOf(request)}`, 50);
    Object.assign(backend, { sharesInflightPrefixes: true });
    await runFixture("shared-prefix", titles(4), backend, scratch());
    const [first, ...rest] = backend.calls;
    expect(first.request.maxTokens).toBe(1);
    expect(Math.min(...rest.map((call) => call.startedAt))).toBeLessThan(first.endedAt!);
  });

  it("sends none for a single item, for a Batch API backend, or with --prefix-warmup off", async () => {
    const single = new ScriptedBackend((request) => `review of ${textOf(request)}`);
    await runFixture("shared-prefix", titles(1), single, scratch());
    expect(warmUps(single)).toHaveLength(0);

    const batchApi = new ScriptedBackend((request) => `review of ${textOf(request)}`);
    batchApi.concurrency = "unbounded";
    await runFixture("shared-prefix", titles(3), batchApi, scratch());
    expect(warmUps(batchApi)).toHaveLength(0);

    const off = new ScriptedBackend((request) => `review of ${textOf(request)}`);
    await runFixture("shared-prefix", titles(3), off, scratch(), { prefixWarmup: "off" });
    expect(warmUps(off)).toHaveLength(0);
  });
});
