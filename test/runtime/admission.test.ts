// "Nothing else can arrive" across chunks: once the input is fully read, a chunk that finishes must not reopen
// admission, or the other chunks' partial batches wait out their max wait (here ten minutes: a hang).
import { describe, expect, it } from "vitest";
import { LiveItems } from "../../src/runtime/live-items.js";
import { ScriptedBackend } from "./helpers/scripted-backend.js";
import { runFixture, useScratchDir } from "./helpers/run-fixture.js";

const scratch = useScratchDir();

describe("admission across chunks", () => {
  it("finishes a multi-chunk run on a batch backend without waiting out the batch wait", async () => {
    const backend = new ScriptedBackend(() => "done", 2);
    backend.concurrency = "unbounded";
    // Chunks of 50 alternate: all items short (one node), then all long (three), so the last-but-one chunk finishes
    // while the last one still has two nodes to go, after the whole input was read.
    const items = Array.from({ length: 300 }, (_, i) => ({
      id: `i${i}`,
      topic: `t${i}`,
      short: Math.floor(i / 50) % 2 === 0,
    }));
    const { lines, outcome } = await runFixture("half-exit", items, backend, scratch(), { chunkSize: 50, window: 100 });
    expect(lines).toHaveLength(300);
    expect(lines.every((line) => line.status === "ok")).toBe(true);
    expect(outcome.interrupted).toBe(false);
    // 150 items take one request, 150 take three.
    expect(backend.calls.filter((call) => call.request.maxTokens !== 1)).toHaveLength(150 + 3 * 150);
  }, 20_000);
});

describe("LiveItems", () => {
  it("keeps admission closed after the end of input, whatever the scheduler's window says", () => {
    const live = new LiveItems();
    live.admit(3);
    live.park("a");
    expect(live.nothingElseCanArrive(2)).toBe(false); // admission is open: more can come
    live.setAdmitting(false);
    expect(live.nothingElseCanArrive(1)).toBe(false); // 3 live: 1 waiting + 1 parked
    expect(live.nothingElseCanArrive(2)).toBe(true);
    live.endOfInput();
    live.setAdmitting(true);
    expect(live.admissionOpen).toBe(false);
    live.finish(1);
    expect(live.nothingElseCanArrive(1)).toBe(true);
  });
});
