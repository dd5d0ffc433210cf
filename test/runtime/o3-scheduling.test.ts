// The -O3 scheduling passes at run time, over real HTTP against the simulator: each engine gets the hints in its own
// wire format (Dynamo nvext.agent_hints and cache_control, SGLang and vLLM priority), priorities rise turn by turn,
// a keep-alive goes with turns that may call a tool, identical requests at temperature 0 share one answer, and
// admission waits while the engine's KV cache is full.
import { describe, expect, it } from "vitest";
import { selectBackend } from "../../src/backends/select-backend.js";
import { engineHintFields } from "../../src/backends/openai-compatible/wire.js";
import { compileFile } from "../../src/driver/compile.js";
import type { ModelBackend } from "../../src/runtime/backend.js";
import { KvAdmission } from "../../src/runtime/kv-admission.js";
import { KvReadings } from "../../src/runtime/kv-readings.js";
import { staticPrefixRequest } from "../../src/runtime/downstream-prefill.js";
import { requestPlanFor } from "../../src/prompt/assemble-request.js";
import { RunStats } from "../../src/runtime/run-stats.js";
import { WorkflowScheduling } from "../../src/runtime/workflow-scheduling.js";
import type { LlmNode } from "../../src/ir/types.js";
import { startRecordingProxy } from "./helpers/http-servers.js";
import { useTestResources } from "./helpers/closing.js";
import { runFixture, useScratchDir, workflowFile } from "./helpers/run-fixture.js";

const scratch = useScratchDir();
const { track, sim } = useTestResources();
const ITEMS = [0, 1, 2, 3].map((i) => ({ id: `i${i}`, topic: `topic ${i}`, kind: i % 2 ? "odd" : "even" }));

function backendFor(url: string): ModelBackend {
  return track(selectBackend(url, { maxInflight: 8, timeScale: 0.01 }));
}

async function runAtO3(url: string, mode: "vllm" | "sglang" | "dynamo") {
  const engine = await sim({ mode, timeScale: 0.01 });
  const proxy = track(await startRecordingProxy(engine.url));
  const workflow = compileFile(workflowFile("o3-agent"), { optimizationLevel: "3" }).workflow!;
  const run = await runFixture("o3-agent", ITEMS, backendFor(url.replace("PORT", String(proxy.port))), scratch(), {
    workflow,
    toolTimeScale: 0.01,
  });
  expect(run.lines.map((line) => line.status)).toEqual(["ok", "ok", "ok", "ok"]);
  const bodies = proxy.received
    .filter((r) => r.path.endsWith("/chat/completions"))
    .map((r) => r.body as Record<string, unknown>);
  return { run, bodies };
}

const isFirstTurn = (body: Record<string, unknown>) =>
  (body.messages as { role: string }[]).every((m) => m.role !== "tool") &&
  JSON.stringify(body.messages).includes("Research");

describe("-O3 hints on the wire", () => {
  it("Dynamo: a tool-calling turn carries cache_control and a priority that keeps its prefix over final turns'", async () => {
    const { run, bodies } = await runAtO3("dynamo://127.0.0.1:PORT", "dynamo");
    const firstTurns = bodies.filter(isFirstTurn).filter((b) => (b.max_tokens as number) > 1);
    const laterTurns = bodies.filter((b) => JSON.stringify(b.messages).includes('"tool"'));
    expect(firstTurns.length).toBe(4);
    expect(laterTurns.length).toBeGreaterThan(0);
    const priority = (b: Record<string, unknown>) =>
      ((b.nvext as { agent_hints: { priority: number } }).agent_hints ?? {}).priority;
    // Priority rises with each turn made (less work left), and turns that may call a tool (their prefix is needed
    // again after it) are lifted above the final classification, whose blocks engines may evict first.
    expect(Math.min(...laterTurns.map(priority))).toBeGreaterThan(Math.max(...firstTurns.map(priority)));
    const classify = bodies.filter((b) => JSON.stringify(b.messages).includes("Classify"));
    expect(Math.max(...classify.map(priority))).toBeLessThan(Math.min(...firstTurns.map(priority)));
    for (const body of firstTurns)
      expect((body.nvext as Record<string, unknown>).cache_control).toEqual({ type: "ephemeral", ttl: "250ms" });
    // Two kinds of classification for four items: two answers are shared.
    expect(run.outcome.stats.memoizedCalls).toBe(2);
    expect(bodies.filter((b) => JSON.stringify(b.messages).includes("Classify")).length).toBe(2);
  });

  it("SGLang gets a top-level priority; vLLM only with ?scheduling-policy=priority, lower first", async () => {
    const sglang = await runAtO3("sglang://127.0.0.1:PORT", "sglang");
    expect(sglang.bodies.every((b) => typeof b.priority === "number" && b.nvext === undefined)).toBe(true);
    const vllm = await runAtO3("vllm://127.0.0.1:PORT", "vllm");
    expect(vllm.bodies.some((b) => "priority" in b)).toBe(false);
    const opted = await runAtO3("vllm://127.0.0.1:PORT?scheduling-policy=priority", "vllm");
    expect(opted.bodies.every((b) => typeof b.priority === "number" && (b.priority as number) <= 0)).toBe(true);
  });

  it("writes each engine's fields from one set of hints", () => {
    const hints = { priority: 9, expectedOutputTokens: 64, keepAliveMs: 500 };
    expect(engineHintFields("dynamo", hints)).toEqual({
      nvext: { agent_hints: { priority: 9, osl: 64 }, cache_control: { type: "ephemeral", ttl: "500ms" } },
    });
    expect(engineHintFields("sglang", hints)).toEqual({ priority: 9 });
    expect(engineHintFields("vllm", hints)).toEqual({});
    expect(engineHintFields("vllm", hints, true)).toEqual({ priority: -9 });
    expect(engineHintFields("openai", hints)).toEqual({});
  });
});

describe("-O3 and the run's own inference slots", () => {
  /** The order in which the engine received the items' turns at the agent node, with one inference slot. */
  async function turnOrder(level: "2" | "3"): Promise<string[]> {
    const engine = await sim({ mode: "dynamo", timeScale: 0.01 });
    const proxy = track(await startRecordingProxy(engine.url));
    const workflow = compileFile(workflowFile("o3-agent"), { optimizationLevel: level }).workflow!;
    const backend = track(selectBackend(`dynamo://127.0.0.1:${proxy.port}`, { maxInflight: 1, timeScale: 0.01 }));
    await runFixture("o3-agent", ITEMS, backend, scratch(), { workflow, toolTimeScale: 0.01, maxInflight: 1 });
    return proxy.received
      .filter((r) => r.path.endsWith("/chat/completions"))
      .map((r) => r.body as Record<string, unknown>)
      .filter((b) => JSON.stringify(b.messages).includes("Research") && (b.max_tokens as number) > 1)
      .map((b) => (isFirstTurn(b) ? "first" : "later"));
  }

  it("sends an item's next turn before new items' first turns at -O3, after all of them at -O2", async () => {
    const o2 = await turnOrder("2");
    expect(o2.indexOf("later")).toBeGreaterThan(o2.lastIndexOf("first"));
    const o3 = await turnOrder("3");
    expect(o3.indexOf("later")).toBeLessThan(o3.lastIndexOf("first"));
  });
});

describe("-O3 runtime parts", () => {
  it("downstream prefill warms the static text up to the first per-item value", () => {
    const workflow = compileFile(workflowFile("o3-agent"), { optimizationLevel: "3" }).workflow!;
    const request = staticPrefixRequest(requestPlanFor(workflow, workflow.mainGraph, "agent")!)!;
    expect(request.messages.map((m) => [m.role, m.content])).toEqual([
      ["system", expect.stringContaining("You research topics")],
      ["user", "Research "],
    ]);
    expect(request.maxTokens).toBe(1);
    expect(request.tools?.map((t) => t.name)).toEqual(["quick_lookup"]);
  });

  it("admission holds new items while the engine queues or the cache is full, unless none runs", async () => {
    const stats = new RunStats();
    let finished = 0;
    const engine = { usage: 0.5, capacityTokens: 1000, waiting: 0 };
    const admission = new KvAdmission(
      new KvReadings(async () => ({ ...engine })),
      { maxUsage: 0.8, itemTokens: 100, sharedTokens: 200 },
      stats,
      () => finished,
    );
    await admission.admit(); // nothing runs yet: the first item always goes
    const admitted = async () => {
      await new Promise((resolve) => setTimeout(resolve, 10)); // past the last reading (read every 5 ms)
      let done = false;
      const waiting = admission.admit().then(() => (done = true));
      await new Promise((resolve) => setTimeout(resolve, 30));
      return { done, waiting };
    };
    engine.waiting = 20; // the engine has a long queue
    const queued = await admitted();
    expect(queued.done).toBe(false);
    engine.waiting = 0;
    await queued.waiting;
    engine.usage = 0.75; // 0.75 + 100 of 1,000 tokens > 0.8
    const full = await admitted();
    expect(full.done).toBe(false);
    engine.usage = 0.6;
    await full.waiting;
    // Once enough items finished, their measured KV replaces the estimate: 40 tokens each here.
    finished = 8;
    Object.assign(stats.usage, { promptTokens: 8 * 2100, cachedTokens: 8 * 2080, completionTokens: 8 * 20 });
    expect(admission.itemTokens()).toBe(40);
  });

  it("keeps a slot share through a tool call only while the engine's cache is under pressure", async () => {
    const workflow = compileFile(workflowFile("o3-agent"), { optimizationLevel: "3" }).workflow!;
    const graph = workflow.mainGraph;
    const agent = graph.node("agent") as LlmNode;
    const stats = new RunStats();
    const engine: { usage: number; capacityTokens?: number } = { usage: 0.1, capacityTokens: 1e12 };
    const readings = new KvReadings(async () => ({ ...engine }));
    const scheduling = new WorkflowScheduling();
    scheduling.configure({ kv: readings, written: stats });
    await new Promise((resolve) => setTimeout(resolve, 5));
    Object.assign(stats.usage, { promptTokens: 1e7, cachedTokens: 0, completionTokens: 1e5 });
    const holdSlot = async () => {
      await readings.recent(0); // the reading the next hints see
      return scheduling.hintsFor(graph, agent, "item-1", 1, {}).holdSlot;
    };
    // Free KV far beyond what the run writes during the wait: the prefix stays cached, the slot goes to new items.
    expect(await holdSlot()).toBeUndefined();
    engine.usage = 1; // nothing free: what the run writes next evicts idle prefixes
    expect(await holdSlot()).toEqual({ ms: expect.any(Number), share: 0.5 });
    engine.capacityTokens = undefined; // the engine reports only its usage: the share is kept
    engine.usage = 0.1;
    expect(await holdSlot()).toEqual({ ms: expect.any(Number), share: 0.5 });
    // The last turn at the node calls no tool: nothing to keep.
    expect(scheduling.hintsFor(graph, agent, "item-1", agent.maxTurns, {}).holdSlot).toBeUndefined();
  });
});
