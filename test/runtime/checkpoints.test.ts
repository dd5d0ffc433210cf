// Chunk checkpoints: a run stopped at once (the second Ctrl-C aborts requests in flight) keeps what its chunks had
// done, and `resume` continues each chunk from its last checkpoint: work finished before it is not sent again, and
// the aborted requests are sent again instead of being reported as the items' errors.
import { describe, expect, it } from "vitest";
import { readResults, runFixture, useScratchDir } from "./helpers/run-fixture.js";
import { ScriptedBackend, textOf } from "./helpers/scripted-backend.js";

const scratch = useScratchDir();
const TOPICS = ["caching", "batching", "routing", "retries"].map((topic, i) => ({ id: `n${i + 1}`, topic }));

describe("a run aborted between two steps of a chunk", () => {
  it("resumes after the checkpointed step, and runs the aborted step again", async () => {
    const dir = scratch();
    const abort = new AbortController();
    // First run: drafts come back, polishing hangs until the run is aborted.
    const first = new ScriptedBackend((request, call) => {
      if (textOf(request).startsWith("Draft")) return `draft about ${/about (\w+)/.exec(textOf(request))![1]}`;
      abort.abort();
      return new Promise((_, reject) => {
        const signal = call.hints.signal!;
        if (signal.aborted) reject(signal.reason);
        signal.addEventListener("abort", () => reject(signal.reason));
      });
    });
    const stopped = await runFixture("two-steps", TOPICS, first, dir, { abort: abort.signal, chunkSize: 4 });
    expect(stopped.outcome.interrupted).toBe(true);
    expect(stopped.lines).toEqual([]);

    const second = new ScriptedBackend((request) => `polished: ${textOf(request).slice(18)}`);
    const resumed = await runFixture("two-steps", TOPICS, second, dir, { resume: true, chunkSize: 4 });
    expect(resumed.outcome.interrupted).toBe(false);
    expect(resumed.lines.map((line) => line.status)).toEqual(["ok", "ok", "ok", "ok"]);
    expect(resumed.byId.get("n2")!.output).toEqual({
      draft: "draft about batching",
      polish: "polished: draft about batching",
    });
    const sent = second.calls.filter((call) => call.request.maxTokens !== 1).map((call) => textOf(call.request));
    expect(sent.every((text) => text.startsWith("Polish"))).toBe(true);
    expect(sent).toHaveLength(4);
    expect(readResults(resumed.out)).toHaveLength(4);
  });
});
