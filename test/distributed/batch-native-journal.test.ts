// A distributed chunk's batch-native outcomes are kept in the shared Postgres state (`PostgresNativeBatchJournal`):
// a chunk stopped while one batch was out and another had finished is run again (as by the worker that takes it over,
// with a journal opened afresh from Postgres) and calls the implementation only for the unfinished batch.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InstantBackend } from "../../src/backends/in-process/instant-backend.js";
import { PostgresNativeBatchJournal } from "../../src/runtime/batch-native/postgres-batch-journal.js";
import { PostgresResultStore, PostgresState } from "../../src/runtime/postgres-state.js";
import { runWorkflow, type RunOptions } from "../../src/runtime/run-workflow.js";
import { compileCase, HOLDING_MODULE, useFolders, writeNativeCase } from "../batch-native/helpers.js";
import { startPostgres, type PostgresServer } from "../helpers/servers.js";
import { sleep } from "../runtime/helpers/scripted-backend.js";

const folder = useFolders();

/** Records the items that reached it; a batch of two (a's waits for b's) that ends the graph. */
const WAITING_MODULE = `export async function evaluateBatch(items) {
  return items.map((item) => "waited " + item.id);
}
`;

/** lookup (batches of one; b's is held) -> wait (a batch of both): a's lookup is done while a is not. */
function writeTwoNodeCase(dir: string): string {
  const file = writeNativeCase(dir, { node: "batch: { size: 1, timeout_ms: 10 }", module: HOLDING_MODULE });
  writeFileSync(join(dir, "wait.mjs"), WAITING_MODULE);
  const yaml = readFileSync(file, "utf8")
    .replace(
      "        batch: { size: 1, timeout_ms: 10 }\n",
      `        batch: { size: 1, timeout_ms: 10 }
      - id: wait
        kind: tool
        tool_ref: wait
        output: waited
        batch: { size: 2, timeout_ms: 60000 }
    edges:
      - from_node: lookup
        to_node: wait
        condition: { trigger: success }
`,
    )
    .replace(
      "tools:\n",
      `tools:
  - name: wait
    protocol: function
    config: { module: wait.mjs, export: wait }
    input_schema: { type: object }
`,
    );
  writeFileSync(file, yaml);
  return file;
}

const calls = (dir: string) =>
  (existsSync(join(dir, "calls.txt")) ? readFileSync(join(dir, "calls.txt"), "utf8") : "").split("\n").filter(Boolean);

describe("batch-native outcomes of a distributed chunk", () => {
  let postgres: PostgresServer;
  let state: PostgresState;
  beforeAll(async () => {
    postgres = await startPostgres();
    state = await PostgresState.open(postgres.url);
  });
  afterAll(async () => {
    await state?.close();
    await postgres?.stop();
  });

  it("a finished batch's outcomes come from Postgres when the chunk runs again; only b's batch is called", async () => {
    const dir = folder();
    const file = writeTwoNodeCase(dir);
    const compiled = compileCase(file);
    expect(compiled.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
    const workflow = compiled.workflow!;
    const items = [
      { id: "a", key: "x" },
      { id: "b", key: "y" },
    ];
    const scope = "run-native/0";
    const chunkRun = async (options: Partial<RunOptions>) =>
      runWorkflow({
        workflow,
        workflowFile: file,
        input: items,
        backend: new InstantBackend(),
        resume: true,
        shared: {
          checkpointer: state.checkpointer,
          results: new PostgresResultStore(state, "run-native", ["a", "b"]),
          batchJournal: await PostgresNativeBatchJournal.open(state, scope, true),
          threadPrefix: `${scope}/`,
        },
        ...options,
      });
    const abort = new AbortController();
    const first = chunkRun({ abort: abort.signal });
    const deadline = performance.now() + 20_000;
    while (calls(dir).length < 2 && performance.now() < deadline) await sleep(20);
    await sleep(100); // a's batch is answered and journaled while b's is held
    abort.abort();
    const stopped = await first;
    expect(stopped.interrupted).toBe(true);
    expect(calls(dir).sort()).toEqual(["a", "b"]);
    expect(await state.statuses("run-native")).toEqual(new Map());

    writeFileSync(join(dir, "release"), "");
    const again = await chunkRun({});
    expect(again.interrupted).toBe(false);
    expect(calls(dir).sort()).toEqual(["a", "b", "b"]);
    const lines = (await state.resultsAfter("run-native", 0)).map((row) => row.line);
    expect(lines.map((line) => [line.id, line.status, line.output]).sort()).toEqual([
      ["a", "ok", { found: "found x", waited: "waited a" }],
      ["b", "ok", { found: "found y", waited: "waited b" }],
    ]);
  });
});
