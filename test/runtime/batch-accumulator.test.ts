// The BatchAccumulator against a recording fake backend: when a group is flushed (size, wait, nothing else can
// arrive), in which order (priority, then prefix), prefix warm-ups, the --max-inflight bound, and retries.
import { afterEach, describe, expect, it } from "vitest";
import { BackendError } from "../../src/runtime/backend.js";
import { BatchAccumulator, type BatchHints, type PrefixWarmup } from "../../src/runtime/batch-accumulator.js";
import type { ChatRequest } from "../../src/runtime/chat.js";
import { InferenceSlots } from "../../src/runtime/inference-slots.js";
import { backoffMs, type RetryPolicy } from "../../src/runtime/retry.js";
import { RunStats } from "../../src/runtime/run-stats.js";
import { ScriptedBackend, sleep, textOf, type Answer } from "./helpers/scripted-backend.js";

const open: BatchAccumulator[] = [];
afterEach(() => {
  for (const accumulator of open.splice(0)) accumulator.close(new Error("test over"));
});

interface Setup {
  slots?: number;
  prefixWarmup?: PrefixWarmup;
  continuous?: boolean;
  nothingElseCanArrive?: (waiting: number) => boolean;
  retry?: RetryPolicy;
}

function setup(answer: Answer | ScriptedBackend, options: Setup = {}) {
  const backend = answer instanceof ScriptedBackend ? answer : new ScriptedBackend(answer);
  const stats = new RunStats();
  const accumulator = new BatchAccumulator({
    backend,
    slots: new InferenceSlots(options.slots ?? 64),
    stats,
    retry: options.retry ?? { retryForMs: 60_000, attempts: 3, baseDelayMs: 1, maxDelayMs: 1000 },
    nothingElseCanArrive: options.nothingElseCanArrive ?? (() => false),
    prefixWarmup: options.prefixWarmup ?? "off",
    continuous: options.continuous ?? false,
  });
  open.push(accumulator);
  return { backend, stats, accumulator };
}

/** A chat request: a system prompt (the shared prefix) and a user message. */
function request(user: string, system = "You are terse."): ChatRequest {
  return {
    model: "m",
    messages: [
      { role: "system", content: system },
      { role: "user", content: user },
    ],
  };
}

function batch(overrides: Partial<BatchHints> = {}): BatchHints {
  return { group: "g", cacheKey: "k", maxBatchSize: 64, maxWaitMs: 10_000, priority: 0, model: "", ...overrides };
}

const echo: Answer = (req) => `answer to ${textOf(req)}`;
const users = (backend: ScriptedBackend) => backend.calls.map((call) => textOf(call.request));

describe("flushing", () => {
  it("flushes a group when it holds maxBatchSize requests", async () => {
    const { backend, accumulator } = setup(echo);
    const first = [
      accumulator.submit(request("a"), batch({ maxBatchSize: 3 })),
      accumulator.submit(request("b"), batch({ maxBatchSize: 3 })),
    ];
    await sleep(30);
    expect(backend.calls).toHaveLength(0);
    const third = accumulator.submit(request("c"), batch({ maxBatchSize: 3 }));
    await sleep(5);
    expect(users(backend).sort()).toEqual(["a", "b", "c"]);
    expect((await Promise.all([...first, third])).map((r) => r.content)).toEqual([
      "answer to a",
      "answer to b",
      "answer to c",
    ]);
  });

  it("flushes a group when its oldest request has waited maxWaitMs", async () => {
    const { backend, accumulator, stats } = setup(echo);
    const submitted = performance.now();
    const results = [accumulator.submit(request("a"), batch({ maxWaitMs: 80 }))];
    await sleep(40);
    results.push(accumulator.submit(request("b"), batch({ maxWaitMs: 80 })));
    expect(backend.calls).toHaveLength(0);
    await Promise.all(results);
    expect(backend.calls).toHaveLength(2);
    for (const call of backend.calls) expect(call.startedAt - submitted).toBeGreaterThanOrEqual(75);
    // Both went in the one flush the first request's timer made.
    expect(backend.calls[1].startedAt - backend.calls[0].startedAt).toBeLessThan(30);
    expect(stats.batchesFlushed).toBe(1);
  });

  it("flushes at once when nothing else can arrive", async () => {
    const { backend, accumulator } = setup(echo, { nothingElseCanArrive: (waiting) => waiting >= 3 });
    const results = [accumulator.submit(request("a"), batch()), accumulator.submit(request("b"), batch())];
    await sleep(20);
    expect(backend.calls).toHaveLength(0);
    results.push(accumulator.submit(request("c"), batch()));
    await sleep(5);
    expect(backend.calls).toHaveLength(3);
    await Promise.all(results);
  });

  it("flushes on check() once the run says nothing else can arrive", async () => {
    let closed = false;
    const { backend, accumulator } = setup(echo, { nothingElseCanArrive: () => closed });
    const result = accumulator.submit(request("a"), batch());
    await sleep(20);
    expect(backend.calls).toHaveLength(0);
    closed = true;
    accumulator.check();
    expect((await result).content).toBe("answer to a");
  });

  it("flushes the groups in priority order, highest first", async () => {
    let closed = false;
    const { backend, accumulator } = setup(echo, { slots: 1, nothingElseCanArrive: () => closed });
    const results = [
      ...["low-1", "low-2"].map((u) => accumulator.submit(request(u), batch({ group: "low", priority: 1 }))),
      ...["high-1", "high-2"].map((u) => accumulator.submit(request(u), batch({ group: "high", priority: 5 }))),
      ...["mid-1", "mid-2"].map((u) => accumulator.submit(request(u), batch({ group: "mid", priority: 3 }))),
    ];
    closed = true;
    accumulator.check();
    await Promise.all(results);
    expect(users(backend)).toEqual(["high-1", "high-2", "mid-1", "mid-2", "low-1", "low-2"]);
  });

  it("sends requests with equal prefixes next to each other", async () => {
    const { backend, accumulator } = setup(echo, { slots: 1 });
    const results = ["b", "a", "b", "a", "b", "a"].map((prefix, i) =>
      accumulator.submit(
        request(`question ${i}`, `system prompt ${prefix}`),
        batch({ cacheKey: prefix, maxBatchSize: 6 }),
      ),
    );
    await Promise.all(results);
    const prefixes = backend.calls.map((call) => textOf(call.request, "system"));
    expect(prefixes).toEqual([...Array(3).fill("system prompt a"), ...Array(3).fill("system prompt b")]);
  });

  it("orders a flush by prompt text, so requests sharing a longer prefix are adjacent too", async () => {
    const { backend, accumulator } = setup(echo, { slots: 1 });
    const texts = ["doc B part 2", "doc A part 1", "doc B part 1", "doc A part 2"];
    await Promise.all(texts.map((u) => accumulator.submit(request(u), batch({ maxBatchSize: 4 }))));
    expect(users(backend)).toEqual(["doc A part 1", "doc A part 2", "doc B part 1", "doc B part 2"]);
  });
});

describe("prefix warm-up", () => {
  it("sends the first request of a new prefix alone (maxTokens 1) before its siblings", async () => {
    const backend = new ScriptedBackend(echo, 30);
    const { accumulator, stats } = setup(backend, { prefixWarmup: "request" });
    const hints = batch({ maxBatchSize: 4, model: "openai://gpt-4o-mini" });
    await Promise.all(["1", "2", "3", "4"].map((u) => accumulator.submit(request(u), hints)));
    expect(backend.calls).toHaveLength(5);
    const [warmUp, ...rest] = backend.calls;
    expect(warmUp.request.maxTokens).toBe(1);
    expect(warmUp.request.messages).toEqual(request("1").messages);
    for (const call of rest) {
      expect(call.request.maxTokens).toBeUndefined();
      expect(call.startedAt).toBeGreaterThanOrEqual(warmUp.endedAt!);
    }
    expect(stats.warmupRequests).toBe(1);
    expect(stats.modelRequests).toBe(4);
    // The warm-up's tokens are counted apart from the items' requests, and priced as the node's model.
    expect(stats.warmupUsage.promptTokens).toBe(10);
    expect(stats.usageByModel.get("openai://gpt-4o-mini")?.promptTokens).toBe(10);

    // The prefix is warm now: the next flush of the same key goes straight out.
    await Promise.all(["5", "6"].map((u) => accumulator.submit(request(u), batch({ maxBatchSize: 2 }))));
    expect(backend.calls).toHaveLength(7);
    expect(backend.calls.slice(5).every((call) => call.request.maxTokens === undefined)).toBe(true);
  });

  it("warms each new prefix of a flush, and only those; a lone request warms its own prefix", async () => {
    const backend = new ScriptedBackend(echo, 30);
    const { accumulator, stats } = setup(backend, { prefixWarmup: "request" });
    await accumulator.submit(request("alone", "lone system"), batch({ cacheKey: "lone", maxBatchSize: 1 }));
    expect(backend.calls.map((call) => call.request.maxTokens)).toEqual([undefined]);
    await Promise.all(
      ["w1", "w2"].map((u) =>
        accumulator.submit(request(u, "warm system"), batch({ cacheKey: "warm", maxBatchSize: 2 })),
      ),
    );
    expect(stats.warmupRequests).toBe(1);

    const before = backend.calls.length;
    const results = [
      accumulator.submit(request("w3", "warm system"), batch({ cacheKey: "warm", maxBatchSize: 4 })),
      accumulator.submit(request("w4", "warm system"), batch({ cacheKey: "warm", maxBatchSize: 4 })),
      accumulator.submit(request("c1", "cold system"), batch({ cacheKey: "cold", maxBatchSize: 4 })),
      accumulator.submit(request("c2", "cold system"), batch({ cacheKey: "cold", maxBatchSize: 4 })),
    ];
    await Promise.all(results);
    const calls = backend.calls.slice(before);
    const warmUps = calls.filter((call) => call.request.maxTokens === 1);
    expect(warmUps.map((call) => textOf(call.request, "system"))).toEqual(["cold system"]);
    expect(stats.warmupRequests).toBe(2);
    // The already-warm prefix does not wait for the other prefix's warm-up.
    const warmCalls = calls.filter((call) => textOf(call.request).startsWith("w"));
    expect(warmCalls).toHaveLength(2);
    for (const call of warmCalls) expect(call.startedAt).toBeLessThan(warmUps[0].endedAt!);

    // The lone request warmed its own prefix: its later siblings go out without a warm-up.
    const afterLone = backend.calls.length;
    await Promise.all(
      ["l2", "l3"].map((u) =>
        accumulator.submit(request(u, "lone system"), batch({ cacheKey: "lone", maxBatchSize: 2 })),
      ),
    );
    expect(backend.calls.slice(afterLone).map((call) => call.request.maxTokens)).toEqual([undefined, undefined]);
    expect(stats.warmupRequests).toBe(2);
  });
});

describe("in-flight warm-up and continuous dispatch", () => {
  it("sends the first request of a new prefix ahead of its siblings, without a warm-up request", async () => {
    const backend = new ScriptedBackend(echo, 30);
    const { accumulator, stats } = setup(backend, { prefixWarmup: "in-flight" });
    await Promise.all(["3", "1", "2"].map((u) => accumulator.submit(request(u), batch({ maxBatchSize: 3 }))));
    expect(users(backend)).toEqual(["1", "2", "3"]);
    expect(backend.calls.every((call) => call.request.maxTokens === undefined)).toBe(true);
    expect(stats.warmupRequests).toBe(0);
    // No round trip in between: the siblings go out while the first request is still in flight.
    expect(backend.calls[1].startedAt).toBeLessThan(backend.calls[0].endedAt!);
  });

  it("on a continuous backend, sends a request with a warm prefix on the next tick instead of waiting", async () => {
    const backend = new ScriptedBackend(echo, 5);
    const { accumulator, stats } = setup(backend, { prefixWarmup: "in-flight", continuous: true });
    // The prefix is cold: the first requests wait for their batch (size 2) as before.
    await Promise.all(["a", "b"].map((u) => accumulator.submit(request(u), batch({ maxBatchSize: 2 }))));
    const flushedBefore = stats.batchesFlushed;
    // Warm now: the same tick's requests go out together, in prefix order, long before the 10 s wait.
    const started = performance.now();
    await Promise.all(["d", "c"].map((u) => accumulator.submit(request(u), batch({ maxBatchSize: 64 }))));
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(users(backend)).toEqual(["a", "b", "c", "d"]);
    expect(stats.batchesFlushed).toBe(flushedBefore + 1);
  });

  it("holds requests with a warm prefix when the backend is not continuous", async () => {
    const backend = new ScriptedBackend(echo, 5);
    const { accumulator } = setup(backend, { prefixWarmup: "in-flight", continuous: false });
    await Promise.all(["a", "b"].map((u) => accumulator.submit(request(u), batch({ maxBatchSize: 2 }))));
    const held = accumulator.submit(request("c"), batch({ maxBatchSize: 64, maxWaitMs: 10_000 }));
    await sleep(50);
    expect(users(backend)).toEqual(["a", "b"]);
    // Shutting down fails what is still queued rather than leaving it hanging.
    accumulator.close(new Error("run stopped"));
    await expect(held).rejects.toThrow("run stopped");
  });
});

describe("inference slots", () => {
  it("never has more than --max-inflight requests at the backend, warm-ups included", async () => {
    const backend = new ScriptedBackend(echo, 10);
    const { accumulator } = setup(backend, { slots: 3, prefixWarmup: "request" });
    const results = Array.from({ length: 20 }, (_, i) =>
      accumulator.submit(request(`q${i}`, `system ${i % 4}`), batch({ cacheKey: `key ${i % 4}`, maxBatchSize: 20 })),
    );
    await Promise.all(results);
    expect(backend.calls.filter((call) => call.request.maxTokens === 1)).toHaveLength(4);
    expect(backend.maxConcurrent).toBe(3);
    expect(Math.max(...backend.calls.map((call) => call.concurrent))).toBe(3);
  });
});

describe("retries", () => {
  it("retries a retryable error after the server's retry-after", async () => {
    let failures = 0;
    const { backend, accumulator, stats } = setup((req) =>
      textOf(req) === "flaky" && failures++ === 0
        ? new BackendError("rate limited", 429, true, 150)
        : `answer to ${textOf(req)}`,
    );
    const result = await accumulator.submit(request("flaky"), batch({ maxBatchSize: 1 }));
    expect(result.content).toBe("answer to flaky");
    expect(backend.calls).toHaveLength(2);
    expect(backend.calls[1].startedAt - backend.calls[0].endedAt!).toBeGreaterThanOrEqual(145);
    expect(stats.retries).toBe(1);
    expect(stats.modelRequests).toBe(1);
  });

  it("gives the slot back while waiting to retry", async () => {
    let failures = 0;
    const { backend, accumulator } = setup(
      (req) =>
        textOf(req) === "flaky" && failures++ === 0
          ? new BackendError("overloaded", 503, true, 200)
          : `answer to ${textOf(req)}`,
      { slots: 1 },
    );
    const flaky = accumulator.submit(request("flaky"), batch({ maxBatchSize: 1 }));
    await sleep(5);
    const steady = await accumulator.submit(request("steady"), batch({ maxBatchSize: 1 }));
    expect(steady.content).toBe("answer to steady");
    expect((await flaky).content).toBe("answer to flaky");
    expect(users(backend)).toEqual(["flaky", "steady", "flaky"]);
  });

  it("fails the request after the last attempt", async () => {
    const { backend, accumulator, stats } = setup(() => new BackendError("down", 503, true, 5));
    await expect(accumulator.submit(request("a"), batch({ maxBatchSize: 1 }))).rejects.toThrow("down");
    expect(backend.calls).toHaveLength(3);
    expect(stats.retries).toBe(2);
  });

  it("rejects only the request with a permanent error, without retrying it", async () => {
    const { backend, accumulator, stats } = setup((req) =>
      textOf(req) === "bad" ? new BackendError("invalid request", 400, false) : `answer to ${textOf(req)}`,
    );
    const results = await Promise.allSettled(
      ["good-1", "bad", "good-2"].map((u) => accumulator.submit(request(u), batch({ maxBatchSize: 3 }))),
    );
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ status: 400, retryable: false });
    expect(backend.callsFor("bad")).toHaveLength(1);
    expect(stats.retries).toBe(0);
  });

  it("backs off exponentially with full jitter, capped; a server's delay wins", () => {
    const policy: RetryPolicy = { retryForMs: 60_000, attempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    const top = () => 1;
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffMs(attempt, policy, undefined, top))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect(backoffMs(3, policy, undefined, () => 0.5)).toBe(200);
    expect(backoffMs(1, policy, 2500, top)).toBe(2500);
    expect(backoffMs(1, policy, 60_000, top)).toBe(3000);
  });
});
