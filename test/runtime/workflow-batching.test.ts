// Batching inside a run, seen from the backend: a batched request waits for its siblings only while they can still
// arrive (an item in a tool call can; an item that is done with its node, or waits at a task for the next step,
// cannot), and on an engine not at all once its prefix is warm; inference slots (`maxInflight`) hold model calls
// only, never tool calls, and the bound holds.
import { describe, expect, it } from "vitest";
import { ScriptedBackend, scriptedReplies, type RecordedCall } from "./helpers/scripted-backend.js";
import { runFixture, useScratchDir } from "./helpers/run-fixture.js";

const scratch = useScratchDir();
const script = (...replies: string[]) => ({ script: replies });
const slowTool = (ms: number) => `tool:slow_lookup {"ms":${ms}}`;

/** Calls of one item, by the item's last reply (unique per item in these tests), warm-ups left out. */
function callsOf(backend: ScriptedBackend, finalReply: string): RecordedCall[] {
  return backend.callsFor(finalReply).filter((call) => call.request.maxTokens !== 1);
}

/** Two agent items: one calls a 300 ms tool, the other a quick one; both then answer. */
async function runSlowAndQuickItems(backend: ScriptedBackend) {
  const { byId } = await runFixture(
    "agent",
    [
      { id: "slow", ...script(slowTool(300), "slow done") },
      { id: "quick", ...script('tool:quick_lookup {"n":1}', "quick done") },
    ],
    backend,
    scratch(),
  );
  return byId;
}

describe("a batched request is sent early only when nothing else can arrive", () => {
  it("sends the first requests of all items at once, without waiting out the batch timeout", async () => {
    const backend = new ScriptedBackend(scriptedReplies);
    const started = performance.now();
    const { lines } = await runFixture(
      "agent",
      [
        { id: "a", ...script("A done") },
        { id: "b", ...script("B done") },
      ],
      backend,
      scratch(),
    );
    expect(lines.map((line) => line.status)).toEqual(["ok", "ok"]);
    expect(performance.now() - started).toBeLessThan(2500); // the batch wait is 5000 ms
  });

  it("on a batch backend, holds a request while a sibling is in a tool call, then sends both together", async () => {
    const backend = new ScriptedBackend(scriptedReplies);
    backend.concurrency = "unbounded";
    const byId = await runSlowAndQuickItems(backend);
    expect(byId.get("slow")!.output).toEqual({ answer: "slow done" });
    expect(byId.get("quick")!.output).toEqual({ answer: "quick done" });
    const [slowFirst, slowSecond] = callsOf(backend, "slow done");
    const [, quickSecond] = callsOf(backend, "quick done");
    // The quick item's second request waited for the slow item's tool (300 ms), then went with its sibling.
    expect(quickSecond.startedAt - slowFirst.endedAt!).toBeGreaterThanOrEqual(280);
    expect(Math.abs(quickSecond.startedAt - slowSecond.startedAt)).toBeLessThan(50);
  });

  it("on an engine, sends a request whose prefix is warm at once, not waiting for a sibling in a tool call", async () => {
    const backend = new ScriptedBackend(scriptedReplies);
    const byId = await runSlowAndQuickItems(backend);
    expect(byId.get("quick")!.output).toEqual({ answer: "quick done" });
    const [slowFirst, slowSecond] = callsOf(backend, "slow done");
    const [quickFirst, quickSecond] = callsOf(backend, "quick done");
    // The engine batches continuously: holding the quick item's second request for the slow tool would only delay it.
    expect(quickSecond.startedAt - quickFirst.endedAt!).toBeLessThan(100);
    expect(slowSecond.startedAt - slowFirst.endedAt!).toBeGreaterThanOrEqual(280);
  });

  it("sends at once when the only other item is done with its node", async () => {
    const backend = new ScriptedBackend(scriptedReplies);
    const { byId } = await runFixture(
      "agent",
      [
        { id: "tool-user", ...script(slowTool(100), "tool-user done") },
        { id: "direct", ...script("direct done") },
      ],
      backend,
      scratch(),
    );
    expect(byId.get("tool-user")!.status).toBe("ok");
    const [first, second] = callsOf(backend, "tool-user done");
    // 100 ms in the tool; a 5000 ms batch wait here means the finished sibling was counted as able to send more.
    expect(second.startedAt - first.endedAt!).toBeLessThan(1000);
  });

  it("sends at once when the other item waits at a task node for the next step", async () => {
    const backend = new ScriptedBackend(() => "answered");
    const started = performance.now();
    const { lines } = await runFixture(
      "branches",
      [
        { id: "s", kind: "short" },
        { id: "l", kind: "long" },
      ],
      backend,
      scratch(),
    );
    expect(lines.map((line) => [line.id, line.status])).toEqual([
      ["s", "ok"],
      ["l", "ok"],
    ]);
    expect(performance.now() - started).toBeLessThan(2500); // the batch wait is 5000 ms
  });
});

describe("inference slots", () => {
  it("are not held by an item waiting on a tool: the other item's model calls go on", async () => {
    const backend = new ScriptedBackend(scriptedReplies, 5);
    const { byId } = await runFixture(
      "agent-unbatched",
      [
        { id: "waits", ...script(slowTool(200), "waits done") },
        {
          id: "busy",
          ...script('tool:quick_lookup {"n":1}', 'tool:quick_lookup {"n":2}', 'tool:quick_lookup {"n":3}', "busy done"),
        },
      ],
      backend,
      scratch(),
      { maxInflight: 1 },
    );
    expect(byId.get("waits")!.output).toEqual({ answer: "waits done" });
    expect(byId.get("busy")!.output).toEqual({ answer: "busy done" });
    expect(backend.maxConcurrent).toBe(1);
    const [beforeTool, afterTool] = callsOf(backend, "waits done");
    expect(afterTool.startedAt - beforeTool.endedAt!).toBeGreaterThanOrEqual(190);
    const busyCalls = callsOf(backend, "busy done");
    expect(busyCalls).toHaveLength(4);
    const duringTool = busyCalls.filter(
      (call) => call.startedAt >= beforeTool.endedAt! && call.endedAt! <= afterTool.startedAt,
    );
    expect(duringTool.length).toBeGreaterThanOrEqual(3);
  });

  it("bound the requests at the backend at once to --max-inflight", async () => {
    const backend = new ScriptedBackend(() => "fine", 15);
    const items = Array.from({ length: 40 }, (_, i) => ({ id: `i${i}`, ...script(`answer ${i}`) }));
    const { lines, outcome } = await runFixture("agent", items, backend, scratch(), { maxInflight: 4 });
    expect(lines).toHaveLength(40);
    expect(outcome.stats.succeeded).toBe(40);
    expect(backend.maxConcurrent).toBe(4);
  });
});
