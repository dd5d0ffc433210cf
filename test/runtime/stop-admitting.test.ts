// A stop (Ctrl-C, or more failures than --max-failures allows) stops admitting at once: items with a request at the
// backend finish, items of started chunks that have sent nothing are left for the resume (it used to run the whole
// window, hundreds of items, before stopping), and the resumed run finishes them, each item once.
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { selectBackend } from "../../src/backends/select-backend.js";
import { runWorkflow } from "../../src/runtime/run-workflow.js";
import { chatCompletion, sendJson, startServer, type TestServer } from "./helpers/http-servers.js";
import { compileWorkflow, readResults, useScratchDir, workflowFile, writeInput } from "./helpers/run-fixture.js";

const scratch = useScratchDir("nexus-stop-admitting-test-");
const closing: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const thing of closing.splice(0).reverse()) await thing.close();
});

const ITEMS = 300;

async function slowEngine(): Promise<TestServer> {
  const api = await startServer((request, res) => {
    if (request.method === "GET") return sendJson(res, 200, { object: "list", data: [{ id: "qwen2.5-7b-instruct" }] });
    setTimeout(() => sendJson(res, 200, chatCompletion("done")), 40);
  });
  closing.push(api);
  return api;
}

describe("stopping a run", () => {
  it("leaves unstarted items for the resume instead of draining the window, and the resume finishes each once", async () => {
    const api = await slowEngine();
    const dir = scratch();
    const input = join(dir, "in.jsonl");
    const out = join(dir, "r.jsonl");
    writeInput(
      input,
      Array.from({ length: ITEMS }, (_, i) => ({ id: `i${i}`, question: `question ${i}` })),
    );
    const run = async (resume: boolean, stop?: AbortController) => {
      const backend = selectBackend(`http://127.0.0.1:${api.port}`, { maxInflight: 4, timeScale: 1 });
      closing.push(backend);
      return runWorkflow({
        workflow: compileWorkflow("one-model"),
        workflowFile: workflowFile("one-model"),
        input,
        out,
        backend,
        resume,
        maxInflight: 4,
        chunkSize: 100,
        prefixWarmup: "off",
        stop: stop?.signal,
        onProgress: (stats) => {
          if (stats.done >= 8) stop?.abort();
        },
      });
    };
    const stop = new AbortController();
    const first = await run(false, stop);
    expect(first.interrupted).toBe(true);
    const done = readResults(out).length;
    // At the stop, at most the 4 requests in flight (and items answered in the same tick) were still to finish.
    expect(done).toBeGreaterThanOrEqual(8);
    expect(done).toBeLessThanOrEqual(8 + 4 + 4);
    expect(first.stats.deferred).toBeGreaterThan(100);
    expect(first.stats.failed).toBe(0);
    const postsBefore = api.received.filter((r) => r.method === "POST").length;
    expect(postsBefore).toBe(done);

    const second = await run(true);
    expect(second.interrupted).toBe(false);
    const lines = readResults(out);
    expect(lines).toHaveLength(ITEMS);
    expect(new Set(lines.map((line) => line.id)).size).toBe(ITEMS);
    expect(lines.every((line) => line.status === "ok")).toBe(true);
    // Nothing answered before the stop was asked again.
    expect(api.received.filter((r) => r.method === "POST")).toHaveLength(ITEMS);
  });
});
