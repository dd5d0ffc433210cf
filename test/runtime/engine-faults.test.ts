// Engine faults through a fault proxy between the OpenAI-compatible backend and the simulator's HTTP server: a burst
// of 5xx longer than a few quick retries, 429s with retry-after, connections reset before the answer and in the middle
// of its body, 200s that are not JSON, slow answers and an engine that never answers. Every item must end (no hang),
// none may be lost or answered twice, and an item that cannot succeed says why.
import { afterEach, describe, expect, it } from "vitest";
import { OpenAICompatibleBackend } from "../../src/backends/openai-compatible/backend.js";
import { DEFAULT_RETRY, type RetryPolicy } from "../../src/runtime/retry.js";
import { startSimServer } from "../../src/sim/index.js";
import { burst, firstAttempts, startFaultProxy, type FaultPlan, type FaultProxy } from "../helpers/fault-proxy.js";
import { runFixture, useScratchDir } from "./helpers/run-fixture.js";

const scratch = useScratchDir("nexus-engine-faults-");
const closing: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const thing of closing.splice(0).reverse()) await thing.close();
});

const questions = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `q${i}`, question: `Question ${i}?` }));

async function proxied(plan: FaultPlan): Promise<{ proxy: FaultProxy; backend: OpenAICompatibleBackend }> {
  const sim = await startSimServer({ timeScale: 0.001 });
  closing.push(sim);
  const proxy = await startFaultProxy(sim.url, plan);
  closing.push(proxy);
  const backend = new OpenAICompatibleBackend({ baseUrl: `${proxy.url}/v1`, flavor: "vllm", connections: 16 });
  closing.push(backend);
  return { proxy, backend };
}

async function run(plan: FaultPlan, items: number, retry: RetryPolicy = DEFAULT_RETRY) {
  const { proxy, backend } = await proxied(plan);
  const started = performance.now();
  const result = await runFixture("one-model", questions(items), backend, scratch(), { retry, maxInflight: 16 });
  const ids = result.lines.map((line) => line.id);
  expect(new Set(ids).size).toBe(ids.length); // nothing written twice
  expect(ids.length).toBe(items); // nothing lost
  return { ...result, proxy, seconds: (performance.now() - started) / 1000 };
}

const ok = (lines: { status: string }[]) => lines.filter((line) => line.status === "ok").length;

describe("engine faults through the fault proxy", () => {
  it("rides out 500s for 3 seconds with the default time-based budget: no item fails", async () => {
    const { lines, proxy, outcome } = await run(burst(3000, { kind: "status", status: 500 }), 60);
    expect(ok(lines)).toBe(60);
    expect(proxy.counts().faults.status).toBeGreaterThan(60);
    expect(proxy.counts().paidTwice).toBe(0);
    expect(outcome.stats.retries).toBeGreaterThan(60);
  }, 30_000);

  it("waits out 429s for the server's retry-after before sending again", async () => {
    const seen = new Map<string, number>();
    const plan: FaultPlan = (request) => {
      if (request.attempt === 1) seen.set(request.key, performance.now());
      else expect(performance.now() - seen.get(request.key)!).toBeGreaterThanOrEqual(950);
      return request.attempt === 1 ? { kind: "status", status: 429, retryAfter: "1" } : { kind: "none" };
    };
    const { lines, proxy } = await run(plan, 20);
    expect(ok(lines)).toBe(20);
    expect(proxy.counts().faults.status).toBeGreaterThanOrEqual(20); // and the start-up warm-up's
    expect(proxy.counts().paidTwice).toBe(0);
  }, 30_000);

  it("retries a connection closed in the middle of the answer's body", async () => {
    const { lines, proxy } = await run(firstAttempts(0.5, { kind: "reset-mid-body" }), 40);
    expect(ok(lines)).toBe(40);
    expect(proxy.counts().faults["reset-mid-body"]).toBeGreaterThan(10);
    expect(proxy.counts().paidTwice).toBe(0);
  }, 30_000);

  it("retries a connection reset before the answer and a 200 that is not JSON", async () => {
    const plan: FaultPlan = (request) =>
      request.attempt === 1
        ? { kind: "reset-before" }
        : request.attempt === 2
          ? { kind: "invalid-json" }
          : { kind: "none" };
    const { lines, proxy } = await run(plan, 20);
    expect(ok(lines)).toBe(20);
    expect(proxy.counts().faults["reset-before"]).toBeGreaterThanOrEqual(20); // and the start-up warm-up's
    expect(proxy.counts().faults["invalid-json"]).toBe(20);
    expect(proxy.counts().paidTwice).toBe(0);
  }, 30_000);

  it("gives each attempt a time limit: silent answers time out, are retried, and are counted", async () => {
    const retry = { ...DEFAULT_RETRY, requestTimeoutMs: 500 };
    const { lines, proxy, outcome } = await run(firstAttempts(0.5, { kind: "silent" }), 30, retry);
    expect(ok(lines)).toBe(30);
    expect(outcome.stats.timeouts).toBe(proxy.counts().faults.silent);
    expect(outcome.stats.timeouts).toBeGreaterThan(5);
  }, 30_000);

  it("leaves slow answers alone when they come within the time limit", async () => {
    const retry = { ...DEFAULT_RETRY, requestTimeoutMs: 3000 };
    const { lines, proxy, outcome } = await run(() => ({ kind: "delay", ms: 600 }), 20, retry);
    expect(ok(lines)).toBe(20);
    expect(outcome.stats.timeouts).toBe(0);
    expect(proxy.counts().received).toBe(proxy.counts().distinct); // nothing sent twice
  }, 30_000);

  it("fails every item of an engine that never answers once the budget is spent, and ends", async () => {
    const retry = { ...DEFAULT_RETRY, retryForMs: 1500, requestTimeoutMs: 300 };
    const { lines, seconds, outcome } = await run(() => ({ kind: "silent" }), 10, retry);
    expect(ok(lines)).toBe(0);
    for (const line of lines)
      expect(line.error).toMatch(/no answer within 0\.3 s \(request timeout\) \(gave up after \d+ attempts/);
    expect(outcome.stats.timeouts).toBeGreaterThanOrEqual(30);
    expect(seconds).toBeLessThan(15);
  }, 30_000);
});
