// The tool pool: identical calls of a deterministic tool share one execution (concurrent ones wait for it, later
// ones reuse its result), cacheable results are served from the cache for their TTL, tools with side effects run
// every call, rate limits space executions out, and a throwing tool fails its item (result line status "error")
// while the run goes on.
import { describe, expect, it } from "vitest";
import { compileText } from "../../src/driver/compile.js";
import type { ToolDefinition } from "../../src/ir/types.js";
import { RunStats } from "../../src/runtime/run-stats.js";
import { coalesceDecisionsOf, ToolPool, type ToolExecutor } from "../../src/runtime/tools/tool-pool.js";
import { compileWorkflow, runFixture, useScratchDir } from "./helpers/run-fixture.js";
import { ScriptedBackend, sleep } from "./helpers/scripted-backend.js";

const scratch = useScratchDir();
const workflow = compileWorkflow("tool-pool");
const tool = (name: string): ToolDefinition => workflow.tool(name)!;

/** A pool whose executor records when each execution started and takes `latencyMs`. */
function pool(latencyMs = 20, fail?: (args: Record<string, unknown>) => boolean) {
  const starts: number[] = [];
  const stats = new RunStats();
  const execute: ToolExecutor = async (definition, args) => {
    starts.push(performance.now());
    await sleep(latencyMs);
    if (fail?.(args)) throw new Error(`no answer for ${JSON.stringify(args)}`);
    return { tool: definition.name, args, execution: starts.length };
  };
  return { tools: new ToolPool(execute, stats, coalesceDecisionsOf(workflow)), stats, starts };
}

describe("in a run", () => {
  it("runs identical concurrent calls of a deterministic tool once", async () => {
    const items = ["batching", "batching", "caching", "batching", "caching"].map((topic, i) => ({
      id: `s${i}`,
      tool: "search",
      topic,
    }));
    const { lines, outcome } = await runFixture("tool-pool", items, new ScriptedBackend(() => "unused"), scratch());
    expect(lines.map((line) => line.status)).toEqual(Array(5).fill("ok"));
    expect(lines.find((line) => line.id === "s3")!.output).toEqual({
      pick: { action: "pick_tool" },
      found: { topic: "batching", hits: ["batching: result 1"] },
    });
    expect(outcome.stats.toolCalls).toBe(5);
    expect(outcome.stats.toolExecutions).toBe(2);
  });

  it("runs every call of a tool with side effects", async () => {
    const items = [1, 2, 3].map((i) => ({ id: `n${i}`, tool: "notify", topic: "same topic" }));
    const { outcome } = await runFixture("tool-pool", items, new ScriptedBackend(() => "unused"), scratch());
    expect(outcome.stats.toolCalls).toBe(3);
    expect(outcome.stats.toolExecutions).toBe(3);
  });

  it("turns a throwing tool into that item's error, not a crash", async () => {
    const items = [
      { id: "fine", tool: "flaky", topic: "healthy" },
      { id: "broken", tool: "flaky", topic: "broken link" },
      { id: "also-fine", tool: "search", topic: "x" },
    ];
    const { byId, outcome } = await runFixture("tool-pool", items, new ScriptedBackend(() => "unused"), scratch());
    expect(byId.get("broken")).toMatchObject({
      status: "error",
      output: null,
      error: "tool 'flaky' failed: cannot fetch 'broken link'",
    });
    expect(byId.get("fine")).toMatchObject({ status: "ok", output: { fetched: { topic: "healthy" } } });
    expect(byId.get("also-fine")!.status).toBe("ok");
    expect(outcome.stats).toMatchObject({ succeeded: 2, failed: 1 });
  });
});

describe("the pool", () => {
  it("shares one execution between identical concurrent calls, whatever the argument order", async () => {
    const { tools, stats } = pool();
    const results = await Promise.all([
      tools.call(tool("search"), { topic: "a", page: { size: 10, from: 0 } }),
      tools.call(tool("search"), { page: { from: 0, size: 10 }, topic: "a" }),
      tools.call(tool("search"), { topic: "b" }),
    ]);
    expect(results[0]).toBe(results[1]);
    expect(results[2]).not.toEqual(results[0]);
    expect(stats).toMatchObject({ toolCalls: 3, toolExecutions: 2 });
  });

  it("reuses a deterministic tool's result for identical calls that come after its execution ended", async () => {
    const { tools, stats } = pool();
    const first = await tools.call(tool("search"), { topic: "a" });
    expect(await tools.call(tool("search"), { topic: "a" })).toBe(first);
    expect(stats).toMatchObject({ toolCalls: 2, toolExecutions: 1, toolCacheHits: 1 });
  });

  // The end-to-end benchmark's defect at 1,000 agents: repeats of an argument arrive in waves, the later waves after
  // the first execution of that argument ended, so sharing only in-flight executions ran every call.
  it("runs each distinct call of a deterministic tool once over many waves of concurrent identical calls", async () => {
    const { tools, stats } = pool(5);
    const distinct = 9;
    for (let wave = 0; wave < 4; wave++) {
      const calls = Array.from({ length: 200 }, (_, i) => tools.call(tool("search"), { topic: `t${i % distinct}` }));
      const results = await Promise.all(calls);
      expect(results.map((r) => (r as { args: { topic: string } }).args.topic)).toEqual(
        Array.from({ length: 200 }, (_, i) => `t${i % distinct}`),
      );
    }
    expect(stats).toMatchObject({ toolCalls: 800, toolExecutions: distinct });
  });

  it("serves a cacheable tool from the cache within its TTL and runs it again after", async () => {
    const { tools, stats } = pool(5);
    const first = await tools.call(tool("cached_search"), { topic: "a" });
    await sleep(20);
    expect(await tools.call(tool("cached_search"), { topic: "a" })).toBe(first);
    expect(stats).toMatchObject({ toolCalls: 2, toolExecutions: 1, toolCacheHits: 1 });
    await sleep(220);
    expect(await tools.call(tool("cached_search"), { topic: "a" })).not.toBe(first);
    expect(stats).toMatchObject({ toolCalls: 3, toolExecutions: 2, toolCacheHits: 1 });
  });

  it("runs every call of a tool that is neither deterministic nor cacheable", async () => {
    const { tools, stats } = pool();
    await Promise.all([1, 2, 3].map(() => tools.call(tool("notify"), { topic: "same" })));
    expect(stats).toMatchObject({ toolCalls: 3, toolExecutions: 3 });
  });

  it("spaces executions of a rate-limited tool (20 per second: 50 ms apart)", async () => {
    const { tools, starts } = pool(1);
    await Promise.all([1, 2, 3, 4, 5].map((i) => tools.call(tool("limited"), { topic: `t${i}` })));
    expect(starts).toHaveLength(5);
    for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(45);
  });

  it("rejects every caller of a failed shared execution, and does not keep the failure", async () => {
    let failing = true;
    const { tools, stats } = pool(10, () => failing);
    const calls = await Promise.allSettled([1, 2].map(() => tools.call(tool("search"), { topic: "a" })));
    expect(calls.map((c) => c.status)).toEqual(["rejected", "rejected"]);
    expect((calls[0] as PromiseRejectedResult).reason.message).toBe(
      `tool 'search' failed: no answer for {"topic":"a"}`,
    );
    failing = false;
    await expect(tools.call(tool("search"), { topic: "a" })).resolves.toMatchObject({ tool: "search" });
    expect(stats).toMatchObject({ toolCalls: 3, toolExecutions: 2 });
  });

  describe("follows the coalesce decision the compiler recorded", () => {
    const manifest = `name: get-tool
graphs:
  - name: main
    entry_node: look
    nodes: [{ id: look, kind: tool, tool_ref: lookup }]
    edges: []
tools:
  - { name: lookup, protocol: http, config: { method: GET, endpoint: "https://example.test/lookup" } }
`;
    const poolFor = (passes: string) => {
      const compiled = compileText("get-tool.yaml", manifest, { passes });
      const workflow = compiled.workflow!;
      const stats = new RunStats();
      const execute: ToolExecutor = async () => ({ execution: stats.toolExecutions });
      return {
        tools: new ToolPool(execute, stats, coalesceDecisionsOf(workflow)),
        stats,
        get: workflow.tool("lookup")!,
      };
    };

    it("caches a GET tool for the TTL the pass recorded (get-cache-ttl-ms=40)", async () => {
      const { tools, stats, get } = poolFor("verify,tool-coalescing{get-cache-ttl-ms=40}");
      await tools.call(get, { q: "a" });
      await tools.call(get, { q: "a" });
      await sleep(60);
      await tools.call(get, { q: "a" });
      expect(stats).toMatchObject({ toolCalls: 3, toolExecutions: 2, toolCacheHits: 1 });
    });

    it("without the pass, decides the same way with the pass's default TTL (5 minutes)", async () => {
      const { tools, stats, get } = poolFor("verify");
      await tools.call(get, { q: "a" });
      await sleep(60);
      await tools.call(get, { q: "a" });
      expect(stats).toMatchObject({ toolCalls: 2, toolExecutions: 1, toolCacheHits: 1 });
    });
  });
});
