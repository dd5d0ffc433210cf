// Results stream: an item's line is in the results file as soon as the item leaves the graph, while its chunk (or
// other chunks) are still running. The test backend holds the later items' requests until it sees the earlier
// items' lines on disk; if results were written only when a chunk (or the run) ends, it would wait in vain.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ChatRequest } from "../../src/runtime/chat.js";
import { readResults, runFixture, useScratchDir } from "./helpers/run-fixture.js";
import { ScriptedBackend, sleep, textOf } from "./helpers/scripted-backend.js";

const scratch = useScratchDir();

/** Answers at once, except requests mentioning `holdFor`: those wait until `ids` have result lines (at most 3 s). */
function holdingBackend(out: string, holdFor: string, ids: string[]) {
  return new ScriptedBackend(async (request: ChatRequest) => {
    if (!textOf(request).includes(holdFor) || request.maxTokens === 1) return "fast";
    const deadline = performance.now() + 3000;
    while (performance.now() < deadline) {
      const written = existsSync(out) ? readResults(out).map((line) => line.id) : [];
      if (ids.every((id) => written.includes(id))) return `saw ${ids.join(",")} on disk`;
      await sleep(10);
    }
    return "waited in vain";
  });
}

describe("result lines", () => {
  it("of the first chunk are on disk before the second chunk finishes", async () => {
    const dir = scratch();
    const backend = holdingBackend(join(dir, "results.jsonl"), "slow", ["q1", "q2"]);
    const input = [
      { id: "q1", question: "fast one" },
      { id: "q2", question: "fast two" },
      { id: "q3", question: "slow three" },
      { id: "q4", question: "slow four" },
    ];
    const { lines } = await runFixture("one-model", input, backend, dir, { chunkSize: 2 });
    expect(Object.fromEntries(lines.map((line) => [line.id, line.output]))).toEqual({
      q1: { answer: "fast" },
      q2: { answer: "fast" },
      q3: { answer: "saw q1,q2 on disk" },
      q4: { answer: "saw q1,q2 on disk" },
    });
  });

  it("of an item are on disk while another item of its chunk still waits at the same node", async () => {
    const dir = scratch();
    const backend = holdingBackend(join(dir, "results.jsonl"), "slow", ["quick"]);
    const input = [
      { id: "quick", question: "quick one" },
      { id: "slow", question: "slow one" },
    ];
    const { lines } = await runFixture("one-model", input, backend, dir);
    expect(lines.map((line) => [line.id, line.output])).toEqual([
      ["quick", { answer: "fast" }],
      ["slow", { answer: "saw quick on disk" }],
    ]);
  });

  it("of an item on a short branch are on disk while its chunk goes on", async () => {
    const dir = scratch();
    const backend = holdingBackend(join(dir, "results.jsonl"), "prepared", ["short"]);
    const { lines } = await runFixture(
      "branches",
      [
        { id: "long", kind: "long" },
        { id: "short", kind: "short" },
      ],
      backend,
      dir,
    );
    expect(lines.map((line) => [line.id, line.output])).toEqual([
      ["short", { intake: { action: "intake" }, answer: "fast" }],
      [
        "long",
        { intake: { action: "intake" }, prepare: { action: "prepare_long_answer" }, answer_long: "saw short on disk" },
      ],
    ]);
  });
});
